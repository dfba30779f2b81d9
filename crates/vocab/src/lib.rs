//! The words Billing Assistant's crates share, so that no crate compares another's strings:
//! which identity provider a sign-in is with ([`ProviderId`]), which live check a step names
//! ([`CheckId`]), the known causes of trouble ([`Trouble`]), the stable error codes the UI branches on ([`Code`]), and the clock ([`Millis`]).
//!
//! Each type serialises to the exact spelling the flow files and the IPC contract use, and the
//! UI's TypeScript types are generated from these (see `crates/assistant/tests/ipc_types.rs`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An identity provider the app signs in with. Flow files name it in `sign_in = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ProviderId {
    /// Microsoft Entra ID, for Azure Resource Manager.
    Microsoft,
    /// Pinecone's login (Auth0), for the Pinecone Admin API.
    Pinecone,
}

impl ProviderId {
    pub const ALL: [ProviderId; 2] = [ProviderId::Microsoft, ProviderId::Pinecone];

    /// The spelling used in flow files, IPC, keyring account names and `BA_<PROVIDER>_…` variables.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Microsoft => "microsoft",
            ProviderId::Pinecone => "pinecone",
        }
    }

    /// The provider spelled `s`, as [`Self::as_str`] spells it.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A live check a step can name in its flow file (`check = "…"`); the `checks` crate implements
/// each one, matched exhaustively, so a new variant doesn't compile until it is implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// The org is on Starter and the signed-in user owns it.
    PineconeOrg,
    /// An Azure subscription that can buy Marketplace offers exists.
    AzureSubscription,
    /// Azure has the Pinecone purchase.
    AzurePurchase,
    /// The existing org is connected: paid on Pinecone's side, active on Azure's.
    Connected,
    /// A new org billed through Azure exists.
    NewOrgConnected,
}

/// A known cause of trouble in the marketplace flows, from the troubleshooting catalogue
/// (research §3). Each flow file explains the ones that can happen in it (`[[help]]`, `trouble =
/// "…"`), every step lists the ones worth knowing there (`help = […]`), and a live check that
/// finds one names it, so the UI opens that explanation by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Trouble {
    /// The user isn't an owner of the Pinecone organization.
    NotOwner,
    /// The organization isn't on the Starter plan, so it can't be connected.
    NotStarter,
    /// "Connect to cloud marketplace" isn't on the billing page.
    ButtonMissing,
    /// Signed in to the wrong Entra tenant (directory), so the subscriptions are missing or wrong.
    WrongDirectory,
    /// The subscription can't buy: a spending limit, a free trial, or purchases turned off.
    CannotBuy,
    /// Recurring billing is off on the Pinecone purchase.
    RecurringOff,
    /// The purchase stays "Pending" on Azure.
    StuckPending,
    /// The Configure account link (Marketplace's token lasts 24 hours) has expired.
    LinkExpired,
    /// Signed in to Pinecone another way than usual, so the organization isn't listed.
    WrongSignInMethod,
}

impl Trouble {
    pub const ALL: [Trouble; 9] = [
        Trouble::NotOwner,
        Trouble::NotStarter,
        Trouble::ButtonMissing,
        Trouble::WrongDirectory,
        Trouble::CannotBuy,
        Trouble::RecurringOff,
        Trouble::StuckPending,
        Trouble::LinkExpired,
        Trouble::WrongSignInMethod,
    ];
}

/// The stable error codes of the IPC contract: the UI and the tests branch on these, and the
/// README's table lists each one. Every error the app shows carries one, beside a message for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// `choose_flow` with a flow id the app doesn't have.
    UnknownFlow,
    /// `open_step` (or a check) with a step id the flow doesn't have.
    UnknownStep,
    /// A move the rules forbid: skipping ahead, Back on the first step, a second flow without starting over.
    NotAllowed,
    /// Progress couldn't be written; nothing changed.
    SaveFailed,
    /// `open_url` with a URL that isn't in the data files.
    UnknownLink,
    /// The system browser couldn't be started.
    BrowserFailed,
    /// A start-up notice: the saved progress was set aside.
    ProgressUnreadable,
    /// A sign-in command named a provider the app doesn't have.
    UnknownProvider,
    /// `sign_in_extend` with no sign-in waiting.
    NoPendingSignIn,
    /// No client id is configured for that provider (or, for a sign-in with a code, no device
    /// authorization endpoint).
    SigninNotConfigured,
    /// The wait for the browser ran out, or a sign-in's device code expired.
    SigninTimedOut,
    /// The user cancelled the wait (or started over).
    SigninCancelled,
    /// The user said no: the provider answered `access_denied` (or, to a device code, Entra's
    /// `authorization_declined`).
    SigninDenied,
    /// The provider answered another error.
    SigninProviderError,
    /// The token endpoint refused the code (an authorization code, or a device code it doesn't
    /// accept: `bad_verification_code`, `invalid_grant`…).
    SigninRejected,
    /// The token endpoint answered nonsense, or the settings can't work.
    SigninFailed,
    /// No loopback port could be bound.
    SigninListenFailed,
    /// A service couldn't be reached.
    Network,
    /// "Use my Azure CLI sign-in", but Azure CLI isn't installed or isn't signed in (`az login`).
    AzureCliNotSignedIn,
    /// Azure CLI is there but couldn't give a token.
    AzureCliFailed,
    /// There is no keyring to keep sign-ins in.
    KeyringUnavailable,
    /// The keyring failed.
    KeyringFailed,
    /// `run_check` on a step without a check.
    NoCheck,
    /// A check's answer belongs to a run replaced by Start over (or a demo reset).
    StartedOver,
    /// The action needs a sign-in first.
    NeedsSignIn,
    /// Azure has no Pinecone purchase to act on.
    NoPurchase,
    /// The purchase is already set up.
    AlreadyConfigured,
    /// Pinecone or Azure failed or answered something unusable.
    ApiError,
    /// A demo-only command in live mode.
    NotDemo,
    /// A demo scenario that doesn't exist.
    UnknownScenario,
    /// The support bundle couldn't be written (a full disk, a folder that can't be written); no
    /// partial file is left.
    SupportBundleFailed,
    /// Made by the UI's backend module: the page runs outside the app.
    NoHost,
    /// Made by the UI's backend module: the host answered something that isn't an app error.
    Internal,
}

/// Milliseconds since the Unix epoch: the unit of every timestamp the app saves or sends.
pub type Millis = u64;

/// The current wall-clock time in [`Millis`] (0 if the clock is before 1970).
pub fn now_millis() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as Millis).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_spellings_match_their_serde_form() {
        for p in ProviderId::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str(), "as_str and serde must spell {p:?} alike");
            assert_eq!(ProviderId::parse(p.as_str()), Some(p));
        }
        assert_eq!(ProviderId::parse("google"), None);
    }

    #[test]
    fn codes_and_check_ids_use_the_documented_spelling() {
        assert_eq!(serde_json::to_value(Code::SigninNotConfigured).unwrap(), "signin_not_configured");
        assert_eq!(serde_json::to_value(Code::NoPendingSignIn).unwrap(), "no_pending_sign_in");
        assert_eq!(serde_json::to_value(Code::ApiError).unwrap(), "api_error");
        assert_eq!(serde_json::to_value(CheckId::NewOrgConnected).unwrap(), "new-org-connected");
        assert!(serde_json::from_value::<CheckId>("pinecone-orgs".into()).is_err(), "a typo in a flow file is refused");
    }
}

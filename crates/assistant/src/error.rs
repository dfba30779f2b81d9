//! The one error type every command answers with: a stable [`Code`] the UI and tests branch on,
//! and a message in plain words that says what to do next. Each crate's own errors become one of
//! these here, and only here, so the table of codes in `docs/ipc.md` has one source.

use clients::ApiError;
use serde::Serialize;
use signin::{AzureCliError, CallbackError, DeviceCodeError, OAuthError, SignInError, TokenStoreError};
use ts_rs::TS;
use vocab::Code;
use wizard::{TransitionError, WizardError};

/// (Named `AppError` in TypeScript, where `Error` is taken.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "AppError")]
pub struct Error {
    pub code: Code,
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Lowercase sentences from the crates become sentences for people.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// The system browser couldn't be started: the one wording for every page the app opens.
    pub fn browser_failed(detail: &str) -> Self {
        Self::new(
            Code::BrowserFailed,
            format!("Your web browser didn't open ({detail}). Copy the link and paste it into your browser."),
        )
    }

    pub(crate) fn unknown_link() -> Self {
        Self::new(Code::UnknownLink, "That page isn't one this app opens.")
    }

    pub(crate) fn unknown_provider(name: &str) -> Self {
        Self::new(Code::UnknownProvider, format!("There is no sign-in provider `{name}`."))
    }

    pub(crate) fn no_check() -> Self {
        Self::new(Code::NoCheck, "This step can't be checked by the app; it stays yours to confirm.")
    }

    pub(crate) fn needs_microsoft_sign_in() -> Self {
        Self::new(Code::NeedsSignIn, "Sign in with Microsoft first, so the assistant can ask Azure for the link.")
    }

    pub(crate) fn no_purchase() -> Self {
        Self::new(Code::NoPurchase, "Azure has no Pinecone subscription for this account yet.")
    }

    pub(crate) fn already_configured(name: &str) -> Self {
        Self::new(
            Code::AlreadyConfigured,
            format!("Your Pinecone subscription {name} is already set up, so there is no Configure account page to open."),
        )
    }

    /// Azure's Configure account address isn't one of Pinecone's pages.
    pub(crate) fn landing_refused(host: &str) -> Self {
        Self::new(
            Code::ApiError,
            format!("Azure gave a Configure account address this app won't open ({host}). Open your Pinecone subscription in the Azure portal and choose Configure account there."),
        )
    }

    pub(crate) fn not_demo() -> Self {
        Self::new(Code::NotDemo, "Reset is only for demo mode.")
    }

    pub(crate) fn unknown_scenario(name: &str) -> Self {
        Self::new(Code::UnknownScenario, format!("There is no demo scenario `{name}`."))
    }
}

impl From<WizardError> for Error {
    fn from(err: WizardError) -> Self {
        let code = match &err {
            WizardError::UnknownFlow(_) => Code::UnknownFlow,
            WizardError::Transition(TransitionError::UnknownStep(_)) => Code::UnknownStep,
            WizardError::Transition(TransitionError::StartedOver) => Code::StartedOver,
            WizardError::Transition(_) => Code::NotAllowed,
            WizardError::Store(_) => Code::SaveFailed,
        };
        let message = match &err {
            WizardError::Store(e) => capitalize(&format!("{e}. Your last change was not kept.")),
            WizardError::Transition(TransitionError::StartedOver) => "You started over while this check was running.".into(),
            other => capitalize(&other.to_string()),
        };
        Self { code, message }
    }
}

impl From<TokenStoreError> for Error {
    fn from(e: TokenStoreError) -> Self {
        match e {
            TokenStoreError::Unavailable(_) => Self::new(
                Code::KeyringUnavailable,
                "Your system keyring isn't available, so the sign-in can't be saved. You can keep it in memory for this run only.",
            ),
            other => Self::new(Code::KeyringFailed, format!("{}.", capitalize(&other.to_string()))),
        }
    }
}

impl From<SignInError> for Error {
    fn from(e: SignInError) -> Self {
        let code = match &e {
            SignInError::NotConfigured(_) => Code::SigninNotConfigured,
            SignInError::NotPending => Code::NoPendingSignIn,
            SignInError::Listen(_) | SignInError::Callback(CallbackError::Io(_)) => Code::SigninListenFailed,
            SignInError::Callback(CallbackError::TimedOut { .. }) => Code::SigninTimedOut,
            SignInError::Callback(CallbackError::Cancelled) => Code::SigninCancelled,
            SignInError::Callback(CallbackError::Provider { error, .. }) if error == "access_denied" => Code::SigninDenied,
            SignInError::Callback(CallbackError::Provider { .. }) => Code::SigninProviderError,
            SignInError::OAuth(OAuthError::Network(_)) => Code::Network,
            SignInError::OAuth(OAuthError::Rejected { .. }) => Code::SigninRejected,
            SignInError::OAuth(_) => Code::SigninFailed,
            SignInError::AzureCli(AzureCliError::NotFound(_) | AzureCliError::NotSignedIn(_)) => Code::AzureCliNotSignedIn,
            SignInError::AzureCli(AzureCliError::Failed(_)) => Code::AzureCliFailed,
            // A device code's ends mean what the loopback sign-in's do, so they share its codes.
            SignInError::DeviceCode(DeviceCodeError::Unavailable(_)) => Code::SigninNotConfigured,
            SignInError::DeviceCode(DeviceCodeError::Expired) => Code::SigninTimedOut,
            SignInError::DeviceCode(DeviceCodeError::Declined { .. }) => Code::SigninDenied,
            SignInError::DeviceCode(DeviceCodeError::NotAccepted { .. }) => Code::SigninRejected,
            SignInError::Store(store) => return Error::from(store.clone()),
        };
        let message = match &e {
            SignInError::NotPending => "There is no sign-in waiting.".into(),
            SignInError::Callback(CallbackError::TimedOut { rejected }) if *rejected > 0 => {
                "The sign-in timed out. A browser tab from an older sign-in answered instead; close old sign-in tabs and try again.".into()
            }
            SignInError::Callback(CallbackError::TimedOut { .. }) => {
                "The sign-in timed out before the browser came back. Try again, and finish signing in within the time shown.".into()
            }
            SignInError::Callback(CallbackError::Cancelled) => "Sign-in cancelled.".into(),
            SignInError::Callback(CallbackError::Provider { description, .. }) => {
                format!("The sign-in didn't finish: {description}")
            }
            SignInError::OAuth(OAuthError::Network(_)) => {
                "Couldn't reach the sign-in service. Check your internet connection and try again.".into()
            }
            SignInError::DeviceCode(DeviceCodeError::Unavailable(name)) => {
                format!("Signing in with a code isn't available for {name}. Use the sign-in button instead.")
            }
            SignInError::DeviceCode(DeviceCodeError::Expired) => {
                "The code expired before you finished. Get a new code and try again.".into()
            }
            SignInError::DeviceCode(DeviceCodeError::Declined { .. }) => {
                "The sign-in was declined on the sign-in page, so you aren't signed in. Get a new code if you want to try again.".into()
            }
            SignInError::DeviceCode(DeviceCodeError::NotAccepted { .. }) => {
                "The sign-in service didn't accept the code. Get a new code and try again.".into()
            }
            SignInError::AzureCli(AzureCliError::NotSignedIn(said)) => {
                // The card offers the browser sign-in beside this when the build has one.
                format!("Azure CLI isn't signed in on this computer (it said: \"{}\"). Run az login in a terminal, then try again.", said.trim_end_matches('.'))
            }
            other => format!("{}.", capitalize(&other.to_string())),
        };
        Self { code, message }
    }
}

impl From<crate::BundleError> for Error {
    fn from(e: crate::BundleError) -> Self {
        use crate::BundleError;
        let message = match &e {
            BundleError::DiskFull { dir } => format!(
                "The support bundle couldn't be saved: the disk holding {} is full. Free some space and try again; nothing was left behind.",
                dir.display()
            ),
            BundleError::NotWritable { dir, reason } => format!(
                "The support bundle couldn't be saved in {} ({reason}). Check that the folder exists and that you can write to it, then try again; nothing was left behind.",
                dir.display()
            ),
        };
        Self::new(Code::SupportBundleFailed, message)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Self::new(Code::ApiError, format!("{}.", capitalize(&e.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(Error::unknown_link()).unwrap();
        assert_eq!(json, serde_json::json!({"code": "unknown_link", "message": "That page isn't one this app opens."}));
    }

    #[test]
    fn sign_in_errors_get_their_documented_codes() {
        let denied = SignInError::Callback(CallbackError::Provider { error: "access_denied".into(), description: "No.".into() });
        assert_eq!(Error::from(denied).code, Code::SigninDenied);
        let busy = SignInError::Callback(CallbackError::Provider { error: "server_error".into(), description: "x".into() });
        assert_eq!(Error::from(busy).code, Code::SigninProviderError);
        let locked = SignInError::Store(TokenStoreError::Unavailable("locked".into()));
        assert_eq!(Error::from(locked).code, Code::KeyringUnavailable);
        assert_eq!(Error::from(TokenStoreError::Failed("x".into())).code, Code::KeyringFailed);
        assert_eq!(Error::from(SignInError::NotPending).code, Code::NoPendingSignIn);
        // The two a test can't provoke from outside: a port that can't be bound, a five-minute wait.
        assert_eq!(Error::from(SignInError::Listen("in use".into())).code, Code::SigninListenFailed);
        assert_eq!(Error::from(SignInError::Callback(CallbackError::TimedOut { rejected: 0 })).code, Code::SigninTimedOut);
        let stale = Error::from(SignInError::Callback(CallbackError::TimedOut { rejected: 2 }));
        assert!(stale.message.contains("older sign-in answered"), "{}", stale.message);
        // The one a test would wait 15 minutes for, unless the provider is told to be quick.
        let expired = Error::from(SignInError::DeviceCode(DeviceCodeError::Expired));
        assert_eq!(
            (expired.code, expired.message.as_str()),
            (Code::SigninTimedOut, "The code expired before you finished. Get a new code and try again.")
        );
    }

    #[test]
    fn messages_are_sentences() {
        assert_eq!(capitalize("there is no flow `x`"), "There is no flow `x`");
        assert_eq!(capitalize(""), "");
        let e = Error::from(WizardError::UnknownFlow("aws".into()));
        assert_eq!((e.code, e.message.as_str()), (Code::UnknownFlow, "There is no flow `aws`"));
    }
}

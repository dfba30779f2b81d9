//! The live checks: what each [`CheckId`] a flow file names proves through the Pinecone Admin API
//! and Azure Resource Manager, and what the user is told when it can't. Research §3
//! (troubleshooting) and §4 (verification model) are the source of the rules; the sentences are
//! data, in `words.toml`.
//!
//! A check reads the [`Findings`] earlier checks saved in progress (the org being connected, the
//! purchase being followed) and may add to them; the caller records what changed.

mod azure;
mod connected;
mod outcome;
mod pinecone_org;
mod purchases;
pub mod words;

pub use outcome::{CheckOutcome, CheckState, OrgChoice};

use clients::{arm::Arm, pinecone::PineconeAdmin, ApiError};
use signin::Secret;
use vocab::{CheckId, Trouble};
use wizard::Findings;

/// The tokens a check may use.
#[derive(Debug, Default)]
pub struct CheckInputs {
    pub pinecone: Option<Secret>,
    pub pinecone_email: Option<String>,
    /// The org the Pinecone token is scoped to (its [`PINECONE_ORG_CLAIM`]), when it says. Users
    /// and role bindings answer for that org only (research §1.2, §1.3).
    pub pinecone_org: Option<String>,
    pub microsoft: Option<Secret>,
}

/// The claim naming the org a Pinecone user token is scoped to.
pub const PINECONE_ORG_CLAIM: &str = "https://pinecone.io/orgId";

/// The API clients the checks use; live and demo mode differ only in their base URLs.
pub struct Checker {
    pub pinecone: PineconeAdmin,
    pub arm: Arm,
}

impl Checker {
    /// The known causes `check` can find, so a test can hold every step naming the check to
    /// offering help for each of them.
    pub fn troubles(check: CheckId) -> &'static [Trouble] {
        match check {
            CheckId::PineconeOrg => &[Trouble::NotOwner, Trouble::NotStarter, Trouble::WrongSignInMethod],
            CheckId::AzureSubscription => &[Trouble::WrongDirectory, Trouble::CannotBuy],
            CheckId::AzurePurchase => &[Trouble::RecurringOff],
            CheckId::Connected | CheckId::NewOrgConnected => &[Trouble::StuckPending, Trouble::RecurringOff],
        }
    }

    /// Runs `check` once. Never fails: a failing service is an outcome too.
    pub async fn run(&self, check: CheckId, inputs: &CheckInputs, findings: &mut Findings) -> CheckOutcome {
        let result = match check {
            CheckId::PineconeOrg => self.pinecone_org(inputs, findings).await,
            CheckId::AzureSubscription => self.azure_subscription(inputs, findings).await,
            CheckId::AzurePurchase => self.azure_purchase(inputs, findings).await,
            CheckId::Connected => self.connected(inputs, findings).await,
            CheckId::NewOrgConnected => self.new_org_connected(inputs, findings).await,
        };
        result.unwrap_or_else(|e| match e {
            ApiError::Busy { service, wait_secs } => CheckOutcome::busy(service.name(), wait_secs),
            e => CheckOutcome::api_error(&e),
        })
    }
}

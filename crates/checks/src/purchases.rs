//! Which Azure purchase a flow is about. A user may have bought Pinecone before (for another org),
//! so the purchases already active when the subscription or purchase step is first checked are
//! noted as earlier ones and never count; the first purchase seen waiting to be configured is
//! noted as this flow's, and every later check follows that one.

use crate::Checker;
use clients::{arm::SaasResource, ApiError};
use signin::Secret;
use wizard::Findings;

/// ARM ids compare without regard to case.
fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn is_earlier(findings: &Findings, s: &SaasResource) -> bool {
    findings.earlier_purchases.as_ref().is_some_and(|ids| ids.iter().any(|id| same_id(id, &s.id)))
}

fn is_noted(findings: &Findings, s: &SaasResource) -> bool {
    findings.purchase.as_deref().is_some_and(|id| same_id(id, &s.id))
}

impl Checker {
    /// Every Pinecone purchase in the user's enabled subscriptions. A subscription the user can't
    /// read is skipped, so one locked-down subscription doesn't hide the purchase in another; if
    /// none can be read, that error is the answer.
    pub(crate) async fn purchases(&self, token: &Secret) -> Result<Vec<SaasResource>, ApiError> {
        let mut found: Vec<SaasResource> = Vec::new();
        let mut first_error = None;
        let mut read_any = false;
        for sub in self.arm.subscriptions(token).await?.iter().filter(|s| s.is_enabled()) {
            match self.arm.pinecone_saas_all(token, &sub.subscription_id).await {
                Ok(list) => {
                    read_any = true;
                    found.extend(list);
                }
                Err(e @ (ApiError::Forbidden { .. } | ApiError::NotFound { .. } | ApiError::Status { status: 409, .. })) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if let (false, Some(e)) = (read_any, first_error) {
            return Err(e);
        }
        Ok(found)
    }

    /// Notes the purchases already active before this flow buys, once.
    pub(crate) async fn note_earlier_purchases(&self, token: &Secret, findings: &mut Findings) -> Result<(), ApiError> {
        if findings.earlier_purchases.is_none() {
            let active = self.purchases(token).await?.into_iter().filter(SaasResource::is_active);
            findings.earlier_purchases = Some(active.map(|s| s.id).collect());
        }
        Ok(())
    }

    /// The Pinecone purchase this flow is about: the one noted while it is still live; otherwise
    /// one waiting for activation (the purchase in progress) before an active one (this one after
    /// activation); and only when there is neither, the noted one that Azure stopped, so the user
    /// hears why. Earlier purchases, and other cancelled or suspended ones, don't count.
    pub async fn find_purchase(&self, token: &Secret, findings: &Findings) -> Result<Option<SaasResource>, ApiError> {
        let rank = |s: &SaasResource| match () {
            _ if is_noted(findings, s) && s.is_live() => Some(0),
            _ if is_noted(findings, s) => Some(3),
            _ if is_earlier(findings, s) => None,
            _ if s.is_pending() => Some(1),
            _ if s.is_active() => Some(2),
            _ => None,
        };
        let found = self.purchases(token).await?;
        Ok(found.into_iter().filter_map(|s| rank(&s).map(|r| (r, s))).min_by_key(|(r, _)| *r).map(|(_, s)| s))
    }

    /// [`Self::find_purchase`], noting a purchase seen waiting to be configured: that one is this
    /// flow's. An active one found without a note could be older, so it isn't noted.
    pub(crate) async fn follow_purchase(
        &self,
        token: &Secret,
        findings: &mut Findings,
    ) -> Result<Option<SaasResource>, ApiError> {
        let saas = self.find_purchase(token, findings).await?;
        if let Some(s) = saas.as_ref().filter(|s| s.is_pending()) {
            findings.purchase = Some(s.id.clone());
        }
        Ok(saas)
    }
}

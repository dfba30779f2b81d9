//! The checker against a running demo world, with the inputs the app would give it after both
//! sign-ins, and a runner that also fails on any sentence left with a `{placeholder}`.

#![allow(dead_code)] // Each test file uses its own part.

use checks::{CheckInputs, CheckOutcome, Checker, PINECONE_ORG_CLAIM};
use clients::{arm::Arm, pinecone::PineconeAdmin, Retry};
use signin::Secret;
use simulator::{Demo, Scenario, ARM_AUDIENCE, PINECONE_AUDIENCE};
use std::time::Duration;
use vocab::CheckId;
use wizard::Findings;

pub const FAST: Retry = Retry { attempts: 2, first_delay: Duration::from_millis(10), max_delay: Duration::from_millis(20) };

/// A demo world in `scenario`, the checker pointed at it, and both sign-ins' inputs. The
/// Pinecone org comes from the token's claim, as the app reads it.
pub async fn setup(scenario: Scenario) -> (Demo, Checker, CheckInputs) {
    let demo = Demo::start(scenario).await.unwrap();
    let checker = Checker {
        pinecone: PineconeAdmin::new(demo.base_url()).with_retry(FAST),
        arm: Arm::new(demo.base_url()).with_retry(FAST),
    };
    let pinecone = demo.idp.issue_access_token(PINECONE_AUDIENCE);
    let inputs = CheckInputs {
        pinecone_org: signin::oauth::unverified_claim(&pinecone, PINECONE_ORG_CLAIM),
        pinecone: Some(Secret::new(pinecone)),
        pinecone_email: Some("dana@acme.example".into()),
        microsoft: Some(Secret::new(demo.idp.issue_access_token(ARM_AUDIENCE))),
    };
    (demo, checker, inputs)
}

/// Runs a check, and makes sure every sentence it says was filled in: no `{placeholder}` left.
pub async fn run(checker: &Checker, check: CheckId, inputs: &CheckInputs, findings: &mut Findings) -> CheckOutcome {
    let o = checker.run(check, inputs, findings).await;
    for text in std::iter::once(&o.summary).chain(&o.details).chain(&o.advice).chain(&o.facts) {
        assert!(!text.contains('{') && !text.contains('}'), "{check:?} left a placeholder unfilled: {text}");
    }
    // The flows' help coverage (tests/checks.rs) is only as true as this list.
    if let Some(t) = o.trouble {
        assert!(Checker::troubles(check).contains(&t), "{check:?} found {t:?}, which Checker::troubles doesn't list");
    }
    o
}

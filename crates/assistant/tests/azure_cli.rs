//! "Use my Azure CLI sign-in" against a stand-in for `az` (tests/support/fake-az/az, which
//! prints what az 2.x prints, including its error when nobody ran `az login`), in live mode
//! against the simulated Azure: offered only when `az` is there, a clear error before `az login`,
//! the checks run on its token, an expired token is asked for again, and logging out of `az`
//! signs out here too.

mod common;

use assistant::{ApiBases, Code, Mode};
use common::{start_with, write};
use signin::SignInMethod;
use simulator::{Demo, Scenario, ARM_AUDIENCE};
use std::path::{Path, PathBuf};

fn fake_az() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/fake-az/az")
}

/// A wrapper that runs the stand-in with its token file, lifetime and log set.
fn wrapper(dir: &Path, lifetime: u64) -> PathBuf {
    let path = dir.join("az");
    let script = format!(
        "#!/bin/sh\nBA_FAKE_AZ_TOKEN_FILE={} BA_FAKE_AZ_LIFETIME={lifetime} BA_FAKE_AZ_LOG={} exec {} \"$@\"\n",
        dir.join("token").display(),
        dir.join("calls").display(),
        fake_az().display()
    );
    std::fs::write(&path, script).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    path
}

fn calls(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("calls")).map(|s| s.lines().count()).unwrap_or(0)
}

async fn live_with_az(demo: &Demo, program: &Path) -> common::Harness {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("config/signin.toml"), &format!("[azure_cli]\nprogram = \"{}\"\n", program.display()));
    let bases = ApiBases { pinecone: demo.base_url(), arm: demo.base_url() };
    start_with(dir, Mode::Live, Some(std::sync::Arc::new(signin::MemoryTokenStore::default())), Some(bases)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_cli_sign_in_from_not_logged_in_to_checks_to_logged_out() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let az = tempfile::tempdir().unwrap();
    // Tokens last 0 s: every lookup has to ask `az` again, as after an hour.
    let h = live_with_az(&demo, &wrapper(az.path(), 0)).await;
    let status = h.assistant.signin_status().await;
    assert!(status.providers[0].azure_cli, "az is there, so it is offered: {status:?}");
    assert_eq!(h.assistant.signin_settings().azure_cli_found.map(PathBuf::from), Some(az.path().join("az")));

    let err = h.assistant.sign_in_with_azure_cli().await.unwrap_err();
    assert_eq!(err.code, Code::AzureCliNotSignedIn, "{err:?}");
    assert!(err.message.contains("az login"), "says what to do: {}", err.message);

    std::fs::write(az.path().join("token"), demo.idp.issue_access_token(ARM_AUDIENCE)).unwrap();
    let who = h.assistant.sign_in_with_azure_cli().await.expect("signed in through Azure CLI");
    assert_eq!(
        (who.name.as_deref(), who.email.as_deref(), who.method),
        (Some("Dana Demo"), Some("dana@acme.example"), SignInMethod::AzureCli)
    );

    h.assistant.choose_flow("create-new-org".into()).await.unwrap();
    for _ in 0..3 {
        h.assistant.next_step().await.unwrap();
    }
    let before = calls(az.path());
    let result = h.assistant.run_check("subscribe").await.unwrap();
    assert_eq!(result.outcome.state, checks::CheckState::Verified, "{:?}", result.outcome);
    assert!(calls(az.path()) > before, "the expired token was asked for again");

    // `az logout`: the next lookup finds no sign-in, and says so instead of failing.
    std::fs::remove_file(az.path().join("token")).unwrap();
    let result = h.assistant.run_check("subscribe").await.unwrap();
    assert_eq!(result.outcome.state, checks::CheckState::NeedsSignIn, "{:?}", result.outcome);
    assert!(h.assistant.signin_status().await.providers[0].signed_in.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_azure_cli_it_is_not_offered() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let h = live_with_az(&demo, Path::new("/nonexistent/az")).await;
    assert!(!h.assistant.signin_status().await.providers[0].azure_cli);
    assert_eq!(h.assistant.sign_in_with_azure_cli().await.unwrap_err().code, Code::AzureCliNotSignedIn);
    assert_eq!(h.assistant.signin_settings().azure_cli_found, None);
}

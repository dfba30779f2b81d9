//! The support bundle, end to end: a session full of known planted secrets and personal details —
//! tokens in the token store, a client secret in the settings file, an authorization code and
//! tokens passing through log events, emails, org ids and names, people's names and Azure ids in
//! the saved progress and in log lines (today's and an older rotated file's) — is written to a
//! bundle, and no planted value survives anywhere in it: not in any entry's bytes, not in the
//! entries' names or comments, not in the archive's comment, not in the zip's raw bytes.
//!
//! One logger per process: the tests in this binary share it, in one temp folder.

mod common;

use assistant::{personal::Personal, Code, Mode};
use common::{start_elsewhere, write, Elsewhere, Harness};
use signin::{MemoryTokenStore, ProviderId, Secret, SignInMethod, StoredTokens, TokenStore};
use std::{
    io::Read,
    path::{Path, PathBuf},
    sync::{Arc, OnceLock},
};

/// Every value planted, in one place: none of them may appear in a bundle.
const PLANTED: [(&str, &str); 16] = [
    ("Pinecone access token", "planted-pinecone-access-3f9a1c77e2"),
    ("Pinecone refresh token", "planted-pinecone-refresh-b81e44d0aa"),
    ("Pinecone id token", "eyJhbGciOiJub25lIn0.eyJwbGFudGVkIjoicGluZWNvbmUtaWQifQ.plantedsig"),
    ("Microsoft access token", "planted-microsoft-access-6c2d90be14"),
    ("Microsoft refresh token", "planted-microsoft-refresh-0e7f35a9c3"),
    ("client secret", "planted-client-secret-51e0c9d2ab"),
    ("authorization code", "planted-auth-code-7d4b2e9f01"),
    ("PKCE verifier", "planted-pkce-verifier-a9c3e5f7b1d2"),
    ("user name", "Plantina Userova"),
    ("email", "plantina.userova@planted-corp.example"),
    ("second email", "billing-ops@planted-corp.example"),
    ("org id", "-NMplantedOrg4711"),
    ("org name", "Planted Vector Works"),
    ("subscription id", "7c1e5a40-1b2c-4d3e-8f90-0123456789ab"),
    ("subscription name", "Planted Pay-As-You-Go"),
    ("resource name", "planted-pinecone-saas"),
];

fn planted(what: &str) -> &'static str {
    PLANTED.iter().find(|(w, _)| *w == what).map(|(_, v)| *v).unwrap()
}

fn resource_id(name: &str) -> String {
    format!("/subscriptions/{}/resourceGroups/planted-rg/providers/Microsoft.SaaS/resources/{name}", planted("subscription id"))
}

/// The log folder every test here shares, with the app's logger installed in it once.
fn logs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        assistant::log::install_in(Some(&dir), &assistant::log::Verbosity::Everything).unwrap();
        dir
    })
}

/// A live assistant whose folders hold the planted values, with its logs in [`logs`].
async fn planted_session() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config/signin.toml"),
        // A public client has no secret, and the settings refuse a `client_secret` key; an extra
        // authorize parameter is where one could still be written.
        &format!(
            "[pinecone]\nclient_id = \"public-client-id\"\nextra_params = {{ client_secret = \"{}\" }}\n",
            planted("client secret")
        ),
    );
    let progress = serde_json::json!({
        "version": 2,
        "flow": "connect-existing-org",
        "position": {"screen": "step", "step": "connect-marketplace"},
        "done": {"open-billing": 1_700_000_000_000u64},
        "verified": {"open-billing": 1_700_000_000_000u64},
        "confirmation": [
            format!("{} is on the Starter plan and you are an owner.", planted("org name")),
            format!("Signed in as {} ({}).", planted("user name"), planted("email")),
            format!("You can buy Pinecone with the subscription {}.", planted("subscription name")),
        ],
        "findings": {
            "targetOrg": planted("org id"),
            "purchase": resource_id(planted("resource name")),
            "earlierPurchases": [resource_id("planted-older-purchase")],
        },
        "startedAt": 1_700_000_000_000u64,
        "updatedAt": 1_700_000_000_000u64,
        "finishedAt": null,
    });
    write(&dir.path().join("data/progress.json"), &progress.to_string());

    let store = Arc::new(MemoryTokenStore::default());
    let tokens = |access: &str, refresh: &str, id: Option<&str>, email: &str| StoredTokens {
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(refresh)),
        expires_at: Some(u64::MAX),
        id_token: id.map(Secret::new),
        name: Some(planted("user name").into()),
        email: Some(email.into()),
        method: SignInMethod::Browser,
    };
    let pinecone = tokens(
        planted("Pinecone access token"),
        planted("Pinecone refresh token"),
        Some(planted("Pinecone id token")),
        planted("email"),
    );
    let microsoft = tokens(planted("Microsoft access token"), planted("Microsoft refresh token"), None, planted("second email"));
    store.save(ProviderId::Pinecone, &pinecone).unwrap();
    store.save(ProviderId::Microsoft, &microsoft).unwrap();

    start_elsewhere(dir, Mode::Live, Some(store), None, Elsewhere { logs: Some(logs().to_path_buf()), bundles: None }).await
}

/// Log events carrying the planted values the ways code might write them: typed (a `Secret`, a
/// `Personal`), in a URL or a form, as JSON, in a header, and bare where the value is known.
fn plant_log_events() {
    let code = planted("authorization code");
    let access = planted("Pinecone access token");
    tracing::info!(code = ?Secret::new(code), "callback received, exchanging the code");
    tracing::info!("callback GET /callback?code={code}&state=planted-state-1 HTTP/1.1");
    tracing::debug!(
        "token request grant_type=authorization_code&code={code}&code_verifier={}&client_secret={}",
        planted("PKCE verifier"),
        planted("client secret")
    );
    tracing::debug!(
        "token endpoint answered {{\"access_token\":\"{access}\",\"refresh_token\":\"{}\",\"id_token\":\"{}\"}}",
        planted("Pinecone refresh token"),
        planted("Pinecone id token")
    );
    tracing::debug!("GET /admin/organizations Authorization: Bearer {}", planted("Microsoft access token"));
    tracing::warn!(
        "refresh refused for {} (refresh_token={})",
        planted("Microsoft refresh token"),
        planted("Microsoft refresh token")
    );
    tracing::info!(
        "checked {} ({}) owned by {}",
        Personal::org_id(planted("org id")),
        Personal::org_name(planted("org name")),
        Personal::person(planted("user name"))
    );
    tracing::info!("{} and {} are org members", Personal::email(planted("email")), planted("second email"));
    tracing::info!(
        "subscription {} ({}) holds {}",
        planted("subscription id"),
        Personal::subscription_name(planted("subscription name")),
        resource_id(planted("resource name"))
    );
    tracing::info!("org {} renamed to {} by {}", planted("org id"), planted("org name"), planted("user name"));
    // An older day's file, as rotation leaves it.
    let older = logs().join("billing-assistant.2020-01-01.log");
    std::fs::write(
        &older,
        format!(
            "2020-01-01T00:00:00Z  INFO old: refresh_token={} for {} in {}\n",
            planted("Pinecone refresh token"),
            planted("email"),
            planted("org name")
        ),
    )
    .unwrap();
}

/// Every entry of the zip at `path`: name, comment and bytes (its extra field, then its content);
/// and the archive's comment.
struct Entry {
    name: String,
    comment: String,
    bytes: Vec<u8>,
}

fn open(path: &str) -> (Vec<Entry>, Vec<u8>) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).expect("a valid zip");
    let comment = zip.comment().to_vec();
    let entries = (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let name = String::from_utf8(entry.name_raw().to_vec()).unwrap();
            assert_eq!(entry.compression(), zip::CompressionMethod::Deflated, "{name}");
            let comment = String::from_utf8_lossy(entry.comment_raw()).into_owned();
            let mut bytes = entry.extra_data().unwrap_or_default();
            entry.read_to_end(&mut bytes).unwrap();
            Entry { name, comment, bytes }
        })
        .collect();
    (entries, comment)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let lower = String::from_utf8_lossy(haystack).to_lowercase();
    lower.contains(&needle.to_lowercase())
}

#[tokio::test(flavor = "multi_thread")]
async fn no_planted_secret_or_personal_value_survives_in_the_bundle() {
    logs();
    let h = planted_session().await;
    let a = &h.assistant;
    // The planted values are really in the session, so their absence below means something.
    let state = a.state();
    assert_eq!(state.flow.as_deref(), Some("connect-existing-org"), "the planted progress loaded: {:?}", state.notice);
    assert!(state.confirmation.iter().any(|f| f.contains(planted("org name"))));
    let status = a.signin_status().await;
    assert_eq!(status.config_problem, None);
    let pinecone = a.signin_settings().providers.into_iter().find(|p| p.id == ProviderId::Pinecone).unwrap();
    assert_eq!(pinecone.client_id.as_deref(), Some("public-client-id"), "the planted settings are in effect");
    assert_eq!(status.providers.iter().filter(|p| p.signed_in.is_some()).count(), 2);
    plant_log_events();

    let saved = a.save_support_bundle().await.expect("the bundle is saved");
    assert!(saved.file_name.starts_with("billing-assistant-support-") && saved.file_name.ends_with(".zip"), "{saved:?}");
    assert_eq!(Path::new(&saved.path), h.dir.path().join("bundles").join(&saved.file_name));
    let (entries, comment) = open(&saved.path);
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["README.txt", "about.json", "settings.json", "sign-ins.json", "loopback.json", "progress.json", "log.txt"]
    );

    let raw = std::fs::read(&saved.path).unwrap();
    for (what, value) in PLANTED {
        assert!(!contains(&comment, value) && !contains(&raw, value), "the {what} is in the zip itself");
        for Entry { name, comment, bytes } in &entries {
            assert!(!contains(name.as_bytes(), value) && !contains(comment.as_bytes(), value), "the {what} names {name}");
            assert!(!contains(bytes, value), "the {what} survived in {name}:\n{}", String::from_utf8_lossy(bytes));
        }
    }

    // What should be there is: placeholders that follow one value through, the client id, the
    // older file's line, the self-test, the mode.
    let entry = |name: &str| String::from_utf8(entries.iter().find(|e| e.name == name).unwrap().bytes.clone()).unwrap();
    let (log, progress, sign_ins) = (entry("log.txt"), entry("progress.json"), entry("sign-ins.json"));
    assert!(log.lines().next().unwrap().starts_with("2020-01-01"), "the older file comes first:\n{log}");
    assert!(log.contains("org org-1 renamed to org-name-1 by name-1"), "{log}");
    assert!(log.contains("code=[redacted]") && log.contains("Bearer [redacted]"), "{log}");
    assert!(progress.contains("\"targetOrg\": \"org-1\"") && progress.contains("\"confirmationFacts\": 3"), "{progress}");
    assert!(sign_ins.contains("\"email\": \"email-1\"") && sign_ins.contains("\"name\": \"name-1\""), "{sign_ins}");
    assert!(entry("settings.json").contains("\"clientId\": \"public-client-id\""), "client ids are shown");
    assert!(entry("loopback.json").contains("\"verdict\""));
    assert!(entry("about.json").contains("\"mode\": \"live\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_folder_is_a_clear_error_and_leaves_nothing() {
    logs();
    let h = planted_session().await;
    let bundles = h.dir.path().join("bundles");
    write(&bundles, "a file where the folder should be");
    let err = h.assistant.save_support_bundle().await.unwrap_err();
    assert_eq!(err.code, Code::SupportBundleFailed);
    assert!(
        err.message.starts_with("The support bundle couldn't be saved in ") && err.message.contains("nothing was left behind"),
        "{}",
        err.message
    );
    assert_eq!(std::fs::read_to_string(&bundles).unwrap(), "a file where the folder should be");
}

//! What goes into a support bundle, entry by entry, each passed through the [`Redactor`]:
//!
//! | entry | what |
//! |---|---|
//! | `README.txt` | what the bundle is and what was replaced |
//! | `about.json` | product, version, build, mode (demo or live), operating system, when it was made |
//! | `settings.json` | the sign-in settings in effect: client ids and endpoints (a public client has no secret), where they came from |
//! | `sign-ins.json` | per provider: set up or not, signed in or not and how, with placeholders for who |
//! | `loopback.json` | the loopback self-test |
//! | `progress.json` | the wizard's saved progress, ids as placeholders; the finish screen's facts as a count |
//! | `log.txt` | the last [`LOG_LINES`] log lines across the rotated files, newest last |
//!
//! The finish screen's facts are counted, not copied: they are sentences that name the org and
//! the subscription by their display names, which no pattern can tell from the words around them.

use super::redact::Redactor;
use crate::{personal::Kind, About, Mode, SignInSettings, SignInStatus};
use serde::Serialize;
use serde_json::{json, Value};
use signin::LoopbackSelfTest;
use std::collections::BTreeMap;
use wizard::{Notice, Position, Progress};

/// How many of the newest log lines a bundle carries.
pub const LOG_LINES: usize = 500;

/// Everything a bundle is made from, gathered by the assistant.
pub struct Inputs {
    pub about: About,
    pub mode: Mode,
    pub settings: SignInSettings,
    pub status: SignInStatus,
    /// Every saved token, removed by value wherever it appears.
    pub secrets: Vec<String>,
    pub progress: Progress,
    pub notice: Option<Notice>,
    pub loopback: LoopbackSelfTest,
    /// Newest last.
    pub log_lines: Vec<String>,
    /// When the bundle is made, local time, RFC 3339.
    pub created_at: String,
}

/// The progress as the bundle shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProgressView {
    flow: Option<String>,
    position: Position,
    done: BTreeMap<String, u64>,
    verified: BTreeMap<String, u64>,
    /// How many facts the finish screen has (see the module docs for why not the facts).
    confirmation_facts: usize,
    target_org: Option<String>,
    purchase: Option<String>,
    earlier_purchases: Option<Vec<String>>,
    started_at: Option<u64>,
    updated_at: Option<u64>,
    finished_at: Option<u64>,
    notice: Option<Value>,
}

/// The bundle's entries, by file name, in the order written.
pub fn entries(inputs: Inputs) -> Vec<(&'static str, Vec<u8>)> {
    let home = dirs::home_dir().map(|h| h.display().to_string());
    let mut r = Redactor::new(inputs.secrets.iter().cloned(), home);
    learn(&mut r, &inputs);

    let findings = &inputs.progress.findings;
    let progress = ProgressView {
        flow: inputs.progress.flow.clone(),
        position: inputs.progress.position.clone(),
        done: inputs.progress.done.clone(),
        verified: inputs.progress.verified.clone(),
        confirmation_facts: inputs.progress.confirmation.len(),
        target_org: findings.target_org.as_deref().map(|o| r.placeholder(Kind::OrgId, o)),
        purchase: findings.purchase.as_deref().map(|p| r.resource_id(p)),
        earlier_purchases: findings.earlier_purchases.as_ref().map(|ids| ids.iter().map(|p| r.resource_id(p)).collect()),
        started_at: inputs.progress.started_at,
        updated_at: inputs.progress.updated_at,
        finished_at: inputs.progress.finished_at,
        notice: inputs.notice.as_ref().map(|n| json!({"code": n.code, "message": n.message, "keptAt": n.kept_at})),
    };
    let about = json!({
        "product": inputs.about.product,
        "version": inputs.about.version,
        "build": inputs.about.build,
        "mode": inputs.mode,
        "os": os(),
        "createdAt": inputs.created_at,
    });
    let sign_ins = sign_ins(&mut r, &inputs.status);
    let settings = json!({ "signIn": inputs.settings });
    let loopback = serde_json::to_value(&inputs.loopback).unwrap_or_default();
    let progress = serde_json::to_value(progress).unwrap_or_default();

    let mut json_entry = |value: Value| -> Vec<u8> {
        let clean = r.json(value);
        serde_json::to_vec_pretty(&clean).expect("a JSON value serialises")
    };
    let about = json_entry(about);
    let settings = json_entry(settings);
    let sign_ins = json_entry(sign_ins);
    let loopback = json_entry(loopback);
    let progress = json_entry(progress);
    let mut log = String::new();
    for line in &inputs.log_lines {
        log.push_str(&r.text(line));
        log.push('\n');
    }
    vec![
        ("README.txt", README.as_bytes().to_vec()),
        ("about.json", about),
        ("settings.json", settings),
        ("sign-ins.json", sign_ins),
        ("loopback.json", loopback),
        ("progress.json", progress),
        ("log.txt", log.into_bytes()),
    ]
}

/// Learns every personal value the bundle knows of before anything is written, so each is
/// replaced in every entry, whichever entry it first appears in.
fn learn(r: &mut Redactor, inputs: &Inputs) {
    for who in inputs.status.providers.iter().filter_map(|p| p.signed_in.as_ref()) {
        if let Some(name) = &who.name {
            r.placeholder(Kind::PersonName, name);
        }
        if let Some(email) = &who.email {
            r.placeholder(Kind::Email, email);
        }
    }
    let findings = &inputs.progress.findings;
    if let Some(org) = &findings.target_org {
        r.placeholder(Kind::OrgId, org);
    }
    for id in findings.purchase.iter().chain(findings.earlier_purchases.iter().flatten()) {
        r.resource_id(id);
    }
    for line in &inputs.log_lines {
        r.learn_marked(line);
    }
}

fn sign_ins(r: &mut Redactor, status: &SignInStatus) -> Value {
    let providers: Vec<Value> = status
        .providers
        .iter()
        .map(|p| {
            let who = p.signed_in.as_ref();
            json!({
                "id": p.id,
                "configured": p.configured,
                "signedIn": who.is_some(),
                "method": who.map(|w| w.method),
                "name": who.and_then(|w| w.name.as_deref()).map(|n| r.placeholder(Kind::PersonName, n)),
                "email": who.and_then(|w| w.email.as_deref()).map(|e| r.placeholder(Kind::Email, e)),
                "pending": p.pending,
                "problem": p.problem.as_ref().map(|e| e.code),
                "azureCli": p.azure_cli,
            })
        })
        .collect();
    json!({
        "storage": status.storage,
        "keyringProblem": status.keyring_problem,
        "configProblem": status.config_problem,
        "providers": providers,
    })
}

/// The operating system: family and architecture everywhere, the distribution and kernel where
/// Linux says them.
fn os() -> Value {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let pretty = read("/etc/os-release")
        .and_then(|text| text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_owned()));
    json!({
        "family": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "release": pretty,
        "kernel": read("/proc/sys/kernel/osrelease").map(|k| k.trim().to_owned()),
    })
}

const README: &str = "\
Billing Assistant support bundle

Made by the app's \"Save support bundle\" button, for whoever helps you with it. It holds:

  about.json     the app's version and build, demo or live mode, the operating system
  settings.json  the sign-in settings in effect (client ids are public; the app has no client secret)
  sign-ins.json  whether each sign-in is set up and signed in, and how
  loopback.json  whether browser sign-ins can come back to this computer (ports, localhost, proxies)
  progress.json  where you are in the wizard
  log.txt        the last 500 lines of the app's log

Before anything was written, personal details were replaced with placeholders: organization ids
and names, people's names, email addresses, Azure subscription and resource ids and names become
org-1, org-name-1, name-1, email-1, subscription-1, resource-1, resource-name-1 and so on. The
same value always has the same placeholder within this bundle. Tokens, sign-in codes and
passwords are removed ([redacted]); the facts on the finish screen are counted, not copied.
";

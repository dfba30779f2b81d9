//! Pins the IPC contract: command names, argument names and the JSON the UI receives,
//! through real IPC serialisation on Tauri's mock runtime.

use super::{build_app, Overrides};
use serde_json::{json, Value};
use tauri::{
    ipc::{CallbackFn, InvokeBody},
    test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY},
    webview::InvokeRequest,
    App, Manager, WebviewWindow,
};

struct Harness {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn harness_in(dir: tempfile::TempDir) -> Harness {
    // The real context, so these tests also prove that capabilities/default.json grants every command.
    let context = tauri::generate_context!(test = true);
    let mut app =
        build_app(mock_builder(), overrides(dir.path())).expect("valid flow data").build(context).expect("mock app builds");
    // One turn of the event loop runs setup, which manages the state and opens the config's `main`
    // window. The deprecation warns against calling it in a loop; once is what we want.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let webview = app.get_webview_window("main").expect("the config's main window");
    Harness { _app: app, webview, _dir: dir }
}

fn overrides(dir: &std::path::Path) -> Overrides {
    Overrides {
        data_dir: Some(dir.to_path_buf()),
        config_dir: Some(dir.join("config")),
        token_store: Some(std::sync::Arc::new(signin::MemoryTokenStore::default())),
        mode: Some(crate::Mode::Live),
        first_copy: None,
        timeline: None,
        log_dir: Some(dir.join("logs")),
        bundle_dir: Some(dir.join("bundles")),
    }
}

/// The window's Content-Security-Policy: the UI's own files and IPC, nothing from anywhere else,
/// no inline or evaluated script, no plugins, no framing, no form posts.
#[test]
fn the_window_may_load_nothing_from_outside_the_app() {
    let config: Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    let csp = config["app"]["security"]["csp"].as_str().expect("a CSP is set");
    let directives: std::collections::BTreeMap<&str, &str> = csp.split(';').filter_map(|d| d.trim().split_once(' ')).collect();
    assert_eq!(directives["default-src"], "'self'");
    assert_eq!(directives["script-src"], "'self'");
    assert_eq!(directives["connect-src"], "ipc: http://ipc.localhost");
    for (directive, value) in
        [("object-src", "'none'"), ("base-uri", "'none'"), ("form-action", "'none'"), ("frame-ancestors", "'none'")]
    {
        assert_eq!(directives[directive], value, "{directive}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains('*'), "{csp}");
    // Capabilities: the main window gets the app's own commands and no plugin or core permission.
    let capability: Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let granted = capability["permissions"].as_array().unwrap();
    assert!(granted.iter().all(|p| p.as_str().is_some_and(|p| p.starts_with("allow-") && !p.contains(':'))), "{granted:?}");
    assert_eq!(capability["windows"], json!(["main"]));
}

/// The version the About card and `--version` show is the one the packages are built with.
#[test]
fn about_answers_the_version_tauri_conf_and_the_packages_carry() {
    let h = harness();
    let about = h.call("about", json!({})).unwrap();
    let config: Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    assert_eq!(about["version"], config["version"]);
    assert_eq!(about["product"], config["productName"]);
    assert_eq!(about["build"], "debug");
    assert_eq!(about["demo"], false, "the harness runs in live mode");
    assert_eq!(assistant::version_line(), format!("Billing Assistant {} (debug build)", env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_one_copy_lock_is_in_the_folder_tauri_keeps_the_data_in() {
    let h = harness();
    let tauri_says = h.webview.app_handle().path().app_data_dir().unwrap();
    let identifier = h.webview.app_handle().config().identifier.clone();
    assert_eq!(assistant::instance::default_data_dir(&identifier), Some(tauri_says));
}

#[test]
fn the_log_folder_is_the_one_tauri_names_for_logs() {
    let h = harness();
    let tauri_says = h.webview.app_handle().path().app_log_dir().unwrap();
    let identifier = h.webview.app_handle().config().identifier.clone();
    assert_eq!(assistant::log::platform_dir(&identifier), Some(tauri_says));
}

#[test]
fn the_loopback_self_test_and_the_support_bundle_answer_their_documented_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    let h = harness_in(dir);
    let test = h.call("loopback_self_test", json!({})).unwrap();
    assert!(["passed", "passedWithWarnings", "failed"].contains(&test["verdict"].as_str().unwrap()), "{test}");
    assert_eq!(test["ipv4"], json!({"outcome": "bound"}), "{test}");
    assert!(test["problems"].is_array() && test["proxies"].is_array() && test["localhost"]["outcome"].is_string(), "{test}");

    let saved = h.call("save_support_bundle", json!({})).unwrap();
    let name = saved["fileName"].as_str().unwrap();
    assert!(name.starts_with("billing-assistant-support-") && name.ends_with(".zip"), "{saved}");
    assert_eq!(saved["path"], bundles.join(name).display().to_string());
    assert!(bundles.join(name).is_file());

    std::fs::remove_dir_all(&bundles).unwrap();
    std::fs::write(&bundles, "a file where the folder should be").unwrap();
    let err = h.call("save_support_bundle", json!({})).unwrap_err();
    assert_eq!(err["code"], "support_bundle_failed", "{err}");
}

fn harness() -> Harness {
    harness_in(tempfile::tempdir().unwrap())
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("JSON response"))
    }
}

#[test]
fn get_state_starts_on_the_start_screen() {
    let h = harness();
    let state = h.call("get_state", json!({})).unwrap();
    assert_eq!(state["position"], json!({"screen": "start"}));
    assert_eq!(state["flow"], Value::Null);
    assert_eq!(state["steps"], json!([]));
    assert_eq!(state["notice"], Value::Null);
}

#[test]
fn get_catalog_returns_both_flows_with_camel_case_fields() {
    let h = harness();
    let catalog = h.call("get_catalog", json!({})).unwrap();
    let ids: Vec<&str> = catalog["flows"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["connect-existing-org", "create-new-org"]);
    let first = &catalog["flows"][0]["steps"][0];
    assert_eq!(first["id"], "open-billing");
    assert!(first["seedMore"].is_array(), "fields are camelCase: {first}");
    assert_eq!(catalog["start"]["annual"]["link"], "contact");
}

#[test]
fn choose_next_back_and_open_step_return_snapshots() {
    let h = harness();
    let s = h.call("choose_flow", json!({"flowId": "create-new-org"})).unwrap();
    assert_eq!(s["position"], json!({"screen": "step", "step": "open-listing"}));
    assert_eq!(s["stepIndex"], 0);
    assert_eq!(s["canGoBack"], false);
    let s = h.call("next_step", json!({})).unwrap();
    assert_eq!(s["steps"][0]["state"], "done");
    assert!(s["steps"][0]["doneAt"].is_u64());
    assert_eq!(s["steps"][1]["state"], "current");
    assert_eq!(s["steps"][2]["state"], "not-started");
    assert_eq!(s["steps"][1]["canOpen"], true);
    let s = h.call("previous_step", json!({})).unwrap();
    assert_eq!(s["stepIndex"], 0);
    let s = h.call("open_step", json!({"stepId": "get-it-now"})).unwrap();
    assert_eq!(s["stepIndex"], 1);
    let s = h.call("start_over", json!({})).unwrap();
    assert_eq!(s["position"], json!({"screen": "start"}));
}

#[test]
fn unknown_ids_get_a_code_and_a_message() {
    let h = harness();
    let err = h.call("choose_flow", json!({"flowId": "aws"})).unwrap_err();
    assert_eq!(err["code"], "unknown_flow");
    assert!(err["message"].as_str().unwrap().contains("aws"));

    h.call("choose_flow", json!({"flowId": "create-new-org"})).unwrap();
    let err = h.call("open_step", json!({"stepId": "../../etc"})).unwrap_err();
    assert_eq!(err, json!({"code": "unknown_step", "message": "There is no step `../../etc` in this flow"}));

    let err = h.call("open_step", json!({"stepId": "connect"})).unwrap_err();
    assert_eq!(err["code"], "not_allowed");

    let err = h.call("open_url", json!({"url": "https://evil.example/"})).unwrap_err();
    assert_eq!(err["code"], "unknown_link");
}

#[test]
fn a_corrupted_progress_file_gives_a_notice_and_a_fresh_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("progress.json"), b"{ not json").unwrap();
    let h = harness_in(dir);
    let state = h.call("get_state", json!({})).unwrap();
    assert_eq!(state["position"], json!({"screen": "start"}));
    assert_eq!(state["notice"]["code"], "progress_unreadable");
    assert!(state["notice"]["keptAt"].as_str().unwrap().contains("progress.json.unreadable-"));
    let state = h.call("dismiss_notice", json!({})).unwrap();
    assert_eq!(state["notice"], Value::Null);
}

#[test]
fn signin_status_lists_both_providers_unconfigured_by_default() {
    let h = harness();
    let status = h.call("signin_status", json!({})).unwrap();
    assert_eq!(status["storage"], "memory");
    assert_eq!(status["keyringProblem"], Value::Null);
    let providers = status["providers"].as_array().unwrap();
    let ids: Vec<&str> = providers.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["microsoft", "pinecone"]);
    for p in providers {
        assert_eq!(p["configured"], false, "no client id ships with the app: {p}");
        assert_eq!(p["signedIn"], Value::Null);
        assert_eq!(p["pending"], false);
    }
    assert_eq!(providers[0]["name"], "Microsoft");
}

#[test]
fn sign_in_commands_reject_unknown_providers_and_idle_extends() {
    let h = harness();
    let err = h.call("sign_out", json!({"provider": "google"})).unwrap_err();
    assert_eq!(err["code"], "unknown_provider");
    let err = h.call("sign_in_extend", json!({"provider": "pinecone"})).unwrap_err();
    assert_eq!(err["code"], "no_pending_sign_in");
    h.call("sign_in_cancel", json!({"provider": "pinecone"})).expect("cancelling nothing is fine");
    h.call("sign_out", json!({"provider": "pinecone"})).expect("signing out when signed out is fine");
}

#[test]
fn a_broken_signin_settings_file_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/signin.toml"), "[pinecone\n").unwrap();
    let h = harness_in(dir);
    let status = h.call("signin_status", json!({})).unwrap();
    assert!(status["configProblem"].as_str().unwrap().contains("signin.toml"), "{status}");
}

#[test]
fn live_mode_has_no_demo_and_checks_need_a_sign_in() {
    let h = harness();
    let status = h.call("demo_status", json!({})).unwrap();
    assert_eq!(status["enabled"], false);
    assert_eq!(status["scenarios"].as_array().unwrap().len(), 11);
    assert_eq!(h.call("demo_reset", json!({})).unwrap_err()["code"], "not_demo");
    h.call("choose_flow", json!({"flowId": "connect-existing-org"})).unwrap();
    let result = h.call("run_check", json!({"stepId": "open-billing"})).unwrap();
    assert_eq!(result["outcome"]["state"], "needs-sign-in");
    assert_eq!(result["outcome"]["provider"], "pinecone");
    // The shape the panel reads, present on every outcome.
    assert_eq!(result["outcome"]["offerLink"], false);
    assert!(result["outcome"]["retryAfterSecs"].is_null(), "{result}");
    assert!(result["outcome"].as_object().unwrap().contains_key("retryAfterSecs"));
    assert_eq!(result["snapshot"]["steps"][0]["state"], "current");
    assert_eq!(h.call("run_check", json!({"stepId": "connect-marketplace"})).unwrap_err()["code"], "no_check");
}

#[test]
fn demo_mode_serves_the_simulated_pages_and_resets() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = overrides(dir.path());
    o.mode = Some(crate::Mode::Demo);
    let context = tauri::generate_context!(test = true);
    let mut app = build_app(mock_builder(), o).unwrap().build(context).unwrap();
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let h = Harness { webview: app.get_webview_window("main").unwrap(), _app: app, _dir: dir };
    let status = h.call("demo_status", json!({})).unwrap();
    assert_eq!((status["enabled"].as_bool(), status["scenario"].as_str()), (Some(true), Some("happy-path")));
    let catalog = h.call("get_catalog", json!({})).unwrap();
    let url = catalog["flows"][0]["links"][0]["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/console/organizations/-/settings/billing"), "{url}");
    let signin = h.call("signin_status", json!({})).unwrap();
    assert_eq!(signin["storage"], "memory");
    assert_eq!(signin["providers"][1]["configured"], true, "demo sign-in is set up");
    h.call("choose_flow", json!({"flowId": "create-new-org"})).unwrap();
    let snap = h.call("demo_reset", json!({"scenario": "not-owner"})).unwrap();
    assert_eq!(snap["position"], json!({"screen": "start"}));
    assert_eq!(h.call("demo_status", json!({})).unwrap()["scenario"], "not-owner");
    assert_eq!(h.call("demo_reset", json!({"scenario": "nope"})).unwrap_err()["code"], "unknown_scenario");
    assert!(dir_has_demo_progress(&h));
}

fn dir_has_demo_progress(h: &Harness) -> bool {
    h._dir.path().join("demo/progress.json").exists()
}

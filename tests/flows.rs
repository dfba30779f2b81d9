//! End-to-end: the real app, driven through tauri-driver and WebKitWebDriver under Xvfb.
//! Walks both flows by mouse and by keyboard, checks every page the app opens, restarts the app
//! mid-flow and starts it on a corrupted progress file.

use e2e::{wait_opened, App, TestEnv};
use thirtyfour::Key;
use wizard::{Catalog, FlowDef};

#[derive(Clone, Copy, PartialEq)]
enum Input {
    Mouse,
    Keyboard,
}

fn flow(id: &str) -> FlowDef {
    Catalog::embedded().unwrap().flow(id).unwrap().clone()
}

async fn activate(app: &App, testid: &str, input: Input) {
    match input {
        Input::Mouse => app.click(testid).await,
        Input::Keyboard => app.activate_by_keyboard(testid).await,
    }
}

async fn assert_step_list(app: &App, flow: &FlowDef, current: usize) {
    for (i, step) in flow.steps.iter().enumerate() {
        let expected = match i.cmp(&current) {
            std::cmp::Ordering::Less => "done",
            std::cmp::Ordering::Equal => "current",
            std::cmp::Ordering::Greater => "not-started",
        };
        let state = app.attr(&format!("steplist-{}", step.id), "data-state").await;
        assert_eq!(state.as_deref(), Some(expected), "step list entry for {} while on step {}", step.id, current + 1);
    }
}

/// Walks `flow_id` from the start screen to the finish screen. With the mouse it also presses
/// every "Open" button and checks the URL reached the browser and is shown for copying.
async fn walk(flow_id: &str, input: Input) {
    let env = TestEnv::new();
    let app = App::launch(&env).await;
    let flow = flow(flow_id);
    app.find("screen-start").await;
    if input == Input::Mouse && flow_id == "connect-existing-org" {
        app.screenshot("start.png").await;
    }
    activate(&app, &format!("start-flow-{flow_id}"), input).await;

    let mut opened = 0;
    for (i, step) in flow.steps.iter().enumerate() {
        app.find(&format!("screen-step-{}", step.id)).await;
        let counter = app.text("step-counter").await;
        assert!(counter.starts_with(&format!("Step {} of {}", i + 1, flow.steps.len())), "counter says {counter:?}");
        assert_eq!(app.text("step-title").await, step.seed.replace("**", ""), "the screen shows the seed's wording");
        assert_step_list(&app, &flow, i).await;
        assert_eq!(app.attr("wizard-back", "disabled").await.is_some(), i == 0, "Back is disabled only on the first step");

        if input == Input::Mouse {
            for link_id in &step.links {
                let url = &flow.links.iter().find(|l| &l.id == link_id).unwrap().url;
                assert_eq!(&app.value(&format!("step-url-{link_id}")).await, url, "the URL is shown beside the button");
                app.click(&format!("step-open-{link_id}")).await;
                wait_opened(&env, opened, url).await;
                opened += 1;
            }
            if flow_id == "connect-existing-org" && i == 2 {
                app.screenshot("step.png").await;
            }
        }
        activate(&app, "wizard-next", input).await;
    }

    app.find("screen-finish").await;
    assert!(app.text("screen-finish").await.contains(&flow.finish.title));
    for step in &flow.steps {
        assert_eq!(app.attr(&format!("steplist-{}", step.id), "data-state").await.as_deref(), Some("done"));
    }
    if input == Input::Mouse && flow_id == "connect-existing-org" {
        app.screenshot("finish.png").await;
    }
    let expected_opens: usize = if input == Input::Mouse { flow.steps.iter().map(|s| s.links.len()).sum() } else { 0 };
    assert_eq!(env.opened_urls().len(), expected_opens, "nothing else was opened");
    assert!(expected_opens > 0 || input == Input::Keyboard);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_flow_by_mouse_opens_the_right_pages() {
    walk("connect-existing-org", Input::Mouse).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_flow_by_mouse_opens_the_right_pages() {
    walk("create-new-org", Input::Mouse).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_flow_by_keyboard_alone() {
    walk("connect-existing-org", Input::Keyboard).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_flow_by_keyboard_alone() {
    walk("create-new-org", Input::Keyboard).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn start_screen_links_and_the_annual_choice() {
    let env = TestEnv::new();
    let app = App::launch(&env).await;
    app.click("start-open-pricing").await;
    wait_opened(&env, 0, "https://www.pinecone.io/pricing/").await;
    app.click("start-annual").await;
    app.find("screen-annual").await;
    assert_eq!(app.value("annual-url-contact").await, "https://www.pinecone.io/contact");
    app.click("annual-open-contact").await;
    wait_opened(&env, 1, "https://www.pinecone.io/contact").await;
    app.click("annual-back").await;
    app.find("screen-start").await;
    assert!(!env.app_data_dir().join("progress.json").exists(), "looking at the annual page starts no flow");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_returns_to_the_same_step() {
    let env = TestEnv::new();
    let app = App::launch(&env).await;
    app.click("start-flow-connect-existing-org").await;
    for _ in 0..3 {
        app.click("wizard-next").await;
    }
    app.find("screen-step-continue-to-marketplace").await;
    app.quit().await;

    let app = App::launch(&env).await;
    app.find("screen-step-continue-to-marketplace").await;
    assert_step_list(&app, &flow("connect-existing-org"), 3).await;
    // The step list can reopen a done step, and the app remembers that too.
    app.click("steplist-open-connect-marketplace").await;
    app.find("screen-step-connect-marketplace").await;
    app.quit().await;

    let app = App::launch(&env).await;
    app.find("screen-step-connect-marketplace").await;
    assert!(!app.exists("notice").await, "a clean restart shows no warning");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupted_progress_file_gives_a_clear_message_and_a_fresh_start() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.app_data_dir()).unwrap();
    let garbage = b"{\"version\":1,\"flow\":\"connect-existing-org\",\"posit\xff\xfe";
    std::fs::write(env.app_data_dir().join("progress.json"), garbage).unwrap();

    let app = App::launch(&env).await;
    app.find("screen-start").await;
    assert_eq!(app.attr("notice", "data-code").await.as_deref(), Some("progress_unreadable"));
    let message = app.text("notice").await;
    assert!(message.contains("starting fresh"), "{message}");

    let kept: Vec<_> = std::fs::read_dir(env.app_data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("progress.json.unreadable-"))
        .collect();
    assert_eq!(kept.len(), 1, "the bad file is kept aside");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage, "kept unchanged");
    assert!(message.contains(&kept[0].display().to_string()), "the message says where: {message}");
    app.assert_accessible("a start-up notice").await;
    app.screenshot("all/state-notice.png").await;

    app.click("notice-dismiss").await;
    app.click("start-flow-create-new-org").await;
    app.find("screen-step-open-listing").await;
    assert!(!app.exists("notice").await);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn start_over_asks_before_it_wipes_anything() {
    let env = TestEnv::new();
    let app = App::launch(&env).await;
    app.click("start-flow-create-new-org").await;
    app.click("wizard-next").await;
    app.find("screen-step-get-it-now").await;

    app.click("start-over").await;
    app.find("start-over-dialog").await;
    app.click("start-over-cancel").await;
    assert!(!app.exists("start-over-dialog").await);
    app.find("screen-step-get-it-now").await;

    app.click("start-over").await;
    app.find("start-over-dialog").await;
    app.press(Key::Escape).await;
    app.wait_until("the dialog closes on Escape", "return !document.querySelector('[data-testid=start-over-dialog]')").await;
    app.find("screen-step-get-it-now").await;

    app.click("start-over").await;
    app.click("start-over-confirm").await;
    app.find("screen-start").await;
    app.quit().await;

    let app = App::launch(&env).await;
    app.find("screen-start").await;
    app.quit().await;
}

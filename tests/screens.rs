//! Every screen as a new user meets it at the default window size (1120×760): each step of both
//! flows reached by clicking Next, the start, the annual page, the finish, the Start over dialog
//! and the settings. On each step the title is in view and the step's own action (its Open
//! button, its check or sign-in, Next) is above the fold; on every screen axe-core finds nothing.
//! The screenshots land in docs/screenshots/all/; the dark and high-contrast ones in the README.

use e2e::{App, TestEnv};
use serde_json::Value;

/// The window tauri.conf.json opens.
const WIDTH: f64 = 1120.0;
const HEIGHT: f64 = 760.0;

/// Waits until the step's check (if it has one) has answered, so its state is what is measured.
async fn settled(app: &App, step: &wizard::StepDef) {
    if step.check.is_some() {
        let script = format!(
            "const e = document.querySelector('[data-testid=\"check-{}\"]'); return !!e && e.dataset.state !== 'checking'",
            step.id
        );
        app.wait_until(&format!("the check on {} to answer", step.id), &script).await;
    }
}

/// The title and every action box of the step on screen are inside the viewport, unscrolled.
fn assert_fits(step: &str, boxes: &Value) {
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    assert_eq!((num(&boxes["width"]), num(&boxes["height"])), (WIDTH, HEIGHT), "the window's default size");
    assert_eq!(num(&boxes["scrolled"]), 0.0, "{step} opened scrolled down");
    let title = &boxes["title"];
    assert!(num(&title["top"]) >= 0.0 && num(&title["bottom"]) <= HEIGHT, "{step}: the title is out of view: {title}");
    let actions = boxes["actions"].as_array().expect("actions");
    assert!(actions.iter().any(|a| a["testid"] == "wizard-next"), "{step}: no Next button measured: {boxes}");
    for a in actions {
        assert!(
            num(&a["top"]) >= 0.0 && num(&a["bottom"]) <= HEIGHT,
            "{step}: {} ends at {} px, below the fold of {HEIGHT} px",
            a["testid"],
            a["bottom"]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_step_fits_the_default_window_and_every_screen_passes_axe() {
    let catalog = wizard::Catalog::embedded().unwrap();
    let env = TestEnv::new();
    let bundles = env.root().join("bundles");
    let app = App::launch_with(&env, &[("BA_MODE", "demo".into()), ("BA_BUNDLE_DIR", bundles.display().to_string())]).await;
    app.find("screen-start").await;
    app.assert_accessible("the start screen").await;
    app.screenshot("all/start.png").await;
    app.click("start-annual").await;
    app.find("screen-annual").await;
    app.assert_accessible("the annual page").await;
    app.click("annual-back").await;

    for flow in &catalog.flows {
        app.click(&format!("start-flow-{}", flow.id)).await;
        for (i, step) in flow.steps.iter().enumerate() {
            app.find(&format!("screen-step-{}", step.id)).await;
            settled(&app, step).await;
            let boxes = app.step_boxes().await;
            println!("{}/{}: {boxes}", flow.id, step.id);
            assert_fits(&format!("{}/{}", flow.id, step.id), &boxes);
            assert_eq!(app.focused_testid().await.as_deref(), Some("step-title"), "{}: focus on the heading", step.id);
            app.assert_accessible(&format!("{} step {}", flow.id, i + 1)).await;
            app.screenshot(&format!("all/{}-{:02}-{}.png", flow.id, i + 1, step.id)).await;
            app.click("wizard-next").await;
        }
        app.find("screen-finish").await;
        app.assert_accessible(&format!("{} finish", flow.id)).await;
        app.screenshot(&format!("all/{}-finish.png", flow.id)).await;
        app.click("finish-start-over").await;
        app.find("start-over-dialog").await;
        app.assert_accessible("the Start over dialog").await;
        app.screenshot("all/start-over-dialog.png").await;
        app.click("start-over-confirm").await;
        app.find("screen-start").await;
    }

    app.click("open-settings").await;
    app.find("screen-settings").await;
    app.find("about-version").await;
    app.click("support-bundle-save").await;
    app.wait_until(
        "the bundle to be saved",
        "return !!document.querySelector('[data-testid=support-bundle-result]').dataset.path",
    )
    .await;
    let path = app.attr("support-bundle-result", "data-path").await.expect("the saved bundle's path");
    assert!(path.starts_with(&bundles.display().to_string()) && path.ends_with(".zip"), "{path}");
    assert!(std::fs::read(&path).expect("the bundle is on disk").starts_with(b"PK"), "a zip file");
    app.assert_accessible("settings and about").await;
    app.screenshot("all/settings.png").await;
    app.quit().await;
}

/// Launches the demo under a GTK theme, checks WebKit passed the preference on to the page,
/// then checks and photographs a step with a check and the step list.
async fn themed(theme: &str, media: &str, file: &str) {
    let env = TestEnv::new();
    let app = App::launch_with(&env, &[("BA_MODE", "demo".into()), ("GTK_THEME", theme.into())]).await;
    let matches = app.driver.execute(&format!("return matchMedia('{media}').matches"), vec![]).await.unwrap();
    assert_eq!(matches.json(), &Value::Bool(true), "GTK_THEME={theme} should make WebKit match {media}");
    app.click("start-flow-connect-existing-org").await;
    app.wait_check("open-billing", "needs-sign-in").await;
    app.click("help-open-not-owner").await;
    app.assert_accessible(&format!("a step under {theme}")).await;
    app.screenshot(file).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dark_mode_follows_the_desktop_and_passes_axe() {
    themed("Adwaita:dark", "(prefers-color-scheme: dark)", "dark.png").await;
}

/// WebKitGTK has no forced colours (its `forced-colors` is always `none`); it reports GTK's
/// HighContrast theme as `prefers-contrast: more`, which the stylesheet treats like forced
/// colours: system colours only.
#[tokio::test(flavor = "multi_thread")]
async fn high_contrast_follows_the_desktop_and_passes_axe() {
    themed("HighContrast", "(prefers-contrast: more)", "high-contrast.png").await;
}

/// The smallest window the app allows (tauri.conf.json's 720×520): one column, the step before
/// the step list, nothing cut off sideways; the page scrolls down to the rest.
#[tokio::test(flavor = "multi_thread")]
async fn the_smallest_window_puts_the_step_first_and_cuts_nothing_off() {
    let env = TestEnv::new();
    let app = App::launch_with(&env, &[("BA_MODE", "demo".into())]).await;
    app.driver.set_window_rect(0, 0, 720, 520).await.expect("resize the window");
    app.wait_until("the window to be 720×520", "return window.innerWidth === 720 && window.innerHeight === 520").await;
    app.click("start-flow-connect-existing-org").await;
    app.wait_check("open-billing", "needs-sign-in").await;
    let layout = app
        .driver
        .execute(
            "const r = (s) => document.querySelector(s).getBoundingClientRect(); const d = document.documentElement;
             return { sideways: d.scrollWidth - d.clientWidth, title: r('[data-testid=step-title]').top,
                      next: r('[data-testid=wizard-next]').bottom, list: r('[data-testid=steplist]').top };",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .clone();
    println!("720×520: {layout}");
    let num = |k: &str| layout[k].as_f64().unwrap_or(f64::NAN);
    assert!(num("sideways") <= 0.0, "nothing is wider than the window: {layout}");
    assert!((0.0..520.0).contains(&num("title")), "the title is in view: {layout}");
    assert!(num("list") > num("next"), "the step list comes after the step and its Next: {layout}");
    app.assert_accessible("a step in the smallest window").await;
    app.screenshot("all/min-window-step.png").await;
    app.quit().await;
}

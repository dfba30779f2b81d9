//! Accessibility and layout checks on whatever the app shows: axe-core (from npm, the engine
//! behind most accessibility linters) run inside the app's WebKit through WebDriver, and the
//! bounding boxes of the step's action, so "fits above the fold" is measured, not eyeballed.

use crate::{workspace_root, App};
use std::sync::OnceLock;

/// axe-core's browser build, installed by `npm ci --prefix tests/node`.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = workspace_root().join("tests/node/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; scripts/test.sh runs npm ci", path.display()))
    })
}

/// Runs every axe rule for WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices,
/// and returns one line per violation (rule, impact, the elements), so a failing test says what
/// to fix. Experimental rules are left out: axe itself doesn't count them.
const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] }).then(
  (r) => done(r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`)),
  (e) => done([`axe failed to run: ${e}`]),
);
"#;

/// The boxes of the step screen's own action, its title and the viewport, as JSON.
const BOXES: &str = r#"
const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, testid: el.dataset.testid || el.tagName }; };
const screen = document.querySelector("[data-testid^=screen-step-]");
const q = (s) => screen && screen.querySelector(s);
const check = q("[data-testid^=check-]:not([data-testid^=check-summary])");
return {
  width: window.innerWidth,
  height: window.innerHeight,
  scrolled: window.scrollY,
  title: box(q("[data-testid=step-title]")),
  actions: [
    box(q("[data-testid^=step-open-]")),
    box(check && check.querySelector("h2")),
    box(q("[data-testid^=signin-start-]")),
    box(q("[data-testid=wizard-next]")),
  ].filter(Boolean),
};
"#;

impl App {
    /// axe's violations on the screen as it is now; `label` names the screen in the failure.
    pub async fn axe_violations(&self) -> Vec<String> {
        let loaded = self.driver.execute("return typeof window.axe === 'object'", vec![]).await.expect("script");
        if loaded.json() != &serde_json::Value::Bool(true) {
            self.driver.execute(&format!("{}\nreturn true;", axe_source()), vec![]).await.expect("load axe-core");
        }
        let ret = self.driver.execute_async(RUN, vec![]).await.expect("axe.run");
        serde_json::from_value(ret.json().clone()).expect("axe's answer is a list of lines")
    }

    /// Fails the test with axe's own words if the screen has any violation.
    pub async fn assert_accessible(&self, label: &str) {
        let violations = self.axe_violations().await;
        println!("axe on {label}: {} violations", violations.len());
        assert!(violations.is_empty(), "axe on {label}:\n{}", violations.join("\n"));
    }

    /// Waits until a live check has opened the step's "Something's wrong?" entry for `trouble`
    /// (kebab-case, as the flow files spell it) by itself.
    pub async fn wait_help_opened(&self, trouble: &str) {
        let script = format!(
            "const e = document.querySelector('[data-testid=\"help-{trouble}\"]'); return !!e && e.open && e.dataset.openedBy === 'check'"
        );
        self.wait_until(&format!("the check to open the help for {trouble}"), &script).await;
    }

    /// The step screen's title and action boxes (see [`BOXES`]).
    pub async fn step_boxes(&self) -> serde_json::Value {
        self.driver.execute(BOXES, vec![]).await.expect("boxes").json().clone()
    }
}

//! The start-up timeline: when each stage of launching was reached, counted from `main`, so
//! `scripts/bench.sh` can say where the time to the first paint goes. The shell marks its own
//! stages (setup, the assistant started, the page starting to load); the UI sends its marks
//! (`DOMContentLoaded`, the first IPC answer, the paint) on its own clock, and they are placed on
//! ours by counting back from the moment the paint report arrived.

use parking_lot::Mutex;
use serde::Deserialize;
use std::time::Instant;
use ts_rs::TS;

/// The UI's marks, in ms on its own clock (`performance.now()`), taken just before it reports.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaintMarks {
    pub dom_content_loaded: f64,
    pub first_answer: f64,
    pub painted: f64,
}

pub struct StartupTimeline {
    start: Instant,
    marks: Mutex<Vec<(&'static str, f64)>>,
    /// Whether to print the whole timeline (`BA_STARTUP_PROFILE=1`), not only the paint.
    verbose: bool,
}

impl StartupTimeline {
    /// Starts the clock; call it first thing in `main`.
    pub fn start() -> Self {
        Self { start: Instant::now(), marks: Mutex::default(), verbose: std::env::var_os("BA_STARTUP_PROFILE").is_some() }
    }

    fn now_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// Marks a stage as reached now (the first time only: a page can load twice).
    pub fn mark(&self, stage: &'static str) {
        let at = self.now_ms();
        let mut marks = self.marks.lock();
        if !marks.iter().any(|(s, _)| *s == stage) {
            marks.push((stage, at));
        }
    }

    /// The UI painted its first screen: the whole timeline, in order, ms since `main`.
    pub fn painted(&self, ui: Option<PaintMarks>) -> Vec<(&'static str, f64)> {
        let arrived = self.now_ms();
        let mut all = self.marks.lock().clone();
        if let Some(ui) = ui {
            // The report left the UI at `ui.painted` on its clock and arrived at `arrived` on ours.
            let ours = |t: f64| arrived - (ui.painted - t).max(0.0);
            all.extend([("DOMContentLoaded", ours(ui.dom_content_loaded)), ("first-IPC-answer", ours(ui.first_answer))]);
        }
        all.push(("painted", arrived));
        all.sort_by(|a, b| a.1.total_cmp(&b.1));
        all
    }

    /// Prints the paint (always: scripts/bench.sh reads it) and, when asked
    /// for, the whole timeline.
    pub fn report_painted(&self, ui: Option<PaintMarks>) {
        let timeline = self.painted(ui);
        let painted = timeline.last().map_or(0.0, |(_, t)| *t);
        eprintln!("billing-assistant: first screen painted {painted:.0} ms after start");
        if self.verbose {
            let stages: Vec<String> = timeline.iter().map(|(s, t)| format!("{s}={t:.1}")).collect();
            eprintln!("startup profile: main=0.0 {}", stages.join(" "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uis_marks_are_placed_on_our_clock_by_counting_back_from_the_report() {
        let timeline = StartupTimeline::start();
        timeline.mark("setup-started");
        timeline.mark("setup-started");
        let marks = PaintMarks { dom_content_loaded: 100.0, first_answer: 150.0, painted: 170.0 };
        let all = timeline.painted(Some(marks));
        let mut names: Vec<_> = all.iter().map(|(s, _)| *s).collect();
        assert_eq!(names.pop(), Some("painted"), "the paint is last: {all:?}");
        names.sort_unstable();
        // A stage marked twice is kept once.
        assert_eq!(names, ["DOMContentLoaded", "first-IPC-answer", "setup-started"], "{all:?}");
        let at = |n: &str| all.iter().find(|(s, _)| *s == n).unwrap().1;
        assert!((at("painted") - at("DOMContentLoaded") - 70.0).abs() < 1e-6);
        assert!((at("painted") - at("first-IPC-answer") - 20.0).abs() < 1e-6);
    }
}

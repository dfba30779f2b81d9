//! The wizard rules, one test per rule.
use super::*;
use crate::Catalog;

fn flow() -> FlowDef {
    Catalog::embedded().unwrap().flow("create-new-org").unwrap().clone()
}

fn at(p: &Progress) -> String {
    match &p.position {
        Position::Start => "start".into(),
        Position::Step { step } => step.clone(),
        Position::Finish => "finish".into(),
    }
}

#[test]
fn choose_starts_at_the_first_step_and_stamps_the_time() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 10).unwrap();
    assert_eq!(at(&p), "open-listing");
    assert_eq!((p.started_at, p.updated_at), (Some(10), Some(10)));
    assert_eq!(p.choose(&f, 11), Err(TransitionError::FlowAlreadyChosen), "a second choice would lose progress");
}

#[test]
fn next_marks_done_and_advances_then_finishes_after_the_last_step() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    for (i, step) in f.steps.iter().enumerate() {
        assert_eq!(at(&p), step.id);
        p.next(&f, 100 + i as u64).unwrap();
        assert_eq!(p.done.get(&step.id), Some(&(100 + i as u64)));
    }
    assert_eq!(at(&p), "finish");
    assert_eq!(p.finished_at, Some(107));
    assert_eq!(p.next(&f, 200), Err(TransitionError::AlreadyFinished));
    p.validate(Some(&f)).unwrap();
}

#[test]
fn next_without_a_flow_is_refused() {
    assert_eq!(Progress::default().next(&flow(), 1), Err(TransitionError::NoFlow));
}

#[test]
fn back_moves_one_step_and_undoes_nothing() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    assert_eq!(p.back(&f, 2), Err(TransitionError::AtFirstStep));
    p.next(&f, 3).unwrap();
    p.next(&f, 4).unwrap();
    p.back(&f, 5).unwrap();
    assert_eq!(at(&p), "get-it-now");
    assert_eq!(p.done.len(), 2, "going back keeps steps done");
    // Next from a done step keeps its first timestamp.
    p.next(&f, 6).unwrap();
    assert_eq!(p.done["get-it-now"], 4);
}

#[test]
fn back_from_finish_returns_to_the_last_step() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    for _ in &f.steps {
        p.next(&f, 2).unwrap();
    }
    p.back(&f, 3).unwrap();
    assert_eq!(at(&p), "connect");
    assert_eq!(p.finished_at, Some(2), "the first finish time is kept");
}

#[test]
fn jump_reaches_done_steps_and_the_first_undone_step_only() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    p.next(&f, 2).unwrap();
    p.next(&f, 3).unwrap();
    p.jump(&f, "open-listing", 4).unwrap();
    assert_eq!(at(&p), "open-listing");
    p.jump(&f, "select-plan", 5).unwrap();
    assert_eq!(at(&p), "select-plan");
    assert_eq!(p.jump(&f, "subscribe", 6), Err(TransitionError::StepNotReached("subscribe".into())));
    assert_eq!(p.jump(&f, "nope", 7), Err(TransitionError::UnknownStep("nope".into())));
    assert_eq!(at(&p), "select-plan", "a refused jump moves nothing");
}

fn record(p: &Progress, step: &str, verified: bool, facts: &[&str], learned: Findings) -> CheckRecord {
    CheckRecord { run: p.run(), step: step.into(), verified, facts: facts.iter().map(|f| f.to_string()).collect(), learned }
}

#[test]
fn findings_merge_so_overlapping_checks_keep_each_others() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    let org = Findings { target_org: Some("o1".into()), ..Findings::default() };
    let purchase = |id: &str| Findings { purchase: Some(id.into()), ..Findings::default() };
    p.record_check(&f, record(&p, "open-listing", false, &[], org), 2).unwrap();
    p.record_check(&f, record(&p, "open-listing", false, &[], purchase("r1")), 3).unwrap();
    p.record_check(&f, record(&p, "open-listing", false, &[], purchase("r2")), 4).unwrap();
    assert_eq!(p.findings, Findings { target_org: Some("o1".into()), purchase: Some("r2".into()), earlier_purchases: None });
    assert_eq!(p.updated_at, Some(4));
    p.record_check(&f, record(&p, "open-listing", false, &[], Findings::default()), 5).unwrap();
    assert_eq!(p.updated_at, Some(4), "a check that found nothing new changes nothing");
}

#[test]
fn a_check_verifies_reached_steps_only_and_keeps_the_facts() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    let none = Findings::default;
    assert_eq!(
        p.record_check(&f, record(&p, "connect", true, &[], none()), 2),
        Err(TransitionError::StepNotReached("connect".into()))
    );
    p.record_check(&f, record(&p, "open-listing", true, &["fact"], none()), 3).unwrap();
    assert_eq!(p.verified.get("open-listing"), Some(&3));
    assert_eq!(p.confirmation, ["fact"]);
    p.record_check(&f, record(&p, "open-listing", true, &[], none()), 4).unwrap();
    assert_eq!(p.verified["open-listing"], 3, "the first confirmation time is kept");
    assert_eq!(p.confirmation, ["fact"], "a check without facts keeps the earlier ones");
    p.validate(Some(&f)).unwrap();
}

#[test]
fn a_check_from_before_start_over_is_refused_and_changes_nothing() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    let stale = record(&p, "open-listing", true, &["old"], Findings { target_org: Some("o1".into()), ..Findings::default() });
    p.start_over();
    p.choose(&f, 2).unwrap();
    let before = p.clone();
    assert_eq!(p.record_check(&f, stale, 3), Err(TransitionError::StartedOver));
    assert_eq!(p, before, "nothing of the old run leaks into the new one");
}

#[test]
fn start_over_forgets_everything() {
    let f = flow();
    let mut p = Progress::default();
    p.choose(&f, 1).unwrap();
    p.next(&f, 2).unwrap();
    p.start_over();
    assert_eq!(p, Progress::default());
}

#[test]
fn validate_rejects_progress_that_breaks_the_rules() {
    let f = flow();
    let mut skipped = Progress::default();
    skipped.choose(&f, 1).unwrap();
    skipped.done.insert("select-plan".into(), 1);
    assert!(skipped.validate(Some(&f)).is_err(), "done steps must be a prefix");

    let mut early_finish = Progress::default();
    early_finish.choose(&f, 1).unwrap();
    early_finish.position = Position::Finish;
    assert!(early_finish.validate(Some(&f)).is_err());

    let mut ahead = Progress::default();
    ahead.choose(&f, 1).unwrap();
    ahead.position = Position::Step { step: "connect".into() };
    assert!(ahead.validate(Some(&f)).is_err());

    let wrong_version = Progress { version: 99, ..Progress::default() };
    assert!(wrong_version.validate(None).is_err());

    assert!(Progress::default().validate(None).is_ok());
}

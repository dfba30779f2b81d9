//! Percentiles for the benchmark examples in `tests/bench/`, printed the same way by each.

/// `p50 … ms, p95 … ms, min … ms, max … ms` of `samples` (nearest-rank percentiles).
///
/// # Panics
/// If `samples` is empty: a benchmark that measured nothing has nothing to print.
pub fn percentiles(mut samples: Vec<u64>) -> String {
    assert!(!samples.is_empty(), "no samples");
    samples.sort_unstable();
    let pct = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).saturating_sub(1).min(samples.len() - 1)];
    format!("p50 {} ms, p95 {} ms, min {} ms, max {} ms", pct(0.5), pct(0.95), samples[0], samples[samples.len() - 1])
}

//! Retriers: the ASL `Retry` field as data ([`RetryPolicy`]) and the counters one state
//! execution keeps while it retries ([`RetryState`]).
//!
//! # How the counts work
//!
//! ASL counts **retries, not attempts**. `MaxAttempts: 3` (the default) means the first
//! attempt plus up to three retries, four runs in all; `MaxAttempts: 0` means the error is
//! never retried and goes straight to `Catch`. (Restate's `max_attempts`, by contrast,
//! includes the first attempt.) The field is named [`RetryPolicy::max_attempts`] after the
//! ASL field so that the ASL meaning is the only reading.
//!
//! - Each Retrier keeps its own counter for the whole **state execution**: across errors of
//!   different names that it matches, and across visits interleaved with other Retriers.
//!   A new visit of the state (a later transition into it) starts from zero: make a new
//!   [`RetryState`].
//! - For each error, the **first** Retrier whose `ErrorEquals` matches decides, and later
//!   Retriers are not consulted, even when the first one is exhausted (conformance case
//!   `base-scenarios-map-state-retry-multiple-retriers`: the exact-name Retrier with
//!   `MaxAttempts: 3` after a non-matching one gives four runs).
//! - `$$.State.RetryCount` is [`RetryState::retry_count`]: the number of retries so far in
//!   this state execution, over all Retriers; 0 during the first attempt.
//!
//! # Delays
//!
//! The `n`-th retry by a Retrier (`n` = 0 for its first) waits
//! `IntervalSeconds × BackoffRate^n`, capped at `MaxDelaySeconds`, then, with
//! `JitterStrategy: FULL`, scaled by a uniform random factor in `[0, 1)`. AWS's example
//! (`IntervalSeconds: 3`, `BackoffRate: 1.5`) waits 3 and then 4.5 seconds, so delays are not
//! whole seconds; AWS states no rounding, and we keep milliseconds (rounded to the nearest),
//! the precision of every timestamp Step Functions shows.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{self, Error};

pub use asl_machine::retry::{JitterStrategy, RetryPolicy};

/// The longest delay [`delay`] returns: `u32::MAX` seconds (about 136 years).
///
/// ASL allows `IntervalSeconds` up to 99 999 999 and a `BackoffRate` that makes the product
/// overflow; no execution lives long enough to see the difference (Standard workflows stop
/// after a year), and a finite cap keeps `now + delay` from overflowing a clock.
pub const MAX_DELAY: Duration = Duration::from_secs(u32::MAX as u64);

/// Whether `policy`'s `ErrorEquals` matches `error`.
pub fn matches(policy: &RetryPolicy, error: &Error) -> bool {
    error::matches_any(&policy.error_equals, error)
}

/// The delay before `policy`'s retry number `retries_so_far + 1` (`retries_so_far` = how
/// many retries the Retrier has already made in this state execution).
///
/// `rng` must return a uniform value in `[0, 1)`; it is called only for
/// `JitterStrategy: FULL`, and values outside `[0, 1]` (or NaN) are clamped.
pub fn delay(policy: &RetryPolicy, retries_so_far: u32, rng: &mut dyn FnMut() -> f64) -> Duration {
    // powi takes an i32; beyond i32::MAX the delay has long since hit the cap anyway.
    let exponent = i32::try_from(retries_so_far).unwrap_or(i32::MAX);
    let mut seconds = f64::from(policy.interval_seconds) * policy.backoff_rate.powi(exponent);
    if let Some(cap) = policy.max_delay_seconds {
        seconds = seconds.min(f64::from(cap));
    }
    if policy.jitter_strategy == JitterStrategy::Full {
        let factor = rng();
        let factor = if factor.is_nan() { 0.0 } else { factor.clamp(0.0, 1.0) };
        seconds *= factor;
    }
    seconds_to_duration(seconds)
}

/// Whole milliseconds, rounded to the nearest; NaN and negatives become zero, anything past
/// [`MAX_DELAY`] (infinity included) becomes [`MAX_DELAY`].
fn seconds_to_duration(seconds: f64) -> Duration {
    let max_millis = MAX_DELAY.as_secs() * 1000;
    let millis = (seconds * 1000.0).round();
    // `as` saturates (and maps NaN to 0), so this cannot wrap.
    let millis = if millis.is_nan() || millis <= 0.0 { 0 } else { (millis as u64).min(max_millis) };
    Duration::from_millis(millis)
}

/// What to do about an error, as decided by [`RetryState::on_error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait `delay`, then run the state's work again.
    Retry {
        /// How long to wait before the retry.
        delay: Duration,
        /// The index, in the state's `Retry` array, of the Retrier that decided.
        retrier: usize,
    },
    /// No retry: no Retrier matches, the matching one is exhausted, or the error is
    /// terminal. Try the state's `Catch` next.
    GiveUp,
}

/// The retry counters of one state execution: one per Retrier, plus the total that
/// `$$.State.RetryCount` shows. Start each visit of a state with a fresh (default) one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryState {
    /// Retries made so far by each Retrier, by index in the state's `Retry` array
    /// (missing entries are 0).
    per_retrier: Vec<u32>,
    /// Retries made so far by all Retriers together.
    retry_count: u32,
}

impl RetryState {
    /// A state execution that has not retried yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `$$.State.RetryCount`: retries so far in this state execution, over all Retriers
    /// (0 during the first attempt, 1 during the first retry…).
    pub fn retry_count(&self) -> u32 {
        self.retry_count
    }

    /// Retries made so far by the Retrier at `index`.
    pub fn retries_by(&self, index: usize) -> u32 {
        self.per_retrier.get(index).copied().unwrap_or(0)
    }

    /// Counts `count` retries as made by the Retrier at `index` (and in the total): a state
    /// test's retries made before it (TestState's `retrierRetryCount`).
    pub(crate) fn count_retries(&mut self, index: usize, count: u32) {
        if self.per_retrier.len() <= index {
            self.per_retrier.resize(index + 1, 0);
        }
        if let Some(counter) = self.per_retrier.get_mut(index) {
            *counter = counter.saturating_add(count);
        }
        self.retry_count = self.retry_count.saturating_add(count);
    }

    /// Decides whether the state's work runs again after `error`, and records the retry
    /// if so. `policies` is the state's `Retry` array (the same one on every call);
    /// `rng` is as for [`delay`].
    pub fn on_error(&mut self, policies: &[RetryPolicy], error: &Error, rng: &mut dyn FnMut() -> f64) -> RetryDecision {
        // Only the first matching Retrier counts, exhausted or not.
        let Some((index, policy)) = policies.iter().enumerate().find(|(_, policy)| matches(policy, error)) else {
            return RetryDecision::GiveUp;
        };
        let done = self.retries_by(index);
        if done >= policy.max_attempts {
            return RetryDecision::GiveUp;
        }
        let delay = delay(policy, done, rng);
        if self.per_retrier.len() <= index {
            self.per_retrier.resize(index + 1, 0);
        }
        if let Some(counter) = self.per_retrier.get_mut(index) {
            *counter = done.saturating_add(1);
        }
        self.retry_count = self.retry_count.saturating_add(1);
        RetryDecision::Retry { delay, retrier: index }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use crate::error::names;

    fn never() -> impl FnMut() -> f64 {
        || -> f64 { panic!("jitter was not asked for") }
    }

    fn policy(names: &[&'static str]) -> RetryPolicy {
        RetryPolicy::from_names(names.iter().copied())
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn run(state: &mut RetryState, policies: &[RetryPolicy], name: &'static str) -> RetryDecision {
        state.on_error(policies, &Error::named(name), &mut never())
    }

    #[test]
    fn defaults_are_asl_defaults() {
        let p = policy(&["X"]);
        assert_eq!((p.interval_seconds, p.max_attempts, p.backoff_rate), (1, 3, 2.0));
        assert_eq!((p.max_delay_seconds, p.jitter_strategy), (None, JitterStrategy::None));
    }

    #[test]
    fn interval_one_backoff_two_waits_1_2_4_then_gives_up() {
        let policies = [policy(&[names::ALL])];
        let mut state = RetryState::new();
        let mut delays = Vec::new();
        while let RetryDecision::Retry { delay, retrier } = run(&mut state, &policies, "Exception") {
            assert_eq!(retrier, 0);
            delays.push(delay);
        }
        assert_eq!(delays, [secs(1), secs(2), secs(4)]);
        assert_eq!(state.retry_count(), 3);
    }

    #[test]
    fn fractional_backoff_keeps_milliseconds() {
        // AWS's documented example: 3 s, then 4.5 s.
        let p = policy(&["States.Timeout"]).with_interval_seconds(3).with_backoff_rate(1.5).with_max_attempts(2);
        assert_eq!(delay(&p, 0, &mut never()), secs(3));
        assert_eq!(delay(&p, 1, &mut never()), Duration::from_millis(4500));
        let p = policy(&["X"]).with_backoff_rate(1.1);
        assert_eq!(delay(&p, 3, &mut never()), Duration::from_millis(1331));
    }

    #[test]
    fn max_delay_seconds_caps_each_delay() {
        // base-scenarios-retry-interval-features: interval 3, backoff 2, cap 5 → 3, 5, 5.
        let p = policy(&[names::ALL]).with_interval_seconds(3).with_max_delay_seconds(5);
        let delays: Vec<_> = (0..3).map(|n| delay(&p, n, &mut never())).collect();
        assert_eq!(delays, [secs(3), secs(5), secs(5)]);
    }

    #[test]
    fn full_jitter_scales_the_capped_delay() {
        let p = policy(&[names::ALL]).with_interval_seconds(3).with_max_delay_seconds(5);
        let p = p.with_jitter_strategy(JitterStrategy::Full);
        assert_eq!(delay(&p, 2, &mut || 0.5), Duration::from_millis(2500));
        assert_eq!(delay(&p, 0, &mut || 0.0), Duration::ZERO);
        assert_eq!(delay(&p, 0, &mut || 0.999_9), Duration::from_millis(3000));
        // Out-of-range generators are clamped, never trusted.
        assert_eq!(delay(&p, 0, &mut || 7.0), secs(3));
        assert_eq!(delay(&p, 0, &mut || -1.0), Duration::ZERO);
        assert_eq!(delay(&p, 0, &mut || f64::NAN), Duration::ZERO);
    }

    #[test]
    fn huge_delays_saturate_instead_of_overflowing() {
        let p = policy(&["X"]).with_interval_seconds(99_999_999).with_backoff_rate(10.0);
        assert_eq!(delay(&p, u32::MAX, &mut never()), MAX_DELAY);
        let p = policy(&["X"]).with_backoff_rate(f64::INFINITY);
        assert_eq!(delay(&p, 1, &mut never()), MAX_DELAY);
    }

    #[test]
    fn max_attempts_zero_gives_up_at_once() {
        // base-scenarios-retry-interval-features-max-attempts-zero: one TaskFailed, then fail.
        let policies = [policy(&[names::ALL]).with_max_attempts(0).with_jitter_strategy(JitterStrategy::Full)];
        let mut state = RetryState::new();
        assert_eq!(run(&mut state, &policies, "Exception"), RetryDecision::GiveUp);
        assert_eq!(state.retry_count(), 0);
    }

    #[test]
    fn max_attempts_two_allows_two_retries_three_runs() {
        // base-scenarios-map-state-retry: MaxAttempts 2 → three MapIterationStarted.
        let policies = [policy(&["HandleItemFailError"]).with_max_attempts(2)];
        let mut state = RetryState::new();
        assert!(matches!(run(&mut state, &policies, "HandleItemFailError"), RetryDecision::Retry { .. }));
        assert!(matches!(run(&mut state, &policies, "HandleItemFailError"), RetryDecision::Retry { .. }));
        assert_eq!(run(&mut state, &policies, "HandleItemFailError"), RetryDecision::GiveUp);
        assert_eq!(state.retry_count(), 2);
    }

    #[test]
    fn first_matching_retrier_wins_and_later_ones_are_not_consulted() {
        // base-scenarios-map-state-retry-multiple-retriers: "State.ALL" is an exact name.
        let policies = [
            policy(&["NoSuchError"]).with_max_attempts(1),
            policy(&["State.ALL"]).with_max_attempts(2),
            policy(&["HandleItemFailError"]).with_max_attempts(3),
        ];
        let mut state = RetryState::new();
        for _ in 0..3 {
            assert!(matches!(
                run(&mut state, &policies, "HandleItemFailError"),
                RetryDecision::Retry { retrier: 2, .. }
            ));
        }
        assert_eq!(run(&mut state, &policies, "HandleItemFailError"), RetryDecision::GiveUp);

        // An exhausted first match hides a later, fresh one.
        let policies = [policy(&["A"]).with_max_attempts(1), policy(&[names::ALL]).with_max_attempts(5)];
        let mut state = RetryState::new();
        assert!(matches!(run(&mut state, &policies, "A"), RetryDecision::Retry { retrier: 0, .. }));
        assert_eq!(run(&mut state, &policies, "A"), RetryDecision::GiveUp);
        assert!(matches!(run(&mut state, &policies, "B"), RetryDecision::Retry { retrier: 1, .. }));
    }

    #[test]
    fn two_retriers_keep_separate_counters() {
        // AWS's "complex retry scenario": ErrorA, ErrorB, ErrorC, ErrorB, ErrorB.
        let policies =
            [policy(&["ErrorA", "ErrorB"]).with_max_attempts(2), policy(&["ErrorC"]).with_interval_seconds(5)];
        let mut state = RetryState::new();
        let decisions: Vec<_> = ["ErrorA", "ErrorB", "ErrorC", "ErrorB", "ErrorB"]
            .iter()
            .map(|name| run(&mut state, &policies, name))
            .collect();
        assert_eq!(
            decisions,
            [
                RetryDecision::Retry { delay: secs(1), retrier: 0 },
                RetryDecision::Retry { delay: secs(2), retrier: 0 },
                RetryDecision::Retry { delay: secs(5), retrier: 1 },
                RetryDecision::GiveUp,
                RetryDecision::GiveUp,
            ]
        );
        assert_eq!((state.retries_by(0), state.retries_by(1), state.retry_count()), (2, 1, 3));
    }

    #[test]
    fn runtime_errors_and_unmatched_errors_give_up() {
        let policies = [policy(&[names::ALL]), policy(&[names::RUNTIME])];
        let mut state = RetryState::new();
        assert_eq!(state.on_error(&policies, &Error::runtime("x"), &mut never()), RetryDecision::GiveUp);
        assert_eq!(run(&mut state, &[policy(&["Other"])], "Exception"), RetryDecision::GiveUp);
        assert_eq!(run(&mut state, &[], "Exception"), RetryDecision::GiveUp);
        assert_eq!(state, RetryState::new());
    }

    #[test]
    fn retry_count_is_the_total_over_retriers() {
        let policies = [policy(&["A"]), policy(&["B"])];
        let mut state = RetryState::new();
        assert_eq!(state.retry_count(), 0);
        for name in ["A", "B", "A"] {
            run(&mut state, &policies, name);
        }
        assert_eq!(state.retry_count(), 3);
    }

    #[test]
    fn retry_state_serde_round_trip() {
        let policies = [policy(&["A"]), policy(&["B"])];
        let mut state = RetryState::new();
        run(&mut state, &policies, "B");
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(text, r#"{"per_retrier":[0,1],"retry_count":1}"#);
        assert_eq!(serde_json::from_str::<RetryState>(&text).unwrap(), state);
    }

    #[test]
    fn deserialises_from_asl_retrier_json() {
        let json = r#"{"Comment": "c", "ErrorEquals": ["States.ALL"], "IntervalSeconds": 3,
            "MaxAttempts": 0, "BackoffRate": 2, "MaxDelaySeconds": 5, "JitterStrategy": "FULL"}"#;
        let p: RetryPolicy = serde_json::from_str(json).unwrap();
        let expected = policy(&[names::ALL])
            .with_interval_seconds(3)
            .with_max_attempts(0)
            .with_max_delay_seconds(5)
            .with_jitter_strategy(JitterStrategy::Full);
        assert_eq!(p, expected);
        let p: RetryPolicy = serde_json::from_str(r#"{"ErrorEquals": ["X"]}"#).unwrap();
        assert_eq!(p, policy(&["X"]));
    }
}

//! The ASL `Retry` field as data: one [`RetryPolicy`] per Retrier. asl-runtime's `retry`
//! module decides retries and delays from them.
//!
//! ASL counts **retries, not attempts**: [`RetryPolicy::max_attempts`] is named after the
//! ASL field so that its meaning (retries after the first attempt; `0` = never retry) is the
//! only reading.

use std::borrow::Cow;

/// One Retrier, field for field as ASL defines it. With the `serde` feature it deserialises
/// from the Retrier's JSON (`Comment` and unknown keys are ignored; ranges are the
/// compiler's job to check).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
pub struct RetryPolicy {
    /// `ErrorEquals`: the error names this Retrier handles, with the wildcards asl-runtime's
    /// `error::matches` applies (`States.ALL`, `States.TaskFailed`).
    pub error_equals: Cow<'static, [Cow<'static, str>]>,
    /// `IntervalSeconds` (default 1): the delay before this Retrier's first retry.
    #[cfg_attr(feature = "serde", serde(default = "default_interval_seconds"))]
    pub interval_seconds: u32,
    /// `MaxAttempts` (default 3): how many **retries** this Retrier allows in one state
    /// execution, *not counting the first attempt*. `0` means never retry.
    #[cfg_attr(feature = "serde", serde(default = "default_max_attempts"))]
    pub max_attempts: u32,
    /// `BackoffRate` (default 2.0): the factor by which each retry's delay exceeds the
    /// previous one's.
    #[cfg_attr(feature = "serde", serde(default = "default_backoff_rate"))]
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`: the cap on each delay, applied before jitter; `None` means no cap.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_delay_seconds: Option<u32>,
    /// `JitterStrategy` (default `NONE`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub jitter_strategy: JitterStrategy,
}

emit_struct!(retry => RetryPolicy {
    error_equals,
    interval_seconds,
    max_attempts,
    backoff_rate,
    max_delay_seconds,
    jitter_strategy,
});

/// `JitterStrategy`: whether a retry's delay is randomised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum JitterStrategy {
    /// `FULL`: the delay is uniform in `[0, computed delay]`.
    #[cfg_attr(feature = "serde", serde(rename = "FULL"))]
    Full,
    /// `NONE` (the default): the computed delay as is.
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "NONE"))]
    None,
}

emit_enum!(retry => JitterStrategy { Full, None });

#[cfg(feature = "serde")]
fn default_interval_seconds() -> u32 {
    RetryPolicy::DEFAULT_INTERVAL_SECONDS
}

#[cfg(feature = "serde")]
fn default_max_attempts() -> u32 {
    RetryPolicy::DEFAULT_MAX_ATTEMPTS
}

#[cfg(feature = "serde")]
fn default_backoff_rate() -> f64 {
    RetryPolicy::DEFAULT_BACKOFF_RATE
}

impl RetryPolicy {
    /// ASL's default `IntervalSeconds`.
    pub const DEFAULT_INTERVAL_SECONDS: u32 = 1;
    /// ASL's default `MaxAttempts` (retries after the first attempt).
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// ASL's default `BackoffRate`.
    pub const DEFAULT_BACKOFF_RATE: f64 = 2.0;

    /// A Retrier for `error_equals` with every other field at its ASL default. `const`, so
    /// generated code can keep its Retriers in a `static`:
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use asl_machine::retry::{JitterStrategy, RetryPolicy};
    ///
    /// static RETRY: [RetryPolicy; 1] = [RetryPolicy::new(&[Cow::Borrowed("States.ALL")])
    ///     .with_interval_seconds(3)
    ///     .with_max_delay_seconds(5)
    ///     .with_jitter_strategy(JitterStrategy::Full)];
    /// assert_eq!(RETRY[0].max_attempts, 3);
    /// ```
    pub const fn new(error_equals: &'static [Cow<'static, str>]) -> Self {
        RetryPolicy {
            error_equals: Cow::Borrowed(error_equals),
            interval_seconds: Self::DEFAULT_INTERVAL_SECONDS,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            backoff_rate: Self::DEFAULT_BACKOFF_RATE,
            max_delay_seconds: None,
            jitter_strategy: JitterStrategy::None,
        }
    }

    /// Like [`new`](Self::new), for names known only at run time.
    pub fn from_names<I, S>(error_equals: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        RetryPolicy { error_equals: Cow::Owned(error_equals.into_iter().map(Into::into).collect()), ..Self::new(&[]) }
    }

    /// Sets `IntervalSeconds`.
    pub const fn with_interval_seconds(mut self, seconds: u32) -> Self {
        self.interval_seconds = seconds;
        self
    }

    /// Sets `MaxAttempts`: retries after the first attempt; `0` = never retry.
    pub const fn with_max_attempts(mut self, retries: u32) -> Self {
        self.max_attempts = retries;
        self
    }

    /// Sets `BackoffRate`.
    pub const fn with_backoff_rate(mut self, rate: f64) -> Self {
        self.backoff_rate = rate;
        self
    }

    /// Sets `MaxDelaySeconds`.
    pub const fn with_max_delay_seconds(mut self, seconds: u32) -> Self {
        self.max_delay_seconds = Some(seconds);
        self
    }

    /// Sets `JitterStrategy`.
    pub const fn with_jitter_strategy(mut self, jitter: JitterStrategy) -> Self {
        self.jitter_strategy = jitter;
        self
    }
}

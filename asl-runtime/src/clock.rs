//! Time as executions see it: the wall-clock "now" (context-object timestamps, `Wait`
//! deadlines) and sleeping until a wall-clock deadline.
//!
//! Everything that waits (a `Wait` state, a retry delay, a task or execution timeout, a
//! heartbeat deadline) goes through a [`Clock`], so the same code runs on real time
//! ([`RealClock`]) and on virtual time ([`VirtualClock`]), where a `Wait` of a year takes no
//! real time.
//!
//! Deadlines are wall-clock instants ([`OffsetDateTime`], UTC), never durations, because
//! that is what survives a restart: a saved execution knows *when* its `Wait` ends, and a
//! deadline already past fires at once.
//!
//! # Why virtual time is tokio's paused clock
//!
//! A virtual clock must advance by itself, to the earliest pending deadline, exactly when
//! every execution is blocked. Two designs were weighed:
//!
//! - **Our own timer queue** (a virtual "now", a heap of deadlines and wakers, and a driver
//!   that jumps to the earliest deadline when "idle"). The hard part is knowing that the
//!   program is idle: executions also block on task handlers, callback channels and
//!   `select!`s of a task against its timeout, so counting sleepers cannot tell "everyone
//!   waits for time" from "someone is still working", and a driver that guesses jumps too
//!   early (spurious timeouts) or never (hangs).
//! - **Tokio's paused clock** (`tokio::time::pause`, or a runtime built with
//!   `start_paused(true)`). The scheduler itself knows when no task can make progress; it
//!   then advances time to the next timer, and it holds time still while a `spawn_blocking`
//!   job runs. Every tokio timer in the process (our sleeps, a handler's
//!   `tokio::time::timeout`) moves together, so no two notions of time can disagree.
//!
//! We use the second. [`VirtualClock`] maps tokio's clock onto a wall-clock start time:
//! `now() = start + (tokio now − tokio now when the clock was built)`, and `sleep_until(t)`
//! is a tokio sleep until the matching tokio instant. On a paused runtime that sleep
//! completes as soon as everything else is waiting, with `now()` exactly at the deadline.
//!
//! Requirements this puts on whoever runs executions on a [`VirtualClock`] (the conformance
//! runner, tests):
//!
//! - a **current-thread** Tokio runtime with **paused time**: `#[tokio::test(start_paused =
//!   true)]`, or `tokio::runtime::Builder::new_current_thread().enable_time()
//!   .start_paused(true)`. Pausing needs tokio's `test-util` feature in *that* crate; this
//!   crate does not enable it.
//! - no real I/O awaited while time is paused: the runtime counts an execution waiting on
//!   a socket as idle and may jump time past its timeout. Mocked task handlers are fine.
//!
//! On an unpaused runtime a [`VirtualClock`] is still correct, just not fast: it is the real
//! clock shifted to start at the given time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The wall-clock instant type of [`Clock`] and of the context object (re-exported so that
/// implementing [`Clock`] or starting an execution at a given time needs no direct `time`
/// dependency; `OffsetDateTime::from_unix_timestamp` builds one).
pub use time::OffsetDateTime;

/// The future returned by [`Clock::sleep_until`]: completes at the deadline. It must be
/// polled inside a Tokio runtime with the time driver enabled.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of wall-clock time and of sleeps until wall-clock deadlines.
///
/// Share one clock between all executions of a run (`Arc<dyn Clock>` works: `Arc<C>`
/// implements `Clock`).
pub trait Clock: Send + Sync {
    /// The current wall-clock time, in UTC.
    fn now(&self) -> OffsetDateTime;

    /// A future that completes once [`now`](Self::now) has reached `deadline`; at once if
    /// it already has.
    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep;

    /// A future that completes `duration` from now. A deadline past the end of the
    /// calendar (year 9999) never arrives.
    fn sleep(&self, duration: Duration) -> Sleep {
        match time::Duration::try_from(duration).ok().and_then(|d| self.now().checked_add(d)) {
            Some(deadline) => self.sleep_until(deadline),
            None => Box::pin(std::future::pending()),
        }
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        (**self).sleep_until(deadline)
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        (**self).sleep_until(deadline)
    }
}

/// The system's wall clock, with tokio timers for sleeping.
///
/// A sleep re-reads the wall clock when it wakes, and wakes at least every
/// [`RealClock::RECHECK_INTERVAL`], because the system clock can be stepped while tokio's
/// monotonic timers run on: a `Wait` until 12:00 ends at 12:00 by the wall clock even if the
/// clock was set back or forward meanwhile (to within that interval).
///
/// Do not use it on a runtime whose time is paused: the wall clock would not move while
/// tokio's did. Use [`VirtualClock`] there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RealClock;

impl RealClock {
    /// The longest a sleep goes without re-reading the wall clock.
    pub const RECHECK_INTERVAL: Duration = Duration::from_secs(60);
}

impl Clock for RealClock {
    fn now(&self) -> OffsetDateTime {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(since_epoch) => after_epoch(since_epoch),
            Err(_) => OffsetDateTime::now_utc(),
        }
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        Box::pin(async move {
            loop {
                // A negative remainder fails the conversion: the deadline has passed.
                let Ok(remaining) = Duration::try_from(deadline - OffsetDateTime::now_utc()) else {
                    return;
                };
                if remaining.is_zero() {
                    return;
                }
                tokio::time::sleep(remaining.min(Self::RECHECK_INTERVAL)).await;
            }
        })
    }
}

/// The system's wall clock with waiting shortened by a factor: what `asl serve --wait-scale`
/// runs on. A sleep that [`RealClock`] would take `d` for takes `d × scale` of real time,
/// and when it ends the clock jumps forward to the sleep's deadline, so the execution that
/// slept sees its Wait, retry delay or timeout as having taken its full time (history
/// timestamps, `$$.State.EnteredTime`). `scale` 0 makes every wait end at once, 0.01 a
/// hundred times sooner, 1 is the real clock.
///
/// The clock is shared by every execution of a runtime and never moves back, so one
/// execution's jump moves the others' "now" too: their deadlines come sooner still, never
/// later. That is the price of one timeline; it only ever shortens waiting, which is what
/// the knob is for. Work between waits (handlers, transitions) runs in real time.
///
/// Clones share the same timeline.
#[derive(Clone, Debug)]
pub struct ScaledClock {
    scale: f64,
    /// How far the clock runs ahead of the system's, in nanoseconds.
    ahead: Arc<std::sync::atomic::AtomicI64>,
}

impl ScaledClock {
    /// A clock on which waiting takes `scale` times its real length. A scale that is not
    /// between 0 and 1 is taken as 1 (no scaling): see [`ScaledClock::valid_scale`].
    pub fn new(scale: f64) -> ScaledClock {
        let scale = if Self::valid_scale(scale) { scale } else { 1.0 };
        ScaledClock { scale, ahead: Arc::new(std::sync::atomic::AtomicI64::new(0)) }
    }

    /// Whether `scale` is one [`ScaledClock::new`] takes as given: a fraction, from 0 to 1.
    /// (Above 1 waits would not lengthen evenly: a deadline that passed on the shared
    /// timeline fires whichever sleep was meant for it.)
    pub fn valid_scale(scale: f64) -> bool {
        (0.0..=1.0).contains(&scale)
    }

    /// Moves the clock forward to `at`, if it is behind it: a server restarted on a store
    /// whose histories ran ahead of the system's clock goes on from where they were, so
    /// no event is timestamped before the one it follows.
    pub fn advance_to(&self, at: OffsetDateTime) {
        let needed = i64::try_from((at - RealClock.now()).whole_nanoseconds()).unwrap_or(i64::MAX);
        self.ahead.fetch_max(needed, std::sync::atomic::Ordering::Relaxed);
    }

    /// The factor waits are multiplied by.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    fn ahead(&self) -> time::Duration {
        time::Duration::nanoseconds(self.ahead.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> OffsetDateTime {
        RealClock.now().saturating_add(self.ahead())
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        let ahead = Arc::clone(&self.ahead);
        let remaining = Duration::try_from(deadline - self.now()).unwrap_or(Duration::ZERO);
        // f64 seconds keep nanoseconds exact up to about 104 days, far beyond what a scaled
        // wait of interest lasts; a deadline too far for a Duration never comes.
        let real = Duration::try_from_secs_f64(remaining.as_secs_f64() * self.scale).ok();
        Box::pin(async move {
            match real {
                Some(real) if !real.is_zero() => tokio::time::sleep(real).await,
                Some(_) => {}
                None => std::future::pending::<()>().await,
            }
            // Jump to the deadline (never back: another sleep may have jumped further).
            let needed = deadline - RealClock.now();
            let needed = i64::try_from(needed.whole_nanoseconds()).unwrap_or(i64::MAX);
            ahead.fetch_max(needed, std::sync::atomic::Ordering::Relaxed);
        })
    }
}

/// A clock that starts at a given wall-clock time and runs on tokio's clock, so that on a
/// runtime with paused time it jumps straight to the next deadline whenever every task is
/// waiting (see the [module docs](self) for why, and for the runtime it needs).
///
/// Build it inside the runtime, after time is paused: it reads `start` at the tokio instant
/// it was built, and a clock built earlier would be ahead by the real time that passed
/// before the pause. Clones show the same time.
#[derive(Clone, Copy)]
pub struct VirtualClock {
    start: OffsetDateTime,
    /// Tokio's time when the clock was built: the instant that maps to `start`.
    origin: tokio::time::Instant,
}

impl VirtualClock {
    /// A clock that reads `start` now, and moves with tokio's time from here on.
    pub fn starting_at(start: OffsetDateTime) -> Self {
        VirtualClock { start, origin: tokio::time::Instant::now() }
    }

    /// The time this clock started at.
    pub fn start(&self) -> OffsetDateTime {
        self.start
    }

    /// How far this clock has moved since it started.
    pub fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
}

impl fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VirtualClock").field("start", &self.start).field("now", &self.now()).finish()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        self.start.saturating_add(saturating_time_duration(self.elapsed()))
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        // Before the start the offset is negative and the conversion fails: due at once.
        let offset = Duration::try_from(deadline - self.start).unwrap_or(Duration::ZERO);
        match self.origin.checked_add(offset) {
            Some(at) => Box::pin(async move { tokio::time::sleep_until(at).await }),
            // Beyond what tokio's clock can express: never.
            None => Box::pin(std::future::pending()),
        }
    }
}

/// The instant `since_epoch` after the Unix epoch, as `OffsetDateTime::now_utc` gives it
/// but without its general date arithmetic on every call (which cost an Express execution
/// about 1,000 instructions): each thread works the date out once a day and takes the time
/// of day from the seconds.
fn after_epoch(since_epoch: Duration) -> OffsetDateTime {
    thread_local! {
        static TODAY: std::cell::Cell<Option<(u64, time::Date)>> = const { std::cell::Cell::new(None) };
    }
    const DAY: u64 = 86_400;
    let seconds = since_epoch.as_secs();
    let (day, of_day) = (seconds / DAY, seconds % DAY);
    let date = match TODAY.get() {
        Some((cached, date)) if cached == day => date,
        _ => {
            let Ok(days) = i64::try_from(day) else { return OffsetDateTime::UNIX_EPOCH + since_epoch };
            let Some(date) = OffsetDateTime::UNIX_EPOCH.checked_add(time::Duration::days(days)) else {
                return OffsetDateTime::UNIX_EPOCH + since_epoch;
            };
            TODAY.set(Some((day, date.date())));
            date.date()
        }
    };
    // The parts are in range by construction; were they not, the general path answers.
    let hms = |n: u64| u8::try_from(n).unwrap_or(u8::MAX);
    match time::Time::from_hms_nano(
        hms(of_day / 3600),
        hms(of_day / 60 % 60),
        hms(of_day % 60),
        since_epoch.subsec_nanos(),
    ) {
        Ok(time_of_day) => time::PrimitiveDateTime::new(date, time_of_day).assume_utc(),
        Err(_) => OffsetDateTime::UNIX_EPOCH + since_epoch,
    }
}

/// `std` → `time` duration, saturating at `time::Duration::MAX` (≈ 292 billion years).
fn saturating_time_duration(duration: Duration) -> time::Duration {
    time::Duration::try_from(duration).unwrap_or(time::Duration::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use time::macros::datetime;

    const START: OffsetDateTime = datetime!(2024-01-01 00:00:00 UTC);

    #[test]
    fn the_wall_clock_shortcut_agrees_with_date_arithmetic() {
        let day = 86_400;
        // Across days (the per-thread date is replaced), leap days, the epoch, nanoseconds.
        for seconds in [0, 1, day - 1, day, 951_782_400, 951_868_799, 951_868_800, 1_709_164_800, 4_102_444_799] {
            for nanos in [0, 1, 999_999_999] {
                let since = Duration::new(seconds, nanos);
                assert_eq!(after_epoch(since), OffsetDateTime::UNIX_EPOCH + since, "{since:?}");
            }
        }
        let now = RealClock.now();
        let reference = OffsetDateTime::now_utc();
        assert!((reference - now).abs() < time::Duration::seconds(5), "{now} vs {reference}");
    }
    const YEAR: Duration = Duration::from_secs(365 * 24 * 60 * 60);

    #[tokio::test(start_paused = true)]
    async fn a_year_long_wait_takes_no_real_time() {
        let clock = VirtualClock::starting_at(START);
        let real = std::time::Instant::now();
        clock.sleep(YEAR).await;
        assert!(real.elapsed() < Duration::from_secs(5), "slept for real: {:?}", real.elapsed());
        assert_eq!(clock.now(), datetime!(2024-12-31 00:00:00 UTC));
    }

    #[tokio::test(start_paused = true)]
    async fn now_is_the_start_until_time_moves() {
        let clock = VirtualClock::starting_at(START);
        assert_eq!(clock.now(), START);
        assert_eq!(clock.clone().now(), START);
        assert_eq!(clock.start(), START);
        assert_eq!(clock.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn the_earliest_deadline_fires_first() {
        // timeouts-global-timeout: a 60 s Wait under a 5 s execution timeout times out.
        let clock = VirtualClock::starting_at(START);
        let winner = tokio::select! {
            () = clock.sleep(Duration::from_secs(60)) => "wait",
            () = clock.sleep(Duration::from_secs(5)) => "timeout",
        };
        assert_eq!(winner, "timeout");
        assert_eq!(clock.now(), datetime!(2024-01-01 00:00:05 UTC));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_executions_wake_in_deadline_order_at_exact_times() {
        let clock = Arc::new(VirtualClock::starting_at(START));
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for (name, secs) in [("b", 30), ("a", 10), ("c", 3600)] {
            let (clock, log) = (Arc::clone(&clock), Arc::clone(&log));
            handles.push(tokio::spawn(async move {
                clock.sleep(Duration::from_secs(secs)).await;
                if let Ok(mut log) = log.lock() {
                    log.push((name, clock.now()));
                }
            }));
        }
        for handle in handles {
            assert!(handle.await.is_ok());
        }
        let log = log.lock().map(|log| log.clone()).unwrap_or_default();
        assert_eq!(
            log,
            [
                ("a", datetime!(2024-01-01 00:00:10 UTC)),
                ("b", datetime!(2024-01-01 00:00:30 UTC)),
                ("c", datetime!(2024-01-01 01:00:00 UTC)),
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn sleep_until_an_absolute_deadline() {
        let clock = VirtualClock::starting_at(START);
        clock.sleep_until(datetime!(2024-03-01 12:30:00.250 UTC)).await;
        assert_eq!(clock.now(), datetime!(2024-03-01 12:30:00.250 UTC));
        // A deadline already past (even before the start) is due at once.
        clock.sleep_until(datetime!(2023-06-01 00:00:00 UTC)).await;
        clock.sleep_until(START).await;
        assert_eq!(clock.now(), datetime!(2024-03-01 12:30:00.250 UTC));
    }

    #[tokio::test(start_paused = true)]
    async fn deadlines_beyond_the_calendar_never_arrive() {
        let clock = VirtualClock::starting_at(START);
        let outcome = tokio::time::timeout(YEAR, clock.sleep(Duration::MAX)).await;
        assert!(outcome.is_err(), "a sleep of Duration::MAX completed");
        assert_eq!(clock.now(), datetime!(2024-12-31 00:00:00 UTC));
    }

    #[tokio::test(start_paused = true)]
    async fn works_as_a_shared_trait_object() {
        let clock: Arc<dyn Clock> = Arc::new(VirtualClock::starting_at(START));
        clock.sleep(Duration::from_millis(1500)).await;
        assert_eq!(clock.now(), datetime!(2024-01-01 00:00:01.5 UTC));
    }

    #[tokio::test]
    async fn real_clock_sleeps_by_the_wall_clock() {
        let clock = RealClock;
        let before = clock.now();
        clock.sleep(Duration::from_millis(30)).await;
        assert!(clock.now() - before >= time::Duration::milliseconds(30));
        // Past deadlines return at once.
        let real = std::time::Instant::now();
        clock.sleep_until(before).await;
        assert!(real.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn virtual_clock_on_real_time_is_a_shifted_real_clock() {
        let clock = VirtualClock::starting_at(START);
        clock.sleep(Duration::from_millis(20)).await;
        let elapsed = clock.now() - START;
        assert!(elapsed >= time::Duration::milliseconds(20) && elapsed < time::Duration::seconds(5), "{elapsed}");
    }

    #[tokio::test]
    async fn scaled_clock_at_zero_jumps_to_the_deadline_at_once() {
        let clock = ScaledClock::new(0.0);
        let before = clock.now();
        clock.sleep(Duration::from_secs(3600)).await;
        assert!(clock.now() - before >= time::Duration::hours(1));
        // Clones share the timeline; a past deadline never moves it back.
        let clone = clock.clone();
        clone.sleep_until(before).await;
        assert!(clone.now() - before >= time::Duration::hours(1));
    }

    #[tokio::test(start_paused = true)]
    async fn scaled_clock_sleeps_a_fraction_of_the_wait() {
        let clock = ScaledClock::new(0.001);
        let tokio_before = tokio::time::Instant::now();
        let before = clock.now();
        clock.sleep(Duration::from_secs(10)).await;
        // 10 s scaled by 0.001 is 10 ms on tokio's (paused) clock; the wall clock jumped 10 s.
        assert_eq!(tokio_before.elapsed(), Duration::from_millis(10));
        assert!(clock.now() - before >= time::Duration::seconds(10));
    }

    #[test]
    fn scaled_clock_advances_but_never_goes_back() {
        let clock = ScaledClock::new(0.5);
        let later = clock.now() + time::Duration::days(3);
        clock.advance_to(later);
        assert!(clock.now() >= later);
        clock.advance_to(later - time::Duration::days(2));
        assert!(clock.now() >= later);
    }

    #[test]
    fn scaled_clock_takes_only_sensible_scales() {
        assert_eq!(ScaledClock::new(0.25).scale(), 0.25);
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY] {
            assert!(!ScaledClock::valid_scale(bad));
            assert_eq!(ScaledClock::new(bad).scale(), 1.0);
        }
    }
}

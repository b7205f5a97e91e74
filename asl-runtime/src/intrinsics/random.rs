//! Randomness for `States.UUID` and `States.MathRandom`: the [`RandomSource`] an execution
//! supplies, a seedable default ([`SplitMix64`]), and Java's `java.util.Random` for seeded
//! draws.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::args::Args;
use crate::Error;

/// Where `States.UUID` and an unseeded `States.MathRandom` get their randomness.
///
/// An execution passes one in, so tests (and replays) can make both deterministic with a
/// seeded generator such as [`SplitMix64::new`].
pub trait RandomSource {
    /// 64 uniformly distributed random bits.
    fn next_u64(&mut self) -> u64;
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
///
/// Not cryptographically secure: a UUID from it is unique with overwhelming probability
/// but predictable to whoever knows the seed. [`SplitMix64::from_entropy`] seeds it from
/// the process's hash keys, the clock and a counter (once per thread; each call then
/// draws its seed from that thread's seeder).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator that always produces the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// A generator seeded differently on every call.
    pub fn from_entropy() -> Self {
        thread_local! {
            /// Each thread's seeder, itself seeded once from the OS (see `seed_from_os`):
            /// a new execution's generator must cost a few instructions, not a hash of the
            /// clock (this runs for every execution started).
            static SEEDER: Cell<u64> = Cell::new(seed_from_os());
        }
        let seed = SEEDER.with(|seeder| {
            let mut next = SplitMix64::new(seeder.get());
            let seed = next.next_u64();
            seeder.set(next.state);
            seed
        });
        SplitMix64::new(seed)
    }
}

/// An unpredictable seed: std's RandomState holds keys drawn from the OS; hashing a
/// process-wide counter and the clock with them gives every call its own seed without a
/// dependency.
fn seed_from_os() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let calls = CALLS.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    RandomState::new().hash_one((calls, nanos))
}

impl Default for SplitMix64 {
    /// Same as [`SplitMix64::from_entropy`].
    fn default() -> Self {
        SplitMix64::from_entropy()
    }
}

impl RandomSource for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A uniform draw from `0..bound` (`bound > 0`), without modulo bias.
pub(super) fn below(rng: &mut dyn RandomSource, bound: u64) -> u64 {
    let bound = bound.max(1);
    // 2^64 mod bound: the draws at or above 2^64 - rem would favour small results.
    let rem = (u64::MAX % bound).wrapping_add(1) % bound;
    let mut draw = rng.next_u64();
    // Each try fails with probability below one half; a source stuck on rejected values
    // still ends, with a slightly biased result.
    for _ in 0..64 {
        if rem == 0 || draw < 0u64.wrapping_sub(rem) {
            break;
        }
        draw = rng.next_u64();
    }
    draw % bound
}

/// `States.UUID()`: a random version 4 UUID in lowercase hyphenated form.
pub(super) fn uuid(args: Args, rng: &mut dyn RandomSource) -> Result<Value, Error> {
    args.count(0, 0)?;
    Ok(Value::String(uuid_v4(rng)))
}

/// A random version 4 UUID in lowercase hyphenated form (what `States.UUID()` returns, and
/// how Step Functions names generated things such as child executions).
pub fn uuid_v4(rng: &mut dyn RandomSource) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut text = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{b:02x}"));
    }
    text
}

/// Java's `java.util.Random`: the 48-bit linear congruential generator of the Java
/// platform specification, bit for bit. AWS's JSONata `$random(42)` returns
/// `0.7275636800328681`, this generator's first `nextDouble` for seed 42, so AWS draws
/// seeded numbers from it.
pub(crate) struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    /// `new Random(seed)`.
    pub(crate) fn new(seed: i64) -> Self {
        JavaRandom { seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK }
    }

    /// `next(bits)`: the top `bits` bits of the next state, as a Java int.
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB) & Self::MASK;
        (self.seed >> (48 - bits)) as u32 as i32
    }

    /// `nextInt()`.
    #[cfg(test)]
    fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `nextInt(bound)` for `bound > 0` (a non-positive bound, which Java rejects, gives 0).
    pub(super) fn next_int_below(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        // Java rejects the draws of the last, incomplete multiple of `bound`, detected by
        // int overflow in `u - r + m`.
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    /// `nextDouble()`.
    pub(crate) fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        (high + i64::from(self.next(27))) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
#[allow(clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use crate::intrinsics::tests::run_with;
    use serde_json::json;

    #[test]
    fn java_random_matches_java() {
        // Values java.util.Random gives on every JVM.
        assert_eq!(JavaRandom::new(42).next_double(), 0.7275636800328681);
        assert_eq!(JavaRandom::new(0).next_int(), -1_155_484_576);
        assert_eq!(JavaRandom::new(42).next_int(), -1_170_105_035);
        assert_eq!(JavaRandom::new(42).next_int_below(10), 0);
        assert_eq!(JavaRandom::new(0).next_int_below(0), 0);
    }

    #[test]
    fn java_random_bounded_draws_stay_in_range() {
        let mut r = JavaRandom::new(-7);
        for bound in [1, 2, 3, 7, 16, 999, 1 << 30, i32::MAX] {
            for _ in 0..100 {
                let v = r.next_int_below(bound);
                assert!((0..bound).contains(&v), "{v} for {bound}");
            }
        }
    }

    #[test]
    fn split_mix_is_deterministic() {
        let mut a = SplitMix64::new(1);
        let mut b = SplitMix64::new(1);
        let first: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        assert_eq!(first, (0..4).map(|_| b.next_u64()).collect::<Vec<_>>());
        // The published first output for seed 0.
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_ne!(SplitMix64::from_entropy(), SplitMix64::from_entropy());
    }

    struct Constant(u64);
    impl RandomSource for Constant {
        fn next_u64(&mut self) -> u64 {
            self.0
        }
    }

    #[test]
    fn below_is_in_range_and_terminates() {
        let mut rng = SplitMix64::new(3);
        for bound in [1, 2, 3, 10, u64::MAX] {
            for _ in 0..100 {
                assert!(below(&mut rng, bound) < bound);
            }
        }
        // A source stuck in the rejected zone still returns.
        assert!(below(&mut Constant(u64::MAX), 3) < 3);
        assert_eq!(below(&mut Constant(7), 0), 0);
    }

    #[test]
    fn uuid_is_version_4() {
        let mut rng = SplitMix64::new(9);
        let Ok(Value::String(id)) = run_with("States.UUID()", json!({}), &mut rng) else { panic!("no uuid") };
        assert_eq!(id.len(), 36);
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert!(groups[2].starts_with('4'));
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']));
        // Deterministic with a seeded source, different on the next draw.
        let again = run_with("States.UUID()", json!({}), &mut SplitMix64::new(9));
        assert_eq!(again, Ok(json!(id)));
        assert_ne!(run_with("States.UUID()", json!({}), &mut rng), Ok(json!(id)));
        assert_eq!(
            run_with("States.UUID()", json!({}), &mut Constant(0)),
            Ok(json!("00000000-0000-4000-8000-000000000000"))
        );
    }
}

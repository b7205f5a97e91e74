//! Timestamps as the Choice operators read them.
//!
//! AWS runs on the JVM, and the causes it reports for bad Wait timestamps say "ISO-8601 extended
//! offset date-time format", the description of Java's `DateTimeFormatter.ISO_OFFSET_DATE_TIME`
//! (`OffsetDateTime.parse`). This parser accepts exactly what that formatter accepts, so a
//! string counts as a timestamp here when it would for AWS:
//!
//! - `YYYY-MM-DD`: four-digit year; more digits only with a `+` sign (`+10000-01-01`); a
//!   negative year with `-` (`-0001`, but not `-0000`);
//! - `T` (either case), then `HH:MM`, optionally `:SS`, optionally `.` and 0–9 fraction digits
//!   (seconds are optional; a leap second `:60` and hour `24` are not accepted);
//! - `Z` (either case) or `±HH:MM` / `±HH:MM:SS`, at most 18 hours;
//! - the date must exist (no 30 February), and nothing may follow.
//!
//! Values compare as instants: `2012-10-09T19:00:55Z` equals `2012-10-09T20:00:55+01:00`.

/// The instant a timestamp denotes, in nanoseconds since 1970-01-01T00:00:00Z, or `None` when
/// the text is not a timestamp.
pub(crate) fn parse(text: &str) -> Option<i128> {
    let mut p = Cursor { bytes: text.as_bytes(), at: 0 };
    let year = p.year()?;
    p.literal(b'-')?;
    let month = p.two_digits()?;
    p.literal(b'-')?;
    let day = p.two_digits()?;
    p.literal_ignore_case(b'T')?;
    let hour = p.two_digits()?;
    p.literal(b':')?;
    let minute = p.two_digits()?;
    let mut second = 0;
    let mut nanos = 0;
    if p.peek() == Some(b':') {
        p.at += 1;
        second = p.two_digits()?;
        if p.peek() == Some(b'.') {
            p.at += 1;
            nanos = p.fraction()?;
        }
    }
    let offset = p.offset()?;
    if p.at != p.bytes.len() {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = i128::from(days) * 86_400 + i128::from(hour * 3600 + minute * 60 + second) - i128::from(offset);
    Some(seconds * 1_000_000_000 + i128::from(nanos))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn literal(&mut self, expected: u8) -> Option<()> {
        (self.peek() == Some(expected)).then(|| self.at += 1)
    }

    fn literal_ignore_case(&mut self, expected: u8) -> Option<()> {
        self.peek().filter(|b| b.eq_ignore_ascii_case(&expected)).map(|_| self.at += 1)
    }

    /// Up to `max` ASCII digits: their count and value.
    fn digits(&mut self, max: usize) -> (usize, i64) {
        let mut count = 0;
        let mut value: i64 = 0;
        while count < max {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    value = value * 10 + i64::from(b - b'0');
                    count += 1;
                    self.at += 1;
                }
                _ => break,
            }
        }
        (count, value)
    }

    fn two_digits(&mut self) -> Option<u32> {
        let (count, value) = self.digits(2);
        // Two digits fit any u32.
        (count == 2).then_some(value as u32)
    }

    /// Java's `appendValue(YEAR, 4, 10, SignStyle.EXCEEDS_PAD)` in strict mode: a sign exactly
    /// when more than four digits are given (a minus sign is always allowed), and a year within
    /// ±999,999,999.
    fn year(&mut self) -> Option<i64> {
        let sign = match self.peek() {
            Some(b'+') => Some(1),
            Some(b'-') => Some(-1),
            _ => None,
        };
        if sign.is_some() {
            self.at += 1;
        }
        let (count, value) = self.digits(10);
        if count < 4 || value > 999_999_999 {
            return None;
        }
        match sign {
            None if count > 4 => None,
            None => Some(value),
            Some(1) if count == 4 => None,
            Some(1) => Some(value),
            // "-0000" is rejected by Java's strict parser.
            _ if value == 0 => None,
            _ => Some(-value),
        }
    }

    /// `appendFraction(NANO_OF_SECOND, 0, 9, true)` after the decimal point: zero to nine
    /// digits (Java accepts the point with no digits after it).
    fn fraction(&mut self) -> Option<u32> {
        let (count, value) = self.digits(9);
        let scale = 10_i64.pow(9 - count as u32);
        u32::try_from(value * scale).ok()
    }

    /// `appendOffsetId()`: `Z`, or `±HH:MM` with optional `:SS`, as signed seconds.
    fn offset(&mut self) -> Option<i64> {
        if self.literal_ignore_case(b'Z').is_some() {
            return Some(0);
        }
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        self.at += 1;
        let hours = self.two_digits()?;
        self.literal(b':')?;
        let minutes = self.two_digits()?;
        let mut seconds = 0;
        // Java takes `:SS` only when both digits follow; otherwise the colon is left over and
        // the whole parse fails on the trailing text.
        if self.peek() == Some(b':') {
            let before = self.at;
            self.at += 1;
            match self.two_digits() {
                Some(s) => seconds = s,
                None => self.at = before,
            }
        }
        if hours > 23 || minutes > 59 || seconds > 59 {
            return None;
        }
        let total = i64::from(hours * 3600 + minutes * 60 + seconds);
        // ZoneOffset allows at most ±18:00.
        (total <= 18 * 3600).then_some(sign * total)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`), valid for any year this parser accepts.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::parse;

    const NANOS: i128 = 1_000_000_000;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse("2012-10-09T19:00:55Z"), Some(1_349_809_255 * NANOS));
        assert_eq!(parse("2000-03-01T00:00:00Z"), Some(951_868_800 * NANOS));
        assert_eq!(parse("1969-12-31T23:59:59Z"), Some(-NANOS));
        assert_eq!(parse("0000-01-01T00:00:00Z"), Some(-62_167_219_200 * NANOS));
    }

    #[test]
    fn offsets_and_fractions_are_instants() {
        assert_eq!(parse("2012-10-09T20:00:55+01:00"), parse("2012-10-09T19:00:55Z"));
        assert_eq!(parse("2012-10-09T13:30:55-05:30"), parse("2012-10-09T19:00:55Z"));
        assert_eq!(parse("2012-10-09T19:00:55+00:00:30"), parse("2012-10-09T19:00:25Z"));
        assert_eq!(parse("2012-10-09T19:00:55-00:00"), parse("2012-10-09T19:00:55Z"));
        assert_eq!(parse("1970-01-01T00:00:00.5Z"), Some(NANOS / 2));
        assert_eq!(parse("1970-01-01T00:00:00.000000001Z"), Some(1));
        assert_eq!(parse("2016-03-05T21:29:29.243167252Z"), Some(1_457_213_369 * NANOS + 243_167_252));
    }

    #[test]
    fn java_leniencies() {
        // Seconds are optional in ISO_LOCAL_TIME.
        assert_eq!(parse("2012-10-09T19:00Z"), parse("2012-10-09T19:00:00Z"));
        // ISO_OFFSET_DATE_TIME parses case-insensitively.
        assert_eq!(parse("2012-10-09t19:00:55z"), parse("2012-10-09T19:00:55Z"));
        // A decimal point with no digits.
        assert_eq!(parse("2012-10-09T19:00:55.Z"), parse("2012-10-09T19:00:55Z"));
        // Signed and long years.
        assert!(parse("+10000-01-01T00:00:00Z").is_some_and(|n| n > 0));
        assert!(parse("-0001-01-01T00:00:00Z").is_some_and(|n| n < 0));
        assert_eq!(parse("2016-02-29T00:00:00+18:00"), parse("2016-02-28T06:00:00Z"));
    }

    #[test]
    fn rejected() {
        for bad in [
            "",
            "2016-12-05T21:29:29",
            "2016-12-05 21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "2016-12-05T24:00:00Z",
            "2016-13-05T21:29:29Z",
            "2016-00-05T21:29:29Z",
            "2016-12-00T21:29:29Z",
            "2015-02-29T00:00:00Z",
            "2016-04-31T00:00:00Z",
            "2016-12-31T23:59:60Z",
            "2016-12-05T21:29:29+0100",
            "2016-12-05T21:29:29+01",
            "2016-12-05T21:29:29+19:00",
            "2016-12-05T21:29:29+18:01",
            "2016-12-05T21:29:29+01:00:",
            "2016-12-05T21:29:29.1234567891Z",
            "2016-12-05T21:29:29,5Z",
            "2016-12-05T21:29:29Z ",
            " 2016-12-05T21:29:29Z",
            "+2016-12-05T21:29:29Z",
            "20160-12-05T21:29:29Z",
            "-0000-12-05T21:29:29Z",
            "016-12-05T21:29:29Z",
            "2016-1-05T21:29:29Z",
            "2016-12-05T1:29:29Z",
            "2016-12-05T21:29:2Z",
            "2016-12-05T21Z",
            "2023-02-24",
            "2023-02-24 12:15:56.832957",
            "HelloWorld",
            "2016-12-05T21:29:29Zulu",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ordering() {
        let earlier = parse("2012-10-09T19:00:55.999999999Z");
        let later = parse("2012-10-09T19:00:56Z");
        assert!(earlier < later);
        assert!(parse("2012-10-09T19:00:56+01:00") < parse("2012-10-09T19:00:55Z"));
    }
}

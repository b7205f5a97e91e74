//! The RFC 3339 profile ASL requires for literal timestamps (Wait `Timestamp`, Choice
//! `Timestamp*` operands): `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or
//! `±HH:MM`, with uppercase `T` and `Z` and a date that exists.

/// Rule 14: an RFC 3339 date-time as AWS accepts it: `YYYY-MM-DDTHH:MM:SS[.fraction]` then
/// `Z` or `±HH:MM`, with uppercase `T` and `Z`, and a real calendar date.
pub(super) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (digits(0, 4), digits(5, 2), digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2))
    else {
        return false;
    };
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    // RFC 3339 allows a leap second only as 23:59:60.
    let second_ok = second <= 59 || (second == 60 && hour == 23 && minute == 59);
    if !(1..=days).contains(&day) || hour > 23 || minute > 59 || !second_ok {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            matches!((digits(i + 1, 2), digits(i + 4, 2)), (Some(h), Some(m)) if h <= 23 && m <= 59)
                && at(i + 3, b':')
                && i + 6 == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        for ok in ["2016-03-14T01:59:00Z", "2016-02-29T23:59:59.123456789-05:30", "2000-02-29T00:00:00+00:00"] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2016-12-05T21:29:29",
            "2016-12-05 21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "2016-13-05T21:29:29Z",
            "2015-02-29T00:00:00Z",
            "2016-03-14t01:59:00z",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T01:59:00+0100",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}

//! The request's signing time: read from `X-Amz-Date` (or `Date`), written in SigV4's
//! ISO-8601 basic format, and checked against the server's clock.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc2822;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::errors::{self, SKEW_MINUTES};
use crate::wire::ApiError;

/// Parses `YYYYMMDD'T'HHMMSS'Z'`, the only form SigV4 signs (`X-Amz-Date: 20150830T123600Z`).
pub(super) fn parse_basic(text: &str) -> Option<OffsetDateTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> { text.get(from..to)?.parse().ok() };
    // `parse` accepts a leading `+`; the format has digits only.
    if !bytes.iter().enumerate().all(|(i, b)| i == 8 || i == 15 || b.is_ascii_digit()) {
        return None;
    }
    let year = i32::try_from(number(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(4, 6)?).ok()?).ok()?;
    let day = u8::try_from(number(6, 8)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let hms = |from, to| number(from, to).and_then(|n| u8::try_from(n).ok());
    let time = Time::from_hms(hms(9, 11)?, hms(11, 13)?, hms(13, 15)?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Parses an HTTP `Date` header (`Tue, 15 Nov 1994 08:12:31 GMT`), which SigV4 accepts when
/// `X-Amz-Date` is absent. SDKs always send `X-Amz-Date`; this is for hand-made requests.
pub(super) fn parse_http(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc2822).ok().map(|t| t.to_offset(time::UtcOffset::UTC))
}

/// Writes `time` (in UTC) as `YYYYMMDD'T'HHMMSS'Z'`.
pub(super) fn basic(time: OffsetDateTime) -> String {
    let t = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `now` as a UTC date-time, to the second. A clock before 1970 or past year 9999 cannot
/// judge a signature's age, so it is an internal failure rather than a panic.
pub(super) fn now_utc(now: SystemTime) -> Result<OffsetDateTime, ApiError> {
    let seconds = match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok(),
        Err(before) => i64::try_from(before.duration().as_secs()).ok().map(|s| -s),
    };
    seconds
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or_else(|| ApiError::internal("the server's clock is out of range"))
}

/// Rejects a signing time more than [`SKEW_MINUTES`] away from `now`, as AWS does: a captured
/// request can be replayed only within that window.
pub(super) fn check_skew(signed: OffsetDateTime, now: OffsetDateTime) -> Result<(), ApiError> {
    let window = Duration::minutes(SKEW_MINUTES);
    let earliest = now - window;
    let latest = now + window;
    if signed < earliest {
        return Err(errors::expired(&basic(signed), &basic(earliest), &basic(now)));
    }
    if signed > latest {
        return Err(errors::not_yet_current(&basic(signed), &basic(latest), &basic(now)));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    fn at(text: &str) -> OffsetDateTime {
        parse_basic(text).expect(text)
    }

    #[test]
    fn basic_format_round_trips_and_rejects_others() {
        assert_eq!(basic(at("20150830T123600Z")), "20150830T123600Z");
        for bad in ["2015-08-30T12:36:00Z", "20150830T123600", "20151330T123600Z", "2015083+T123600Z", "201"] {
            assert_eq!(parse_basic(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_are_read_as_utc() {
        let parsed = parse_http("Sun, 30 Aug 2015 12:36:00 GMT");
        assert_eq!(parsed.map(basic).as_deref(), Some("20150830T123600Z"));
        assert_eq!(parse_http("yesterday"), None);
    }

    #[test]
    fn five_minutes_either_way_is_accepted_and_more_is_not() {
        let now = at("20261207T103000Z");
        assert!(check_skew(at("20261207T102500Z"), now).is_ok());
        assert!(check_skew(at("20261207T103500Z"), now).is_ok());
        let old = check_skew(at("20261207T102459Z"), now).err().map(|e| e.message().to_owned());
        assert_eq!(
            old.as_deref(),
            Some(
                "Signature expired: 20261207T102459Z is now earlier than 20261207T102500Z (20261207T103000Z - 5 min.)"
            )
        );
        let new = check_skew(at("20261207T103501Z"), now).err().map(|e| e.message().to_owned());
        assert_eq!(
            new.as_deref(),
            Some(
                "Signature not yet current: 20261207T103501Z is still later than 20261207T103500Z (20261207T103000Z + \
                 5 min.)"
            )
        );
    }

    #[test]
    fn clocks_out_of_range_are_errors_not_panics() {
        let far = UNIX_EPOCH.checked_add(std::time::Duration::from_secs(400_000_000_000));
        if let Some(far) = far {
            assert!(now_utc(far).is_err());
        }
        assert!(now_utc(UNIX_EPOCH).is_ok());
    }
}

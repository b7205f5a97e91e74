//! Text renderings of JSON values as AWS's (Java) intrinsic engine produces them.
//!
//! Two renderings are recorded in the conformance cases:
//!
//! - `States.Format` renders an object argument as Java's `Map.toString` does:
//!   `{Arg1=1, Arg2=[]}` (case `generic-format-2-7`), so the engine's values are Java
//!   collections and strings are unquoted. [`java_to_string`] reproduces that.
//! - `States.JsonToString` writes compact JSON, `{"Arg1":1,"Arg2":[]}`
//!   (`json-manipulation-json-to-string-7`). [`compact_json`] writes it the way Jackson's
//!   default generator does.
//!
//! Both print a fractional number with Java's `Double.toString` (`1.1`, `1.0E20`), which
//! agrees with every recorded number (`1.1` in `generic-format-1-5`,
//! `json-manipulation-json-to-string-3`).

use serde_json::{Number, Value};

/// Java's `String.valueOf` of the value as a Java object: strings unquoted, arrays as
/// `[a, b]`, objects as `{k=v, k2=v2}` in their key order.
pub(super) fn java_to_string(value: &Value) -> String {
    let mut out = String::new();
    write_java(value, &mut out);
    out
}

/// [`java_to_string`], appended to `out`.
pub(super) fn write_java(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_java(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                write_java(item, out);
            }
            out.push('}');
        }
    }
}

/// Compact JSON as Jackson writes it: no spaces, control characters escaped (`\n`,
/// `\t`… or `\u001F` with upper-case hex), `/` and non-ASCII left as they are.
pub(super) fn compact_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => write_java(value, out),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON number as Java prints it: integers plainly, other numbers with
/// `Double.toString`.
pub(super) fn number(n: &Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (None, Some(u), _) => u.to_string(),
        (None, None, Some(f)) => java_double(f),
        // Unreachable without serde_json's arbitrary_precision; its own text is the best
        // answer then.
        (None, None, None) => n.to_string(),
    }
}

/// Java's `Double.toString`: plain decimal for magnitudes in [10^-3, 10^7) with at least one
/// fractional digit (`100.0`, `0.001`), otherwise `d.dddE±n` (`1.0E20`, `1.5E-5`). The
/// digits are the shortest that read back as the same double, as Java (since JDK 19) and
/// Rust both choose them.
pub(super) fn java_double(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    if !x.is_finite() {
        // JSON has no such numbers; Java's spelling, should one come from elsewhere.
        return if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let scientific = format!("{:e}", x.abs());
    let Some((mantissa, exponent)) = scientific.split_once('e') else { return x.to_string() };
    let Ok(exponent) = exponent.parse::<i32>() else { return x.to_string() };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (1e-3..1e7).contains(&x.abs()) {
        // Digits before the point: exponent + 1 (zero or less below 1).
        let point = exponent + 1;
        if point <= 0 {
            let zeros = "0".repeat(point.unsigned_abs() as usize);
            format!("{sign}0.{zeros}{digits}")
        } else {
            let point = point as usize;
            if point >= digits.len() {
                format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..point], &digits[point..])
            }
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

/// The length of `s` as Java counts it (UTF-16 code units), for the 10,000-character limits.
pub(super) fn java_length(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn java_map_rendering_as_recorded() {
        // generic-format-2-7: an object argument of States.Format.
        assert_eq!(java_to_string(&json!({"Arg1": 1, "Arg2": []})), "{Arg1=1, Arg2=[]}");
        assert_eq!(java_to_string(&json!([1, "a", null, true, {"k": [1.5]}])), "[1, a, null, true, {k=[1.5]}]");
        assert_eq!(java_to_string(&json!("plain")), "plain");
        assert_eq!(java_to_string(&json!({})), "{}");
    }

    #[test]
    fn compact_json_as_recorded() {
        // json-manipulation-json-to-string-5…7.
        assert_eq!(compact_json(&json!("HelloWorld")), "\"HelloWorld\"");
        assert_eq!(compact_json(&json!([1, 2, "HelloWorld"])), "[1,2,\"HelloWorld\"]");
        assert_eq!(compact_json(&json!({"Arg1": 1, "Arg2": []})), "{\"Arg1\":1,\"Arg2\":[]}");
        // json-manipulation-json-to-string-0…4.
        for (v, want) in
            [(json!(null), "null"), (json!(0), "0"), (json!(1), "1"), (json!(1.1), "1.1"), (json!(true), "true")]
        {
            assert_eq!(compact_json(&v), want);
        }
    }

    #[test]
    fn compact_json_escapes_like_jackson() {
        assert_eq!(
            compact_json(&json!("a\"b\\c/d\n\t\r\u{8}\u{c}\u{1}\u{1f}é😀")),
            r#""a\"b\\c/d\n\t\r\b\f\u0001\u001Fé😀""#
        );
        assert_eq!(compact_json(&json!({"k\n": "\u{7f}"})), "{\"k\\n\":\"\u{7f}\"}");
    }

    #[test]
    fn java_double_formatting() {
        for (x, want) in [
            (1.1, "1.1"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (-2.5, "-2.5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (0.000123, "1.23E-4"),
            (1234567.125, "1234567.125"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (1e20, "1.0E20"),
            (-1.5e-10, "-1.5E-10"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        ] {
            assert_eq!(java_double(x), want, "{x}");
        }
    }

    #[test]
    fn numbers_keep_integers_plain() {
        assert_eq!(number(&Number::from(u64::MAX)), "18446744073709551615");
        assert_eq!(number(&Number::from(-7)), "-7");
    }

    #[test]
    fn java_length_counts_utf16_units() {
        assert_eq!(java_length("aé😀"), 4);
    }
}

//! Strings: `States.Format` and `States.StringSplit`.

use serde_json::Value;

use super::args::Args;
use super::render;
use crate::Error;

/// `States.Format(template, v…)`: the template with each `{}` replaced by the next value.
///
/// A value is rendered as Java's `toString` renders it: strings as they are, `null`,
/// `1`, `1.1` (cases `generic-format-1-*`), objects as `{Arg1=1, Arg2=[]}`
/// (`generic-format-2-7`). A literal template arrives pre-split in
/// [`Call::format_pieces`](super::Call::format_pieces), its escapes resolved; a template
/// read from a path (`$AnswerTemplate`, case
/// `assign-reference-variables-reference-in-map-state-map-state-reference-in-intrinsic-function`)
/// is data, so every `{}` in it is a placeholder and backslashes are plain text.
pub(super) fn format(args: Args) -> Result<Value, Error> {
    args.count(1, usize::MAX)?;
    let split: Vec<&str>;
    let pieces: &[&str] = match args.call.format_pieces {
        Some(pieces) => pieces,
        None => {
            split = args.string(0)?.split("{}").collect();
            &split
        }
    };
    let values = args.rest(1);
    let placeholders = pieces.len().saturating_sub(1);
    if placeholders != values.len() {
        return Err(args.fail(format_args!(
            "the template has {placeholders} placeholder{} but {} value{} follow{} it",
            if placeholders == 1 { "" } else { "s" },
            values.len(),
            if values.len() == 1 { "" } else { "s" },
            if values.len() == 1 { "s" } else { "" },
        )));
    }
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        out.push_str(piece);
        if let Some(value) = values.get(i) {
            render::write_java(value, &mut out);
        }
    }
    Ok(Value::String(out))
}

/// `States.StringSplit(string, delimiters)`: the pieces of the string between any of the
/// delimiter characters, empty pieces dropped, as Java's `StringTokenizer` splits
/// (`, , ,` on `,` → `[" ", " "]`, `,,,,` → `[]`, `This.is+a,test=string` on `.+,=` → five
/// words: cases `string-operations-string-split-*`).
pub(super) fn split(args: Args) -> Result<Value, Error> {
    args.count(2, 2)?;
    let text = args.string(0)?;
    let delimiters = args.string(1)?;
    let pieces = text
        .split(|c: char| delimiters.contains(c))
        .filter(|piece| !piece.is_empty())
        .map(|piece| Value::String(piece.to_string()))
        .collect();
    Ok(Value::Array(pieces))
}

#[cfg(test)]
mod tests {
    use crate::intrinsics::tests::{cause, run};
    use crate::intrinsics::{Arg, Call, Function, SplitMix64};
    use crate::path::Literal;
    use serde_json::json;

    #[test]
    fn format_one_value_recorded() {
        // generic-format-1-0…6.
        for (value, want) in [
            (json!(""), "Formatting argument ."),
            (json!(" "), "Formatting argument  ."),
            (json!("HelloWorld"), "Formatting argument HelloWorld."),
            (json!(null), "Formatting argument null."),
            (json!(1), "Formatting argument 1."),
            (json!(1.1), "Formatting argument 1.1."),
            (json!("{\"Arg1\": 1, \"Arg2\": []}"), "Formatting argument {\"Arg1\": 1, \"Arg2\": []}."),
        ] {
            let got =
                run("States.Format('Formatting argument {}.', $.FunctionInput)", json!({ "FunctionInput": value }));
            assert_eq!(got, Ok(json!(want)));
        }
    }

    #[test]
    fn format_two_values_recorded() {
        // generic-format-2-0…7.
        for (value, want) in [
            (json!(""), "Formatting arguments fst= and snd=."),
            (json!(" "), "Formatting arguments fst=  and snd= ."),
            (json!("HelloWorld"), "Formatting arguments fst=HelloWorld and snd=HelloWorld."),
            (json!(null), "Formatting arguments fst=null and snd=null."),
            (json!(1), "Formatting arguments fst=1 and snd=1."),
            (json!(1.1), "Formatting arguments fst=1.1 and snd=1.1."),
            (
                json!("{\"Arg1\": 1, \"Arg2\": []}"),
                "Formatting arguments fst={\"Arg1\": 1, \"Arg2\": []} and snd={\"Arg1\": 1, \"Arg2\": []}.",
            ),
            (json!({"Arg1": 1, "Arg2": []}), "Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."),
        ] {
            let input = json!({"FunctionInput": {"fst": value, "snd": value}});
            let expr =
                "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)";
            assert_eq!(run(expr, input), Ok(json!(want)));
        }
    }

    #[test]
    fn format_other_recorded_uses() {
        // base-state-fail-intrinsic (ErrorPath and CausePath).
        let input = json!({"Error": "error string", "Cause": "cause string"});
        assert_eq!(run("States.Format('{}', $.Error)", input.clone()), Ok(json!("error string")));
        let expr = "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)";
        let want = "This is a custom error message for error string, caused by cause string.";
        assert_eq!(run(expr, input), Ok(json!(want)));
        // A template read from a variable, apostrophe and all.
        let got = run("States.Format($.t, $.v)", json!({"t": "It's {}!", "v": "Pikachu"}));
        assert_eq!(got, Ok(json!("It's Pikachu!")));
        assert_eq!(run("States.Format('Format:{}', 101)", json!({})), Ok(json!("Format:101")));
        assert_eq!(run("States.Format('plain')", json!({})), Ok(json!("plain")));
        assert_eq!(
            run("States.Format($.t)", json!({"t": "\\{} {x}"})),
            Err(crate::Error::new(
                "States.IntrinsicFailure",
                "Invalid arguments in States.Format($.t): the template has 1 placeholder but 0 values follow it"
            ))
        );
    }

    #[test]
    fn format_uses_the_pre_split_template() {
        // `States.Format('\\{} {}', 'x')`: the escaped braces are text, not a placeholder,
        // which only `format_pieces` can tell.
        static CALL: Call = Call {
            function: Function::Format,
            args: &[Arg::Literal(Literal::Str("{} {}")), Arg::Literal(Literal::Str("x"))],
            format_pieces: Some(&["{} ", ""]),
            text: "States.Format('\\\\{} {}', 'x')",
        };
        let got = crate::intrinsics::call(&CALL, &mut |_| Ok(json!(null)), &mut SplitMix64::new(0));
        assert_eq!(got, Ok(json!("{} x")));
    }

    #[test]
    fn format_failures() {
        for (expr, detail) in [
            ("States.Format('{} {}', 1)", "the template has 2 placeholders but 1 value follows it"),
            ("States.Format('{}', 1, 2)", "the template has 1 placeholder but 2 values follow it"),
            ("States.Format($.n, 1)", "argument #1 must be a string, but was a number"),
        ] {
            assert_eq!(cause(expr, json!({"n": 1})), format!("Invalid arguments in {expr}: {detail}"));
        }
    }

    #[test]
    fn split_recorded() {
        // string-operations-string-split-0…6.
        for (text, delimiters, want) in [
            (" ", ",", json!([" "])),
            (" , ", ",", json!([" ", " "])),
            (", , ,", ",", json!([" ", " "])),
            (",,,,", ",", json!([])),
            ("1,2,3,4,5", ",", json!(["1", "2", "3", "4", "5"])),
            ("This.is+a,test=string", ".+,=", json!(["This", "is", "a", "test", "string"])),
            ("split on T and \nnew line", "T\n", json!(["split on ", " and ", "new line"])),
        ] {
            let input = json!({"FunctionInput": {"fst": text, "snd": delimiters}});
            assert_eq!(run("States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd)", input), Ok(want));
        }
        // string-operations-string-split-context-object.
        let text = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n";
        let want = json!([
            "Value1",
            "Value2",
            "Value3\nValue4",
            "Value5",
            "Value6\n",
            "\ntrue",
            "1",
            "'HelloWorld'\nNull",
            "None",
            "\n   \n"
        ]);
        assert_eq!(run("States.StringSplit($.a, ',')", json!({ "a": text })), Ok(want));
        // generic-escape-sequence: a literal newline in both arguments.
        assert_eq!(
            run("States.StringSplit($.a, $.d)", json!({"a": "Hello\nWorld", "d": "\n"})),
            Ok(json!(["Hello", "World"]))
        );
    }

    #[test]
    fn split_edges() {
        assert_eq!(run("States.StringSplit('', ',')", json!({})), Ok(json!([])));
        assert_eq!(run("States.StringSplit('a,b', '')", json!({})), Ok(json!(["a,b"])));
        assert_eq!(run("States.StringSplit('a😀b', '😀')", json!({})), Ok(json!(["a", "b"])));
        assert_eq!(
            cause("States.StringSplit($.a, ',')", json!({"a": ["x"]})),
            "Invalid arguments in States.StringSplit($.a, ','): argument #1 must be a string, but was an array"
        );
    }
}

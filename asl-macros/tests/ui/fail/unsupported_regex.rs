// A JSONata regular expression with look-behind, which the regex crate asl-rs evaluates
// JSONata's regular expressions with does not support: an ASL603 at build time rather
// than a States.QueryEvaluationError on every execution that reaches it.
asl_runtime::include_asl!("flows/unsupported_regex.asl.json");

fn main() {}

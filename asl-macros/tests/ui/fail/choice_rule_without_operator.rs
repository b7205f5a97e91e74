// A Choice rule with a `Variable` but no comparison operator.
asl_runtime::include_asl!("flows/choice_rule_without_operator.asl.json");

fn main() {}

// Three mistakes in three states: all three are reported, each with its line and column.
asl_runtime::include_asl!("flows/three_mistakes.asl.json");

fn main() {}

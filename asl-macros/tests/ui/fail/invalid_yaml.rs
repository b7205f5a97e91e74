// The definition is not well-formed YAML (an unclosed flow sequence).
asl_runtime::include_asl!("flows/invalid_yaml.asl.yaml");

fn main() {}

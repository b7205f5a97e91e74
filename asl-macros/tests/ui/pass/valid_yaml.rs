// A valid YAML flow expands (asl-runtime's default features include the YAML reader).
mod greet {
    asl_runtime::include_asl!("flows/valid.asl.yaml");
}

fn main() {
    assert_eq!(greet::State::START.name(), "Greet");
    assert_eq!(greet::State::ALL.len(), 2);
}

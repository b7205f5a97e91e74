// Code that uses the generated API of an invalid flow sees only the definition's error:
// the macro emits the generator's fallback items after the `compile_error!`.
mod flow {
    asl_runtime::include_asl!("flows/unknown_field.asl.json");
}

fn main() {
    let names: Vec<&str> = flow::State::ALL.iter().map(|s| s.name()).collect();
    assert!(names.is_empty());
    assert_eq!(flow::State::from_name("Hello"), None);
}

// A valid JSON flow expands through asl-runtime, the crate users depend on, into a
// `State` enum that names every state.
mod order {
    asl_runtime::include_asl!("flows/valid.asl.json");
}

use order::State;

fn main() {
    assert_eq!(State::START.name(), "CheckOrder");
    let names: Vec<&str> = State::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["CheckOrder", "Charge", "Rejected", "Done"]);
    assert_eq!(State::from_name("Done").map(State::name), Some("Done"));
    assert_eq!(State::from_name("Nowhere"), None);
}

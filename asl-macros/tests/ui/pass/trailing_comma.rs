// A trailing comma after the path is accepted.
mod order {
    asl_runtime::include_asl!("flows/valid.asl.json",);
}

fn main() {
    assert_eq!(order::State::START.name(), "CheckOrder");
}

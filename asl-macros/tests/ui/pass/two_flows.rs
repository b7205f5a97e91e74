// Two flows in two modules of the same crate do not clash: the rebuild anchors are
// anonymous `const _` items.
mod order {
    asl_runtime::include_asl!("flows/valid.asl.json");
}

mod greet {
    asl_runtime::include_asl!("flows/valid.asl.yaml");
}

fn main() {
    assert_ne!(order::State::START.name(), greet::State::START.name());
}

//! The macro route: `include_asl!` compiles `flows/order.asl.json` while this crate
//! compiles. A mistake in the JSON (try renaming a `Next` target) fails `cargo build`
//! with the file, line and column of every problem.
//!
//! Today the workflow compiles to the shape of its state machine: one enum per container
//! (the top level, each Parallel branch) with a variant per state. The async state machine
//! and handler trait that run it arrive with the code-generation issue.

/// The order-processing workflow, compiled from `flows/order.asl.json`.
mod order {
    asl_runtime::include_asl!("flows/order.asl.json");
}

fn main() {
    use order::{ShipAndNotifyBranch0State as Shipping, ShipAndNotifyBranch1State as Confirmation, State};

    println!("order.asl.json compiled to Rust; it starts at `{}`.", State::START.name());
    println!("top-level states:");
    for state in State::ALL {
        println!("  {state:?} <- {:?}", state.name());
    }
    println!("Parallel `ShipAndNotify` branch 0 starts at `{}`", Shipping::START.name());
    println!("Parallel `ShipAndNotify` branch 1 starts at `{}`", Confirmation::START.name());
    // State names map back to variants without a string anywhere on the hot path.
    assert_eq!(State::from_name("PaymentApproved?"), Some(State::PaymentApproved));
}

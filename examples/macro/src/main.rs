//! The macro route: `include_asl!` compiles `flows/order.asl.json` while this crate
//! compiles, and the workflow runs on asl-runtime with the handlers below. A mistake in the
//! JSON (try renaming a `Next` target) fails `cargo build` with the file, line and column of
//! every problem; leaving out a handler method fails it too.

use asl_runtime::clock::{Clock, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{run, typed as run_typed};
use asl_runtime::{Error, Value};
use serde_json::json;

/// The order-processing workflow, compiled from `flows/order.asl.json`.
mod order {
    asl_runtime::include_asl!("flows/order.asl.json");
}

/// What `ValidateOrder`'s Parameters build: `{"FunctionName": …, "Payload": <the order>}`.
#[derive(serde::Deserialize)]
struct ValidateRequest {
    #[serde(rename = "Payload")]
    payload: Order,
}

/// An order, as the application models it.
#[derive(serde::Deserialize)]
struct Order {
    items: Vec<Item>,
}

/// One order line.
#[derive(serde::Deserialize)]
struct Item {
    qty: u32,
    price: f64,
}

/// `ValidateOrder`'s result.
#[derive(serde::Serialize)]
struct Validation {
    valid: bool,
    total: f64,
}

/// The application's side of the workflow: one method per Task state.
struct Shop;

impl order::Handlers for Shop {
    async fn validate_order(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        println!("  ValidateOrder     <- {input}");
        // A handler can work on the application's own types: `typed` deserialises the
        // input and serialises the result.
        run_typed(input, |request: ValidateRequest| async move {
            let total = request.payload.items.iter().map(|i| i.price * f64::from(i.qty)).sum::<f64>();
            Ok(Validation { valid: total > 0.0, total })
        })
        .await
    }

    async fn check_inventory(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        println!("  CheckInventory    <- {input}");
        Ok(json!({"inStock": true}))
    }

    async fn ship_order(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        println!("  ShipOrder         <- {input}");
        Ok(json!({"MessageId": "msg-1"}))
    }

    async fn send_confirmation(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        println!("  SendConfirmation  <- {input}");
        Ok(json!({"MessageId": "msg-2"}))
    }

    async fn record_analytics(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        println!("  RecordAnalytics   <- {input}");
        Ok(json!({"FailedEntryCount": 0}))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let input = json!({
        "order": {"id": "A-1001", "items": [{"sku": "tea", "qty": 2, "price": 4.5}]},
        "payment": {"status": "APPROVED"}
    });
    let clock = RealClock;
    let info = ExecutionInfo::new(order::WORKFLOW.name, "example-1", clock.now(), input.clone());
    println!("running `{}` (starts at `{}`); task calls:", order::WORKFLOW.name, order::State::START.name());
    let outcome = run(&order::WORKFLOW, &order::Typed(Shop), &clock, &info, input).await;
    println!("status: {:?}", outcome.status);
    match outcome.output {
        Some(output) => println!("output: {output:#}"),
        None => println!("error: {:?}, cause: {:?}", outcome.error, outcome.cause),
    }
}

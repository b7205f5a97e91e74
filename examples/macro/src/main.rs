//! The macro route: `include_asl!` compiles `flows/order.asl.json` while this crate
//! compiles, and the workflow runs on asl-runtime with the handlers below. A mistake in the
//! JSON (try renaming a `Next` target) fails `cargo build` with the file, line and column of
//! every problem; leaving out a handler method fails it too.

use asl_runtime::clock::{Clock, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::run;
use asl_runtime::{Error, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The order-processing workflow, compiled from `flows/order.asl.json`.
mod order {
    // Two Task states work on the application's own types (paths resolve here, as any path
    // written in this module would); the other three take and return JSON values.
    asl_runtime::include_asl!("flows/order.asl.json", tasks = {
        "ValidateOrder": crate::ValidateRequest -> crate::Validation,
        "CheckInventory": crate::StockQuery -> crate::Stock,
    });
}

/// What `ValidateOrder`'s Parameters build: `{"FunctionName": …, "Payload": <the order>}`.
#[derive(Debug, Deserialize)]
struct ValidateRequest {
    #[serde(rename = "Payload")]
    payload: Order,
}

/// An order, as the application models it.
#[derive(Debug, Deserialize)]
struct Order {
    items: Vec<Item>,
}

/// One order line.
#[derive(Debug, Deserialize)]
struct Item {
    sku: String,
    qty: u32,
    price: f64,
}

/// `ValidateOrder`'s result.
#[derive(Serialize)]
struct Validation {
    valid: bool,
    total: f64,
}

/// What `CheckInventory`'s Parameters build: `{"TableName": …, "Items": <the order lines>}`.
#[derive(Debug, Deserialize)]
struct StockQuery {
    #[serde(rename = "Items")]
    items: Vec<Item>,
}

/// `CheckInventory`'s result.
#[derive(Serialize)]
struct Stock {
    #[serde(rename = "inStock")]
    in_stock: bool,
}

/// The application's side of the workflow: one method per Task state.
struct Shop;

impl order::Handlers for Shop {
    // The generated `Typed` deserialises the task's input into `ValidateRequest` and
    // serialises the `Validation`; an input that does not fit fails the task with
    // `States.TaskFailed`, which this state's Catch sends to `RejectOrder`.
    async fn validate_order(&self, request: ValidateRequest, _context: &Value) -> Result<Validation, Error> {
        println!("  ValidateOrder     <- {request:?}");
        let total = request.payload.items.iter().map(|i| i.price * f64::from(i.qty)).sum::<f64>();
        Ok(Validation { valid: total > 0.0, total })
    }

    async fn check_inventory(&self, query: StockQuery, _context: &Value) -> Result<Stock, Error> {
        println!("  CheckInventory    <- {query:?}");
        Ok(Stock { in_stock: query.items.iter().all(|item| item.sku != "unobtainium") })
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

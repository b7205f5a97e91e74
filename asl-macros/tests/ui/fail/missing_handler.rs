// A Task state without a handler method is a compile error that names the method.
mod flow {
    asl_runtime::include_asl!("flows/order_flow.asl.json");
}

use std::future::Future;

use serde_json::Value;

struct Handlers;

impl flow::Handlers for Handlers {
    fn validate_order(
        &self,
        input: Value,
        _context: &Value,
    ) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }
}

fn main() {
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(Handlers);
}

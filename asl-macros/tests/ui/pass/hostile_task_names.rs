// Task names that are keywords, collide, start with a digit or name a common method each get a handler method.
mod flow {
    asl_runtime::include_asl!("flows/hostile_task_names.asl.json");
}

use std::future::Future;

use serde_json::Value;

struct Echo;

impl flow::Handlers for Echo {
    fn match_(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn match_2(
        &self,
        input: Value,
        _context: &Value,
    ) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn s_3_dsecure(
        &self,
        input: Value,
        _context: &Value,
    ) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn check_inventory(
        &self,
        input: Value,
        _context: &Value,
    ) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn check_inventory_2(
        &self,
        input: Value,
        _context: &Value,
    ) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn clone(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn self_(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "hostile_task_names");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(Echo);
}

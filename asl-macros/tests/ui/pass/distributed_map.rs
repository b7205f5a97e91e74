// A Distributed Map over the input's items (no ItemReader/ItemBatcher/ResultWriter) runs:
// its settings are in its `MapDef`, and the workflow is not marked unsupported.
mod flow {
    asl_runtime::include_asl!("flows/distributed_map.asl.json");
}

use std::future::Future;

use asl_runtime::machine::{Amount, StateKind};
use serde_json::Value;

struct Echo;

impl flow::Handlers for Echo {
    fn ship(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "distributed_map");
    assert_eq!(flow::CONTAINERS.len(), 2);
    assert_eq!(flow::UNSUPPORTED, None);
    let StateKind::Map(map) = &flow::CONTAINERS[0].states[flow::State::Fan as usize].kind else {
        panic!("`Fan` is a Map state")
    };
    let distributed = map.distributed.expect("`Fan` is a Distributed Map");
    assert_eq!(distributed.label, Some("Orders"));
    assert_eq!(distributed.tolerated_failure_count, Some(Amount::Literal(2)));
    assert!(distributed.tolerated_failure_percentage.is_some());
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(Echo);
}

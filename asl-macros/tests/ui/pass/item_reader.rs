// A Distributed Map that reads its items from S3 and batches them compiles, and runs: its
// reader and batcher are in its `MapDef`, and the workflow is not marked unsupported.
mod flow {
    asl_runtime::include_asl!("flows/item_reader.asl.json");
}

use asl_runtime::machine::{Amount, StateKind};

fn main() {
    assert_eq!(flow::WORKFLOW.name, "item_reader");
    assert_eq!(flow::CONTAINERS.len(), 2);
    assert_eq!(flow::UNSUPPORTED, None);
    let StateKind::Map(map) = &flow::CONTAINERS[0].states[flow::State::Fan as usize].kind else {
        panic!("`Fan` is a Map state")
    };
    let distributed = map.distributed.expect("`Fan` is a Distributed Map");
    assert_eq!(distributed.reader.map(|reader| reader.resource), Some("arn:aws:states:::s3:getObject"));
    assert_eq!(distributed.batcher.and_then(|batcher| batcher.max_items), Some(Amount::Literal(50)));
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

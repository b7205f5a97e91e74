// A YAML loop with an intrinsic call and a Choice compiles to statics.
mod flow {
    asl_runtime::include_asl!("flows/loop.asl.yaml");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "loop");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

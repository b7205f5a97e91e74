// A Wait and an inline Map: the processor is container 1.
mod flow {
    asl_runtime::include_asl!("flows/map_and_wait.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "map_and_wait");
    assert_eq!(flow::CONTAINERS.len(), 2);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

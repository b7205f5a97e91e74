// State names that are not Rust names still give a compiling machine.
mod flow {
    asl_runtime::include_asl!("flows/hostile_state_names.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "hostile_state_names");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

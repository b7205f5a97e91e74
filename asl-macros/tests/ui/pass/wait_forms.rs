// The four forms of a Wait state.
mod flow {
    asl_runtime::include_asl!("flows/wait_forms.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "wait_forms");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

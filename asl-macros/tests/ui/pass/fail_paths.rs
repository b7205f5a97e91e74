// Fail states with `ErrorPath`/`CausePath` paths and nested intrinsic calls.
mod flow {
    asl_runtime::include_asl!("flows/fail_paths.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "fail_paths");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

// Intrinsic calls with format pieces and paths with filters compile to statics.
mod flow {
    asl_runtime::include_asl!("flows/intrinsics_and_filters.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "intrinsics_and_filters");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

// A valid workflow the runtime cannot run yet still compiles, and says why in `UNSUPPORTED`.
mod flow {
    asl_runtime::include_asl!("flows/unsupported_features.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "unsupported_features");
    assert_eq!(flow::CONTAINERS.len(), 2);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert!(flow::UNSUPPORTED.is_some_and(|why| why.starts_with("asl-rs cannot run this workflow yet")));
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

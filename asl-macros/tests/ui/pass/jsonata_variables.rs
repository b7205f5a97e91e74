// A JSONata workflow compiles; `UNSUPPORTED` says the runtime cannot run it yet.
mod flow {
    asl_runtime::include_asl!("flows/jsonata_variables.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "jsonata_variables");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert!(flow::UNSUPPORTED.is_some_and(|why| why.starts_with("asl-rs cannot run this workflow yet")));
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

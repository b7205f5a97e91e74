// One Pass state: no Task states, so `()` implements `Handlers`.
mod flow {
    asl_runtime::include_asl!("flows/hello_pass.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "hello_pass");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

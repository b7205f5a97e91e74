// Every kind of Choice operand compiles to a `choice::Rule` static.
mod flow {
    asl_runtime::include_asl!("flows/choice_operands.asl.json");
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "choice_operands");
    assert_eq!(flow::CONTAINERS.len(), 1);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(());
}

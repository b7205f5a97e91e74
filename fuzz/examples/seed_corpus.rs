//! Writes the starting corpora: every conformance definition (and the built-in seeds) as
//! pretty JSON into `corpus/check_json/`, as block YAML into `corpus/check_yaml/`; and one
//! request per API operation into `corpus/api_request/` (the operation's index in the
//! service model, then a plausible body).
//! Run from `fuzz/`: `cargo run --example seed_corpus`.

use std::path::Path;

use asl_codegen_fuzz::mutate;
use serde_json::json;

/// Plausible bodies for the operations that make things, so the fuzzer starts from
/// requests that succeed; the others start from `{}`.
fn api_seed(operation: &str) -> serde_json::Value {
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
              "Parameters": {"t.$": "$$.Task.Token"}, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 5, "End": true}}})
    .to_string();
    match operation {
        "CreateStateMachine" => json!({"name": "m", "roleArn": "arn:aws:iam::1:role/r", "definition": definition}),
        "StartExecution" => json!({"stateMachineArn": machine, "name": "e", "input": "{\"a\":1}"}),
        "DescribeExecution" => json!({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e"}),
        "GetExecutionHistory" => json!({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e",
                                        "maxResults": 2, "reverseOrder": true}),
        "CreateActivity" => json!({"name": "a"}),
        "PublishStateMachineVersion" => json!({"stateMachineArn": machine}),
        "CreateStateMachineAlias" => json!({"name": "live", "routingConfiguration": [
            {"stateMachineVersionArn": format!("{machine}:1"), "weight": 100}]}),
        "TagResource" => json!({"resourceArn": machine, "tags": [{"key": "k", "value": "v"}]}),
        "ValidateStateMachineDefinition" => json!({"definition": definition, "severity": "WARNING"}),
        "TestState" => json!({"definition": json!({"Type": "Pass", "Result": 1, "End": true}).to_string(),
                              "input": "{}", "inspectionLevel": "DEBUG"}),
        _ => json!({}),
    }
}

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let json_dir = root.join("check_json");
    let yaml_dir = root.join("check_yaml");
    std::fs::create_dir_all(&json_dir)?;
    std::fs::create_dir_all(&yaml_dir)?;
    let mut seeds = mutate::builtin_seeds();
    seeds.extend(asl_codegen_fuzz::conformance_definitions());
    for (i, seed) in seeds.iter().enumerate() {
        let json = serde_json::to_string_pretty(seed).map_err(std::io::Error::other)?;
        std::fs::write(json_dir.join(format!("seed-{i:04}.asl.json")), json)?;
        std::fs::write(yaml_dir.join(format!("seed-{i:04}.asl.yaml")), mutate::to_block_yaml(seed))?;
    }
    std::fs::write(yaml_dir.join("seed-sam.asl.yaml"), mutate::YAML_SEED)?;
    let api_dir = root.join("api_request");
    std::fs::create_dir_all(&api_dir)?;
    for (index, operation) in asl_server::model::operations().enumerate() {
        let mut request = vec![u8::try_from(index).map_err(std::io::Error::other)?];
        request.extend(api_seed(operation.name()).to_string().into_bytes());
        std::fs::write(api_dir.join(operation.name()), request)?;
    }
    let raw = b"\xffAWSStepFunctions.ListStateMachines\n{\"maxResults\":1}";
    std::fs::write(api_dir.join("raw-target"), raw)?;
    println!("wrote {} seeds and one request per API operation to {}", seeds.len(), root.display());
    Ok(())
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use asl_machine::choice::{Operand as ChoiceOperand, Rule, Test};
use asl_machine::dataflow::{Io, PathField};
use asl_machine::machine::{Amount, NO_HANDLER, Next, StateKind};
use asl_machine::path::{Literal, Root, Segment};
use asl_machine::retry::{JitterStrategy, RetryPolicy};
use asl_machine::template::Template;
use serde_json::json;

use super::*;
use crate::Source;

fn lower_text(text: &str) -> Machine {
    let checked = crate::check(&Source::new("t.asl.json", text)).unwrap_or_else(|d| panic!("{d:#?}"));
    lower(&checked.machine, "t").unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn workflow_names_drop_the_definition_suffix() {
    let name = |p: &str| workflow_name(std::path::Path::new(p));
    assert_eq!(name("flows/order-flow.asl.json"), "order-flow");
    assert_eq!(name("a/Greet.ASL.YAML"), "Greet");
    assert_eq!(name("x.json"), "x");
    assert_eq!(name("plain"), "plain");
    assert_eq!(name(".asl.json"), ".asl");
}

#[test]
fn transitions_are_indices_within_their_container() {
    let m = lower_text(
        r#"{"StartAt": "B", "TimeoutSeconds": 30, "States": {
            "A": {"Type": "Pass", "End": true},
            "B": {"Type": "Parallel", "Next": "A", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Succeed"}}}
            ]}}}"#,
    );
    let workflow = m.workflow;
    assert_eq!((workflow.name, workflow.timeout_seconds, workflow.unsupported), ("t", Some(30), None));
    assert_eq!(workflow.containers.len(), 2);
    let top = &workflow.containers[0];
    assert_eq!(top.start, 1);
    assert_eq!(top.states[1].next, Next::State(0));
    assert_eq!(top.states[0].next, Next::End);
    let StateKind::Parallel { branches, .. } = &top.states[1].kind else { panic!("not parallel") };
    assert_eq!(branches, &[1]);
    assert_eq!(m.containers[1].owner, Some(Owner { container: ContainerId(0), state: StateId(1), index: 0 }));
    let branch = &workflow.containers[1];
    assert_eq!(branch.states[0].next, Next::State(1));
    assert_eq!(branch.states[1].next, Next::End);
}

#[test]
fn templates_are_parsed_and_constants_folded() {
    let m = lower_text(
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, "Parameters": {
            "const": {"a": [1, 2]},
            "path.$": "$.x",
            "call.$": "States.Format('{}', $.y)"
        }}}}"#,
    );
    let StateKind::Pass { io, .. } = &m.workflow.containers[0].states[0].kind else { panic!("not a pass") };
    let Some(Template::Object(members)) = io.parameters else { panic!("parameters not lowered to an object") };
    assert_eq!(
        members[0],
        ("const", Template::Literal(&Literal::Object(&[("a", Literal::Array(&[Literal::Int(1), Literal::Int(2)]))])))
    );
    assert!(matches!(&members[1], ("path", Template::Path(_))));
    let ("call", Template::Intrinsic(call)) = &members[2] else { panic!("not a call") };
    assert_eq!((call.text, call.format_pieces), ("States.Format('{}', $.y)", Some(&["", ""][..])));
}

#[test]
fn states_without_data_flow_share_the_defaults() {
    let m = lower_text(
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
    );
    let StateKind::Task(task) = &m.workflow.containers[0].states[0].kind else { panic!("not a task") };
    assert_eq!(*task.io, Io::DEFAULT);
    assert!(std::ptr::eq(task.recovery, &asl_machine::machine::NO_RECOVERY));
}

#[test]
fn retry_defaults_follow_the_spec() {
    let m = lower_text(
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 0, "IntervalSeconds": 3, "BackoffRate": 1.5,
            "MaxDelaySeconds": 9, "JitterStrategy": "FULL"}, {"ErrorEquals": ["States.ALL"]}], "End": true}}}"#,
    );
    let StateKind::Task(task) = &m.workflow.containers[0].states[0].kind else { panic!("not a task") };
    assert_eq!(task.recovery.retry[1], RetryPolicy::from_names(["States.ALL"]));
    assert_eq!(
        task.recovery.retry[0],
        RetryPolicy::from_names(["X"])
            .with_max_attempts(0)
            .with_interval_seconds(3)
            .with_backoff_rate(1.5)
            .with_max_delay_seconds(9)
            .with_jitter_strategy(JitterStrategy::Full)
    );
}

#[test]
fn choice_rules_become_rules() {
    let m = lower_text(
        r#"{"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Default": "D", "Choices": [
                {"Not": {"Variable": "$$.Execution.Input.n", "NumericGreaterThanPath": "$.max"}, "Next": "D"},
                {"Variable": "$.big", "NumericEquals": 18446744073709551615, "Next": "D"}]},
            "D": {"Type": "Succeed"}}}"#,
    );
    let state = &m.workflow.containers[0].states[0];
    let StateKind::Choice { rules, default, .. } = &state.kind else { panic!("not choice") };
    assert_eq!(*default, Some(1));
    assert!(state.reads_context, "the rule's variable reads `$$`");
    let Rule::Not(Rule::Compare { variable, test: Test::NumericGreaterThan(ChoiceOperand::Path(max)) }) =
        &rules[0].rule
    else {
        panic!("not a Not: {:?}", rules[0].rule)
    };
    assert_eq!((variable.root, variable.text, max.text), (Root::Context, "$$.Execution.Input.n", "$.max"));
    let Rule::Compare { test: Test::NumericEquals(ChoiceOperand::Literal(n)), .. } = &rules[1].rule else {
        panic!("not NumericEquals")
    };
    assert_eq!(*n, asl_machine::choice::Number::Int(i128::from(u64::MAX)));
    assert!(!m.workflow.containers[0].states[1].reads_context);
}

#[test]
fn tasks_are_numbered_in_definition_order_and_activities_have_no_handler() {
    let m = lower_text(
        r#"{"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "P"},
            "P": {"Type": "Parallel", "Next": "W", "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}]},
            "W": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:work", "Next": "C"},
            "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
    );
    let number = |c: usize, s: usize| match &m.workflow.containers[c].states[s].kind {
        StateKind::Task(task) => task.task,
        other => panic!("not a task: {other:?}"),
    };
    assert_eq!([number(0, 0), number(1, 0), number(0, 2), number(0, 3)], [0, 1, NO_HANDLER, 2]);
    assert_eq!(m.tasks, [(ContainerId(0), StateId(0)), (ContainerId(1), StateId(0)), (ContainerId(0), StateId(3))]);
}

#[test]
fn a_distributed_map_keeps_its_reader_batcher_and_writer() {
    let m = lower_text(
        r#"{"StartAt": "M", "States": {
            "M": {"Type": "Map", "End": true,
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "b", "Key.$": "$.key"},
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItemsPath": "$.max"}},
                "ItemBatcher": {"MaxItemsPerBatch": 2, "MaxInputBytesPerBatchPath": "$.bytes", "BatchInput": {"at.$": "$.at"}},
                "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"},
                    "WriterConfig": {"OutputType": "JSONL", "Transformation": "FLATTEN"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "J", "States": {"J": {"Type": "Succeed"}}}}}}"#,
    );
    assert_eq!(m.workflow.unsupported, None, "every workflow that compiles runs");
    let StateKind::Map(map) = &m.workflow.containers[0].states[0].kind else { panic!("not a Map") };
    let distributed = map.distributed.expect("a Distributed Map");
    let reader = distributed.reader.expect("a reader");
    assert_eq!(reader.resource, "arn:aws:states:::s3:getObject");
    assert!(matches!(reader.max_items, Some(Amount::Path(p)) if p.text == "$.max"));
    let config = format!("{:?}", reader.config.expect("a config"));
    assert!(config.contains("CSVHeaderLocation") && !config.contains("MaxItems"), "{config}");
    assert!(matches!(reader.parameters, Some(Template::Object(_))));
    let batcher = distributed.batcher.expect("a batcher");
    assert!(matches!(batcher.max_items, Some(Amount::Literal(2))));
    assert!(matches!(batcher.max_bytes, Some(Amount::Path(p)) if p.text == "$.bytes"));
    assert!(batcher.batch_input.is_some());
    let writer = distributed.writer.expect("a writer");
    assert_eq!(writer.resource, Some("arn:aws:states:::s3:putObject"));
    assert!(writer.parameters.is_some() && writer.config.is_some());
}

#[test]
fn jsonata_values_keep_their_expressions() {
    let m = lower_text(
        r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
            "Output": {"sum": "{% 1 + 2 %}", "plain": "$.not-a-path", "ctx": "{% $states.context.Execution.Id %}"}}}}"#,
    );
    let state = &m.workflow.containers[0].states[0];
    let Some(Template::Object(members)) = state.jsonata.and_then(|j| j.output) else { panic!("no output") };
    let Template::Jsonata(sum) = members[0].1 else { panic!("not an expression") };
    assert_eq!(sum.text, "1 + 2");
    assert!(sum.plan().is_some(), "`1 + 2` has a plan");
    assert_eq!(members[1].1, Template::Literal(&Literal::Str("$.not-a-path")));
    assert!(state.reads_context);
}

#[test]
fn single_fields_lower_as_a_definition_s_do() {
    let p = path("$.a..b[0]").unwrap();
    assert_eq!(p.segments, &[Segment::Field("a"), Segment::Descendant(&Segment::Field("b")), Segment::Index(0)]);
    assert!(path("$.a[").is_err());
    let call = intrinsic("States.Array(1, $.x, States.UUID())").unwrap();
    let asl_machine::intrinsics::Arg::Call(inner) = call.args[2] else { panic!("not nested") };
    assert_eq!(inner.text, "States.UUID()");
    let t = template(&json!({"a.$": "$.x", "b": [1]}), QueryLanguage::JsonPath).unwrap();
    let Template::Object(members) = t else { panic!("not an object") };
    assert_eq!(members[1], ("b", Template::Literal(&Literal::Array(&[Literal::Int(1)]))));
    assert!(matches!(dollar_value("States.UUID()"), Ok(Template::Intrinsic(_))));
    assert_eq!(literal(&json!(1.5)), Literal::Float(1.5));
    assert_eq!(expression("$x").text, "$x");
    let m = lower_text(r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed", "OutputPath": null}}}"#);
    let StateKind::Succeed { input_path, output_path } = m.workflow.containers[0].states[0].kind else {
        panic!("not a Succeed")
    };
    assert_eq!((input_path, output_path), (PathField::Default, PathField::Null));
}

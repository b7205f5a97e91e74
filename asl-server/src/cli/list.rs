//! `BIN list`: the state machines of a binary and what each Task needs bound.

use std::io::Write;
use std::path::PathBuf;

use asl_bindings::lambda::LambdaConfig;
use asl_bindings::mock::MockConfig;
use asl_bindings::resource::{self, Binding};
use asl_bindings::s3::EndpointConfig;

use super::args::BindingArgs;
use crate::Compiled;

/// Arguments of `BIN list`.
#[derive(Clone, Debug, clap::Args)]
pub struct ListArgs {
    /// The region of AWS endpoints.
    #[arg(long, default_value = "us-east-1", env = "ASL_REGION")]
    pub region: String,

    /// A configuration file (TOML; keys are these flags' long names).
    #[arg(long, value_name = "FILE", env = "ASL_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub bindings: BindingArgs,
}

/// Writes each machine with its Task states, their resources and what serves them; 0, or
/// 2 when the mock configuration cannot be read.
pub fn list(args: &ListArgs, compiled: &[Compiled], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mocks = match args.bindings.mock_config.as_deref().map(MockConfig::from_file).transpose() {
        Ok(mocks) => mocks,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return 2;
        }
    };
    let lambda = LambdaConfig::from_env(
        asl_bindings::lambda::SERVICE_ID,
        args.bindings.lambda_endpoint.as_deref(),
        &args.region,
    );
    let lambda_at = lambda.endpoint.clone().unwrap_or_else(|| format!("https://lambda.{}.amazonaws.com", args.region));
    let s3 = EndpointConfig::from_env(asl_bindings::s3::SERVICE_ID, args.bindings.s3_endpoint.as_deref(), &args.region);
    let s3_at = s3.endpoint.clone().unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", args.region));
    let mut unbound = 0;
    for machine in compiled {
        let _ = writeln!(out, "{} ({})", machine.name, machine.machine_type.as_str());
        let tasks = resource::tasks(machine.workflow);
        let width = tasks.iter().map(|t| t.state.chars().count()).max().unwrap_or(0);
        for task in &tasks {
            let serves = match task.binding {
                Binding::LambdaFunction | Binding::LambdaInvoke => {
                    format!("{} at {lambda_at}", task.binding.describe())
                }
                Binding::Unbound => {
                    unbound += 1;
                    "UNBOUND: needs a test case of a mock configuration that mocks it".to_owned()
                }
                other => other.describe().to_owned(),
            };
            let _ = writeln!(out, "  {:<width$}  {}  → {serves}", task.state, task.resource);
        }
        if tasks.is_empty() {
            let _ = writeln!(out, "  (no Task states)");
        }
        for site in resource::object_sites(machine.workflow) {
            let (bucket, at) = match site.bucket {
                Some(bucket) => (format!("bucket {bucket}"), where_bucket(args, bucket, &s3_at)),
                None => (
                    "bucket from the input".to_owned(),
                    format!("a folder given with --s3-dir BUCKET=DIR, else S3 at {s3_at}"),
                ),
            };
            let _ = writeln!(out, "  {}  {} {} ({bucket})  → {at}", site.state, site.field, site.resource);
        }
        if let Some(cases) = mocks.as_ref().and_then(|m| m.machines().into_iter().find(|(n, _)| *n == machine.name)) {
            let _ = writeln!(out, "  test cases: {}", cases.1.join(", "));
        }
    }
    if unbound > 0 {
        let _ = writeln!(
            out,
            "\n{unbound} Task state(s) are UNBOUND: run them with a Step Functions Local mock configuration \
             (--mock-config FILE --test-case CASE, or `…:stateMachine:NAME#CASE` in StartExecution)"
        );
    }
    0
}

/// Where `bucket`'s objects are: the folder `--s3-dir` maps it to, or S3 at `s3_at`.
fn where_bucket(args: &ListArgs, bucket: &str, s3_at: &str) -> String {
    match args.bindings.s3_dir.iter().find(|(name, _)| name == bucket) {
        Some((_, dir)) => format!("the folder {}", dir.display()),
        None => format!("S3 at {s3_at} (or a folder: --s3-dir {bucket}=DIR)"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use asl_codegen::{Source, SourceFormat};
    use clap::Parser;

    use super::{ListArgs, list};
    use crate::Compiled;

    #[derive(clap::Parser)]
    struct Command {
        #[command(flatten)]
        list: ListArgs,
    }

    #[test]
    fn a_distributed_maps_buckets_are_listed_with_where_they_are() {
        let text = r#"{"StartAt": "Rows", "States": {"Rows": {"Type": "Map", "End": true,
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                "Parameters": {"Bucket": "data", "Key": "rows.jsonl"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket.$": "$.out", "Prefix": "runs"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#;
        let source = Source::with_format("rows.asl.json", text, SourceFormat::Json);
        let settings = asl_codegen::Settings::new();
        let loaded = asl_codegen::load_as(&source, asl_codegen::WorkflowType::Standard, &settings).unwrap();
        let compiled = [Compiled::new("rows", text, loaded.workflow)];
        let args =
            Command::parse_from(["list", "--s3-dir", "data=/srv/data", "--s3-endpoint", "http://127.0.0.1:9000"]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(list(&args.list, &compiled, &mut out, &mut err), 0);
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("Rows  ItemReader arn:aws:states:::s3:getObject (bucket data)  → the folder /srv/data"),
            "{out}"
        );
        assert!(
            out.contains(
                "Rows  ResultWriter arn:aws:states:::s3:putObject (bucket from the input)  → a folder given with \
                 --s3-dir BUCKET=DIR, else S3 at http://127.0.0.1:9000"
            ),
            "{out}"
        );
    }
}

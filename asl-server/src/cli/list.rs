//! `BIN list`: the state machines of a binary and what each Task needs bound.

use std::io::Write;
use std::path::PathBuf;

use asl_bindings::lambda::LambdaConfig;
use asl_bindings::mock::MockConfig;
use asl_bindings::resource::{self, Binding};

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
    let lambda = LambdaConfig::from_env(args.bindings.lambda_endpoint.as_deref(), &args.region);
    let lambda_at = lambda.endpoint.clone().unwrap_or_else(|| format!("https://lambda.{}.amazonaws.com", args.region));
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

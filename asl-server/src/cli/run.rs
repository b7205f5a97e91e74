//! `BIN run NAME`: one execution, its output on stdout, its status as the exit status.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use asl_runtime::store::MachineType;
use serde_json::{Value, json};

use super::args::{BindingArgs, EngineArgs};
use super::serve::{shutdown_signal, tokio_runtime};
use crate::service::Service;
use crate::{Auth, Compiled, Config, Server, Storage};

/// Arguments of `BIN run`.
#[derive(Clone, Debug, clap::Args)]
pub struct RunArgs {
    /// The state machine to run (`BIN list` names them).
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The execution's input: JSON, `@FILE` for a file's contents, or `-` for standard
    /// input.
    #[arg(long, value_name = "JSON|@FILE", default_value = "{}")]
    pub input: String,

    /// The test case of the mock configuration (`--mock-config`) to run.
    #[arg(long, value_name = "CASE", requires = "mock_config")]
    pub test_case: Option<String>,

    /// Print the execution's history on standard error, one AWS JSON event per line
    /// (as `GetExecutionHistory` gives them).
    #[arg(long)]
    pub history: bool,

    /// The execution's name (default: a UUID).
    #[arg(long, value_name = "NAME")]
    pub execution_name: Option<String>,

    /// Keep the execution in this SQLite file (a STANDARD execution then survives a crash
    /// and a later `BIN serve --db FILE` takes it up); default: memory.
    #[arg(long, value_name = "FILE", env = "ASL_DB")]
    pub db: Option<PathBuf>,

    /// Serve the API on this address while the execution runs, for activity workers and
    /// the senders of task tokens.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// A configuration file (TOML; keys are these flags' long names).
    #[arg(long, value_name = "FILE", env = "ASL_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub engine: EngineArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub bindings: BindingArgs,
}

/// Runs one execution of `args.name`: 0 when it SUCCEEDED, 1 when it did not, 2 when it
/// could not run.
pub fn run(args: &RunArgs, compiled: Vec<Compiled>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let input = match read_input(&args.input) {
        Ok(input) => input,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return 2;
        }
    };
    let config = Config {
        listen: args.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        storage: args.db.clone().map_or(Storage::Memory, Storage::Sqlite),
        wait_scale: args.engine.wait_scale,
        region: args.engine.region.clone(),
        account: args.engine.account.clone(),
        flows: Vec::new(),
        express: args.engine.express.clone(),
        auth: Auth::Open,
        compiled,
        bindings: args.bindings.config(),
    };
    let Some(runtime) = tokio_runtime(err) else { return 2 };
    runtime.block_on(async {
        let server = match Server::start(config).await {
            Ok(server) => server,
            Err(message) => {
                let _ = writeln!(err, "error: {message}");
                return 2;
            }
        };
        for warning in &server.startup().warnings {
            let _ = writeln!(err, "warning: {warning}");
        }
        let service = Arc::clone(server.service());
        if args.listen.is_some() {
            let address = server.local_addr().map_or_else(|_| "?".to_owned(), |a| a.to_string());
            let _ = writeln!(err, "serving the API on http://{address} while the execution runs");
            tokio::spawn(server.run(shutdown_signal()));
        }
        match execute(&service, args, input).await {
            Ok(ended) => report(&service, args, ended, out, err).await,
            Err(message) => {
                let _ = writeln!(err, "error: {message}");
                2
            }
        }
    })
}

/// The input text: given, read from a file (`@FILE`) or from standard input (`-`), and
/// checked to be JSON.
fn read_input(given: &str) -> Result<String, String> {
    let text = if given == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("cannot read the input from standard input: {e}"))?
    } else if let Some(file) = given.strip_prefix('@') {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read the input file `{file}`: {e}"))?
    } else {
        given.to_owned()
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(_) => Ok(text),
        Err(error) => Err(format!("the input is not JSON: {error} (give JSON, @FILE or -)")),
    }
}

/// How an execution ended.
struct Ended {
    arn: String,
    status: &'static str,
    output: Option<String>,
    error: Option<String>,
    cause: Option<String>,
    /// Whether its history can be read (AWS keeps none for EXPRESS executions).
    has_history: bool,
}

/// Starts the execution through the API's own operations (so it runs exactly as one
/// started by a client) and waits for its end.
async fn execute(service: &Service, args: &RunArgs, input: String) -> Result<Ended, String> {
    let arn = service.arns().state_machine(&args.name);
    let Some(machine) = service.machine(&arn) else {
        let names: Vec<String> = service.machines().iter().map(|m| m.record.name.clone()).collect();
        return Err(format!("there is no state machine `{}` here; there are: {}", args.name, names.join(", ")));
    };
    let target = match &args.test_case {
        Some(case) => format!("{arn}#{case}"),
        None => arn,
    };
    let mut request = json!({ "stateMachineArn": target, "input": input });
    if let Some(name) = &args.execution_name {
        request["name"] = json!(name);
    }
    let call = |operation: &'static str, request: &Value| {
        let body = request.to_string();
        async move { crate::call(service, operation, body.as_bytes()).await.map_err(|e| e.to_string()) }
    };
    if machine.machine_type == MachineType::Express {
        let answer = call("AWSStepFunctions.StartSyncExecution", &request).await?;
        let text = |key: &str| answer.get(key).and_then(Value::as_str).map(str::to_owned);
        let status = match text("status").as_deref() {
            Some("SUCCEEDED") => "SUCCEEDED",
            Some("TIMED_OUT") => "TIMED_OUT",
            _ => "FAILED",
        };
        return Ok(Ended {
            arn: text("executionArn").unwrap_or_default(),
            status,
            output: text("output"),
            error: text("error"),
            cause: text("cause"),
            has_history: false,
        });
    }
    let answer = call("AWSStepFunctions.StartExecution", &request).await?;
    let arn = answer.get("executionArn").and_then(Value::as_str).unwrap_or_default().to_owned();
    // Still running, or already ended (and then only in the store).
    if let Some(handle) = service.runtime().execution(&arn) {
        handle.wait().await;
    }
    let described = call("AWSStepFunctions.DescribeExecution", &json!({ "executionArn": arn })).await?;
    let text = |key: &str| described.get(key).and_then(Value::as_str).map(str::to_owned);
    let status = match text("status").as_deref() {
        Some("SUCCEEDED") => "SUCCEEDED",
        Some("TIMED_OUT") => "TIMED_OUT",
        Some("ABORTED") => "ABORTED",
        _ => "FAILED",
    };
    Ok(Ended { arn, status, output: text("output"), error: text("error"), cause: text("cause"), has_history: true })
}

/// Prints the outcome (and history); the exit status.
async fn report(service: &Service, args: &RunArgs, ended: Ended, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.history {
        if ended.has_history {
            if let Err(message) = print_history(service, &ended.arn, err).await {
                let _ = writeln!(err, "error: cannot read the history: {message}");
            }
        } else {
            let _ = writeln!(err, "(no history: EXPRESS executions keep none)");
        }
    }
    if ended.status == "SUCCEEDED" {
        let _ = writeln!(out, "{}", ended.output.as_deref().unwrap_or("null"));
        return 0;
    }
    let _ = writeln!(err, "execution {} {}", ended.arn, ended.status);
    if let Some(error) = &ended.error {
        let _ = writeln!(err, "error: {error}");
    }
    if let Some(cause) = &ended.cause {
        let _ = writeln!(err, "cause: {cause}");
    }
    1
}

/// Writes every history event of `arn`, one JSON object per line.
async fn print_history(service: &Service, arn: &str, err: &mut dyn Write) -> Result<(), String> {
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({ "executionArn": arn, "maxResults": 1000, "includeExecutionData": true });
        if let Some(token) = &token {
            request["nextToken"] = json!(token);
        }
        let body = request.to_string();
        let page = crate::call(service, "AWSStepFunctions.GetExecutionHistory", body.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        for event in page.get("events").and_then(Value::as_array).into_iter().flatten() {
            let _ = writeln!(err, "{event}");
        }
        match page.get("nextToken").and_then(Value::as_str) {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok(()),
        }
    }
}

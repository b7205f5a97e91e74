//! Starting and stopping a server: the store opened, state machines loaded, executions taken
//! up again, the listener bound; and a clean stop.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use asl_bindings::{Bindings, BindingsConfig};
use asl_codegen::SourceFormat;
use asl_runtime::clock::{Clock, RealClock, ScaledClock};
use asl_runtime::execution::{TaskHandler, Workflow};
use asl_runtime::machine::NotForExpress;
use asl_runtime::store::{HistoryQuery, MachineType, MemoryStore, SqliteStore, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::net::TcpListener;

use crate::Auth;
use crate::flows::{self, FlowFile};
use crate::http::{self, Shared};
use crate::service::{Handler, MachineRecord, Service, StateMachine, micros};

/// Where executions and resources are kept.
#[derive(Clone, Debug, PartialEq)]
pub enum Storage {
    /// A SQLite file: STANDARD executions survive a crash or restart.
    Sqlite(PathBuf),
    /// The process's memory: nothing survives it.
    Memory,
}

/// How to run a server (what `asl serve`'s flags set).
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (default `127.0.0.1:8083`, Step Functions Local's port).
    pub listen: SocketAddr,
    /// Where to keep things (default the SQLite file `asl.db`).
    pub storage: Storage,
    /// Waits, retry intervals and timeouts last this fraction of their time (`None`: real
    /// time).
    pub wait_scale: Option<f64>,
    /// The region of ARNs (default `us-east-1`).
    pub region: String,
    /// The account of ARNs (default `123456789012`).
    pub account: String,
    /// Definition files and folders of them: state machines from the start.
    pub flows: Vec<PathBuf>,
    /// Names of the definition files' machines that are EXPRESS (the others are STANDARD).
    pub express: Vec<String>,
    /// Who may call.
    pub auth: Auth,
    /// State machines compiled into the program, installed after the definition files.
    pub compiled: Vec<Compiled>,
    /// How Tasks are bound: the mock configuration, Lambda's endpoint, HTTP connections.
    pub bindings: BindingsConfig,
}

/// A state machine compiled into the program: what an `asl build` binary serves, or a Rust
/// application's `include_asl!` workflow with its typed handlers.
///
/// ```ignore
/// mod order { asl_runtime::include_asl!("flows/order.asl.json"); }
/// let order = Compiled::new("order", include_str!("../flows/order.asl.json"), &order::WORKFLOW)
///     .with_handler(Arc::new(order::Typed(MyHandlers)));
/// ```
#[derive(Clone)]
pub struct Compiled {
    /// The state machine's name.
    pub name: String,
    /// Its definition's text (what `DescribeStateMachine` shows).
    pub definition: String,
    /// Whether that text is YAML.
    pub yaml: bool,
    /// The compiled workflow.
    pub workflow: &'static Workflow,
    /// STANDARD or EXPRESS.
    pub machine_type: MachineType,
    /// The handler of its Tasks; `None`: the server's bindings (mocks, Lambda, HTTP…).
    pub handler: Option<Arc<dyn TaskHandler>>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("name", &self.name)
            .field("machine_type", &self.machine_type)
            .field("own_handler", &self.handler.is_some())
            .finish_non_exhaustive()
    }
}

impl Compiled {
    /// The STANDARD state machine `name` running `workflow`, compiled from `definition`
    /// (JSON), its Tasks run by the server's bindings.
    pub fn new(name: impl Into<String>, definition: impl Into<String>, workflow: &'static Workflow) -> Compiled {
        Compiled {
            name: name.into(),
            definition: definition.into(),
            yaml: false,
            workflow,
            machine_type: MachineType::Standard,
            handler: None,
        }
    }

    /// The definition's text is YAML.
    pub fn yaml(mut self) -> Compiled {
        self.yaml = true;
        self
    }

    /// The state machine is `machine_type`.
    pub fn with_type(mut self, machine_type: MachineType) -> Compiled {
        self.machine_type = machine_type;
        self
    }

    /// Its Tasks are run by `handler` (a workflow's typed `Handlers` behind its `Typed`).
    pub fn with_handler(mut self, handler: Arc<dyn TaskHandler>) -> Compiled {
        self.handler = Some(handler);
        self
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8083)),
            storage: Storage::Sqlite(PathBuf::from("asl.db")),
            wait_scale: None,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            flows: Vec::new(),
            express: Vec::new(),
            auth: Auth::Open,
            compiled: Vec::new(),
            bindings: BindingsConfig::default(),
        }
    }
}

/// A server that has opened its store and bound its address, ready to [`run`](Server::run).
pub struct Server {
    service: Arc<Service>,
    listener: TcpListener,
    auth: Auth,
    report: Startup,
}

/// What starting found.
#[derive(Clone, Debug, Default)]
pub struct Startup {
    /// The state machines known (from the store and the definition files).
    pub machines: usize,
    /// Executions taken up where they were.
    pub resumed: usize,
    /// Problems that did not stop the start (a stored machine that no longer loads, an
    /// execution whose machine is gone), one line each.
    pub warnings: Vec<String>,
}

impl Server {
    /// Opens the store, loads the state machines (stored ones, then the definition files,
    /// which replace stored machines of the same name when they changed), takes up the
    /// running executions and binds the listener.
    ///
    /// # Errors
    ///
    /// A message saying what could not be done: the store, a definition file, the address.
    pub async fn start(config: Config) -> Result<Server, String> {
        if !config.listen.ip().is_loopback() && matches!(config.auth, Auth::Open) {
            return Err(format!(
                "refusing to listen on {} without authentication: configure credentials, or say \
                 there is none with --no-auth",
                config.listen
            ));
        }
        let store: Arc<dyn Store> = match &config.storage {
            Storage::Sqlite(path) => Arc::new(
                SqliteStore::open(path).map_err(|e| format!("cannot open the store `{}`: {e}", path.display()))?,
            ),
            Storage::Memory => Arc::new(MemoryStore::new()),
        };
        let scaled = config.wait_scale.map(|scale| Arc::new(ScaledClock::new(scale)));
        if let Some(scaled) = &scaled {
            // Scaled waits ran the executions' clock ahead of the system's: go on from the
            // latest event of the executions that will be taken up.
            if let Some(latest) = latest_event(&*store).await.map_err(|e| format!("cannot read the store: {e}"))? {
                scaled.advance_to(latest);
            }
        }
        let clock: Arc<dyn Clock> = match scaled {
            Some(scaled) => scaled,
            None => Arc::new(RealClock),
        };
        let bindings = Arc::new(Bindings::new(&config.bindings, &config.region)?);
        let service = Arc::new(Service::new(store, clock, &config.region, &config.account, bindings));
        let mut report = Startup::default();
        let skipped = service.open().await.map_err(|e| format!("cannot read the store: {e}"))?;
        report.warnings.extend(skipped.into_iter().map(|(arn, error)| format!("{arn}: {error}")));
        let files = flows::discover(&config.flows)?;
        for file in &files {
            install_file(&service, file, &config.express).await?;
        }
        for compiled in &config.compiled {
            install_compiled(&service, compiled).await?;
        }
        report.machines = service.machines().len();
        // Each execution on the definition it was started on.
        let recovery = service
            .runtime()
            .recover_with(|record| service.recovered_on(record))
            .await
            .map_err(|e| format!("cannot take up executions: {e}"))?;
        report.resumed = recovery.resumed.len();
        report.warnings.extend(recovery.unknown.into_iter().map(|arn| format!("{arn}: its state machine is gone")));
        report.warnings.extend(recovery.unreadable.into_iter().map(|(arn, error)| format!("{arn}: {error}")));
        let listener =
            TcpListener::bind(config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        if let Ok(address) = listener.local_addr() {
            report.warnings.extend(lambda_calls_itself(&config, address));
        }
        Ok(Server { service, listener, auth: config.auth, report })
    }

    /// The address it listens on (with the port the system chose, for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// What starting found.
    pub fn startup(&self) -> &Startup {
        &self.report
    }

    /// The service, for a program that also uses it directly.
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// Serves until `shutdown` completes, then stops taking connections and lets the
    /// requests in flight finish. Executions need nothing more: every one is as durable as
    /// its last commit, and the next start takes it up.
    ///
    /// # Errors
    ///
    /// The listener's.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let service = Arc::clone(&self.service);
        let shared = Arc::new(Shared::new(self.service, self.auth));
        let shutdown = async move {
            shutdown.await;
            service.close();
        };
        axum::serve(self.listener, http::router(shared)).with_graceful_shutdown(shutdown).await
    }
}

/// A warning when the Lambda endpoint is this server's own address: `AWS_ENDPOINT_URL` set
/// for the aws CLI to reach this server is also the SDKs' endpoint for every other service.
fn lambda_calls_itself(config: &Config, address: SocketAddr) -> Option<String> {
    let lambda = asl_bindings::lambda::LambdaConfig::from_env(
        asl_bindings::lambda::SERVICE_ID,
        config.bindings.lambda_endpoint.as_deref(),
        &config.region,
    );
    let endpoint = lambda.endpoint?;
    let authority = endpoint.split_once("://").map_or(endpoint.as_str(), |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or_default();
    let (host, port) = authority.rsplit_once(':')?;
    let local = matches!(host, "127.0.0.1" | "localhost" | "0.0.0.0" | "[::1]") || host == address.ip().to_string();
    (local && port.parse::<u16>().ok() == Some(address.port())).then(|| {
        format!(
            "Lambda Tasks would call {endpoint}, which is this server (AWS_ENDPOINT_URL applies to every \
             service): give Lambda's endpoint with --lambda-endpoint or AWS_ENDPOINT_URL_LAMBDA"
        )
    })
}

/// The time of the latest history event of the store's running executions.
async fn latest_event(store: &dyn Store) -> Result<Option<OffsetDateTime>, StoreError> {
    let mut latest = None;
    for execution in store.running_executions().await? {
        let query = HistoryQuery { max_results: 1, reverse_order: true, next_token: None };
        let last = store.history(&execution.arn, query).await?;
        let at = last
            .items
            .first()
            .and_then(|record| serde_json::from_str::<serde_json::Value>(&record.event).ok())
            .and_then(|event| event.get("timestamp").and_then(|t| t.as_str()).map(str::to_owned))
            .and_then(|text| OffsetDateTime::parse(&text, &Rfc3339).ok());
        latest = latest.max(at);
    }
    Ok(latest)
}

/// Makes a compiled workflow the state machine of its name (storing its record when the
/// store does not have it unchanged).
async fn install_compiled(service: &Service, compiled: &Compiled) -> Result<(), String> {
    if compiled.machine_type == MachineType::Express
        && let Some((state, refused)) =
            compiled.workflow.containers.iter().flat_map(|c| c.states.iter()).find_map(|s| match &s.kind {
                asl_runtime::machine::StateKind::Task(task) => NotForExpress::of(task.resource).map(|r| (s.name, r)),
                _ => None,
            })
    {
        return Err(format!(
            "state machine `{}` cannot be EXPRESS: state '{state}': {}",
            compiled.name,
            refused.message()
        ));
    }
    let machine_type = compiled.machine_type.as_str();
    let arn = service.arns().state_machine(&compiled.name);
    let existing = service.machine(&arn);
    let unchanged = existing
        .as_ref()
        .filter(|m| m.record.definition == compiled.definition && m.record.machine_type == machine_type);
    let record = match unchanged {
        Some(existing) => existing.record.clone(),
        None => new_record(
            service,
            &compiled.name,
            compiled.definition.clone(),
            machine_type,
            compiled.yaml,
            existing.as_deref(),
        ),
    };
    let machine = StateMachine {
        arn,
        record,
        machine_type: compiled.machine_type,
        workflow: compiled.workflow,
        handler: compiled.handler.clone().map(Handler),
    };
    service.put_machine(machine).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// The record of a machine made or changed by the program (not the API): a new one, or
/// `existing`'s with a new definition.
fn new_record(
    service: &Service,
    name: &str,
    definition: String,
    machine_type: &str,
    yaml: bool,
    existing: Option<&StateMachine>,
) -> MachineRecord {
    let now = micros(service.clock().now());
    MachineRecord {
        name: name.to_owned(),
        definition,
        machine_type: machine_type.into(),
        role_arn: existing.map_or_else(
            || format!("arn:aws:iam::{}:role/StepFunctionsExecutionRole", service.account()),
            |m| m.record.role_arn.clone(),
        ),
        creation_micros: existing.map_or(now, |m| m.record.creation_micros),
        update_micros: existing.map(|_| now),
        revision_id: asl_runtime::intrinsics::uuid_v4(&mut asl_runtime::intrinsics::SplitMix64::from_entropy()),
        description: None,
        logging_configuration: None,
        tracing_configuration: None,
        versions_published: existing.map_or(0, |m| m.record.versions_published),
        yaml,
    }
}

/// Makes a definition file the state machine of its name, unless the store has it
/// unchanged already.
async fn install_file(service: &Service, file: &FlowFile, express: &[String]) -> Result<(), String> {
    let definition =
        std::fs::read_to_string(&file.path).map_err(|e| format!("cannot read `{}`: {e}", file.path.display()))?;
    let machine_type = if express.contains(&file.name) { "EXPRESS" } else { "STANDARD" };
    let yaml = SourceFormat::from_path(&file.path) == SourceFormat::Yaml;
    let arn = service.arns().state_machine(&file.name);
    let existing = service.machine(&arn);
    if let Some(existing) = &existing
        && existing.record.definition == definition
        && existing.record.machine_type == machine_type
    {
        return Ok(());
    }
    let record = new_record(service, &file.name, definition, machine_type, yaml, existing.as_deref());
    let machine =
        StateMachine::load(arn, record).map_err(|error| format!("`{}`: {}", file.path.display(), error.message()))?;
    service.put_machine(machine).await.map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Config, lambda_calls_itself};

    #[test]
    fn a_lambda_endpoint_that_is_the_server_itself_is_a_warning() {
        let mut config = Config::default();
        config.bindings.lambda_endpoint = Some("http://localhost:8083".into());
        let own = ([127, 0, 0, 1], 8083).into();
        assert!(lambda_calls_itself(&config, own).is_some_and(|w| w.contains("AWS_ENDPOINT_URL_LAMBDA")));
        assert_eq!(lambda_calls_itself(&config, ([127, 0, 0, 1], 3001).into()), None);
        config.bindings.lambda_endpoint = Some("http://127.0.0.1:3001/".into());
        assert_eq!(lambda_calls_itself(&config, own), None);
    }
}

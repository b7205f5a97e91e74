//! Starting and stopping a server: the store opened, state machines loaded, executions taken
//! up again, the listener bound; and a clean stop.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use asl_codegen::SourceFormat;
use asl_runtime::clock::{Clock, RealClock, ScaledClock};
use asl_runtime::store::{HistoryQuery, MemoryStore, SqliteStore, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::net::TcpListener;

use crate::Auth;
use crate::flows::{self, FlowFile};
use crate::http::{self, Shared};
use crate::service::{MachineRecord, Service, StateMachine, micros};

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
        let service = Arc::new(Service::new(store, clock, &config.region, &config.account));
        let mut report = Startup::default();
        let skipped = service.open().await.map_err(|e| format!("cannot read the store: {e}"))?;
        report.warnings.extend(skipped.into_iter().map(|(arn, error)| format!("{arn}: {error}")));
        let files = flows::discover(&config.flows)?;
        for file in &files {
            install_file(&service, file, &config.express).await?;
        }
        report.machines = service.machines().len();
        let recovery = service.runtime().recover().await.map_err(|e| format!("cannot take up executions: {e}"))?;
        report.resumed = recovery.resumed.len();
        report.warnings.extend(recovery.unknown.into_iter().map(|arn| format!("{arn}: its state machine is gone")));
        report.warnings.extend(recovery.unreadable.into_iter().map(|(arn, error)| format!("{arn}: {error}")));
        let listener =
            TcpListener::bind(config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
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
        let shared = Arc::new(Shared { service: self.service, auth: self.auth });
        let shutdown = async move {
            shutdown.await;
            service.close();
        };
        axum::serve(self.listener, http::router(shared)).with_graceful_shutdown(shutdown).await
    }
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
    let now = micros(service.clock().now());
    let record = MachineRecord {
        name: file.name.clone(),
        definition,
        machine_type: machine_type.into(),
        role_arn: existing.as_ref().map_or_else(
            || format!("arn:aws:iam::{}:role/StepFunctionsExecutionRole", service.account()),
            |m| m.record.role_arn.clone(),
        ),
        creation_micros: existing.as_ref().map_or(now, |m| m.record.creation_micros),
        update_micros: existing.as_ref().map(|_| now),
        revision_id: asl_runtime::intrinsics::uuid_v4(&mut asl_runtime::intrinsics::SplitMix64::from_entropy()),
        description: None,
        logging_configuration: None,
        tracing_configuration: None,
        versions_published: existing.as_ref().map_or(0, |m| m.record.versions_published),
        yaml,
    };
    let machine =
        StateMachine::load(arn, record).map_err(|error| format!("`{}`: {}", file.path.display(), error.message()))?;
    service.put_machine(machine).await.map_err(|e| e.to_string())?;
    Ok(())
}

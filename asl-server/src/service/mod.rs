//! What the API serves: a [`Runtime`] over a [`Store`], and the state machines and
//! activities it knows, kept in the store so that a restart finds them again.

pub mod arn;
pub mod definitions;
pub mod labels;
pub mod loaded;
mod machines;
pub mod revisions;

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use asl_bindings::Bindings;
use asl_runtime::Runtime;
use asl_runtime::clock::Clock;
use asl_runtime::execution::TaskHandler;
use asl_runtime::store::{ResourceRecord, Store, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::viewer::bell::HistoryBell;
use crate::wire::ApiError;
pub use arn::Arns;
use labels::{ALIAS, AliasRecord, STARTED_THROUGH, StartedThrough, TAGS, Tag, VERSION, VersionRecord};
pub use machines::{Handler, MachineRecord, StateMachine, from_micros, micros};

/// The kind of the store's resource records that are activities.
const ACTIVITY: &str = "activity";

/// The kind of the store's resource records that remember a redrive's client token.
const REDRIVE_TOKEN: &str = "redrive-token";

/// The client token of an execution's latest redrive through the API.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RedriveToken {
    token: String,
    redrive_micros: i64,
}

/// An activity (`CreateActivity`), as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// Its name.
    pub name: String,
    /// When it was created, in microseconds since the epoch.
    pub creation_micros: i64,
}

/// A published version, loaded.
#[derive(Debug)]
pub struct Version {
    /// Its ARN (`…:stateMachine:NAME:N`).
    pub arn: String,
    /// What is stored of it.
    pub record: VersionRecord,
    /// Its definition, loaded into the engine.
    pub workflow: &'static asl_runtime::execution::Workflow,
}

/// The state of one API server: its runtime, store and resources.
pub struct Service {
    runtime: Runtime,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    arns: Arns,
    region: String,
    account: String,
    machines: RwLock<BTreeMap<String, Arc<StateMachine>>>,
    activities: RwLock<BTreeMap<String, Activity>>,
    versions: RwLock<BTreeMap<String, Arc<Version>>>,
    aliases: RwLock<BTreeMap<String, AliasRecord>>,
    tags: RwLock<BTreeMap<String, Vec<Tag>>>,
    /// Runs the Tasks of every machine that has no handler of its own: mocks, Lambda,
    /// HTTP, task tokens.
    bindings: Arc<Bindings>,
    /// The definitions machines had before they changed, for executions started on them.
    revisions: revisions::Revisions,
    /// Set when the server stops taking requests: long polls end then, so that stopping
    /// does not wait out a worker's minute-long `GetActivityTask`.
    closing: tokio::sync::watch::Sender<bool>,
    /// Rung by the runtime as executions record history, for the viewer's live streams.
    history_bell: Arc<HistoryBell>,
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // Every write leaves the maps whole: a panic elsewhere cannot have broken them.
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// A store failure as the API reports it.
pub fn store_failed(error: StoreError) -> ApiError {
    ApiError::internal(format!("the store failed: {error}"))
}

impl Service {
    /// A service over `store`, its executions on `clock`, with ARNs of `region` and
    /// `account`, Tasks run by `bindings` (unless a machine has its own handler). Nothing is
    /// read yet: [`Service::open`] does that.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        region: &str,
        account: &str,
        bindings: Arc<Bindings>,
    ) -> Service {
        let history_bell = Arc::new(HistoryBell::default());
        let runtime = Runtime::builder(Arc::clone(&clock))
            .store(Arc::clone(&store))
            .history_sink(Arc::clone(&history_bell) as Arc<dyn asl_runtime::sink::HistorySink>)
            .build();
        bindings.attach(runtime.downgrade());
        Service {
            runtime,
            store,
            clock,
            arns: Arns::new(region, account),
            region: region.to_owned(),
            account: account.to_owned(),
            machines: RwLock::new(BTreeMap::new()),
            activities: RwLock::new(BTreeMap::new()),
            versions: RwLock::new(BTreeMap::new()),
            aliases: RwLock::new(BTreeMap::new()),
            tags: RwLock::new(BTreeMap::new()),
            bindings,
            revisions: revisions::Revisions::default(),
            closing: tokio::sync::watch::Sender::new(false),
            history_bell,
        }
    }

    /// Reads the state machines and activities the store holds and loads every machine.
    /// A stored definition that no longer loads (written by another version of asl-rs) is
    /// skipped and named in the result.
    ///
    /// # Errors
    ///
    /// The store's.
    pub async fn open(&self) -> Result<Vec<(String, ApiError)>, StoreError> {
        let mut skipped = Vec::new();
        for record in self.store.resources(machines::KIND).await? {
            match StateMachine::from_stored(&record) {
                Ok(machine) => self.install(Arc::new(machine)),
                Err(error) => skipped.push((record.key, error)),
            }
        }
        for (key, activity) in self.read_all::<Activity>(ACTIVITY, &mut skipped).await? {
            write(&self.activities).insert(key, activity);
        }
        for (key, version) in self.read_all::<VersionRecord>(VERSION, &mut skipped).await? {
            match self.load_version(key.clone(), version) {
                Ok(version) => {
                    write(&self.versions).insert(key, Arc::new(version));
                }
                Err(error) => skipped.push((key, error)),
            }
        }
        for (key, alias) in self.read_all::<AliasRecord>(ALIAS, &mut skipped).await? {
            write(&self.aliases).insert(key, alias);
        }
        for (key, tags) in self.read_all::<Vec<Tag>>(TAGS, &mut skipped).await? {
            write(&self.tags).insert(key, tags);
        }
        for (_, revision) in self.read_all::<revisions::Revision>(revisions::KIND, &mut skipped).await? {
            self.revisions.insert(revision);
        }
        // Executions that run a test case of the mock configuration run it again after a
        // restart (their invocation counts start over, as they would in Step Functions
        // Local, which keeps nothing).
        for (execution, through) in self.read_all::<StartedThrough>(STARTED_THROUGH, &mut skipped).await? {
            let Some(case) = &through.test_case else { continue };
            let machine = arn::parse(&execution, &[arn::Kind::Execution]).ok().and_then(|a| a.parts.first().copied());
            let chosen = match machine {
                Some(machine) => self.bindings.choose_test_case(&execution, machine, case),
                None => Err("not an execution ARN".to_owned()),
            };
            if let Err(why) = chosen {
                skipped.push((execution.clone(), ApiError::validation(why)));
            }
        }
        Ok(skipped)
    }

    /// Every stored resource of `kind` that reads as a `T`; the others go to `skipped`.
    async fn read_all<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
        skipped: &mut Vec<(String, ApiError)>,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let mut read = Vec::new();
        for record in self.store.resources(kind).await? {
            match serde_json::from_str::<T>(&record.body) {
                Ok(value) => read.push((record.key, value)),
                Err(error) => skipped.push((record.key, ApiError::internal(format!("unreadable {kind}: {error}")))),
            }
        }
        Ok(read)
    }

    /// Stores `value` as the resource `kind`/`key`.
    async fn put_json<T: Serialize>(&self, kind: &str, key: &str, value: &T) -> Result<(), ApiError> {
        let body = serde_json::to_string(value).map_err(|e| ApiError::internal(e.to_string()))?;
        let record = ResourceRecord { kind: kind.into(), key: key.into(), body };
        self.store.put_resource(record).await.map_err(store_failed)
    }

    fn load_version(&self, arn: String, record: VersionRecord) -> Result<Version, ApiError> {
        // A version of the current revision runs the machine's own loaded workflow.
        let current = self.machine(&record.machine_arn).filter(|m| m.record.revision_id == record.machine.revision_id);
        let workflow = match current {
            Some(machine) => machine.workflow,
            None => StateMachine::load(record.machine_arn.clone(), record.machine.clone())?.workflow,
        };
        Ok(Version { arn, record, workflow })
    }

    /// The Task handler of `machine`'s executions: its own, or the bindings.
    pub fn handler(&self, machine: &StateMachine) -> Arc<dyn TaskHandler> {
        match &machine.handler {
            Some(handler) => Arc::clone(&handler.0),
            None => Arc::clone(&self.bindings) as Arc<dyn TaskHandler>,
        }
    }

    /// The workflow and handler a stored execution is taken up on after a restart: its
    /// machine's definition as it was when the execution started (a revision, if the
    /// machine changed since), with the machine's handler. `None`: the machine is gone.
    pub fn recovered_on(
        &self,
        record: &asl_runtime::store::ExecutionRecord,
    ) -> Option<(&'static asl_runtime::execution::Workflow, Arc<dyn TaskHandler>)> {
        let machine = self.machine(&record.state_machine_arn)?;
        let started = micros(record.start_date);
        let workflow = match self.revisions.covering(&machine.arn, started) {
            Some(revision) if started < machine.current_since() => self.revisions.workflow(&revision)?,
            // Started on the current definition (or before revisions were kept).
            _ => machine.workflow,
        };
        Some((workflow, self.handler(&machine)))
    }

    /// The bindings that run Tasks (and know each execution's test case).
    pub fn bindings(&self) -> &Bindings {
        &self.bindings
    }

    /// Tells long polls that the server is stopping.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes once [`Service::close`] was called.
    pub async fn closed(&self) {
        let mut closing = self.closing.subscribe();
        // An error means the sender is gone, which is a close too.
        let _ = closing.wait_for(|closing| *closing).await;
    }

    /// The bell the runtime rings as executions record history.
    pub(crate) fn history_bell(&self) -> &Arc<HistoryBell> {
        &self.history_bell
    }

    /// The runtime that runs the executions.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The clock executions run on.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// Makes this server's ARNs.
    pub fn arns(&self) -> &Arns {
        &self.arns
    }

    /// The region of its ARNs.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account of its ARNs.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The state machine with this (unqualified) ARN.
    pub fn machine(&self, arn: &str) -> Option<Arc<StateMachine>> {
        read(&self.machines).get(arn).cloned()
    }

    /// Every state machine, by ARN.
    pub fn machines(&self) -> Vec<Arc<StateMachine>> {
        read(&self.machines).values().cloned().collect()
    }

    /// Stores `machine` (created or updated) and makes it the one its ARN names.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`; nothing changed then.
    pub async fn put_machine(&self, machine: StateMachine) -> Result<Arc<StateMachine>, ApiError> {
        // The definition it replaces stays known, for the executions started on it.
        if let Some(old) = self.machine(&machine.arn)
            && old.record.definition != machine.record.definition
        {
            let revision = revisions::Revision {
                machine_arn: old.arn.clone(),
                name: old.record.name.clone(),
                definition: old.record.definition.clone(),
                yaml: old.record.yaml,
                machine_type: old.record.machine_type.clone(),
                from_micros: old.current_since(),
                to_micros: machine.current_since(),
            };
            self.put_json(revisions::KIND, &revision.key(), &revision).await?;
            self.revisions.insert(revision);
        }
        self.store.put_resource(machine.to_stored()).await.map_err(store_failed)?;
        let machine = Arc::new(machine);
        self.install(Arc::clone(&machine));
        Ok(machine)
    }

    /// Forgets the state machine with this ARN (its running executions run on).
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn delete_machine(&self, arn: &str) -> Result<(), ApiError> {
        // Its versions and aliases go with it.
        for version in self.versions_of(arn) {
            self.delete_version(&version.arn).await?;
        }
        for (alias_arn, _) in self.aliases_of(arn) {
            self.delete_alias(&alias_arn).await?;
        }
        self.put_tags(arn, Vec::new()).await?;
        self.store.delete_resource(machines::KIND, arn).await.map_err(store_failed)?;
        write(&self.machines).remove(arn);
        Ok(())
    }

    /// The version with this ARN.
    pub fn version(&self, arn: &str) -> Option<Arc<Version>> {
        read(&self.versions).get(arn).cloned()
    }

    /// The versions of the machine `machine_arn`, newest first.
    pub fn versions_of(&self, machine_arn: &str) -> Vec<Arc<Version>> {
        let mut versions: Vec<Arc<Version>> =
            read(&self.versions).values().filter(|v| v.record.machine_arn == machine_arn).cloned().collect();
        versions.sort_by_key(|version| std::cmp::Reverse(version.record.number));
        versions
    }

    /// Stores a version.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`; a definition that no longer loads.
    pub async fn put_version(&self, arn: String, record: VersionRecord) -> Result<Arc<Version>, ApiError> {
        let version = Arc::new(self.load_version(arn.clone(), record)?);
        self.put_json(VERSION, &arn, &version.record).await?;
        write(&self.versions).insert(arn, Arc::clone(&version));
        Ok(version)
    }

    /// Deletes a version.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn delete_version(&self, arn: &str) -> Result<(), ApiError> {
        self.store.delete_resource(VERSION, arn).await.map_err(store_failed)?;
        write(&self.versions).remove(arn);
        Ok(())
    }

    /// The alias with this ARN.
    pub fn alias(&self, arn: &str) -> Option<AliasRecord> {
        read(&self.aliases).get(arn).cloned()
    }

    /// The aliases of the machine `machine_arn`, by ARN.
    pub fn aliases_of(&self, machine_arn: &str) -> Vec<(String, AliasRecord)> {
        read(&self.aliases)
            .iter()
            .filter(|(_, alias)| alias.machine_arn == machine_arn)
            .map(|(arn, alias)| (arn.clone(), alias.clone()))
            .collect()
    }

    /// Stores an alias.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn put_alias(&self, arn: String, alias: AliasRecord) -> Result<(), ApiError> {
        self.put_json(ALIAS, &arn, &alias).await?;
        write(&self.aliases).insert(arn, alias);
        Ok(())
    }

    /// Deletes an alias.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn delete_alias(&self, arn: &str) -> Result<(), ApiError> {
        self.store.delete_resource(ALIAS, arn).await.map_err(store_failed)?;
        write(&self.aliases).remove(arn);
        Ok(())
    }

    /// The tags of the resource `arn`.
    pub fn tags(&self, arn: &str) -> Vec<Tag> {
        read(&self.tags).get(arn).cloned().unwrap_or_default()
    }

    /// Replaces the tags of the resource `arn` (none: forgets them).
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn put_tags(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ApiError> {
        if tags.is_empty() {
            self.store.delete_resource(TAGS, arn).await.map_err(store_failed)?;
            write(&self.tags).remove(arn);
        } else {
            self.put_json(TAGS, arn, &tags).await?;
            write(&self.tags).insert(arn.to_owned(), tags);
        }
        Ok(())
    }

    /// Records the version or alias an execution was started through.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn put_started_through(&self, execution_arn: &str, through: &StartedThrough) -> Result<(), ApiError> {
        self.put_json(STARTED_THROUGH, execution_arn, through).await
    }

    /// The date of the redrive of `execution_arn` that the client token `token` made, if
    /// that redrive is the execution's latest.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn redriven_with(&self, execution_arn: &str, token: &str) -> Result<Option<OffsetDateTime>, ApiError> {
        let record = self.store.resource(REDRIVE_TOKEN, execution_arn).await.map_err(store_failed)?;
        let Some(made) = record.and_then(|r| serde_json::from_str::<RedriveToken>(&r.body).ok()) else {
            return Ok(None);
        };
        let execution = self.store.execution(execution_arn).await.map_err(store_failed)?;
        let latest = execution.and_then(|e| e.redrive_date).map(micros);
        Ok((made.token == token && latest == Some(made.redrive_micros)).then(|| from_micros(made.redrive_micros)))
    }

    /// Records that the client token `token` made the redrive of `execution_arn` at `date`.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn put_redriven_with(
        &self,
        execution_arn: &str,
        token: &str,
        date: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let made = RedriveToken { token: token.to_owned(), redrive_micros: micros(date) };
        self.put_json(REDRIVE_TOKEN, execution_arn, &made).await
    }

    /// The version or alias an execution was started through, if any.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn started_through(&self, execution_arn: &str) -> Result<StartedThrough, ApiError> {
        let record = self.store.resource(STARTED_THROUGH, execution_arn).await.map_err(store_failed)?;
        Ok(record.and_then(|record| serde_json::from_str(&record.body).ok()).unwrap_or_default())
    }

    fn install(&self, machine: Arc<StateMachine>) {
        // Registered under its name, so that recovery and nested `startExecution` tasks find
        // it. Express refusals were checked when the definition was loaded.
        let registered = self.runtime.register_as(machine.workflow, self.handler(&machine), machine.machine_type);
        if let Err(error) = registered {
            tracing::warn!(machine = %machine.arn, %error, "state machine not registered");
        }
        write(&self.machines).insert(machine.arn.clone(), machine);
    }

    /// The activity with this ARN.
    pub fn activity(&self, arn: &str) -> Option<Activity> {
        read(&self.activities).get(arn).cloned()
    }

    /// Every activity, by ARN.
    pub fn activities(&self) -> Vec<(String, Activity)> {
        read(&self.activities).iter().map(|(arn, activity)| (arn.clone(), activity.clone())).collect()
    }

    /// Stores an activity under `arn`.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn put_activity(&self, arn: String, activity: Activity) -> Result<(), ApiError> {
        let body = serde_json::to_string(&activity).map_err(|e| ApiError::internal(e.to_string()))?;
        let record = ResourceRecord { kind: ACTIVITY.into(), key: arn.clone(), body };
        self.store.put_resource(record).await.map_err(store_failed)?;
        write(&self.activities).insert(arn, activity);
        Ok(())
    }

    /// Deletes the activity with this ARN.
    ///
    /// # Errors
    ///
    /// The store's, as `InternalFailure`.
    pub async fn delete_activity(&self, arn: &str) -> Result<(), ApiError> {
        self.store.delete_resource(ACTIVITY, arn).await.map_err(store_failed)?;
        write(&self.activities).remove(arn);
        Ok(())
    }
}

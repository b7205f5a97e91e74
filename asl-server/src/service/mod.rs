//! What the API serves: a [`Runtime`] over a [`Store`], and the state machines and
//! activities it knows, kept in the store so that a restart finds them again.

pub mod arn;
pub mod definitions;
mod machines;
pub mod tasks;

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use asl_runtime::Runtime;
use asl_runtime::clock::Clock;
use asl_runtime::store::{ResourceRecord, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::wire::ApiError;
pub use arn::Arns;
pub use machines::{MachineRecord, StateMachine, from_micros, micros};

/// The kind of the store's resource records that are activities.
const ACTIVITY: &str = "activity";

/// An activity (`CreateActivity`), as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// Its name.
    pub name: String,
    /// When it was created, in microseconds since the epoch.
    pub creation_micros: i64,
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
    /// `account`. Nothing is read yet: [`Service::open`] does that.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, region: &str, account: &str) -> Service {
        let runtime = Runtime::builder(Arc::clone(&clock)).store(Arc::clone(&store)).build();
        Service {
            runtime,
            store,
            clock,
            arns: Arns::new(region, account),
            region: region.to_owned(),
            account: account.to_owned(),
            machines: RwLock::new(BTreeMap::new()),
            activities: RwLock::new(BTreeMap::new()),
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
        for record in self.store.resources(ACTIVITY).await? {
            match serde_json::from_str::<Activity>(&record.body) {
                Ok(activity) => {
                    write(&self.activities).insert(record.key, activity);
                }
                Err(error) => skipped.push((record.key, ApiError::internal(error.to_string()))),
            }
        }
        Ok(skipped)
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
        self.store.delete_resource(machines::KIND, arn).await.map_err(store_failed)?;
        write(&self.machines).remove(arn);
        Ok(())
    }

    fn install(&self, machine: Arc<StateMachine>) {
        // Registered under its name, so that recovery and nested `startExecution` tasks find
        // it. Express refusals were checked when the definition was loaded.
        let registered = self.runtime.register_as(machine.workflow, Arc::new(tasks::Unbound), machine.machine_type);
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

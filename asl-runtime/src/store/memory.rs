//! The in-memory store: Express executions and tests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use time::OffsetDateTime;

use super::record::{ended_status, executions_token, history_token, parse_executions_token, parse_history_token};
use super::{
    ActivityTaskRecord, ChildExecution, Commit, CommitTarget, ExecutionQuery, ExecutionRecord, ExecutionSummary,
    HistoryQuery, HistoryRecord, MapRunRecord, Page, ResourceRecord, Store, StoreError, StoreFuture, TimerRecord,
    TokenRecord, page_size, to_micros, truncate,
};
use crate::runtime::ExecutionStatus;

/// A [`Store`] in the process's memory, with the same semantics as the durable ones (version
/// checks, paging, purging) and no durability. Every operation completes at once.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Resources by kind, then key.
    resources: BTreeMap<String, BTreeMap<String, String>>,
    executions: HashMap<String, Stored>,
    /// Creation order of executions, the tie-break of listings (SQLite's row id).
    next_seq: i64,
    tokens: HashMap<String, TokenRecord>,
    activity_tasks: HashMap<String, ActivityTaskRecord>,
    /// Map Runs by ARN, with the order in which each was first written.
    map_runs: HashMap<String, (i64, MapRunRecord)>,
}

#[derive(Debug)]
struct Stored {
    seq: i64,
    record: ExecutionRecord,
    history: BTreeMap<u64, String>,
    timers: BTreeMap<Vec<u8>, OffsetDateTime>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock was held happened between complete operations (every
        // commit is checked before any of it is applied), so the data is still consistent.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn ready<T: Send + 'static>(result: Result<T, StoreError>) -> StoreFuture<'static, T> {
        Box::pin(std::future::ready(result))
    }
}

impl Store for MemoryStore {
    fn put_resource(&self, resource: ResourceRecord) -> StoreFuture<'_, ()> {
        let ResourceRecord { kind, key, body } = resource;
        self.lock().resources.entry(kind).or_default().insert(key, body);
        Self::ready(Ok(()))
    }

    fn delete_resource(&self, kind: &str, key: &str) -> StoreFuture<'_, bool> {
        let deleted = self.lock().resources.get_mut(kind).is_some_and(|of_kind| of_kind.remove(key).is_some());
        Self::ready(Ok(deleted))
    }

    fn resource(&self, kind: &str, key: &str) -> StoreFuture<'_, Option<ResourceRecord>> {
        let inner = self.lock();
        let found = inner.resources.get(kind).and_then(|of_kind| of_kind.get(key)).map(|body| ResourceRecord {
            kind: kind.to_owned(),
            key: key.to_owned(),
            body: body.clone(),
        });
        Self::ready(Ok(found))
    }

    fn resources(&self, kind: &str) -> StoreFuture<'_, Vec<ResourceRecord>> {
        let inner = self.lock();
        let listed = inner.resources.get(kind).into_iter().flatten().map(|(key, body)| ResourceRecord {
            kind: kind.to_owned(),
            key: key.clone(),
            body: body.clone(),
        });
        Self::ready(Ok(listed.collect()))
    }

    fn commit(&self, commit: Commit) -> StoreFuture<'_, u64> {
        Self::ready(self.lock().commit(commit))
    }

    fn execution(&self, arn: &str) -> StoreFuture<'_, Option<ExecutionRecord>> {
        Self::ready(Ok(self.lock().executions.get(arn).map(|e| e.record.clone())))
    }

    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>> {
        let inner = self.lock();
        let mut running: Vec<&Stored> =
            inner.executions.values().filter(|e| e.record.status == ExecutionStatus::Running).collect();
        running.sort_by_key(|e| (to_micros(e.record.start_date), e.seq));
        Self::ready(Ok(running.into_iter().map(|e| e.record.clone()).collect()))
    }

    fn executions(&self, query: ExecutionQuery) -> StoreFuture<'_, Page<ExecutionSummary>> {
        Self::ready(self.lock().executions(query))
    }

    fn history(&self, execution_arn: &str, query: HistoryQuery) -> StoreFuture<'_, Page<HistoryRecord>> {
        Self::ready(self.lock().history(execution_arn, query))
    }

    fn timers_due(&self, until: OffsetDateTime) -> StoreFuture<'_, Vec<TimerRecord>> {
        let inner = self.lock();
        let mut due: Vec<TimerRecord> = inner
            .executions
            .values()
            .flat_map(|e| {
                e.timers.iter().filter(|(_, deadline)| **deadline <= until).map(|(key, deadline)| TimerRecord {
                    execution_arn: e.record.arn.clone(),
                    key: key.clone(),
                    deadline: *deadline,
                })
            })
            .collect();
        due.sort_by(|a, b| (a.deadline, &a.execution_arn, &a.key).cmp(&(b.deadline, &b.execution_arn, &b.key)));
        Self::ready(Ok(due))
    }

    fn task_token(&self, token: &str) -> StoreFuture<'_, Option<TokenRecord>> {
        Self::ready(Ok(self.lock().tokens.get(token).cloned()))
    }

    fn activity_task(&self, task_token: &str) -> StoreFuture<'_, Option<ActivityTaskRecord>> {
        Self::ready(Ok(self.lock().activity_tasks.get(task_token).cloned()))
    }

    fn claimable_activity_tasks(&self, activity_arn: &str, limit: usize) -> StoreFuture<'_, Vec<ActivityTaskRecord>> {
        let inner = self.lock();
        let mut tasks: Vec<&ActivityTaskRecord> =
            inner.activity_tasks.values().filter(|t| t.activity_arn == activity_arn && t.claim.is_none()).collect();
        tasks.sort_by(|a, b| (a.scheduled, &a.task_token).cmp(&(b.scheduled, &b.task_token)));
        Self::ready(Ok(tasks.into_iter().take(limit).cloned().collect()))
    }

    fn map_run(&self, arn: &str) -> StoreFuture<'_, Option<MapRunRecord>> {
        Self::ready(Ok(self.lock().map_runs.get(arn).map(|(_, record)| record.clone())))
    }

    fn map_runs(&self, execution_arn: &str) -> StoreFuture<'_, Vec<MapRunRecord>> {
        let inner = self.lock();
        let mut runs: Vec<&(i64, MapRunRecord)> =
            inner.map_runs.values().filter(|(_, run)| run.execution_arn == execution_arn).collect();
        runs.sort_by_key(|(seq, _)| *seq);
        Self::ready(Ok(runs.into_iter().map(|(_, run)| run.clone()).collect()))
    }

    fn purge_ended_before(&self, cutoff: OffsetDateTime) -> StoreFuture<'_, u64> {
        let mut inner = self.lock();
        let ended: HashSet<String> = inner
            .executions
            .values()
            .filter(|e| e.record.stop_date.is_some_and(|stop| stop < cutoff))
            .map(|e| e.record.arn.clone())
            .collect();
        inner.executions.retain(|arn, _| !ended.contains(arn));
        inner.tokens.retain(|_, t| !ended.contains(&t.execution_arn));
        inner.activity_tasks.retain(|_, t| !ended.contains(&t.execution_arn));
        inner.map_runs.retain(|_, (_, run)| !ended.contains(&run.execution_arn));
        Self::ready(Ok(ended.len() as u64))
    }
}

impl Inner {
    /// Checks every part of `commit` against the store and the commit's own earlier parts
    /// (in the order [`Commit`] documents), then applies it: nothing is changed unless all
    /// of it can be.
    fn commit(&mut self, commit: Commit) -> Result<u64, StoreError> {
        let arn = commit.execution_arn().to_owned();
        let version = self.check(&arn, &commit)?;
        let seq = self.next_seq;
        // A start creates a running execution: nothing to redrive.
        let redrive = commit.redrive.filter(|_| matches!(commit.target, CommitTarget::Update { .. }));
        let stored = match commit.target {
            CommitTarget::Start(new) => {
                self.next_seq += 1;
                let record = ExecutionRecord {
                    arn: new.arn,
                    state_machine_arn: new.state_machine_arn,
                    name: new.name,
                    status: ExecutionStatus::Running,
                    input: new.input,
                    output: None,
                    error: None,
                    cause: None,
                    start_date: truncate(new.start_date),
                    stop_date: None,
                    redrive_count: 0,
                    redrive_date: None,
                    snapshot: Vec::new(),
                    version: 0,
                    map_run_arn: None,
                };
                let stored = Stored { seq, record, history: BTreeMap::new(), timers: BTreeMap::new() };
                self.executions.entry(arn.clone()).or_insert(stored)
            }
            CommitTarget::Update { .. } => self.executions.get_mut(&arn).ok_or(StoreError::VersionConflict {
                execution_arn: arn.clone(),
                expected: version - 1,
                found: None,
            })?,
        };
        let record = &mut stored.record;
        record.version = version;
        if let Some(snapshot) = commit.snapshot {
            record.snapshot = snapshot;
        }
        if let Some(redrive) = redrive {
            record.status = ExecutionStatus::Running;
            record.output = None;
            record.error = None;
            record.cause = None;
            record.stop_date = None;
            record.redrive_count = redrive.redrive_count;
            record.redrive_date = Some(truncate(redrive.redrive_date));
        }
        if let Some(end) = commit.end {
            record.status = ended_status(end.status);
            record.output = end.output;
            record.error = end.error;
            record.cause = end.cause;
            record.stop_date = Some(truncate(end.stop_date));
        }
        for event in commit.history {
            stored.history.insert(event.id, event.event);
        }
        for key in commit.timers_cleared {
            stored.timers.remove(&key);
        }
        for timer in commit.timers_set {
            stored.timers.insert(timer.key, truncate(timer.deadline));
        }
        for open in commit.tokens_opened {
            let record =
                TokenRecord { token: open.token.clone(), execution_arn: arn.clone(), wait: open.wait, open: true };
            self.tokens.insert(open.token, record);
        }
        for task in commit.activity_tasks_added {
            let record = ActivityTaskRecord {
                activity_arn: task.activity_arn,
                task_token: task.task_token.clone(),
                execution_arn: arn.clone(),
                input: task.input,
                scheduled: truncate(task.scheduled),
                claim: None,
            };
            self.activity_tasks.insert(task.task_token, record);
        }
        for claim in commit.activity_tasks_claimed {
            if let Some(task) = self.activity_tasks.get_mut(&claim.task_token) {
                task.claim = Some((claim.worker_name, truncate(claim.claimed)));
            }
        }
        for token in commit.tokens_closed {
            if let Some(record) = self.tokens.get_mut(&token) {
                record.open = false;
            }
            self.activity_tasks.remove(&token);
        }
        for child in commit.children {
            self.put_child(child);
        }
        for run in commit.map_runs {
            match self.map_runs.get_mut(&run.arn) {
                Some((_, stored)) => *stored = run,
                None => {
                    self.next_seq += 1;
                    self.map_runs.insert(run.arn.clone(), (self.next_seq, run));
                }
            }
        }
        Ok(version)
    }

    /// Stores a child execution that ended, in place of one stored under its ARN.
    fn put_child(&mut self, child: ChildExecution) {
        let ChildExecution { execution, map_run_arn, end, redrive_count, redrive_date, history } = child;
        let record = ExecutionRecord {
            arn: execution.arn,
            state_machine_arn: execution.state_machine_arn,
            name: execution.name,
            status: ended_status(end.status),
            input: execution.input,
            output: end.output,
            error: end.error,
            cause: end.cause,
            start_date: truncate(execution.start_date),
            stop_date: Some(truncate(end.stop_date)),
            redrive_count,
            redrive_date: redrive_date.map(truncate),
            snapshot: Vec::new(),
            version: 1,
            map_run_arn: Some(map_run_arn),
        };
        let history = history.into_iter().map(|event| (event.id, event.event)).collect();
        self.next_seq += 1;
        let stored = Stored { seq: self.next_seq, record, history, timers: BTreeMap::new() };
        self.executions.insert(stored.record.arn.clone(), stored);
    }

    /// The version `commit` gives its execution, or why it cannot be applied.
    fn check(&self, arn: &str, commit: &Commit) -> Result<u64, StoreError> {
        let stored = self.executions.get(arn);
        let version = match (&commit.target, stored) {
            (CommitTarget::Start(_), None) => 1,
            (CommitTarget::Start(_), Some(_)) => {
                return Err(StoreError::ExecutionAlreadyExists(arn.to_owned()));
            }
            (CommitTarget::Update { expected_version, .. }, found) => {
                let found = found.map(|s| s.record.version);
                if found != Some(*expected_version) {
                    return Err(StoreError::VersionConflict {
                        execution_arn: arn.to_owned(),
                        expected: *expected_version,
                        found,
                    });
                }
                expected_version + 1
            }
        };
        if let Some(run) = commit.map_runs.iter().find(|run| run.execution_arn != arn) {
            return Err(StoreError::ForeignMapRun(run.arn.clone()));
        }
        if let Some(run) = commit.map_runs.iter().find(|run| {
            self.map_runs.get(&run.arn).is_some_and(|(_, stored)| stored.execution_arn != run.execution_arn)
        }) {
            return Err(StoreError::ForeignMapRun(run.arn.clone()));
        }
        let mut ids = HashSet::new();
        for event in &commit.history {
            if stored.is_some_and(|s| s.history.contains_key(&event.id)) || !ids.insert(event.id) {
                let execution_arn = arn.to_owned();
                return Err(StoreError::DuplicateHistoryEvent { execution_arn, id: event.id });
            }
        }
        // Tokens open for this execution as the commit's parts go by.
        let mut opened = HashSet::new();
        for open in &commit.tokens_opened {
            if self.tokens.contains_key(&open.token) || !opened.insert(open.token.as_str()) {
                return Err(StoreError::DuplicateToken(open.token.clone()));
            }
        }
        let is_open = |token: &str, opened: &HashSet<&str>| {
            opened.contains(token) || self.tokens.get(token).is_some_and(|t| t.open && t.execution_arn == arn)
        };
        let mut added = HashSet::new();
        for task in &commit.activity_tasks_added {
            if !is_open(&task.task_token, &opened) {
                return Err(StoreError::TokenNotOpen(task.task_token.clone()));
            }
            if self.activity_tasks.contains_key(&task.task_token) || !added.insert(task.task_token.as_str()) {
                return Err(StoreError::DuplicateActivityTask(task.task_token.clone()));
            }
        }
        let mut claimed = HashSet::new();
        for claim in &commit.activity_tasks_claimed {
            let token = claim.task_token.as_str();
            let claimable = added.contains(token)
                || self.activity_tasks.get(token).is_some_and(|t| t.claim.is_none() && t.execution_arn == arn);
            if !claimable || !claimed.insert(token) {
                return Err(StoreError::ActivityTaskNotClaimable(token.to_owned()));
            }
        }
        let mut closed = HashSet::new();
        for token in &commit.tokens_closed {
            if !is_open(token, &opened) || !closed.insert(token.as_str()) {
                return Err(StoreError::TokenNotOpen(token.clone()));
            }
        }
        Ok(version)
    }

    fn executions(&self, query: ExecutionQuery) -> Result<Page<ExecutionSummary>, StoreError> {
        let after = query.next_token.as_deref().map(parse_executions_token).transpose()?;
        let mut matching: Vec<(i64, i64, &ExecutionRecord)> = self
            .executions
            .values()
            .filter(|e| match &query.map_run_arn {
                Some(map_run_arn) => e.record.map_run_arn.as_ref() == Some(map_run_arn),
                None => e.record.state_machine_arn == query.state_machine_arn,
            })
            .filter(|e| query.status.is_none_or(|status| e.record.status == status))
            .map(|e| (to_micros(e.record.start_date), e.seq, &e.record))
            .filter(|(start, seq, _)| after.is_none_or(|after| (*start, *seq) < after))
            .collect();
        // Most recent first.
        matching.sort_by_key(|(start, seq, _)| std::cmp::Reverse((*start, *seq)));
        let size = page_size(query.max_results);
        let next_token = match matching.get(size) {
            Some(_) => matching.get(size - 1).map(|(start, seq, _)| executions_token(*start, *seq)),
            None => None,
        };
        let items = matching.iter().take(size).map(|(_, _, record)| (*record).into()).collect();
        Ok(Page { items, next_token })
    }

    fn history(&self, arn: &str, query: HistoryQuery) -> Result<Page<HistoryRecord>, StoreError> {
        let after = query.next_token.as_deref().map(parse_history_token).transpose()?;
        let Some(stored) = self.executions.get(arn) else {
            return Ok(Page { items: Vec::new(), next_token: None });
        };
        let size = page_size(query.max_results);
        let events: Box<dyn Iterator<Item = (&u64, &String)>> = match (query.reverse_order, after) {
            (false, None) => Box::new(stored.history.iter()),
            (false, Some(after)) => Box::new(stored.history.range(after.saturating_add(1)..)),
            (true, None) => Box::new(stored.history.iter().rev()),
            (true, Some(after)) => Box::new(stored.history.range(..after).rev()),
        };
        let items: Vec<HistoryRecord> =
            events.take(size + 1).map(|(id, event)| HistoryRecord { id: *id, event: event.clone() }).collect();
        Ok(Page::of(items, size, |last| history_token(last.id)))
    }
}

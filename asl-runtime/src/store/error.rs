//! Why a store operation failed.

/// Why a [`Store`](super::Store) operation failed. A commit that fails changed nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The commit was computed from another version of the execution than the stored one
    /// (`found` is `None` when there is no such execution).
    VersionConflict {
        /// The execution.
        execution_arn: String,
        /// The version the commit named.
        expected: u64,
        /// The version stored.
        found: Option<u64>,
    },
    /// A commit started an execution whose ARN is taken.
    ExecutionAlreadyExists(String),
    /// A commit added a history event with an id the execution already has.
    DuplicateHistoryEvent {
        /// The execution.
        execution_arn: String,
        /// The event id.
        id: u64,
    },
    /// A commit opened a task token the store already has.
    DuplicateToken(String),
    /// A commit closed (or scheduled an activity task with) a token that is not open for
    /// its execution: unknown, closed already, or another execution's.
    TokenNotOpen(String),
    /// A commit scheduled an activity task whose token already has one.
    DuplicateActivityTask(String),
    /// A commit claimed an activity task that is not claimable by its execution: unknown,
    /// claimed already, or another execution's.
    ActivityTaskNotClaimable(String),
    /// A commit wrote a Map Run (this ARN) that belongs to another execution.
    ForeignMapRun(String),
    /// A `next_token` that no listing gave out.
    InvalidNextToken,
    /// The store holds something it could not have written (a bad status name, a date out
    /// of range, a schema newer than this build knows): the file was damaged or written by
    /// something else.
    Corrupt(String),
    /// The backend failed (I/O, a full disk, SQLite's own errors).
    Backend(String),
    /// The store's worker threads are gone (a panic in SQLite's code, or the store is being
    /// dropped).
    Closed,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::VersionConflict { execution_arn, expected, found } => match found {
                Some(found) => {
                    write!(f, "version conflict on {execution_arn}: expected version {expected}, found {found}")
                }
                None => write!(f, "version conflict: no execution {execution_arn}"),
            },
            StoreError::ExecutionAlreadyExists(arn) => write!(f, "execution already exists: {arn}"),
            StoreError::DuplicateHistoryEvent { execution_arn, id } => {
                write!(f, "history event {id} of {execution_arn} already exists")
            }
            StoreError::DuplicateToken(token) => write!(f, "task token already exists: {token}"),
            StoreError::TokenNotOpen(token) => write!(f, "task token is not open: {token}"),
            StoreError::DuplicateActivityTask(token) => {
                write!(f, "activity task already exists for token {token}")
            }
            StoreError::ActivityTaskNotClaimable(token) => {
                write!(f, "activity task is not claimable: {token}")
            }
            StoreError::ForeignMapRun(arn) => write!(f, "Map Run {arn} belongs to another execution"),
            StoreError::InvalidNextToken => write!(f, "invalid next token"),
            StoreError::Corrupt(what) => write!(f, "corrupt store: {what}"),
            StoreError::Backend(what) => write!(f, "store failed: {what}"),
            StoreError::Closed => write!(f, "store is closed"),
        }
    }
}

impl std::error::Error for StoreError {}

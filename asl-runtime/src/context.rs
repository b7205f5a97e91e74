//! The context object: `$$` in JSONPath states, `$states.context` in JSONata ones.
//!
//! [`ExecutionInfo`] holds what is fixed for an execution (ARNs, name, input, start time);
//! [`ContextObject`] adds what the current state knows (its name, when it was entered, its
//! retry count, a task token, a Map item) and renders the JSON.
//!
//! The shape and key order follow what AWS recorded for `"InputPath": "$$"` in a Pass state
//! (LocalStack's AWS-validated snapshot `test_context_object.py::test_input_path[$$]`):
//!
//! ```json
//! {
//!   "Execution": {"Id": "arn:aws:states:…:execution:<sm>:<name>", "Input": {…},
//!                 "StartTime": "…", "Name": "<name>", "RoleArn": "…", "RedriveCount": 0},
//!   "StateMachine": {"Id": "arn:aws:states:…:stateMachine:<sm>", "Name": "<sm>"},
//!   "State": {"Name": "TestState", "EnteredTime": "…"}
//! }
//! ```
//!
//! - `State.RetryCount` is absent in that Pass state; it exists in states that can retry
//!   (a Task reads `$$.State.RetryCount` in case
//!   `base-scenarios-retry-interval-features-max-attempts-zero`), so it is opt-in here
//!   ([`StateInfo::with_retry_count`]). Emit it for Task, Parallel and Map.
//! - `Task` (with `Token`) exists only inside a Task state that has a token, and `Map` (with
//!   `Item.Index` and `Item.Value`) only while a Map state builds an iteration's input
//!   (`ItemSelector`, legacy `Parameters`). Where AWS puts them among the other keys has not
//!   been recorded; they come last here.
//! - `Execution.RedriveTime` exists only after a redrive.
//!
//! Timestamps are UTC with exactly three fractional digits and `Z`
//! (`2024-04-24T06:27:25.830Z`, trailing zero kept): AWS's own example is
//! `2019-03-26T20:14:13.192Z`, and a user comparing real AWS with LocalStack reported
//! `"Execution_StartTime": "2024-04-24T06:27:25.830Z"` from AWS (localstack#10713).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Formats a timestamp as Step Functions writes it in the context object:
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, in UTC, milliseconds always three digits. Sub-millisecond
/// digits are cut, not rounded (AWS keeps milliseconds only, and cutting never moves a
/// time into the next second or day).
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let at = at.to_utc();
    let Some(year) = u16::try_from(at.year()).ok().filter(|year| *year <= 9999) else {
        // Years of other widths: rare enough for the general formatter.
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        );
    };
    // Every Task attempt renders two of these into its context object; writing the digits
    // directly avoids the formatting machinery, which cost more than the rest of `$$`.
    let mut out = String::with_capacity(24);
    let mut digits = |n: u16, width: u32, then: char| {
        for place in (0..width).rev() {
            let digit = (n / 10u16.pow(place)) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(then);
    };
    digits(year, 4, '-');
    digits(u8::from(at.month()).into(), 2, '-');
    digits(at.day().into(), 2, 'T');
    digits(at.hour().into(), 2, ':');
    digits(at.minute().into(), 2, ':');
    digits(at.second().into(), 2, '.');
    digits(at.millisecond(), 3, 'Z');
    out
}

/// Parses an RFC 3339 timestamp (`2024-01-01T00:00:00.000Z`, `2024-01-01T01:00:00+01:00`),
/// as the conformance cases give `execution.startTime`. `None` if it is not one.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// What the context object says about the execution: fixed from its start.
///
/// Serialisable, timestamps in the context-object format, so a saved execution restores
/// exactly the `$$` it showed before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecutionInfo {
    /// The ARN partition (`aws`, `aws-cn`, `aws-us-gov`). (Partition, region and account
    /// are usually the defaults, which are borrowed: starting an execution, and copying its
    /// information, then allocates nothing for them.)
    pub partition: Cow<'static, str>,
    /// The region in the ARNs.
    pub region: Cow<'static, str>,
    /// The account id in the ARNs.
    pub account_id: Cow<'static, str>,
    /// The state machine's name: `$$.StateMachine.Name`, and part of both ARNs.
    pub state_machine_name: String,
    /// The execution's name: `$$.Execution.Name`.
    pub name: String,
    /// `$$.Execution.RoleArn`; `None` renders [`ExecutionInfo::DEFAULT_ROLE_NAME`] in the
    /// execution's account.
    pub role_arn: Option<String>,
    /// `$$.Execution.StartTime`, kept to the millisecond.
    #[serde(with = "timestamp")]
    pub start_time: OffsetDateTime,
    /// `$$.Execution.RedriveCount`: 0 unless the execution was redriven.
    pub redrive_count: u32,
    /// `$$.Execution.RedriveTime`: only after a redrive.
    #[serde(default, with = "optional_timestamp", skip_serializing_if = "Option::is_none")]
    pub redrive_time: Option<OffsetDateTime>,
    /// `$$.Execution.Input`: the execution's input, as it was given.
    pub input: Value,
    /// An EXPRESS execution's run id (a UUID): AWS does not keep Express names unique, so
    /// their ARNs end in one (`…:express:<state machine>:<name>:<run id>`). `None` for a
    /// STANDARD execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub express_run: Option<String>,
}

impl ExecutionInfo {
    /// The region used unless [`with_region`](Self::with_region) says otherwise.
    pub const DEFAULT_REGION: &'static str = "us-east-1";
    /// The account id used unless [`with_account_id`](Self::with_account_id) says otherwise
    /// (the placeholder account of AWS's documentation).
    pub const DEFAULT_ACCOUNT_ID: &'static str = "123456789012";
    /// The role name in the default `RoleArn`.
    pub const DEFAULT_ROLE_NAME: &'static str = "StepFunctionsExecutionRole";

    /// An execution of `state_machine_name` called `name`, started at `start_time` (cut to
    /// the millisecond, as AWS keeps it) with `input`; partition `aws`, the default region,
    /// account and role, never redriven.
    pub fn new(
        state_machine_name: impl Into<String>,
        name: impl Into<String>,
        start_time: OffsetDateTime,
        input: Value,
    ) -> Self {
        ExecutionInfo {
            partition: Cow::Borrowed("aws"),
            region: Cow::Borrowed(Self::DEFAULT_REGION),
            account_id: Cow::Borrowed(Self::DEFAULT_ACCOUNT_ID),
            state_machine_name: state_machine_name.into(),
            name: name.into(),
            role_arn: None,
            start_time: start_time.truncate_to_millisecond(),
            redrive_count: 0,
            redrive_time: None,
            input,
            express_run: None,
        }
    }

    /// `text` borrowed as `default` when it is the default, so that information read back
    /// allocates no more than new information does.
    pub(crate) fn default_or(text: String, default: &'static str) -> Cow<'static, str> {
        if text == default { Cow::Borrowed(default) } else { Cow::Owned(text) }
    }

    /// Makes it an EXPRESS execution whose ARN ends in `run_id`
    /// (see [`ExecutionInfo::express_run`]).
    pub fn express(mut self, run_id: impl Into<String>) -> Self {
        self.express_run = Some(run_id.into());
        self
    }

    /// Sets the partition.
    pub fn with_partition(mut self, partition: impl Into<String>) -> Self {
        self.partition = Cow::Owned(partition.into());
        self
    }

    /// Sets the region.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Cow::Owned(region.into());
        self
    }

    /// Sets the account id.
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Cow::Owned(account_id.into());
        self
    }

    /// Sets `$$.Execution.RoleArn`.
    pub fn with_role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.role_arn = Some(role_arn.into());
        self
    }

    /// Marks the execution as redriven `count` times, the last at `at`.
    pub fn with_redrive(mut self, count: u32, at: OffsetDateTime) -> Self {
        self.redrive_count = count;
        self.redrive_time = Some(at.truncate_to_millisecond());
        self
    }

    /// `$$.Execution.Id`: `arn:<partition>:states:<region>:<account>:execution:<state
    /// machine>:<name>`, or for an EXPRESS execution
    /// `arn:<partition>:states:<region>:<account>:express:<state machine>:<name>:<run id>`.
    pub fn execution_arn(&self) -> String {
        let ExecutionInfo { partition, region, account_id, state_machine_name, name, express_run, .. } = self;
        // `concat` rather than `format!`: one exact allocation, and every Task attempt
        // renders the ARNs into its context object.
        match express_run {
            None => {
                ["arn:", partition, ":states:", region, ":", account_id, ":execution:", state_machine_name, ":", name]
                    .concat()
            }
            Some(run) => [
                "arn:",
                partition,
                ":states:",
                region,
                ":",
                account_id,
                ":express:",
                state_machine_name,
                ":",
                name,
                ":",
                run,
            ]
            .concat(),
        }
    }

    /// `$$.StateMachine.Id`: `arn:<partition>:states:<region>:<account>:stateMachine:<name>`.
    pub fn state_machine_arn(&self) -> String {
        let ExecutionInfo { partition, region, account_id, state_machine_name, .. } = self;
        ["arn:", partition, ":states:", region, ":", account_id, ":stateMachine:", state_machine_name].concat()
    }

    /// `$$.Execution.RoleArn`.
    pub fn role_arn(&self) -> String {
        match &self.role_arn {
            Some(role_arn) => role_arn.clone(),
            None => ["arn:", &self.partition, ":iam::", &self.account_id, ":role/", Self::DEFAULT_ROLE_NAME].concat(),
        }
    }
}

/// What the context object says about the current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateInfo<'a> {
    /// `$$.State.Name`.
    pub name: &'a str,
    /// `$$.State.EnteredTime`.
    pub entered_time: OffsetDateTime,
    /// `$$.State.RetryCount`, for states that can retry (see the [module docs](self)).
    pub retry_count: Option<u32>,
}

impl<'a> StateInfo<'a> {
    /// The state `name`, entered at `entered_time`, without a retry count.
    pub fn new(name: &'a str, entered_time: OffsetDateTime) -> Self {
        StateInfo { name, entered_time, retry_count: None }
    }

    /// Adds `$$.State.RetryCount` (see [`RetryState::retry_count`](crate::retry::RetryState::retry_count)).
    pub fn with_retry_count(mut self, retry_count: u32) -> Self {
        self.retry_count = Some(retry_count);
        self
    }
}

/// The context object at one point of an execution; [`to_value`](Self::to_value) renders it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContextObject<'a> {
    execution: &'a ExecutionInfo,
    state: Option<StateInfo<'a>>,
    task_token: Option<&'a str>,
    map_item: Option<(u64, &'a Value)>,
}

impl<'a> ContextObject<'a> {
    /// The context object of `execution`, outside any state.
    pub fn new(execution: &'a ExecutionInfo) -> Self {
        ContextObject { execution, state: None, task_token: None, map_item: None }
    }

    /// Adds the `State` section.
    pub fn with_state(mut self, state: StateInfo<'a>) -> Self {
        self.state = Some(state);
        self
    }

    /// Adds `$$.Task.Token`.
    pub fn with_task_token(mut self, token: &'a str) -> Self {
        self.task_token = Some(token);
        self
    }

    /// Adds `$$.Map.Item.Index` (0-based) and `$$.Map.Item.Value`.
    pub fn with_map_item(mut self, index: u64, value: &'a Value) -> Self {
        self.map_item = Some((index, value));
        self
    }

    /// The whole context object, keys in AWS's order.
    pub fn to_value(&self) -> Value {
        let mut root = Map::new();
        for name in Self::SECTIONS {
            if let Some(section) = self.section(name) {
                root.insert(name.to_owned(), section);
            }
        }
        Value::Object(root)
    }

    /// One top-level section (`Execution`, `StateMachine`, `State`, `Task`, `Map`), or
    /// `None` if this context object has no such section. Cheaper than
    /// [`to_value`](Self::to_value) when a path reads only `$$.State…` or `$$.Map…`: only
    /// `Execution` copies the execution input.
    pub fn section(&self, name: &str) -> Option<Value> {
        match name {
            "Execution" => Some(self.execution_section()),
            "StateMachine" => Some(object([
                ("Id", self.execution.state_machine_arn().into()),
                ("Name", self.execution.state_machine_name.clone().into()),
            ])),
            "State" => self.state.map(|state| {
                let mut section =
                    object([("Name", state.name.into()), ("EnteredTime", format_timestamp(state.entered_time).into())]);
                if let (Some(count), Value::Object(map)) = (state.retry_count, &mut section) {
                    map.insert("RetryCount".to_owned(), count.into());
                }
                section
            }),
            "Task" => self.task_token.map(|token| object([("Token", token.into())])),
            "Map" => self
                .map_item
                .map(|(index, value)| object([("Item", object([("Index", index.into()), ("Value", value.clone())]))])),
            _ => None,
        }
    }

    /// The top-level keys, in the order they are rendered.
    const SECTIONS: [&'static str; 5] = ["Execution", "StateMachine", "State", "Task", "Map"];

    fn execution_section(&self) -> Value {
        let execution = self.execution;
        let mut section = object([
            ("Id", execution.execution_arn().into()),
            ("Input", execution.input.clone()),
            ("StartTime", format_timestamp(execution.start_time).into()),
            ("Name", execution.name.clone().into()),
            ("RoleArn", execution.role_arn().into()),
            ("RedriveCount", execution.redrive_count.into()),
        ]);
        if let (Some(at), Value::Object(map)) = (execution.redrive_time, &mut section) {
            map.insert("RedriveTime".to_owned(), format_timestamp(at).into());
        }
        section
    }
}

/// A JSON object with these entries, in this order.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(entries.into_iter().map(|(key, value)| (key.to_owned(), value)).collect())
}

/// Serde for a timestamp in the context-object format.
mod timestamp {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::OffsetDateTime;

    pub(super) fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_timestamp(*at))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_timestamp(&text).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 timestamp: {text:?}")))
    }
}

/// Serde for an optional timestamp in the context-object format.
mod optional_timestamp {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::OffsetDateTime;

    pub(super) fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_some(&super::format_timestamp(*at)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => super::parse_timestamp(&text)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 timestamp: {text:?}"))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn execution() -> ExecutionInfo {
        // The `execution` block of case context-object-error-cause-path.
        ExecutionInfo::new(
            "statemachine_create_and_record_execution_1a2b00af",
            "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
            datetime!(2024-01-01 00:00:00 UTC),
            json!({"input-value": 0}),
        )
    }

    #[test]
    fn timestamps_have_three_fraction_digits_and_z() {
        assert_eq!(format_timestamp(datetime!(2024-01-01 00:00:00 UTC)), "2024-01-01T00:00:00.000Z");
        assert_eq!(format_timestamp(datetime!(2024-04-24 06:27:25.830 UTC)), "2024-04-24T06:27:25.830Z");
        assert_eq!(format_timestamp(datetime!(2019-03-26 20:14:13.192 UTC)), "2019-03-26T20:14:13.192Z");
        // Sub-millisecond digits are cut, never rounded up into the next second.
        assert_eq!(format_timestamp(datetime!(2024-12-31 23:59:59.999_999_999 UTC)), "2024-12-31T23:59:59.999Z");
        // Other offsets are converted to UTC.
        assert_eq!(format_timestamp(datetime!(2024-01-01 01:30:00.5 +01:00)), "2024-01-01T00:30:00.500Z");
        assert_eq!(format_timestamp(datetime!(0007-08-09 01:02:03.004 UTC)), "0007-08-09T01:02:03.004Z");
        assert_eq!(format_timestamp(datetime!(9999-12-31 23:59:59.999 UTC)), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_timestamp(datetime!(-0001-01-01 00:00:00 UTC)), "-001-01-01T00:00:00.000Z");
    }

    #[test]
    fn parses_rfc3339() {
        assert_eq!(parse_timestamp("2024-01-01T00:00:00.000Z"), Some(datetime!(2024-01-01 00:00:00 UTC)));
        assert_eq!(parse_timestamp("2024-01-01T01:00:00+01:00"), Some(datetime!(2024-01-01 00:00:00 UTC)));
        assert_eq!(parse_timestamp("2024-01-01"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn arns_and_defaults() {
        let execution = execution();
        assert_eq!(
            execution.execution_arn(),
            "arn:aws:states:us-east-1:123456789012:execution:statemachine_create_and_record_execution_1a2b00af:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
        );
        assert_eq!(
            execution.state_machine_arn(),
            "arn:aws:states:us-east-1:123456789012:stateMachine:statemachine_create_and_record_execution_1a2b00af"
        );
        assert_eq!(execution.role_arn(), "arn:aws:iam::123456789012:role/StepFunctionsExecutionRole");
        let execution = execution.with_region("eu-west-1").with_account_id("111111111111").with_partition("aws-cn");
        assert_eq!(
            execution.execution_arn(),
            "arn:aws-cn:states:eu-west-1:111111111111:execution:statemachine_create_and_record_execution_1a2b00af:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
        );
        assert_eq!(execution.role_arn(), "arn:aws-cn:iam::111111111111:role/StepFunctionsExecutionRole");
        assert_eq!(execution.with_role_arn("arn:aws:iam::1:role/r").role_arn(), "arn:aws:iam::1:role/r");
    }

    #[test]
    fn pass_state_context_matches_the_recorded_shape_byte_for_byte() {
        let execution = execution();
        let state = StateInfo::new("TestState", datetime!(2024-01-01 00:00:00.012 UTC));
        let context = ContextObject::new(&execution).with_state(state).to_value();
        let expected = concat!(
            r#"{"Execution":{"Id":"arn:aws:states:us-east-1:123456789012:execution:"#,
            r#"statemachine_create_and_record_execution_1a2b00af:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b","#,
            r#""Input":{"input-value":0},"StartTime":"2024-01-01T00:00:00.000Z","#,
            r#""Name":"0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b","#,
            r#""RoleArn":"arn:aws:iam::123456789012:role/StepFunctionsExecutionRole","RedriveCount":0},"#,
            r#""StateMachine":{"Id":"arn:aws:states:us-east-1:123456789012:stateMachine:"#,
            r#"statemachine_create_and_record_execution_1a2b00af","#,
            r#""Name":"statemachine_create_and_record_execution_1a2b00af"},"#,
            r#""State":{"Name":"TestState","EnteredTime":"2024-01-01T00:00:00.012Z"}}"#,
        );
        assert_eq!(serde_json::to_string(&context).ok().as_deref(), Some(expected));
    }

    #[test]
    fn task_state_context_has_retry_count_and_token() {
        let execution = execution();
        let state = StateInfo::new("LambdaTask", datetime!(2024-01-01 00:00:03 UTC)).with_retry_count(2);
        let context = ContextObject::new(&execution).with_state(state).with_task_token("tok-1");
        assert_eq!(
            context.section("State"),
            Some(json!({"Name": "LambdaTask", "EnteredTime": "2024-01-01T00:00:03.000Z", "RetryCount": 2}))
        );
        assert_eq!(context.to_value()["Task"], json!({"Token": "tok-1"}));
        assert_eq!(context.to_value()["State"]["RetryCount"], json!(2));
    }

    #[test]
    fn map_item_section() {
        let execution = execution();
        let item = json!({"who": "bob"});
        let context = ContextObject::new(&execution).with_map_item(1, &item);
        assert_eq!(context.section("Map"), Some(json!({"Item": {"Index": 1, "Value": {"who": "bob"}}})));
        let keys: Vec<_> = context.to_value().as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        assert_eq!(keys, ["Execution", "StateMachine", "Map"]);
    }

    #[test]
    fn sections_absent_unless_given() {
        let execution = execution();
        let context = ContextObject::new(&execution);
        assert_eq!(context.section("State"), None);
        assert_eq!(context.section("Task"), None);
        assert_eq!(context.section("Map"), None);
        assert_eq!(context.section("Nope"), None);
        assert_eq!(
            context.section("StateMachine").map(|s| s["Name"].clone()),
            Some(json!("statemachine_create_and_record_execution_1a2b00af"))
        );
        assert!(context.section("Execution").is_some_and(|s| s.get("RedriveTime").is_none()));
    }

    #[test]
    fn redrive_fields() {
        let execution = execution().with_redrive(1, datetime!(2024-01-02 03:04:05.678_9 UTC));
        let section = ContextObject::new(&execution).section("Execution").unwrap_or_default();
        assert_eq!(section["RedriveCount"], json!(1));
        assert_eq!(section["RedriveTime"], json!("2024-01-02T03:04:05.678Z"));
        let keys: Vec<_> = section.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        assert_eq!(keys, ["Id", "Input", "StartTime", "Name", "RoleArn", "RedriveCount", "RedriveTime"]);
    }

    #[test]
    fn start_time_is_kept_to_the_millisecond_and_round_trips() {
        let execution = ExecutionInfo::new("sm", "exec-1", datetime!(2024-01-01 00:00:00.123_456 UTC), json!(null))
            .with_redrive(2, datetime!(2024-02-01 00:00:00 UTC));
        assert_eq!(execution.start_time, datetime!(2024-01-01 00:00:00.123 UTC));
        let text = serde_json::to_string(&execution).unwrap();
        assert!(text.contains(r#""start_time":"2024-01-01T00:00:00.123Z""#), "{text}");
        assert_eq!(serde_json::from_str::<ExecutionInfo>(&text).unwrap(), execution);
        let plain = ExecutionInfo::new("sm", "exec-1", datetime!(2024-01-01 00:00:00 UTC), json!([1]));
        let text = serde_json::to_string(&plain).unwrap();
        assert!(!text.contains("redrive_time"), "{text}");
        assert_eq!(serde_json::from_str::<ExecutionInfo>(&text).unwrap(), plain);
    }
}

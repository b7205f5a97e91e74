//! Step Functions ARNs: made for this server's region and account, and read back from
//! requests (`InvalidArn` when they are not what an operation takes).

use crate::wire::ApiError;

/// What an ARN names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `…:stateMachine:NAME`, or with `:VERSION` or `:ALIAS` after it.
    StateMachine,
    /// `…:execution:MACHINE:NAME` (STANDARD).
    Execution,
    /// `…:express:MACHINE:NAME:RUN` (EXPRESS).
    Express,
    /// `…:activity:NAME`.
    Activity,
    /// `…:mapRun:MACHINE/MAP:RUN`.
    MapRun,
}

impl Kind {
    fn resource_type(self) -> &'static str {
        match self {
            Kind::StateMachine => "stateMachine",
            Kind::Execution => "execution",
            Kind::Express => "express",
            Kind::Activity => "activity",
            Kind::MapRun => "mapRun",
        }
    }
}

/// An ARN of this service, split at its colons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// What it names.
    pub kind: Kind,
    /// The region it names.
    pub region: &'a str,
    /// The account it names.
    pub account: &'a str,
    /// What follows the resource type: `NAME`, `NAME:QUALIFIER`, `MACHINE:NAME`…
    pub parts: Vec<&'a str>,
}

/// Reads `text` as an ARN of one of `kinds`, as AWS does before looking anything up.
///
/// # Errors
///
/// `InvalidArn`, with AWS's message, for anything else.
pub fn parse<'a>(text: &'a str, kinds: &[Kind]) -> Result<Arn<'a>, ApiError> {
    let invalid = |why: String| ApiError::service("InvalidArn", format!("Invalid Arn: '{why}'"));
    let fields: Vec<&str> = text.split(':').collect();
    if fields.len() < 7 || fields[0] != "arn" || fields[1].is_empty() || fields[2] != "states" {
        return Err(invalid(format!("Invalid ARN prefix: {text}")));
    }
    let resource_type = fields[5];
    let Some(kind) = kinds.iter().copied().find(|kind| kind.resource_type() == resource_type) else {
        return Err(invalid(format!("Resource type not valid in this context: {resource_type}")));
    };
    let parts: Vec<&str> = fields[6..].to_vec();
    let arity = match kind {
        Kind::StateMachine => 1..=2,
        Kind::Execution => 2..=2,
        Kind::Express => 3..=3,
        Kind::Activity => 1..=1,
        Kind::MapRun => 2..=2,
    };
    if !arity.contains(&parts.len()) || parts.iter().any(|part| part.is_empty()) {
        return Err(invalid(format!("Invalid Arn resource: {text}")));
    }
    Ok(Arn { kind, region: fields[3], account: fields[4], parts })
}

/// Makes the ARNs of one region and account.
#[derive(Clone, Debug)]
pub struct Arns {
    prefix: String,
}

impl Arns {
    /// ARNs of `region` and `account` (partition `aws`).
    pub fn new(region: &str, account: &str) -> Arns {
        Arns { prefix: format!("arn:aws:states:{region}:{account}:") }
    }

    /// `…:stateMachine:NAME`.
    pub fn state_machine(&self, name: &str) -> String {
        format!("{}stateMachine:{name}", self.prefix)
    }

    /// `…:activity:NAME`.
    pub fn activity(&self, name: &str) -> String {
        format!("{}activity:{name}", self.prefix)
    }

    /// Whether `arn` is of this region and account.
    pub fn is_ours(&self, arn: &str) -> bool {
        arn.starts_with(&self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_an_operation_takes() {
        let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:order";
        let parsed = parse(arn, &[Kind::StateMachine]).map_err(|e| e.to_string());
        assert_eq!(parsed.map(|a| (a.kind, a.parts)), Ok((Kind::StateMachine, vec!["order"])));
        let version = "arn:aws:states:us-east-1:123456789012:stateMachine:order:3";
        assert_eq!(parse(version, &[Kind::StateMachine]).map(|a| a.parts).ok(), Some(vec!["order", "3"]));
        let execution = "arn:aws:states:us-east-1:123456789012:execution:order:run-1";
        assert_eq!(parse(execution, &[Kind::Execution, Kind::Express]).map(|a| a.kind).ok(), Some(Kind::Execution));
    }

    #[test]
    fn refuses_others_with_aws_messages() {
        let error = |text: &str, kinds: &[Kind]| parse(text, kinds).err().map(|e| e.message().to_owned());
        assert_eq!(
            error("nonsense", &[Kind::StateMachine]),
            Some("Invalid Arn: 'Invalid ARN prefix: nonsense'".into())
        );
        let activity = "arn:aws:states:us-east-1:123456789012:activity:a";
        assert_eq!(
            error(activity, &[Kind::StateMachine]),
            Some("Invalid Arn: 'Resource type not valid in this context: activity'".into())
        );
        let short = "arn:aws:states:us-east-1:123456789012:execution:order";
        assert!(error(short, &[Kind::Execution]).is_some());
        assert_eq!(parse(short, &[Kind::Execution]).err().map(|e| e.code()), Some("InvalidArn"));
    }
}

//! Resolving the computed parts of payload templates: `.$` paths and intrinsic calls.

use std::borrow::Cow;

use serde_json::Value;

use super::{Env, refuse_null_input};
use crate::Error;
use crate::intrinsics::{self, Call, RandomSource};
use crate::path::{self, MissingKind, Path, Segment, Selection, Variables, cause};
use crate::template::Resolver;

/// Resolves a template's `.$` values against `data` (the template's `$`: the effective
/// input for `Parameters`, the raw result for `ResultSelector`), the context object (`$$`)
/// and the variables (`$name`) of an [`Env`], with AWS's causes:
///
/// - a path that selects nothing: `States.Runtime`, [`cause::field_not_found`]: `The
///   JSONPath '$.x' specified for the field 'v.$' could not be found in the input '…'`,
///   quoting `data` whatever the path's root (cases `base-scenarios-invalid-jsonpath-*`
///   record the error; the wording is AWS's as quoted in public tutorials);
/// - a path argument of an intrinsic call that selects nothing: `States.Runtime`,
///   [`intrinsic_path_not_found`], naming the whole call as written;
/// - a `$…` path applied to a `null` `data`: `States.Runtime`, [`cause::NULL_INPUT`].
///
/// Also usable on its own for a single `.$`-like field, such as a Fail state's `ErrorPath`
/// (`resolver.path(p, "ErrorPath")`).
pub struct DataResolver<'r> {
    data: &'r Value,
    context: &'r Value,
    variables: &'r dyn Variables,
    rng: &'r mut dyn RandomSource,
}

impl<'r> DataResolver<'r> {
    /// A resolver with `data` as `$` and the rest of `env`.
    pub fn new<'a: 'r>(data: &'r Value, env: &'r mut Env<'a>) -> Self {
        DataResolver { data, context: env.context, variables: env.variables, rng: &mut *env.rng }
    }

    /// What [`path`](Resolver::path) gives, borrowed where the path selects one value of
    /// the data, and failing as it does.
    pub(super) fn find(&self, p: &Path, field: &str) -> Result<Cow<'r, Value>, Error> {
        refuse_null_input(p, self.data)?;
        let scope = path::Scope::new(self.data).with_context(self.context).with_variables(self.variables);
        match path::select(p, &scope) {
            Ok(Selection::One(value)) => Ok(value),
            Ok(many) => Ok(Cow::Owned(many.into_value())),
            Err(_) => Err(Error::runtime(cause::field_not_found(p, field, self.data))),
        }
    }
}

impl Resolver for DataResolver<'_> {
    fn path(&mut self, p: &Path, field: &str) -> Result<Value, Error> {
        self.find(p, field).map(Cow::into_owned)
    }

    fn intrinsic(&mut self, call: &Call, _field: &str) -> Result<Value, Error> {
        let (data, context, variables) = (self.data, self.context, self.variables);
        let mut resolve = |p: &Path| argument(call, p, data, context, variables);
        intrinsics::call_borrowing(call, &mut resolve, &mut *self.rng)
    }
}

/// The value of a path argument of `call` (the outermost call of the field).
///
/// Two differences from a `.$` path, both recorded from AWS by the Floci emulator's
/// integration tests (issue floci#2870, "causes … come from real AWS in us-east-1"):
/// an index past the end of an array is a miss here, where a `.$` path reads `null`; and a
/// step of the wrong kind (`[0]` on a number) fails with Jayway's own message (`Filter: [0]
/// can only be applied to arrays. Current context is: 1`) rather than the "could not be
/// found" cause.
fn argument<'r>(
    call: &Call,
    p: &Path,
    data: &'r Value,
    context: &'r Value,
    variables: &'r dyn Variables,
) -> Result<Cow<'r, Value>, Error> {
    refuse_null_input(p, data)?;
    let scope = path::Scope::new(data).with_context(context).with_variables(variables);
    let not_found = || Error::runtime(intrinsic_path_not_found(call, p, data));
    match path::select(p, &scope) {
        Ok(Selection::One(value)) if value.is_null() && index_past_end(p, &scope) => Err(not_found()),
        Ok(Selection::One(value)) => Ok(value),
        Ok(many) => Ok(Cow::Owned(many.into_value())),
        Err(missing) if missing.kind == MissingKind::NotFound => Err(not_found()),
        Err(missing) => Err(Error::runtime(missing.reason)),
    }
}

/// Whether a plain path (`$.a[3]`) ends with an index past the end of its array.
fn index_past_end(p: &Path, scope: &path::Scope<'_>) -> bool {
    let Some((Segment::Index(index), parents)) = p.segments.split_last() else { return false };
    if !parents.iter().all(|s| matches!(s, Segment::Field(_) | Segment::Index(_))) {
        return false;
    }
    let parent = Path { segments: parents, ..*p };
    match path::select(&parent, scope) {
        Ok(Selection::One(parent)) => match parent.as_array() {
            Some(items) => {
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let at = if *index < 0 { len.saturating_add(*index) } else { *index };
                !(0..len).contains(&at)
            }
            None => false,
        },
        _ => false,
    }
}

/// The cause when a path argument of an intrinsic call selects nothing:
/// `The function 'States.Format('{}', $.nope)' had the following error: The JsonPath
/// argument for the field '$.nope' could not be found in the input '{"other":1}'`.
///
/// `call` is the whole expression of the field, as written, even when the path is an
/// argument of a nested call; `input` is the document the template is applied to.
/// Evidence: the message AWS returned, quoted by the CDK construct
/// `handle-optional-parameters` and asserted by the Floci emulator's tests from real AWS.
pub fn intrinsic_path_not_found(call: &Call, p: &Path, input: &Value) -> String {
    format!(
        "The function '{}' had the following error: The JsonPath argument for the field '{}' could not be found in \
         the input '{}'",
        call.text,
        p.text,
        cause::json_text(input)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;
    use crate::dataflow::test_support::{call, path};
    use crate::error::names;
    use crate::intrinsics::SplitMix64;
    use crate::template::Template;

    fn resolve_intrinsic(expr: &str, data: Value) -> Result<Value, Error> {
        let mut rng = SplitMix64::new(0);
        let mut env = Env { state: "S", context: &Value::Null, variables: &(), rng: &mut rng };
        crate::dataflow::build_template(&Template::Intrinsic(call(expr)), &data, &mut env)
    }

    #[test]
    fn a_missing_intrinsic_argument_names_the_whole_call() {
        // Floci's AWS-recorded causes (floci#2870).
        assert_eq!(
            resolve_intrinsic("States.Format('{}', $.nope)", json!({"other": 1})),
            Err(Error::runtime(
                "The function 'States.Format('{}', $.nope)' had the following error: The JsonPath argument for the \
                 field '$.nope' could not be found in the input '{\"other\":1}'"
            ))
        );
        assert_eq!(
            resolve_intrinsic("States.Format('{}', States.Format('{}', $.nope))", json!({"other": 1})),
            Err(Error::runtime(
                "The function 'States.Format('{}', States.Format('{}', $.nope))' had the following error: The \
                 JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'"
            ))
        );
        assert_eq!(
            resolve_intrinsic("States.Format('{}', $.items[5])", json!({"items": [1, 2]})),
            Err(Error::runtime(
                "The function 'States.Format('{}', $.items[5])' had the following error: The JsonPath argument for \
                 the field '$.items[5]' could not be found in the input '{\"items\":[1,2]}'"
            ))
        );
        assert_eq!(
            resolve_intrinsic("States.Format('{}', $.a.b)", json!({})).map_err(|e| e.cause),
            Err(Some(
                "The function 'States.Format('{}', $.a.b)' had the following error: The JsonPath argument for the \
                 field '$.a.b' could not be found in the input '{}'"
                    .to_string()
            ))
        );
    }

    #[test]
    fn present_nulls_and_in_range_indexes_are_values() {
        assert_eq!(resolve_intrinsic("States.Format('{}', $.nul)", json!({"nul": null})), Ok(json!("null")));
        assert_eq!(
            resolve_intrinsic("States.Array($.l[1], $.l[-1])", json!({"l": [1, null]})),
            Ok(json!([null, null]))
        );
        assert_eq!(resolve_intrinsic("States.Array($.l[*])", json!({"l": []})), Ok(json!([[]])));
    }

    #[test]
    fn wrong_kind_of_step_leaks_jayways_message() {
        assert_eq!(
            resolve_intrinsic("States.Format('{}', $.other[0])", json!({"other": 1})),
            Err(Error::runtime("Filter: [0] can only be applied to arrays. Current context is: 1"))
        );
    }

    #[test]
    fn null_data_refuses_dollar_paths_but_not_context_paths() {
        let mut rng = SplitMix64::new(0);
        let context = json!({"Execution": {"Name": "e"}});
        let mut env = Env { state: "S", context: &context, variables: &(), rng: &mut rng };
        let mut resolver = DataResolver::new(&Value::Null, &mut env);
        assert_eq!(resolver.path(path("$"), "v.$"), Err(Error::runtime(cause::NULL_INPUT)));
        assert_eq!(resolver.path(path("$$.Execution.Name"), "v.$"), Ok(json!("e")));
        assert_eq!(resolver.intrinsic(call("States.Array($.a)"), "v.$"), Err(Error::runtime(cause::NULL_INPUT)));
    }

    #[test]
    fn intrinsic_failures_keep_their_name() {
        let e = resolve_intrinsic("States.ArrayGetItem($.a, 5)", json!({"a": []})).unwrap_err();
        assert_eq!(e.name, names::INTRINSIC_FAILURE);
    }
}

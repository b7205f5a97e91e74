//! Building a template over data that is consumed by the build (a Pass state's effective
//! input when its result replaces the input; a raw task result under `ResultSelector`):
//! the value of a plain `.$` path that no other `.$` path of the template overlaps is moved
//! out of the data rather than copied (`"doc.$": "$.doc"` passes a whole document on for
//! free).
//!
//! The template is first built as usual, except that each such path is only checked (so
//! failures, and the data their causes quote, are exactly those of [`build_template`])
//! and leaves a placeholder; once the whole template has succeeded, the placeholders are
//! filled by moving the values out of the data. Until then the data is whole, so whatever
//! else the template reads (copied paths, intrinsic arguments) reads it as before; only
//! the moved values must not overlap one another.

use serde_json::Value;

use super::{DataResolver, Env, build_template, take_at};
use crate::Error;
use crate::intrinsics::Call;
use crate::path::{Path, Root, Segment};
use crate::template::{self, Resolver, Template};

/// [`build_template`], consuming `data`.
///
/// # Errors
///
/// As [`build_template`].
pub(super) fn build_template_consuming(template: &Template, data: Value, env: &mut Env<'_>) -> Result<Value, Error> {
    let mut any = false;
    template::visit_paths(template, &mut |p| any |= plain(p));
    // Nothing that could be moved: the usual build, without the bookkeeping.
    if !any {
        return build_template(template, &data, env);
    }
    let mut resolver = Deferring { inner: DataResolver::new(&data, env), template, deferred: Vec::new() };
    let mut built = template::build(template, &mut resolver)?;
    let deferred = resolver.deferred;
    if deferred.is_empty() {
        return Ok(built);
    }
    let mut data = data;
    template::fill_paths(template, &mut built, &mut |p| {
        deferred.iter().any(|&d| std::ptr::eq(d, p)).then(|| take_at(&mut data, p.segments))
    });
    Ok(built)
}

/// A [`DataResolver`] that leaves `null` for the [movable] paths of `template` whose
/// values are worth moving, after checking that they select something, and lists them.
struct Deferring<'r> {
    inner: DataResolver<'r>,
    template: &'r Template,
    /// The paths left `null`. A path occurs in the template once (a path written twice is
    /// not movable), so the address of its static data names it.
    deferred: Vec<*const Path>,
}

impl Resolver for Deferring<'_> {
    fn path(&mut self, p: &Path, field: &str) -> Result<Value, Error> {
        if !movable(self.template, p) {
            return self.inner.path(p, field);
        }
        let value = self.inner.find(p, field)?;
        if worth_moving(&value) {
            self.deferred.push(p);
            Ok(Value::Null)
        } else {
            // Copying a number or a short string costs less than finding it again.
            Ok(value.into_owned())
        }
    }

    fn intrinsic(&mut self, call: &Call, field: &str) -> Result<Value, Error> {
        self.inner.intrinsic(call, field)
    }
}

/// Whether the value of `p`, a `.$` path of `template`, can be moved out of the data: `p`
/// is plain (members and indexes of `$`, so what it reads is known) and no other plain
/// `.$` path of the template reads the same value, a part of it or a value containing it
/// (a path written twice is copied both times).
fn movable(template: &Template, p: &Path) -> bool {
    if !plain(p) {
        return false;
    }
    let mut readers = 0;
    template::visit_paths(template, &mut |q| {
        if plain(q) && overlap(p.segments, q.segments) {
            readers += 1;
        }
    });
    readers == 1
}

/// Whether moving `value` saves more than it costs (finding it again, in the data and in
/// the result): for arrays, objects and long strings.
fn worth_moving(value: &Value) -> bool {
    match value {
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
        Value::String(s) => s.len() > 64,
        _ => false,
    }
}

/// A path of `$` with only member and index steps.
fn plain(p: &Path) -> bool {
    p.root == Root::Input && p.segments.iter().all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)))
}

/// Whether two plain paths may reach the same value or one inside the other: one is a
/// prefix of the other, counting any two indexes as equal (`[-1]` may be `[2]`). A member
/// step and an index step never meet: both cannot succeed on one value.
fn overlap(a: &[Segment], b: &[Segment]) -> bool {
    a.iter().zip(b).all(|pair| match pair {
        (Segment::Field(x), Segment::Field(y)) => x == y,
        (Segment::Index(_), Segment::Index(_)) => true,
        _ => false,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;
    use crate::dataflow::test_support::{path, template};
    use crate::intrinsics::SplitMix64;

    /// The template built both ways; they must agree, failures included.
    fn build(parameters: Value, data: Value) -> Result<Value, Error> {
        let template = template(&parameters);
        let mut rng = SplitMix64::new(0);
        let context = json!({"Execution": {"Name": "e"}});
        let mut env = Env { state: "S", context: &context, variables: &(), rng: &mut rng };
        let copied = build_template(template, &data, &mut env);
        let moved = build_template_consuming(template, data, &mut env);
        assert_eq!(copied, moved, "{parameters}");
        moved
    }

    #[test]
    fn moves_agree_with_copies() {
        let long = "x".repeat(100);
        let data = json!({"doc": {"a": [1, 2, {"b": "c"}]}, "i": 1, "l": [10, 20, 30], "n": null, "s": long});
        for parameters in [
            json!({"doc.$": "$.doc", "i.$": "States.MathAdd($.i, 1)", "x": {"n.$": "$.n"}}),
            json!({"all.$": "$"}),
            json!({"a.$": "$.doc", "b.$": "$.doc.a[2].b"}),
            json!({"a.$": "$.doc.a", "len.$": "States.ArrayLength($.doc.a)"}),
            json!({"a.$": "$.l[0]", "b.$": "$.l[-3]", "c.$": "$.l[7]"}),
            json!({"a.$": "$.doc", "b.$": "$.doc"}),
            json!({"a.$": "$.doc", "w.$": "$..b", "x.$": "$.doc.a[*]"}),
            json!({"a.$": "$.doc.a", "b.$": "States.Format('{}', $.doc.a)", "c.$": "States.Array($.doc)"}),
            json!({"a.$": "$.doc", "c.$": "$$.Execution.Name", "l": ["$.i", {"i.$": "$.i"}]}),
            json!({"list": [{"x.$": "$.l"}, {"y.$": "$.doc.a[1]"}], "s.$": "$.s", "z.$": "$.doc.a[2]"}),
        ] {
            build(parameters, data.clone()).unwrap();
        }
    }

    #[test]
    fn failures_quote_the_whole_data() {
        let data = json!({"doc": {"a": 1}, "i": 1});
        let err = build(json!({"doc.$": "$.doc", "x.$": "$.missing"}), data.clone()).unwrap_err();
        assert!(err.cause.unwrap().contains(r#"{"doc":{"a":1},"i":1}"#));
        build(json!({"doc.$": "$.doc", "x.$": "States.Format('{}', $.missing)"}), data.clone()).unwrap_err();
        build(json!({"doc.$": "$.doc.a.b"}), data).unwrap_err();
        build(json!({"doc.$": "$.doc"}), Value::Null).unwrap_err();
    }

    #[test]
    fn overlapping_paths_are_copied() {
        let t = template(&json!({"a.$": "$.doc", "b.$": "$.doc.x", "c.$": "$.i", "d.$": "$$.Execution"}));
        assert!(!movable(t, path("$.doc")));
        assert!(!movable(t, path("$.doc.x")));
        assert!(movable(t, path("$.i")));
        let t = template(&json!({"a.$": "$.l[0]", "b.$": "$.l[-1]", "c.$": "$.m[0]"}));
        assert!(!movable(t, path("$.l[0]")));
        assert!(movable(t, path("$.m[0]")));
        // Read before anything is moved: no overlap.
        let t = template(&json!({"a.$": "$.x", "b.$": "$..x", "c.$": "States.ArrayLength($.x)"}));
        assert!(movable(t, path("$.x")));
    }
}

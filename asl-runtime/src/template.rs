//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`, JSONPath
//! `Assign`) as static data, and building their JSON value at run time.
//!
//! The compiler folds every part of a template without a `.$` key into one [`Literal`], so
//! building a template only evaluates the computed members and copies the rest.

use serde_json::{Map, Number, Value};

use crate::intrinsics::Call;
use crate::path::{Literal, Path};

/// A payload template (defined with the rest of the description in asl-machine).
pub use asl_machine::template::Template;

/// Evaluates the computed parts of a template.
pub trait Resolver {
    /// The value of a `.$` path, for the template field `field` (the key as written, with
    /// `.$`), or the error AWS reports when it is missing.
    fn path(&mut self, path: &Path, field: &str) -> Result<Value, crate::Error>;
    /// The value of an intrinsic function call.
    fn intrinsic(&mut self, call: &Call, field: &str) -> Result<Value, crate::Error>;
}

/// Builds the JSON value of a template.
pub fn build(template: &Template, resolver: &mut dyn Resolver) -> Result<Value, crate::Error> {
    // One buffer for the `key.$` names the resolver is given, rather than one string per
    // computed member and evaluation.
    let mut scratch = String::new();
    build_field(template, "", &mut scratch, resolver)
}

fn build_field(
    template: &Template,
    field: &str,
    scratch: &mut String,
    resolver: &mut dyn Resolver,
) -> Result<Value, crate::Error> {
    Ok(match template {
        Template::Literal(literal) => literal_value(literal),
        Template::Object(members) => {
            let mut object = Map::with_capacity(members.len());
            for (key, member) in members.iter() {
                let value = match member {
                    Template::Path(path) => resolver.path(path, dollar_key(scratch, key))?,
                    Template::Intrinsic(call) => resolver.intrinsic(call, dollar_key(scratch, key))?,
                    _ => build_field(member, key, scratch, resolver)?,
                };
                object.insert((*key).to_string(), value);
            }
            Value::Object(object)
        }
        Template::Array(items) => Value::Array(
            items.iter().map(|item| build_field(item, field, scratch, resolver)).collect::<Result<_, _>>()?,
        ),
        Template::Path(path) => resolver.path(path, field)?,
        Template::Intrinsic(call) => resolver.intrinsic(call, field)?,
        // A JSONata state's fields are built by `jsonata::Scope::build`; one reaching a
        // JSONPath resolver is static data no compiler writes.
        Template::Jsonata(expr) => {
            return Err(crate::Error::runtime(format!(
                "the JSONata expression '{}' cannot be evaluated in a JSONPath field",
                expr.text
            )));
        }
    })
}

/// `key.$`, the field as written, which errors name as AWS does; written into `scratch`.
fn dollar_key<'s>(scratch: &'s mut String, key: &str) -> &'s str {
    scratch.clear();
    scratch.push_str(key);
    scratch.push_str(".$");
    scratch
}

/// Calls `visit` with each `.$` path of the template (not the path arguments of its
/// intrinsic calls).
pub fn visit_paths(template: &Template, visit: &mut dyn FnMut(&Path)) {
    match template {
        Template::Literal(_) | Template::Intrinsic(_) | Template::Jsonata(_) => {}
        Template::Object(members) => members.iter().for_each(|(_, member)| visit_paths(member, visit)),
        Template::Array(items) => items.iter().for_each(|item| visit_paths(item, visit)),
        Template::Path(path) => visit(path),
    }
}

/// Replaces, in `built` (what [`build`] made of `template`), the value of each `.$` path
/// for which `fill` gives one (`Some`). A resolver that defers copying a path's value
/// (leaving a placeholder) and its `fill` must agree on which paths those are.
///
/// Where two members of an object share a key, the value built is the last one's, so only
/// the last one is filled.
pub fn fill_paths(template: &Template, built: &mut Value, fill: &mut dyn FnMut(&Path) -> Option<Value>) {
    match (template, built) {
        (Template::Object(members), Value::Object(object)) => {
            for (i, (key, member)) in members.iter().enumerate() {
                let shadowed = members.get(i + 1..).is_some_and(|later| later.iter().any(|(k, _)| k == key));
                if let (false, Some(value)) = (shadowed, crate::path::member_mut(object, key)) {
                    fill_paths(member, value, fill);
                }
            }
        }
        (Template::Array(items), Value::Array(values)) => {
            items.iter().zip(values.iter_mut()).for_each(|(item, value)| fill_paths(item, value, fill));
        }
        (Template::Path(path), built) => {
            if let Some(value) = fill(path) {
                *built = value;
            }
        }
        _ => {}
    }
}

/// The JSON value of a constant.
pub fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Number(Number::from(*i)),
        // Non-finite floats cannot come from a JSON definition; map them to null rather
        // than panic.
        Literal::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Literal::Str(s) => Value::String((*s).to_string()),
        Literal::Array(items) => Value::Array(items.iter().map(literal_value).collect()),
        Literal::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| ((*k).to_string(), literal_value(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::path::{Root, Segment};
    use serde_json::json;

    /// Resolves `$.name` paths against a fixed object and records the fields asked for.
    struct Fixed {
        input: Value,
        fields: Vec<String>,
    }

    impl Resolver for Fixed {
        fn path(&mut self, path: &Path, field: &str) -> Result<Value, Error> {
            self.fields.push(field.to_string());
            let [Segment::Field(name)] = path.segments else { return Err(Error::runtime("unsupported")) };
            self.input.get(*name).cloned().ok_or_else(|| Error::runtime(format!("missing {}", path.text)))
        }
        fn intrinsic(&mut self, call: &Call, field: &str) -> Result<Value, Error> {
            self.fields.push(field.to_string());
            Ok(json!(call.function.name()))
        }
    }

    static NAME: Path = Path { root: Root::Input, segments: &[Segment::Field("name")], text: "$.name" };
    static CONST: Literal = Literal::Object(&[("n", Literal::Int(1)), ("list", Literal::Array(&[Literal::Null]))]);
    static TEMPLATE: Template = Template::Object(&[
        ("who", Template::Path(&NAME)),
        ("fixed", Template::Literal(&CONST)),
        ("nested", Template::Array(&[Template::Path(&NAME), Template::Literal(&Literal::Str("x"))])),
    ]);

    #[test]
    fn builds_computed_and_constant_members_in_order() {
        let mut r = Fixed { input: json!({"name": "Ada"}), fields: Vec::new() };
        let value = build(&TEMPLATE, &mut r).map_err(|e| e.to_string());
        assert_eq!(value, Ok(json!({"who": "Ada", "fixed": {"n": 1, "list": [null]}, "nested": ["Ada", "x"]})));
        let keys: Vec<&str> =
            value.as_ref().ok().and_then(Value::as_object).map_or(vec![], |o| o.keys().map(String::as_str).collect());
        assert_eq!(keys, ["who", "fixed", "nested"]);
        assert_eq!(r.fields, ["who.$", "nested"]);
    }

    #[test]
    fn a_missing_path_fails_the_whole_template() {
        let mut r = Fixed { input: json!({}), fields: Vec::new() };
        assert_eq!(build(&TEMPLATE, &mut r), Err(Error::runtime("missing $.name")));
    }
}

//! Loaded workflows live as long as the process (`&'static`, as compiled ones are). Loading
//! a definition that was loaded before returns the workflow already loaded, so a server
//! asked for the same definitions again and again (TestState calls on one state, a machine
//! updated back and forth, the definition files of every restart) grows by the distinct
//! definitions it saw, not by the requests.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use asl_codegen::{Source, SourceFormat};
use asl_runtime::execution::Workflow;

/// What a definition was loaded as: how (state machine of a type, or a state under test),
/// the name it was read under, its format and its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    purpose: &'static str,
    path: String,
    yaml: bool,
    text: String,
}

static LOADED: LazyLock<Mutex<HashMap<Key, &'static Workflow>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The workflow `load` makes of `source` for `purpose`, loaded at most once per process
/// (failures are not kept: they cost nothing to keep making).
pub fn once<E>(
    purpose: &'static str,
    source: &Source,
    load: impl FnOnce() -> Result<&'static Workflow, E>,
) -> Result<&'static Workflow, E> {
    let key = Key {
        purpose,
        path: source.path().to_string_lossy().into_owned(),
        yaml: source.format() == SourceFormat::Yaml,
        text: source.text().to_owned(),
    };
    if let Some(loaded) = LOADED.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return Ok(loaded);
    }
    // Loaded outside the lock: lowering a large definition takes a while, and two threads
    // loading the same one at once only cost one extra copy.
    let workflow = load()?;
    Ok(*LOADED.lock().unwrap_or_else(PoisonError::into_inner).entry(key).or_insert(workflow))
}

#[cfg(test)]
mod tests {
    use asl_codegen::{Source, SourceFormat};

    #[test]
    fn the_same_definition_is_loaded_once() {
        let text = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#;
        let source = Source::with_format("loaded-once.asl.json", text, SourceFormat::Json);
        let load = || {
            asl_codegen::load_as(&source, asl_codegen::WorkflowType::Standard, &asl_codegen::Settings::new())
                .map(|l| l.workflow)
        };
        let first = super::once("test", &source, load).ok();
        let mut calls = 0;
        let second = super::once("test", &source, || {
            calls += 1;
            load()
        })
        .ok();
        assert_eq!(calls, 0, "not loaded again");
        assert!(first.zip(second).is_some_and(|(a, b)| std::ptr::eq(a, b)));
    }
}

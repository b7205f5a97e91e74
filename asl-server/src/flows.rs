//! Definition files that are state machines from the start (`asl serve FLOWS_DIR…`):
//! `order.asl.json` is the machine `order`.

use std::path::{Path, PathBuf};

/// One definition file found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowFile {
    /// The state machine's name: the file's name without `.asl.json`, `.asl.yaml`,
    /// `.asl.yml` or `.json`.
    pub name: String,
    /// The file.
    pub path: PathBuf,
}

/// The suffixes of definition files, longest first, so `.asl.json` wins over `.json`.
const SUFFIXES: [&str; 4] = [".asl.json", ".asl.yaml", ".asl.yml", ".json"];

/// The machine name of a definition file, if `file_name` is one.
pub fn machine_name(file_name: &str) -> Option<&str> {
    if file_name.starts_with('.') {
        return None;
    }
    SUFFIXES.iter().find_map(|suffix| file_name.strip_suffix(suffix)).filter(|name| !name.is_empty())
}

/// The definition files in `paths` (files as given, directories' files sorted, not
/// recursing: a folder of workflows is flat, as `asl build` takes it).
///
/// # Errors
///
/// A path that cannot be read, or a file that is not a definition file, named with why.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<FlowFile>, String> {
    let mut found = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| format!("cannot list `{}`: {e}", path.display()))?;
            let mut in_dir = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| format!("cannot list `{}`: {e}", path.display()))?;
                let file = entry.path();
                if file.is_file()
                    && let Some(flow) = flow(&file)
                {
                    in_dir.push(flow);
                }
            }
            in_dir.sort_by(|a, b| a.path.cmp(&b.path));
            found.extend(in_dir);
        } else {
            found.push(flow(path).ok_or_else(|| {
                format!("`{}` is not a definition file (*.asl.json, *.asl.yaml, *.json)", path.display())
            })?);
        }
    }
    if let Some(twice) =
        found.iter().enumerate().find_map(|(i, a)| found[..i].iter().find(|b| b.name == a.name).map(|b| (b, a)))
    {
        return Err(format!(
            "`{}` and `{}` are both the state machine `{}`",
            twice.0.path.display(),
            twice.1.path.display(),
            twice.0.name
        ));
    }
    if let Some(bad) = found.iter().find(|flow| !valid_name(&flow.name)) {
        return Err(format!(
            "`{}` would be the state machine `{}`, a name AWS refuses (1 to 80 characters, no \
             whitespace, brackets, wildcards or any of <>{{}}[]?*\"#%\\^|~`$&,;:/): rename the file",
            bad.path.display(),
            bad.name
        ));
    }
    Ok(found)
}

/// Whether AWS accepts `name` as a state machine's name.
fn valid_name(name: &str) -> bool {
    (1..=80).contains(&name.chars().count()) && crate::ops::names::check(name).is_ok()
}

fn flow(path: &Path) -> Option<FlowFile> {
    let file_name = path.file_name()?.to_str()?;
    Some(FlowFile { name: machine_name(file_name)?.to_owned(), path: path.to_path_buf() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_file_names() {
        assert_eq!(machine_name("order.asl.json"), Some("order"));
        assert_eq!(machine_name("order.asl.yaml"), Some("order"));
        assert_eq!(machine_name("export.json"), Some("export"));
        assert_eq!(machine_name("notes.md"), None);
        assert_eq!(machine_name(".asl.json"), None);
        assert_eq!(machine_name(".hidden.json"), None);
    }

    #[test]
    fn a_file_whose_name_aws_refuses_is_named_with_how_to_fix_it() {
        let dir = std::env::temp_dir().join(format!("asl-flows-names-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("my order.asl.json");
        let _ = std::fs::write(&file, "{}");
        let refused = discover(&[file]).err().unwrap_or_default();
        assert!(refused.contains("`my order`") && refused.contains("rename the file"), "{refused}");
        assert!(valid_name("order-2") && !valid_name(&"x".repeat(81)));
    }
}

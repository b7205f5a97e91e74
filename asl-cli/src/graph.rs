//! `asl graph FILE [--format mermaid|dot|svg] [-o OUT]`: draw a definition as a graph.

use std::io::Write;
use std::path::PathBuf;

use asl_codegen::Source;
use asl_codegen::render::{RenderStyle, render_all};
use asl_graph::Format;

use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// Arguments of `asl graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The definition to draw (`.json`, or `.yaml`/`.yml` for YAML).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The output format. Default: from OUT's extension (`.mmd`, `.dot`/`.gv`, `.svg`),
    /// else mermaid.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<GraphFormat>,

    /// Write the drawing to OUT instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// `asl graph --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (for Markdown on GitHub and GitLab, and mermaid.live).
    Mermaid,
    /// Graphviz DOT (for `dot -Tpng`).
    Dot,
    /// A standalone SVG picture, laid out by asl-graph itself.
    Svg,
}

impl From<GraphFormat> for Format {
    fn from(format: GraphFormat) -> Format {
        match format {
            GraphFormat::Mermaid => Format::Mermaid,
            GraphFormat::Dot => Format::Dot,
            GraphFormat::Svg => Format::Svg,
        }
    }
}

/// Draws `args.file` to `out` (or to the `-o` file); diagnostics and problems go to `err`.
/// Exit status 0 when drawn, 1 when the definition is invalid, 2 when the file cannot be
/// read or the output cannot be written.
pub fn run(args: &GraphArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let source = match Source::read(&args.file) {
        Ok(source) => source,
        Err(error) => {
            let _ = writeln!(err, "error: cannot read `{}`: {error}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let checked = match asl_codegen::check(&source) {
        Ok(checked) => checked,
        Err(diags) => {
            let _ = write!(err, "{}", render_all(&diags, &source, RenderStyle::Plain));
            return EXIT_INVALID;
        }
    };
    if !checked.warnings.is_empty() {
        let _ = write!(err, "{}", render_all(&checked.warnings, &source, RenderStyle::Plain));
    }
    let format = match (args.format, &args.output) {
        (Some(format), _) => format.into(),
        (None, Some(path)) => Format::from_path(path).unwrap_or(Format::Mermaid),
        (None, None) => Format::Mermaid,
    };
    let title =
        args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let graph = asl_graph::Graph::from_machine(&checked.machine);
    let text = asl_graph::render(&graph, format, &title);
    match &args.output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => EXIT_OK,
            Err(error) => {
                let _ = writeln!(err, "error: cannot write `{}`: {error}", path.display());
                EXIT_USAGE
            }
        },
        // A closed pipe (`asl graph f | head`) is the reader's choice, not an error.
        None => {
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            EXIT_OK
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use clap::Parser;

    use super::*;
    use crate::{Args, Command};

    fn parse(args: &[&str]) -> GraphArgs {
        let args = Args::try_parse_from(args).expect("parses");
        let Command::Graph(graph) = args.command else { panic!("not `asl graph`") };
        graph
    }

    fn dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("asl-graph-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const FLOW: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;

    #[test]
    fn mermaid_on_stdout_by_default() {
        let file = dir().join("default.asl.json");
        std::fs::write(&file, FLOW).unwrap();
        let args = parse(&["asl", "graph", file.to_str().unwrap()]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args, &mut out, &mut err), EXIT_OK);
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("flowchart TD\n"), "{out}");
        assert!(err.is_empty());
    }

    #[test]
    fn format_from_the_output_name_unless_given() {
        let dir = dir();
        let file = dir.join("out.asl.json");
        std::fs::write(&file, FLOW).unwrap();
        let svg = dir.join("out.svg");
        let args = parse(&["asl", "graph", file.to_str().unwrap(), "-o", svg.to_str().unwrap()]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args, &mut out, &mut err), EXIT_OK);
        assert!(out.is_empty());
        assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg "));
        let dot = dir.join("out.txt");
        let args =
            parse(&["asl", "graph", file.to_str().unwrap(), "--format", "dot", "--output", dot.to_str().unwrap()]);
        assert_eq!(run(&args, &mut out, &mut err), EXIT_OK);
        assert!(std::fs::read_to_string(&dot).unwrap().starts_with("digraph asl {"));
        let unknown = dir.join("out.txt2");
        let args = parse(&["asl", "graph", file.to_str().unwrap(), "-o", unknown.to_str().unwrap()]);
        assert_eq!(run(&args, &mut out, &mut err), EXIT_OK);
        assert!(std::fs::read_to_string(&unknown).unwrap().starts_with("flowchart TD"));
    }

    #[test]
    fn invalid_definitions_print_their_diagnostics() {
        let file = dir().join("invalid.asl.json");
        std::fs::write(&file, r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#).unwrap();
        let args = parse(&["asl", "graph", file.to_str().unwrap()]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args, &mut out, &mut err), EXIT_INVALID);
        assert!(out.is_empty());
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("error[ASL"), "{err}");
    }

    #[test]
    fn unreadable_files_are_usage_errors() {
        let args = parse(&["asl", "graph", "/nonexistent/flow.asl.json"]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args, &mut out, &mut err), EXIT_USAGE);
        assert!(String::from_utf8(err).unwrap().starts_with("error: cannot read"));
        assert!(Args::try_parse_from(["asl", "graph", "f", "--format", "png"]).is_err());
    }
}

//! `asl expand FILE`: print the Rust code a definition compiles to, formatted with
//! prettyplease — exactly what `include_asl!` expands to and the `Builder` writes.

use std::io::Write;
use std::path::PathBuf;

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Generator, Settings, Source};

use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// Arguments of `asl expand`.
#[derive(Debug, clap::Args)]
pub struct ExpandArgs {
    /// The definition to compile (`.json`, or `.yaml`/`.yml` for YAML).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Prints the generated code of `args.file` to `out`, or its diagnostics to `err`.
pub fn run(args: &ExpandArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let source = match Source::read(&args.file) {
        Ok(source) => source,
        Err(error) => {
            let _ = writeln!(err, "error: cannot read `{}`: {error}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let generated = match Generator::new(&Settings::new()).generate(&source) {
        Ok(generated) => generated,
        Err(diags) => {
            let _ = write!(err, "{}", render_all(&diags, &source, RenderStyle::Plain));
            return EXIT_INVALID;
        }
    };
    match generated.to_pretty_string() {
        Ok(code) => {
            if !generated.warnings.is_empty() {
                let _ = write!(err, "{}", render_all(&generated.warnings, &source, RenderStyle::Plain));
            }
            match out.write_all(code.as_bytes()) {
                Ok(()) => EXIT_OK,
                // A closed pipe (`asl expand f | head`) is not an error worth reporting.
                Err(_) => EXIT_OK,
            }
        }
        Err(error) => {
            let _ = writeln!(err, "error: the generated code does not parse ({error}); this is a bug in asl-codegen");
            EXIT_INVALID
        }
    }
}

//! The command line of an `asl build` binary: `serve`, `run`, `list`.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};

use super::args::ServeArgs;
use super::config_file::{self, Problem};
use super::list::{ListArgs, list};
use super::run::{RunArgs, run};
use super::serve::serve;
use crate::Compiled;

/// An `asl build` binary's arguments.
#[derive(Debug, clap::Parser)]
#[command(
    version,
    about = "Workflows compiled by asl-rs: serve the AWS Step Functions API, run one execution, or list them",
    after_help = "Settings come from flags, then environment variables (shown in each command's --help), \
                  then a TOML file given with --config or ASL_CONFIG whose keys are the flags' long names."
)]
pub struct ShipArgs {
    #[command(subcommand)]
    command: ShipCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ShipCommand {
    /// Serve the AWS Step Functions API (AWS JSON 1.0) with these state machines, for the aws
    /// CLI, boto3 and the AWS SDKs.
    Serve(Box<ServeArgs>),
    /// Run one execution and exit: its output on standard output and exit status 0 when it
    /// SUCCEEDED; its error and cause on standard error and exit status 1 otherwise.
    Run(Box<RunArgs>),
    /// List the state machines and what each Task state needs bound.
    List(ListArgs),
}

/// The `main` of an `asl build` binary whose state machines are `compiled`: reads the
/// process's arguments and returns its exit status.
pub fn main(compiled: Vec<Compiled>) -> std::process::ExitCode {
    let name = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "asl-binary".to_owned());
    let status =
        main_with(&name, std::env::args_os().collect(), compiled, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::ExitCode::from(status)
}

/// [`main`] with its arguments and output given.
pub fn main_with(
    name: &str,
    argv: Vec<OsString>,
    compiled: Vec<Compiled>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let command = ShipArgs::command().bin_name(name.to_owned());
    let args = match config_file::matches(&command, argv) {
        Ok(matches) => ShipArgs::from_arg_matches(&matches).map_err(Problem::Usage),
        Err(problem) => Err(problem),
    };
    let args = match args {
        Ok(args) => args,
        Err(Problem::Usage(error)) => {
            let text = error.render().to_string();
            if error.use_stderr() {
                let _ = write!(err, "{text}");
                return 2;
            }
            let _ = write!(out, "{text}");
            return 0;
        }
        Err(Problem::File(message)) => {
            let _ = writeln!(err, "error: {message}");
            return 2;
        }
    };
    match args.command {
        ShipCommand::Serve(serve_args) => {
            let mut config = serve_args.config();
            config.compiled = with_types(compiled, &serve_args.engine.express);
            serve(config, name, out, err)
        }
        ShipCommand::Run(run_args) => {
            let compiled = with_types(compiled, &run_args.engine.express);
            run(&run_args, compiled, out, err)
        }
        ShipCommand::List(list_args) => list(&list_args, &compiled, out, err),
    }
}

/// `compiled`, with the machines `--express` names made EXPRESS.
fn with_types(compiled: Vec<Compiled>, express: &[String]) -> Vec<Compiled> {
    compiled
        .into_iter()
        .map(|machine| {
            if express.contains(&machine.name) {
                machine.with_type(asl_runtime::store::MachineType::Express)
            } else {
                machine
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap's own checks of the command (unique names and groups…), which otherwise run
    /// only when a subcommand is used.
    #[test]
    fn the_command_line_is_well_formed() {
        super::ShipArgs::command().debug_assert();
    }
}

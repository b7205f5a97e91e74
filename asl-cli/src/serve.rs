//! `asl serve`: the Step Functions API on a local address, for the aws CLI, boto3 and the
//! AWS SDKs. The flags are `asl-server`'s, shared with every `asl build` binary's `serve`.

use std::io::Write;
use std::path::PathBuf;

/// Arguments of `asl serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub serve: asl_server::cli::ServeArgs,

    /// A configuration file (TOML; keys are these flags' long names). Flags win over
    /// environment variables, which win over the file.
    #[arg(long, value_name = "FILE", env = "ASL_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Runs `asl serve` until Ctrl-C or SIGTERM; the exit status.
pub fn run(args: &ServeArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    asl_server::cli::serve(args.serve.config(), "asl serve", out, err)
}

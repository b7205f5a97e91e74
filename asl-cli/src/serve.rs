//! `asl serve`: the Step Functions API on a local address, for the aws CLI, boto3 and the
//! AWS SDKs. The flags are `asl-server`'s, shared with every `asl build` binary's `serve`.

use std::io::Write;

pub use asl_server::cli::ServeArgs;

/// Runs `asl serve` until Ctrl-C or SIGTERM; the exit status.
pub fn run(args: &ServeArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    asl_server::cli::serve(args.config(), "asl serve", out, err)
}

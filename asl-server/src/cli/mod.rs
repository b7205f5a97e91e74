//! The command lines built on the server: `asl serve`'s flags and the `serve`/`run`/`list`
//! commands of every `asl build` binary ([`ship::main`]), configured by flags, environment
//! variables and one optional TOML file ([`config_file`]).

mod args;
pub mod config_file;
mod list;
mod run;
mod serve;
pub mod ship;

pub use args::{BindingArgs, EngineArgs, ServeArgs};
pub use list::{ListArgs, list};
pub use run::{RunArgs, run};
pub use serve::serve;

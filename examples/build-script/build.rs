//! The build.rs route: validate and compile every workflow in `flows/` into `OUT_DIR`.
//! A mistake fails the build with rustc-style snippets of the JSON.

fn main() {
    if let Err(error) = asl_codegen::Builder::new().dir("flows").compile() {
        // The error's Display is the rendered diagnostics of every file.
        eprintln!("{error}");
        std::process::exit(1);
    }
}

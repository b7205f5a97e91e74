//! Writes the starting corpora: every conformance definition (and the built-in seeds) as
//! pretty JSON into `corpus/check_json/`, as block YAML into `corpus/check_yaml/`.
//! Run from `fuzz/`: `cargo run --example seed_corpus`.

use std::path::Path;

use asl_codegen_fuzz::mutate;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let json_dir = root.join("check_json");
    let yaml_dir = root.join("check_yaml");
    std::fs::create_dir_all(&json_dir)?;
    std::fs::create_dir_all(&yaml_dir)?;
    let mut seeds = mutate::builtin_seeds();
    seeds.extend(asl_codegen_fuzz::conformance_definitions());
    for (i, seed) in seeds.iter().enumerate() {
        let json = serde_json::to_string_pretty(seed).map_err(std::io::Error::other)?;
        std::fs::write(json_dir.join(format!("seed-{i:04}.asl.json")), json)?;
        std::fs::write(yaml_dir.join(format!("seed-{i:04}.asl.yaml")), mutate::to_block_yaml(seed))?;
    }
    std::fs::write(yaml_dir.join("seed-sam.asl.yaml"), mutate::YAML_SEED)?;
    println!("wrote {} seeds to {}", seeds.len(), root.display());
    Ok(())
}

// An input type that serde cannot deserialise: rustc names it and points at its definition
// (the error itself is at the macro call, where the conversion is generated).
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Ship": crate::Parcel -> asl_runtime::Value,
    });
}

struct Parcel;

fn main() {}

// A type that does not resolve at the call site: rustc points at it inside the macro call.
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Ship": crate::Parcl -> asl_runtime::Value,
    });
}

#[allow(dead_code)]
struct Parcel;

fn main() {}

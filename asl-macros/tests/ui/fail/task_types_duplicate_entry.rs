// A Task state given types twice: the second entry is the error.
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Ship": asl_runtime::Value -> asl_runtime::Value,
        "Ship": () -> (),
    });
}

fn main() {}

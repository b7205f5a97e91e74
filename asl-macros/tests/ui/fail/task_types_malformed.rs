// An entry without `-> <OutputType>`: the message says what the setting looks like.
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Ship": asl_runtime::Value,
    });
}

fn main() {}

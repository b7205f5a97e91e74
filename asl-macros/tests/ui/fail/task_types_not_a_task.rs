// Only Task states have handler methods: a `tasks` entry naming a Pass state is an error.
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Rejected": asl_runtime::Value -> asl_runtime::Value,
    });
}

fn main() {}

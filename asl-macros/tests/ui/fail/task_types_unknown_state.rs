// A `tasks` entry must name a Task state of the definition; a near miss gets a suggestion.
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Price Ordr": asl_runtime::Value -> asl_runtime::Value,
    });
}

fn main() {}

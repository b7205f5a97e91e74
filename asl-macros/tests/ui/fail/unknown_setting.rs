// A setting the macro does not know.
asl_runtime::include_asl!("flows/valid.asl.json", runtim = ::asl_runtime);

fn main() {}

// Absolute paths only work on one machine, so they are rejected.
asl_runtime::include_asl!("/etc/flows/order.asl.json");

fn main() {}

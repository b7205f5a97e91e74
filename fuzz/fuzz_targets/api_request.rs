//! The API's request path: no request makes the server panic. The first byte picks an
//! operation of the service model (or, past the last, the rest up to a newline is taken as
//! the raw `X-Amz-Target`), the remaining bytes are the body; the request runs against
//! one in-memory service that lives across inputs, so later inputs meet the state machines,
//! executions and activities earlier ones created.

#![no_main]

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use asl_runtime::clock::ScaledClock;
use asl_runtime::store::MemoryStore;
use asl_server::service::Service;
use libfuzzer_sys::fuzz_target;

struct World {
    tokio: tokio::runtime::Runtime,
    service: Service,
    operations: Vec<&'static str>,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio");
    // Waits pass at once, so no execution keeps the fuzzer waiting.
    let bindings = Arc::new(asl_bindings::Bindings::new(&Default::default(), "us-east-1").expect("bindings"));
    let service =
        Service::new(Arc::new(MemoryStore::new()), Arc::new(ScaledClock::new(0.0)), "us-east-1", "123456789012", bindings);
    let operations = asl_server::model::operations().map(|operation| operation.name()).collect();
    World { tokio, service, operations }
});

fuzz_target!(|data: &[u8]| {
    let world = &*WORLD;
    let Some((&pick, rest)) = data.split_first() else { return };
    let (target, body) = match world.operations.get(pick as usize) {
        Some(name) => (format!("AWSStepFunctions.{name}"), rest),
        None => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            (String::from_utf8_lossy(&rest[..end]).into_owned(), rest.get(end + 1..).unwrap_or_default())
        }
    };
    // A long poll (GetActivityTask) or a synchronous execution may wait; an answer either
    // way is all this checks.
    world.tokio.block_on(async {
        let _ = tokio::time::timeout(Duration::from_millis(200), asl_server::call(&world.service, &target, body)).await;
    });
});

//! The library route: an application serves its own workflows, compiled with
//! `include_asl!` and run by typed Rust handlers, through `asl-server` — the same Step
//! Functions API `asl serve` speaks, so the aws CLI, boto3 and the SDKs drive it.
//!
//! `cargo run -p example-server-library` serves on 127.0.0.1:8083 (memory store), then:
//!
//! ```text
//! aws stepfunctions start-sync-execution --endpoint-url http://127.0.0.1:8083 \
//!     --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:quote \
//!     --input '{"weightKg": 30}'
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use asl_runtime::store::MachineType;
use asl_runtime::{Error, Value};
use asl_server::{Compiled, Config, Server, Storage};
use serde::{Deserialize, Serialize};

mod quote {
    asl_runtime::include_asl!("flows/quote.asl.json", tasks = {
        "PriceParcel": crate::Invoke<crate::Parcel> -> crate::Payload<crate::Price>,
        "Discount": crate::Invoke<crate::Price> -> crate::Payload<crate::Price>,
    });
}

/// What a `lambda:invoke` Task gets: `{"Payload": …}`.
#[derive(Debug, Deserialize)]
pub struct Invoke<T> {
    /// The function's input.
    #[serde(rename = "Payload")]
    pub payload: T,
}

/// What it answers, as Lambda's envelope does.
#[derive(Debug, Serialize)]
pub struct Payload<T> {
    /// The function's result.
    #[serde(rename = "Payload")]
    pub payload: T,
}

/// A parcel to price.
#[derive(Debug, Deserialize)]
pub struct Parcel {
    /// Its weight.
    #[serde(rename = "weightKg")]
    pub weight_kg: f64,
}

/// A price.
#[derive(Debug, Deserialize, Serialize)]
pub struct Price {
    /// In euros.
    pub price: f64,
}

/// The application's handlers: plain Rust, checked against the workflow at compile time.
pub struct Shipping;

impl quote::Handlers for Shipping {
    async fn price_parcel(&self, request: Invoke<Parcel>, _context: &Value) -> Result<Payload<Price>, Error> {
        if request.payload.weight_kg <= 0.0 {
            return Err(Error::new("Parcel.Invalid", "a parcel weighs something"));
        }
        Ok(Payload { payload: Price { price: 5.0 + 4.0 * request.payload.weight_kg } })
    }

    async fn discount(&self, request: Invoke<Price>, _context: &Value) -> Result<Payload<Price>, Error> {
        Ok(Payload { payload: Price { price: (request.payload.price * 0.9 * 100.0).round() / 100.0 } })
    }
}

/// The server's configuration: the `quote` workflow (EXPRESS, so `StartSyncExecution`
/// answers with its output) run by [`Shipping`], on `listen`, nothing kept on disk.
pub fn config(listen: SocketAddr) -> Config {
    let definition = include_str!("../flows/quote.asl.json");
    let quote = Compiled::new("quote", definition, &quote::WORKFLOW)
        .with_type(MachineType::Express)
        .with_handler(Arc::new(quote::Typed(Shipping)));
    Config { listen, storage: Storage::Memory, compiled: vec![quote], ..Config::default() }
}

/// Starts the server.
///
/// # Errors
///
/// Why it could not start (the address is taken…).
pub async fn start(listen: SocketAddr) -> Result<Server, String> {
    Server::start(config(listen)).await
}

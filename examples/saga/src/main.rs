//! A travel-booking saga, written in YAML (`flows/saga.asl.yaml`) and compiled with
//! `include_asl!`: book a hotel, then a flight, then a car. When a booking fails, the
//! `Catch` of its state runs the compensations for the bookings already made, newest first
//! (cancel the flight, then the hotel), and the execution ends in the `BookingFailed` Fail
//! state with the original error in its cause. The car rental's `CarRental.Busy` is retried
//! (`Retry`, 1 s later); any other error goes straight to the compensations.
//!
//! `main` books the same trip twice: once with a car available, once without.

use std::time::Instant;

use asl_runtime::clock::{Clock, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::run;
use asl_runtime::{Error, Value};
use serde_json::json;

/// The saga, compiled from `flows/saga.asl.yaml`.
mod saga {
    asl_runtime::include_asl!("flows/saga.asl.yaml");
}

/// The application's side of the saga: one method per Task state, each printing its call
/// and its reply, stamped with the time since the execution started.
struct TravelAgency {
    started: Instant,
}

impl TravelAgency {
    fn new() -> Self {
        TravelAgency { started: Instant::now() }
    }

    fn log(&self, state: &str, arrow: &str, text: impl std::fmt::Display) {
        println!("  [{:.1}s] {state:<12} {arrow} {text}", self.started.elapsed().as_secs_f64());
    }

    /// Prints a call's input.
    fn call(&self, state: &str, input: &Value) {
        self.log(state, "<-", input);
    }

    /// Prints a call's reply and returns it.
    fn reply(&self, state: &str, reply: Result<Value, Error>) -> Result<Value, Error> {
        match &reply {
            Ok(result) => self.log(state, "->", result),
            Err(error) => {
                self.log(state, "->", format_args!("error {}: {}", error.name, error.cause.as_deref().unwrap_or("")))
            }
        }
        reply
    }
}

/// The id a booking of `kind` for the trip in `input` gets.
fn booking_id(kind: &str, input: &Value) -> String {
    format!("{kind}-{}", input["tripId"].as_str().unwrap_or("?"))
}

impl saga::Handlers for TravelAgency {
    async fn book_hotel(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        self.call("BookHotel", &input);
        self.reply("BookHotel", Ok(json!({"bookingId": booking_id("HTL", &input)})))
    }

    async fn book_flight(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        self.call("BookFlight", &input);
        self.reply("BookFlight", Ok(json!({"bookingId": booking_id("FLT", &input), "seat": "14C"})))
    }

    async fn book_car(&self, input: Value, context: &Value) -> Result<Value, Error> {
        // `$$.State.RetryCount`: 0 on the first attempt, 1 on the first retry.
        let retry_count = context["State"]["RetryCount"].as_u64().unwrap_or(0);
        self.log("BookCar", "<-", format_args!("{input} (attempt {})", retry_count + 1));
        let reply = if retry_count == 0 {
            Err(Error::new("CarRental.Busy", "the rental desk is busy, try again later"))
        } else if input["carAvailable"] == false {
            let pickup = input["car"]["pickup"].as_str().unwrap_or("the airport");
            Err(Error::new("CarRental.Unavailable", format!("no cars left at {pickup}")))
        } else {
            Ok(json!({"bookingId": booking_id("CAR", &input)}))
        };
        self.reply("BookCar", reply)
    }

    async fn cancel_flight(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        self.call("CancelFlight", &input);
        self.reply("CancelFlight", Ok(json!({"cancelled": input["bookingId"]})))
    }

    async fn cancel_hotel(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        self.call("CancelHotel", &input);
        self.reply("CancelHotel", Ok(json!({"cancelled": input["bookingId"]})))
    }
}

/// Runs the saga once with `input` and prints how it ended.
async fn book_trip(title: &str, execution: &str, input: Value) {
    println!("== {title}");
    let clock = RealClock;
    let info = ExecutionInfo::new(saga::WORKFLOW.name, execution, clock.now(), input.clone());
    let outcome = run(&saga::WORKFLOW, &saga::Typed(TravelAgency::new()), &clock, &info, input).await;
    println!("status: {:?}", outcome.status);
    match &outcome.output {
        Some(output) => println!("output: {output:#}"),
        None => println!("output: -"),
    }
    println!("error:  {}", outcome.error.as_deref().unwrap_or("-"));
    println!("cause:  {}", outcome.cause.as_deref().unwrap_or("-"));
    println!();
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let trip = |id: &str, car_available: bool| {
        json!({
            "tripId": id,
            "traveller": "Ada Lovelace",
            "hotel": {"city": "Lisbon", "nights": 3},
            "flight": {"from": "LHR", "to": "LIS", "date": "2025-06-01"},
            "car": {"pickup": "LIS", "days": 3},
            "carAvailable": car_available
        })
    };
    println!("running `{}` (starts at `{}`) twice\n", saga::WORKFLOW.name, saga::State::START.name());
    book_trip("trip T-1001: a car is available, every booking succeeds", "trip-T-1001", trip("T-1001", true)).await;
    book_trip("trip T-1002: no car left, the flight and the hotel are cancelled", "trip-T-1002", trip("T-1002", false))
        .await;
}

//! Start-up time of an `asl build` binary: from spawning `BIN serve --memory` to the first
//! answered request (`ListStateMachines` over HTTP), median and worst of 20 starts.
//!
//! ```sh
//! cargo run -p asl-cli -- build examples/ship/flows examples/macro/flows -o /tmp/orders --release
//! cargo run -p asl-bench --release --example ship_startup -- /tmp/orders
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STARTS: usize = 20;

fn main() -> Result<(), String> {
    let binary = std::env::args().nth(1).ok_or("give the binary built by `asl build`")?;
    let mut times = Vec::with_capacity(STARTS);
    for _ in 0..STARTS {
        let started = Instant::now();
        let mut child = Command::new(&binary)
            .args(["serve", "--memory", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {binary}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| format!("no address in {line:?}"))?
            .to_owned();
        loop {
            if answered(&address) {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err("no answer within 30 s".into());
            }
        }
        times.push(started.elapsed());
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "start to first answered request over {STARTS} starts: median {:.1} ms, fastest {:.1} ms, slowest {:.1} ms",
        ms(times[STARTS / 2]),
        ms(times[0]),
        ms(times[STARTS - 1])
    );
    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    println!("binary size: {:.1} MiB", size as f64 / (1024.0 * 1024.0));
    Ok(())
}

/// Whether `ListStateMachines` at `address` answers 200.
fn answered(address: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else { return false };
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

//! Running the runner binary: in `--jobs` processes, each over a contiguous range of
//! the manifest, reading one JSON result line per case.
//!
//! A process that dies (an abort, a stack overflow) or goes [`CASE_TIMEOUT`] without
//! reporting (an endless loop that never awaits) costs the case it was on, which fails
//! with what happened and the end of the process's stderr; a new process continues after
//! it.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::compare::Finished;
use super::scratch::Actual;

/// Real time a case may take before its runner process is stopped.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs positions `0..count` of the manifest in `jobs` processes, each committing its
/// cases' executions to `store` (`memory` or `sqlite`), and collects the results.
pub(super) fn run_all(binary: &Path, manifest: &Path, count: usize, jobs: usize, store: &str) -> Vec<Actual> {
    let mut results: Vec<Option<Actual>> = (0..count).map(|_| None).collect();
    let per_shard = count.div_ceil(jobs.max(1)).max(1);
    std::thread::scope(|scope| {
        for (k, shard) in results.chunks_mut(per_shard).enumerate() {
            scope.spawn(move || run_shard(binary, manifest, store, k * per_shard, shard));
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Actual::RunnerError("no result (an `asl test` bug)".into())))
        .collect()
}

/// Runs positions `start..start + results.len()`, starting a new process after one that
/// died or stalled.
fn run_shard(binary: &Path, manifest: &Path, store: &str, start: usize, results: &mut [Option<Actual>]) {
    let end = start + results.len();
    let mut next = start;
    while next < end {
        let spawned = Command::new(binary)
            .arg(manifest)
            .arg(next.to_string())
            .arg(end.to_string())
            .arg(store)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                for slot in results.iter_mut().skip(next - start) {
                    *slot = Some(Actual::RunnerError(format!("cannot start the runner {}: {e}", binary.display())));
                }
                return;
            }
        };
        let (sender, receiver) = mpsc::channel();
        let stdout = child.stdout.take();
        let stdout_reader = std::thread::spawn(move || {
            if let Some(stdout) = stdout {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }
        });
        let stderr_reader = read_in_background(child.stderr.take());
        let mut stalled = false;
        loop {
            match receiver.recv_timeout(CASE_TIMEOUT) {
                Ok(line) => {
                    if let Some((position, actual)) = parse_result(&line)
                        && position == next
                        && let Some(slot) = results.get_mut(next - start)
                    {
                        *slot = Some(actual);
                        next += 1;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    stalled = true;
                    let _ = child.kill();
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait();
        let _ = stdout_reader.join();
        let stderr = stderr_reader.join().unwrap_or_default();
        if next < end {
            let reason = if stalled {
                format!(
                    "no result after {} s of real time (an endless loop?); the runner was stopped",
                    CASE_TIMEOUT.as_secs()
                )
            } else {
                let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
                format!("the runner process ended ({status}) during this case\n{}", tail(&stderr, 20))
            };
            if let Some(slot) = results.get_mut(next - start) {
                *slot = Some(Actual::RunnerError(reason.trim_end().to_owned()));
            }
            next += 1;
        }
    }
}

/// Reads a child's standard error to the end on its own thread, so a child that writes a
/// lot there cannot block on a full pipe while we read its standard output.
pub(super) fn read_in_background(stderr: Option<std::process::ChildStderr>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    })
}

/// One line of the runner's output: its position and result.
fn parse_result(line: &str) -> Option<(usize, Actual)> {
    let value: Value = serde_json::from_str(line).ok()?;
    let position = usize::try_from(value.get("position")?.as_u64()?).ok()?;
    if let Some(message) = value.get("runner_error").and_then(Value::as_str) {
        return Some((position, Actual::RunnerError(message.to_owned())));
    }
    if let Some(diagnostics) = value.get("invalid").and_then(Value::as_str) {
        return Some((position, Actual::Invalid(diagnostics.to_owned())));
    }
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let finished = Finished {
        status: text("status")?,
        output: value.get("output").filter(|v| !v.is_null()).cloned(),
        error: text("error"),
        cause: text("cause"),
        history: value
            .get("history")
            .and_then(Value::as_array)
            .map(|events| events.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
    };
    Some((position, Actual::Finished(finished)))
}

/// The last `lines` lines of `text`.
pub(super) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let from = all.len().saturating_sub(lines);
    all.get(from..).unwrap_or_default().iter().flat_map(|l| [*l, "\n"]).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn result_lines() {
        let (position, actual) =
            parse_result(r#"{"status":"FAILED","output":null,"error":"E","cause":null,"position":4}"#).expect("parses");
        assert_eq!(position, 4);
        let Actual::Finished(finished) = actual else { panic!("finished") };
        assert_eq!(
            finished,
            Finished { status: "FAILED".into(), output: None, error: Some("E".into()), cause: None, history: None }
        );
        let (_, actual) = parse_result(r#"{"runner_error":"no mock","position":0}"#).expect("parses");
        assert!(matches!(actual, Actual::RunnerError(m) if m == "no mock"));
        let (_, actual) = parse_result(r#"{"invalid":"error[ASL102]","position":1}"#).expect("parses");
        assert!(matches!(actual, Actual::Invalid(m) if m == "error[ASL102]"));
        assert!(parse_result("Compiling…").is_none());
    }

    #[test]
    fn tails() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail("", 2), "");
    }
}

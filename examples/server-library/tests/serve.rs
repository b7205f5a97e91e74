//! The application's server answers the Step Functions API over HTTP with its typed
//! handlers' results.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One AWS JSON 1.0 call over a plain socket, as a client makes it; the status and body.
async fn call(address: std::net::SocketAddr, operation: &str, body: &Value) -> Result<(u16, Value), String> {
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nX-Amz-Target: AWSStepFunctions.{operation}\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.map_err(|e| e.to_string())?;
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.map_err(|e| e.to_string())?;
    let status = response.get(9..12).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let (_, body) = response.split_once("\r\n\r\n").ok_or("no body")?;
    Ok((status, serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))?))
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_handlers_answer_through_the_api() -> Result<(), String> {
    let server = example_server_library::start(([127, 0, 0, 1], 0).into()).await?;
    let address = server.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:quote";

    let (status, answer) =
        call(address, "StartSyncExecution", &json!({"stateMachineArn": arn, "input": "{\"weightKg\": 30}"})).await?;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
    let output: Value = serde_json::from_str(answer["output"].as_str().unwrap_or("null")).map_err(|e| e.to_string())?;
    assert_eq!(output, json!({"weightKg": 30, "quote": {"price": 112.5, "discounted": true}}));

    let (_, answer) =
        call(address, "StartSyncExecution", &json!({"stateMachineArn": arn, "input": "{\"weightKg\": 0}"})).await?;
    assert_eq!(
        (answer["status"].as_str(), answer["error"].as_str()),
        (Some("FAILED"), Some("Parcel.Invalid")),
        "{answer}"
    );

    let (_, described) = call(address, "DescribeStateMachine", &json!({"stateMachineArn": arn})).await?;
    assert_eq!(described["type"], "EXPRESS");
    assert!(described["definition"].as_str().is_some_and(|d| d.contains("PriceParcel")), "{described}");

    let _ = stop.send(());
    serving.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

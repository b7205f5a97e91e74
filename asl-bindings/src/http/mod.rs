//! STUB
#![allow(missing_docs, dead_code, unused_variables)]
use serde_json::Value;
pub struct Connections;
impl Connections {
    pub fn from_file(path: &std::path::Path) -> Result<Connections, String> {
        Ok(Connections)
    }
    pub fn none() -> Connections {
        Connections
    }
}
pub struct HttpInvoke;
impl HttpInvoke {
    pub fn new(connections: Connections, region: &str) -> Result<HttpInvoke, String> {
        Ok(HttpInvoke)
    }
    pub async fn invoke(&self, input: Value) -> Result<Value, asl_runtime::Error> {
        Err(asl_runtime::Error::new("stub", "stub"))
    }
}

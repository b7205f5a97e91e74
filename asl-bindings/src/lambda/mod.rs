//! STUB
#![allow(missing_docs, dead_code, unused_variables)]
use serde_json::Value;
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}
pub struct LambdaConfig {
    pub endpoint: Option<String>,
    pub region: String,
    pub credentials: Option<Credentials>,
}
impl LambdaConfig {
    pub fn from_env(endpoint_flag: Option<&str>, region: &str) -> LambdaConfig {
        LambdaConfig { endpoint: None, region: region.into(), credentials: None }
    }
}
pub struct Lambda;
impl Lambda {
    pub fn new(config: LambdaConfig) -> Result<Lambda, String> {
        Ok(Lambda)
    }
    pub async fn invoke(&self, resource: &str, input: Value) -> Result<Value, asl_runtime::Error> {
        Err(asl_runtime::Error::new("stub", "stub"))
    }
}

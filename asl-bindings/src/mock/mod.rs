//! STUB (local only, replaced by the helper's module)
#![allow(missing_docs, dead_code, unused_variables)]
use serde_json::Value;
#[derive(Debug)]
pub struct MockConfig;
impl MockConfig {
    pub fn from_file(path: &std::path::Path) -> Result<MockConfig, String> {
        Err("stub".into())
    }
    pub fn parse(text: &str, origin: &str) -> Result<MockConfig, String> {
        Err("stub".into())
    }
    pub fn test_case(&self, machine: &str, case: &str) -> Option<&TestCase> {
        None
    }
    pub fn machines(&self) -> Vec<(&str, Vec<&str>)> {
        Vec::new()
    }
}
#[derive(Debug)]
pub struct TestCase;
impl TestCase {
    pub fn mocks(&self, state: &str) -> bool {
        false
    }
    pub fn answer(&self, state: &str, invocation: u64) -> Option<Answer<'_>> {
        None
    }
}
pub enum Answer<'a> {
    Return(&'a Value),
    Throw { error: &'a str, cause: &'a str },
    Exhausted { error: &'static str, cause: String },
}
#[derive(Default)]
pub struct Invocations;
impl Invocations {
    pub fn new() -> Invocations {
        Invocations
    }
    pub fn next(&self, execution: &str, state: &str) -> u64 {
        0
    }
    pub fn forget(&self, execution: &str) {}
}

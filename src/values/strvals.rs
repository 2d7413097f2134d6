//! Placeholder until the `--set` grammar lands.
use super::node::Map;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    Json,
    Set,
    String,
    File,
    Literal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} `{arg}`: {message} at column {column}")]
pub struct SetError {
    pub flag: &'static str,
    pub arg: String,
    pub column: usize,
    pub message: String,
}

pub fn apply(
    _arg: &str,
    _kind: SetKind,
    _into: &mut Map,
    _read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), SetError> {
    Ok(())
}

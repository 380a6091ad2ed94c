//! Binary encoding of a [`Module`] (docs/format.md). To be written.

use crate::module::Module;
use alloc::vec::Vec;

/// Errors from [`decode`]: each says what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not an .espb module (bad magic)")]
    BadMagic,
}

/// Writes a module in the .espb format.
pub fn encode(_m: &Module) -> Vec<u8> {
    Vec::new()
}

/// Reads a module; never panics on any input.
pub fn decode(_bytes: &[u8]) -> Result<Module, FormatError> {
    Err(FormatError::BadMagic)
}

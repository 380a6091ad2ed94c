//! Complete verification of a decoded module before it runs. To be written.

use crate::module::Module;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("function {func}: code offset {pc}: unknown opcode {byte:#04x}")]
    UnknownOpcode { func: usize, pc: usize, byte: u8 },
}

pub fn verify(_m: &Module) -> Result<(), VerifyError> {
    Ok(())
}

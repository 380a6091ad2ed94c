//! `cargo espb inspect`: a module's header, sections, imports with their
//! hints, callbacks and code.

use crate::error::CliError;
use espb_runtime::LoadError;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The module to inspect.
    pub module: PathBuf,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let bytes = super::read_module_bytes(&self.module)?;
        let module = espb_runtime::format::decode(&bytes)
            .map_err(|e| CliError::InvalidModule { path: self.module.clone(), error: LoadError::Format(e) })?;
        println!("{}: {} bytes", self.module.display(), bytes.len());
        // A module that fails verification is still shown: that is when
        // one wants to look at it. The command fails after it, as the
        // device would refuse the module.
        let verified = espb_runtime::verify::verify(&module);
        if let Err(e) = &verified {
            println!("verification FAILED: {e}");
        }
        // With the header and section sizes when the file reads the same again.
        match espb_runtime::disasm::disassemble(&bytes) {
            Ok(text) => print!("{text}"),
            Err(_) => print!("{}", espb_runtime::disasm::disassemble_module(&module)),
        }
        verified.map_err(|e| CliError::InvalidModule { path: self.module.clone(), error: LoadError::Verify(e) })
    }
}

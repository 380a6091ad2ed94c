//! `cargo espb inspect`: a module's header, sections, imports with their
//! hints, callbacks and code.

use crate::error::CliError;
use espb_runtime::signature::{MemArg, NativeSig};
use espb_runtime::{ImportRef, LoadError, Module};
use espb_sys::Manifest;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The module to inspect.
    pub module: PathBuf,
    /// The project's symbol-table manifests (repeatable; default
    /// `symbols/custom.espbsym`), besides the standard `idf` table: the
    /// natives' signatures say which calls are checked.
    #[arg(long, value_name = "FILE")]
    pub symbols: Vec<PathBuf>,
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
        let manifests = if self.symbols.is_empty() {
            vec![PathBuf::from(crate::bind::DEFAULT_CUSTOM_MANIFEST)]
        } else {
            self.symbols.clone()
        };
        print!("{}", native_calls(&module, &crate::bind::load_tables(&manifests)?));
        verified.map_err(|e| CliError::InvalidModule { path: self.module.clone(), error: LoadError::Verify(e) })
    }
}

/// Which native calls the runtime checks, by the manifests' signatures:
/// the call sites at load, and the pointer arguments marked as memory
/// before each call (unless the firmware registers the table trusted).
fn native_calls(m: &Module, tables: &[Manifest]) -> String {
    let mut s = String::new();
    let slots: Vec<_> = m
        .imports
        .iter()
        .enumerate()
        .filter_map(|(i, imp)| match &imp.what {
            ImportRef::Slot { table, index, .. } if !imp.is_data() => Some((i, *table, *index)),
            _ => None,
        })
        .collect();
    if slots.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "native calls (signatures from the tables' manifests; pointer checks apply unless the firmware \
         registers the table trusted):"
    );
    let mut sigs: Vec<Option<&NativeSig>> = vec![None; m.imports.len()];
    for (i, t, index) in slots {
        let name = m.imports[i].name().unwrap_or("?");
        let Some(tref) = m.tables.get(usize::from(t)) else { continue };
        let manifest = tables.iter().find(|x| x.name() == tref.name);
        let line = match manifest {
            None => format!("table `{}` not known here (pass --symbols FILE): not shown", tref.name),
            Some(mf) if mf.prefix_hash(tref.count) != Some(tref.hash) => {
                format!("built against another version of table `{}`: not shown", tref.name)
            }
            Some(mf) => match mf.get(u32::from(index)).and_then(|e| e.signature.as_ref()) {
                None => "no signature: unchecked".to_string(),
                Some(sig) => {
                    sigs[i] = Some(sig);
                    format!("{sig}  {}", memory_checks(sig))
                }
            },
        };
        let _ = writeln!(s, "  i{i}: {name:<28} {line}");
    }
    for w in espb_runtime::vm::mismatched_sites(m, &sigs) {
        let _ = writeln!(s, "  REFUSED AT LOAD: {w}");
    }
    s
}

fn memory_checks(sig: &NativeSig) -> String {
    let checks: Vec<String> = sig
        .params
        .iter()
        .enumerate()
        .filter_map(|(k, p)| {
            let what = match p.mem {
                MemArg::None => return None,
                MemArg::Str => "string".to_string(),
                MemArg::Buf { len, times: None } => format!("arg {len} bytes"),
                MemArg::Buf { len, times: Some(t) } => format!("arg {len} * arg {t} bytes"),
                MemArg::Obj(n) => format!("{n} bytes"),
            };
            Some(format!("arg {k}: {what}{}", if p.nullable { " or NULL" } else { "" }))
        })
        .collect();
    if checks.is_empty() { "checked: signature".into() } else { format!("checked: signature, {}", checks.join(", ")) }
}

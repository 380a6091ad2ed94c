//! `cargo espb inspect`: a module's header, sections, imports with their
//! hints, callbacks and code.

use crate::error::CliError;
use espb_runtime::signature::{MemArg, NativeSig, ResultMem};
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
/// before each call (unless the firmware registers the table trusted);
/// and what of firmware memory the data imports and the natives' results
/// let the module reach on a device.
fn native_calls(m: &Module, tables: &[Manifest]) -> String {
    let mut s = String::new();
    let slots: Vec<_> = m
        .imports
        .iter()
        .enumerate()
        .filter_map(|(i, imp)| match &imp.what {
            ImportRef::Slot { table, index, .. } => Some((i, *table, *index)),
            _ => None,
        })
        .collect();
    if slots.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "native calls and data imports (signatures from the tables' manifests; pointer checks apply unless \
         the firmware registers the table trusted; windows: what the module reaches of firmware memory on a device):"
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
            Some(mf) => match (mf.get(u32::from(index)).and_then(|e| e.signature.as_ref()), m.imports[i].is_data()) {
                (None, false) => "no signature: unchecked".to_string(),
                (None, true) => "data, no size: no window (a device traps on a read there)".to_string(),
                (Some(sig), true) => data_window(sig),
                (Some(sig), false) => {
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

/// The window a data import gets on a device.
fn data_window(sig: &NativeSig) -> String {
    let Some(d) = sig.data else {
        return format!("REFUSED AT LOAD: imported as data, but the table declares a function {sig}");
    };
    let access = if d.writable { "read-write" } else { "read-only" };
    let through = d.points_to.map_or(String::new(), |n| format!(", and {n} bytes where it points, read-only"));
    format!("{sig}  window: {} bytes, {access}{through}", d.size)
}

/// What a native's pointer result lets the module reach.
fn result_window(sig: &NativeSig) -> Option<String> {
    Some(match sig.result_mem {
        ResultMem::None => return None,
        ResultMem::Str => "result: its string, read-only".to_string(),
        ResultMem::Obj { size, writable: false } => format!("result: {size} bytes, read-only"),
        ResultMem::Obj { size, writable: true } => format!("result: {size} bytes, read-write"),
    })
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
    let checked = if checks.is_empty() {
        "checked: signature".into()
    } else {
        format!("checked: signature, {}", checks.join(", "))
    };
    match result_window(sig) {
        Some(r) => format!("{checked}; {r}"),
        None => checked,
    }
}

//! `cargo espb monitor`'s decoding: a device prints a compact trap record
//! when a module traps ([`espb_runtime::vm::record`]); the `.espb` file
//! with that module id is looked up in the project and the record told
//! with its function names and source lines, as espflash decodes native
//! backtraces from the firmware's ELF.

use espb_runtime::Module;
use espb_runtime::vm::record::{explain, module_id, parse_trap_record};
use std::path::{Path, PathBuf};

/// The modules of a project: every `.espb` under `dir` (a few levels
/// deep; `target/` and hidden directories skipped) that decodes.
pub fn find_modules(dir: &Path) -> Vec<(PathBuf, Module)> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<(PathBuf, Module)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if depth < 4 && !name.starts_with('.') && name != "target" {
                    walk(&p, depth + 1, out);
                }
            } else if name.ends_with(".espb")
                && let Ok(bytes) = std::fs::read(&p)
                && let Ok(m) = espb_runtime::format::decode(&bytes)
            {
                out.push((p, m));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, 0, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// What to print after `line` when it is a trap record: the trap with the
/// module's names and lines, or why it cannot be told.
pub fn decode_line(line: &str, modules: &[(PathBuf, Module)]) -> Option<String> {
    let r = parse_trap_record(line)?;
    Some(match modules.iter().find(|(_, m)| module_id(m) == r.module) {
        Some((path, m)) => format!("{} ({})", explain(m, &r), path.display()),
        None => format!(
            "trap: {} in function {} at code offset {:#x} of module {:08x}, which is not in this project: \
             run the monitor in the project that built it (or `cargo espb build` it again)",
            r.kind, r.func, r.pc, r.module
        ),
    })
}

/// Copies what the device prints from `port` to `out` until `until` (for
/// ever without one), telling every trap record after its line. A read
/// that times out is no error; any other ends the monitor with it.
pub fn run(
    port: &mut dyn std::io::Read,
    modules: &[(PathBuf, Module)],
    until: Option<std::time::Instant>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut buf = [0u8; 256];
    while until.is_none_or(|u| std::time::Instant::now() < u) {
        let n = match port.read(&mut buf) {
            Ok(0) if until.is_none() => return Ok(()),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted) => 0,
            Err(e) => return Err(e),
        };
        for &b in &buf[..n] {
            let _ = out.write_all(&[b]);
            if b == b'\n' {
                if let Some(told) = decode_line(&String::from_utf8_lossy(&line), modules) {
                    let _ = writeln!(out, "{told}");
                }
                line.clear();
            } else {
                line.push(b);
            }
        }
        let _ = out.flush();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use espb_runtime::module::Function;
    use espb_runtime::vm::record::trap_record;
    use espb_runtime::vm::{Trap, TrapKind};

    /// The monitor loop passes the device's bytes through unchanged and
    /// tells each trap record after its line, split reads or not.
    #[test]
    fn the_monitor_tells_trap_records_between_the_device_lines() {
        let f = Function { ty: 0, num_regs: 2, frame_size: 0, code: b"ab".to_vec() };
        let m = Module { functions: vec![f], ..Default::default() };
        let record = trap_record(&m, &Trap { kind: TrapKind::DivideByZero, func: Some(0), pc: 0x1c }).unwrap();
        let device = format!("I (10) app: tick\r\nE (20) espb: {record}\r\nI (30) app: tock\r\n");
        // An unknown module and a device that sends in small pieces.
        struct Slow<'a>(&'a [u8]);
        impl std::io::Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(7).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        run(&mut Slow(device.as_bytes()), &[], None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(&device[..device.find("I (30)").unwrap()]), "{text}");
        assert!(text.contains("which is not in this project"), "{text}");
        assert!(text.ends_with("I (30) app: tock\r\n"), "{text}");

        let known = [(PathBuf::from("build/app.espb"), m)];
        let mut out = Vec::new();
        run(&mut Slow(device.as_bytes()), &known, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let told = text.lines().find(|l| l.starts_with("trap:")).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(told, "trap: integer divide by zero in function `func#0` at code offset 0x1c (build/app.espb)");
    }
}

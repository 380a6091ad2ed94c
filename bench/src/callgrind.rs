//! `--callgrind`: host instructions per engine, exact and repeatable where
//! wall time on a shared VM is not. The modules are built once; then one
//! child process runs every kernel through every engine under
//! `valgrind --tool=callgrind`, with collection on only inside
//! [`espb_bench_counted`] (the one kernel call after a warm-up call) and a
//! dump after each such call, so each dump holds one engine's instructions
//! for one kernel (`Ir`).

use crate::engine::{Built, Engine, with_engine};
use crate::espb::EspbModule;
use crate::kernels::{Kernel, Size};
use crate::report::{Cell, Grid, Notes, Row, format_count};
use crate::tools::find_program;
use crate::wasm::WasmToolchain;
use crate::{BenchError, Result, ScratchDir, read, write};
use std::path::Path;
use std::process::Command;

/// The function callgrind counts inside (by this unmangled name).
const COUNTED: &str = "espb_bench_counted";

/// One kernel call, the only code callgrind counts.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "Rust" fn espb_bench_counted(call: &mut crate::engine::Call<'_>, n: i32) -> Result<u32> {
    call(std::hint::black_box(n))
}

pub struct Counted {
    pub grid: Grid,
    pub notes: Notes,
    pub errors: Vec<String>,
}

/// Builds every kernel's modules into a scratch directory and counts each
/// engine under callgrind.
pub fn run(kernels: &[&'static Kernel]) -> Result<Counted> {
    let valgrind = find_program("valgrind")
        .ok_or_else(|| BenchError::new("valgrind not found in PATH: install it (Debian: `apt install valgrind`)"))?;
    let exe = std::env::current_exe().map_err(|e| BenchError::new(format!("cannot find this program: {e}")))?;
    let dir = ScratchDir::new()?;
    let wasm_tc = WasmToolchain::find();
    let mut notes = Notes::default();
    // Build failures are the parent's notes; the child finds no file.
    let mut build_notes = Vec::new();
    for k in kernels {
        eprintln!("espb-bench: building {}", k.name);
        let built = Built::new(k, &wasm_tc, &dir);
        let mut wasm_notes = [None, None];
        for (note, (wasm, ext)) in wasm_notes.iter_mut().zip([(&built.wasm, "wasm"), (&built.wasm_mvp, "mvp.wasm")]) {
            match wasm {
                Ok(w) => write(&dir.path().join(format!("{}.{ext}", k.name)), w)?,
                Err(e) => *note = Some(notes.add(e.0.clone())),
            }
        }
        let [wasmi_note, wasm3_note] = wasm_notes;
        let espb_note = match &built.espb {
            Ok(m) => {
                write(&dir.path().join(format!("{}.espb", k.name)), &m.bytes)?;
                None
            }
            Err(e) => Some(notes.add(e.0.clone())),
        };
        build_notes.push((wasmi_note, wasm3_note, espb_note));
    }
    eprintln!("espb-bench: running {} kernels under callgrind (a few minutes)", kernels.len());
    let out_pattern = dir.path().join("callgrind.out");
    let names: Vec<&str> = kernels.iter().map(|k| k.name).collect();
    let mut cmd = Command::new(valgrind);
    cmd.args(["--tool=callgrind", "--collect-atstart=no"])
        .arg(format!("--toggle-collect={COUNTED}"))
        .arg(format!("--dump-after={COUNTED}"))
        .arg(format!("--callgrind-out-file={}", out_pattern.display()))
        .arg(&exe)
        .arg("--callgrind-child")
        .arg(dir.path())
        .args(&names);
    let out = cmd.output().map_err(|e| BenchError::new(format!("cannot run valgrind: {e}")))?;
    if !out.status.success() {
        return Err(BenchError::new(format!(
            "the callgrind run failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    // The child prints one line per counted call, in dump order:
    // `<kernel> <engine> ok <result>` or `<kernel> <engine> n/a <why>`.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut dumps = dump_files(dir.path())?.into_iter();
    let mut grid = Grid::new(&Engine::ALL);
    let mut errors = Vec::new();
    let mut lines = stdout.lines();
    for (k, (wasmi_note, wasm3_note, espb_note)) in kernels.iter().zip(build_notes) {
        let case = k.case(Size::Count);
        let mut cells = Vec::new();
        for engine in Engine::ALL {
            let skipped = match engine {
                Engine::Native => None,
                Engine::Espb => espb_note,
                Engine::Wasmi => wasmi_note,
                Engine::Wasm3 => wasm3_note,
            };
            if let Some(note) = skipped {
                cells.push(Cell::NotAvailable(note));
                continue;
            }
            let line = lines.next().ok_or_else(|| BenchError::new("the callgrind child stopped early"))?;
            let mut parts = line.splitn(4, ' ');
            let (name, eng, status, rest) = (parts.next(), parts.next(), parts.next(), parts.next().unwrap_or(""));
            if name != Some(k.name) || eng != Some(engine.name()) {
                return Err(BenchError::new(format!("the callgrind child printed `{line}` out of order")));
            }
            cells.push(match status {
                Some("ok") => {
                    let dump = dumps.next().ok_or_else(|| BenchError::new("callgrind wrote fewer dumps than calls"))?;
                    let ir = instructions(&dump)?;
                    if rest != case.expect.to_string() {
                        errors.push(format!(
                            "{} on {} under callgrind returned {rest}, expected {}",
                            k.label(case.arg),
                            engine.name(),
                            case.expect
                        ));
                        Cell::Failed
                    } else {
                        Cell::Value { value: ir as f64, text: format_count(ir) }
                    }
                }
                Some("error") => {
                    dumps.next();
                    errors.push(format!("{} on {}: {rest}", k.label(case.arg), engine.name()));
                    Cell::Failed
                }
                _ => Cell::NotAvailable(notes.add(rest.to_string())),
            });
        }
        grid.rows.push(Row { label: k.label(case.arg), result: k.format_result(case.expect), cells });
    }
    Ok(Counted { grid, notes, errors })
}

/// The child: runs each named kernel's count input through every engine
/// whose module is in `dir`, the counted call after one warm-up call.
pub fn child(dir: &Path, names: &[String]) -> Result<()> {
    for name in names {
        let k = Kernel::by_name(name).ok_or_else(|| BenchError::new(format!("no kernel `{name}`")))?;
        let wasm_path = dir.join(format!("{name}.wasm"));
        let mvp_path = dir.join(format!("{name}.mvp.wasm"));
        let espb_path = dir.join(format!("{name}.espb"));
        let built = Built {
            wasm: read(&wasm_path),
            wasm_mvp: read(&mvp_path),
            espb: read(&espb_path).map(|bytes| EspbModule { core_size: bytes.len(), bytes }),
        };
        let n = k.case(Size::Count).arg;
        for engine in Engine::ALL {
            let skip = match engine {
                Engine::Native => false,
                Engine::Espb => !espb_path.exists(),
                Engine::Wasmi => !wasm_path.exists(),
                Engine::Wasm3 => !mvp_path.exists(),
            };
            if skip {
                continue;
            }
            let r = with_engine(engine, k, &built, |call| {
                call(k.case(Size::Small).arg)?; // warm-up: lazy compilation, first-call setup
                espb_bench_counted(call, n)
            });
            match r {
                Ok(Ok(v)) => println!("{name} {} ok {v}", engine.name()),
                Ok(Err(e)) => println!("{name} {} error {}", engine.name(), e.0.replace('\n', " ")),
                Err(e) => println!("{name} {} n/a {}", engine.name(), e.0.replace('\n', " ")),
            }
        }
    }
    Ok(())
}

/// callgrind.out.1, .2, ... in dump order (the last, unnumbered file is the
/// dump at exit, empty with collection off).
fn dump_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut numbered: Vec<(u32, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| BenchError::new(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let n = p.file_name()?.to_str()?.strip_prefix("callgrind.out.")?.parse().ok()?;
            Some((n, p))
        })
        .collect();
    numbered.sort();
    Ok(numbered.into_iter().map(|(_, p)| p).collect())
}

/// The `Ir` total of one callgrind dump (its `summary:` or `totals:` line).
fn instructions(path: &Path) -> Result<u64> {
    let text = String::from_utf8_lossy(&read(path)?).into_owned();
    parse_total(&text).ok_or_else(|| BenchError::new(format!("{}: no instruction total in the dump", path.display())))
}

fn parse_total(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_read_from_a_dump() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nfn=(1) x\n16 5\nsummary: 123456\n";
        assert_eq!(parse_total(dump), Some(123_456));
        assert_eq!(parse_total("events: Ir\ntotals: 42\n"), Some(42));
        assert_eq!(parse_total("events: Ir\n"), None);
    }
}

//! `--qemu` and `--footprint`: the kernels on the chips' ISA. The firmware
//! in bench/qemu/ (bare metal, rv32imc) is built with the kernels' modules
//! embedded and run on `qemu-system-riscv32 -machine virt -icount shift=0`,
//! where `minstret` counts retired instructions exactly; `--footprint`
//! builds it at opt-level "z" without an engine, with the espb runtime and
//! with wasm3, and compares their sizes (llvm-size).

use crate::engine::{Built, Engine};
use crate::kernels::{Kernel, Size};
use crate::report::Table;
use crate::report::{Cell, Grid, Notes, Row, format_count};
use crate::tools::{find_first, find_program, output, run as run_cmd};
use crate::wasm::WasmToolchain;
use crate::{BenchError, Result, ScratchDir, write};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TARGET: &str = "riscv32imc-unknown-none-elf";
/// The engines the firmware runs (wasmi is not built for the chip).
pub const ENGINES: [Engine; 3] = [Engine::Native, Engine::Espb, Engine::Wasm3];
/// `--quick`: these kernels, small inputs.
const QUICK: [&str; 3] = ["fib", "coremark", "crc32"];

/// espb's or wasm3's memory for one kernel (bytes), from the firmware's
/// `ram` line.
pub struct Ram {
    pub kernel: &'static str,
    pub engine: Engine,
    /// The decoded module (espb; wasm3 keeps it in its runtime).
    pub module: usize,
    /// What instantiating adds: linear memory, register file, frames.
    pub instance: usize,
    /// The most the counted call added on top.
    pub call: usize,
    /// Linear memory alone.
    pub memory: usize,
    /// Native stack the counted call used.
    pub stack: usize,
}

pub struct Qemu {
    pub grid: Grid,
    pub ram: Vec<Ram>,
    pub notes: Notes,
    pub errors: Vec<String>,
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<cargo target dir>/espb-bench-qemu`: next to this program's own build,
/// with its own target dir, so the inner cargo never waits for the outer.
fn work_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| BenchError::new(format!("cannot find this program: {e}")))?;
    let target =
        exe.parent().and_then(Path::parent).ok_or_else(|| BenchError::new("this program has no target dir"))?;
    Ok(target.join("espb-bench-qemu"))
}

fn check_tools() -> Result<()> {
    if find_program("qemu-system-riscv32").is_none() {
        return Err(BenchError::new(
            "qemu-system-riscv32 not found: install it (Debian: `apt install qemu-system-misc`; scripts/setup.sh does)",
        ));
    }
    let libdir = output(Command::new("rustc").args(["--print", "target-libdir", "--target", TARGET]))
        .map(PathBuf::from)
        .filter(|d| {
            std::fs::read_dir(d)
                .is_ok_and(|mut r| r.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libcore"))))
        });
    if libdir.is_none() {
        return Err(BenchError::new(format!(
            "the Rust target {TARGET} is not installed: `rustup target add {TARGET}`"
        )));
    }
    Ok(())
}

/// The directory of wasm3's C sources in the wasm3-sys crate the PC column
/// builds (so both columns run the same wasm3), from `cargo metadata`.
fn wasm3_source() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--format-version", "1", "--manifest-path"]).arg(bench_dir().join("Cargo.toml"));
    let out = cmd.output().map_err(|e| BenchError::new(format!("cannot run cargo metadata: {e}")))?;
    if !out.status.success() {
        return Err(BenchError::new(format!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| BenchError::new(format!("cargo metadata printed no JSON: {e}")))?;
    let manifest = meta["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "wasm3-sys"))
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| BenchError::new("cargo metadata lists no wasm3-sys package"))?;
    let src = Path::new(manifest).with_file_name("wasm3").join("source");
    if !src.join("wasm3.h").is_file() {
        return Err(BenchError::new(format!("{}: no wasm3.h (is wasm3-sys downloaded? `cargo fetch`)", src.display())));
    }
    Ok(src)
}

/// A kernel's modules that did not build: their footnotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Unbuilt {
    espb: Option<usize>,
    wasm3: Option<usize>,
}

/// Writes the kernel list and modules the firmware's build.rs reads;
/// returns the list's path and a footnote per module that did not build.
fn write_modules(
    kernels: &[&'static Kernel],
    size: Size,
    dir: &Path,
    notes: &mut Notes,
) -> Result<(PathBuf, Vec<Unbuilt>)> {
    let _ = std::fs::remove_dir_all(dir); // stale modules must not stand in for failed builds
    std::fs::create_dir_all(dir).map_err(|e| BenchError::new(format!("cannot create {}: {e}", dir.display())))?;
    let scratch = ScratchDir::new()?;
    let wasm_tc = WasmToolchain::find();
    let mut list = String::new();
    let mut missing = Vec::new();
    for k in kernels {
        let case = k.case(size);
        list.push_str(&format!("{} {} {} {}\n", k.name, case.arg, case.expect, k.small.arg));
        let built = Built::new(k, &wasm_tc, &scratch);
        let espb = match &built.espb {
            Ok(m) => write(&dir.join(format!("{}.espb", k.name)), &m.bytes).map(|()| None)?,
            Err(e) => Some(notes.add(e.0.clone())),
        };
        let wasm = match &built.wasm_mvp {
            Ok(w) => write(&dir.join(format!("{}.wasm", k.name)), w).map(|()| None)?,
            Err(e) => Some(notes.add(e.0.clone())),
        };
        missing.push(Unbuilt { espb, wasm3: wasm });
    }
    let path = dir.join("kernels.txt");
    write(&path, list.as_bytes())?;
    Ok((path, missing))
}

/// Builds the firmware; returns the ELF.
fn build_firmware(work: &Path, list: &Path, features: &[&str], profile: &str) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = work.join("target");
    let mut cmd = Command::new(cargo);
    cmd.current_dir(bench_dir().join("qemu"))
        .args(["build", "--quiet", "--profile", profile, "--target", TARGET, "--no-default-features"])
        .arg(format!("--features={}", features.join(",")))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("ESPB_BENCH_QEMU_KERNELS", list)
        .env("ESPB_BENCH_WASM3_SRC", wasm3_source()?);
    if let Some(clang) = find_first(&["clang-22", "clang"]) {
        cmd.env("ESPB_BENCH_CLANG", std::env::var_os("ESPB_BENCH_CLANG").unwrap_or(clang.into_os_string()));
    }
    // Flags meant for the host build must not reach the bare-metal one.
    for v in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(v);
    }
    run_cmd(
        &mut cmd,
        &format!(
            "building the QEMU firmware ({})",
            if features.is_empty() { "no engine".into() } else { features.join(", ") }
        ),
    )?;
    let dir = if profile == "dev" { "debug" } else { profile };
    Ok(target_dir.join(TARGET).join(dir).join("espb-bench-qemu"))
}

/// Runs the firmware on QEMU with exact instruction counting; its UART output.
fn run_firmware(elf: &Path, timeout: Duration) -> Result<String> {
    let mut child = Command::new("qemu-system-riscv32")
        .args(["-machine", "virt", "-bios", "none", "-m", "256M", "-nographic", "-icount", "shift=0", "-kernel"])
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BenchError::new(format!("cannot start qemu-system-riscv32: {e}")))?;
    let mut stdout = child.stdout.take().ok_or_else(|| BenchError::new("no QEMU stdout"))?;
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(BenchError::new(format!("waiting for QEMU: {e}"))),
        }
    };
    let out = String::from_utf8_lossy(&reader.join().unwrap_or_default()).replace('\r', "");
    match status {
        None => {
            Err(BenchError::new(format!("QEMU did not finish within {} s; output so far:\n{out}", timeout.as_secs())))
        }
        // The firmware exits 1 when a result is wrong: the lines say which.
        Some(_) if out.contains("\ndone ") || out.starts_with("done ") => Ok(out),
        Some(s) => Err(BenchError::new(format!("the firmware failed (QEMU {s}):\n{out}"))),
    }
}

/// Builds and runs the counting firmware for `kernels` (count inputs, or
/// small inputs and three kernels with `quick`).
pub fn run(kernels: &[&'static Kernel], quick: bool) -> Result<Qemu> {
    check_tools()?;
    let (kernels, size): (Vec<&'static Kernel>, Size) = if quick {
        let picked: Vec<_> = kernels.iter().copied().filter(|k| QUICK.contains(&k.name)).collect();
        (if picked.is_empty() { kernels.to_vec() } else { picked }, Size::Small)
    } else {
        (kernels.to_vec(), Size::Count)
    };
    let work = work_dir()?;
    let mut notes = Notes::default();
    eprintln!("espb-bench: building {} kernels' modules", kernels.len());
    let (list, missing) = write_modules(&kernels, size, &work.join("modules"), &mut notes)?;
    eprintln!("espb-bench: building the rv32imc firmware (native, espb, wasm3)");
    let elf = build_firmware(&work, &list, &["native", "espb", "wasm3"], "release")?;
    eprintln!("espb-bench: running it under qemu-system-riscv32 -icount shift=0");
    let out = run_firmware(&elf, Duration::from_secs(if quick { 120 } else { 1200 }))?;
    parse(&kernels, size, &out, &missing, notes)
}

/// The firmware's lines by (tag, kernel, engine): `run fib espb 46368 1234`
/// gives ("run", "fib", "espb") -> "46368 1234".
fn lines(out: &str) -> HashMap<(&str, &str, &str), &str> {
    out.lines()
        .filter_map(|l| {
            let mut p = l.splitn(4, ' ');
            Some(((p.next()?, p.next()?, p.next()?), p.next().unwrap_or("")))
        })
        .collect()
}

fn parse(kernels: &[&'static Kernel], size: Size, out: &str, missing: &[Unbuilt], notes: Notes) -> Result<Qemu> {
    let lines = lines(out);
    let mut grid = Grid::new(&ENGINES);
    let mut ram = Vec::new();
    let mut errors = Vec::new();
    for (k, unbuilt) in kernels.iter().zip(missing) {
        let case = k.case(size);
        let label = k.label(case.arg);
        let mut cells = Vec::new();
        for engine in ENGINES {
            let skipped = match engine {
                Engine::Espb => unbuilt.espb,
                Engine::Wasm3 => unbuilt.wasm3,
                Engine::Native | Engine::Wasmi => None,
            };
            if let Some(n) = skipped {
                cells.push(Cell::NotAvailable(n));
                continue;
            }
            let get = |tag| lines.get(&(tag, k.name, engine.name())).copied();
            if let Some(why) = get("na") {
                errors.push(format!("{label} on {} (QEMU): {why}", engine.name()));
                cells.push(Cell::Failed);
                continue;
            }
            let numbers = |tag| -> Option<Vec<u64>> {
                get(tag).map(|v| v.split_whitespace().filter_map(|v| v.parse().ok()).collect())
            };
            let Some([result, instructions]) = numbers("run").as_deref().and_then(|v| <[u64; 2]>::try_from(v).ok())
            else {
                return Err(BenchError::new(format!(
                    "the firmware printed no result for {label} on {}:\n{out}",
                    engine.name()
                )));
            };
            if result != u64::from(case.expect) {
                errors.push(format!(
                    "{label} on {} (QEMU) returned {}, expected {}",
                    engine.name(),
                    k.format_result(result as u32),
                    k.format_result(case.expect)
                ));
                cells.push(Cell::Failed);
                continue;
            }
            cells.push(Cell::Value { value: instructions as f64, text: format_count(instructions) });
            if let Some([module, instance, call, memory, stack]) =
                numbers("ram").as_deref().and_then(|v| <[u64; 5]>::try_from(v).ok())
            {
                let b = |v: u64| v as usize;
                ram.push(Ram {
                    kernel: k.name,
                    engine,
                    module: b(module),
                    instance: b(instance),
                    call: b(call),
                    memory: b(memory),
                    stack: b(stack),
                });
            }
        }
        grid.rows.push(Row { label, result: k.format_result(case.expect), cells });
    }
    Ok(Qemu { grid, ram, notes, errors })
}

pub fn print(q: &Qemu) {
    println!();
    println!("espb-bench --qemu: retired instructions (minstret) of one call on rv32imc,");
    println!("qemu-system-riscv32 -machine virt -icount shift=0");
    println!("  native  clang --target=riscv32 -march=rv32imc -O2, bare metal");
    println!("  espb    espb-runtime for {TARGET} (Rust opt-level 3, LTO), the same .espb as on the PC");
    println!("  wasm3   wasm3 0.4.7 (the wasm3-sys crate's C) built with clang -O2 for rv32imc, the same");
    println!("          MVP .wasm as on the PC");
    println!();
    q.grid.print(&[(Engine::Espb, Engine::Native), (Engine::Espb, Engine::Wasm3), (Engine::Wasm3, Engine::Native)]);
    println!();
    println!("  ratios are instructions / instructions: lower is better for the left-hand engine.");
    if !q.ram.is_empty() {
        println!();
        println!("RAM per instance (bytes of heap; stack = native stack of the call):");
        let mut t = Table::new(
            ["kernel", "engine", "module", "instance", "linear memory", "VM state", "call adds", "stack"]
                .map(String::from)
                .to_vec(),
        );
        for r in &q.ram {
            t.push(vec![
                r.kernel.to_string(),
                r.engine.name().to_string(),
                if r.engine == Engine::Wasm3 { "-".into() } else { r.module.to_string() },
                r.instance.to_string(),
                r.memory.to_string(),
                r.instance.saturating_sub(r.memory).to_string(),
                r.call.to_string(),
                r.stack.to_string(),
            ]);
        }
        t.print();
        println!();
        println!("  module: the decoded module (code, data, tables); instance: what instantiating");
        println!("  and a warm-up call added: linear memory (data, heap, stack of the C code) plus");
        println!("  VM state (espb: register file, call frames, instance tables; wasm3: also the");
        println!("  parsed and compiled module and its 64 KiB value stack); call adds: the most the");
        println!("  counted call allocated on top; stack: the native stack the counted call used.");
    }
    if !q.notes.is_empty() {
        println!();
        q.notes.print();
    }
}

/// `llvm-size` of one firmware build.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sections {
    pub text: u64,
    pub data: u64,
    pub bss: u64,
}

pub struct Footprint {
    pub base: Sections,
    pub builds: Vec<(&'static str, Result<Sections>)>,
}

/// Builds the firmware at opt-level "z" with no engine, with the espb
/// runtime and with wasm3, each embedding the same fib module bytes, and
/// measures each with llvm-size.
pub fn footprint() -> Result<Footprint> {
    check_tools()?;
    let size_tool = find_first(&["llvm-size-22", "llvm-size"])
        .ok_or_else(|| BenchError::new("llvm-size not found: install llvm (Debian: `apt install llvm-22`)"))?;
    let work = work_dir()?.join("footprint");
    let fib = Kernel::by_name("fib").ok_or_else(|| BenchError::new("no fib kernel"))?;
    let mut notes = Notes::default();
    let (list, missing) = write_modules(&[fib], Size::Small, &work.join("modules"), &mut notes)?;
    if missing[0] != (Unbuilt { espb: None, wasm3: None }) {
        return Err(BenchError::new(format!("fib did not build for the footprint firmware: {notes:?}")));
    }
    let measure = |features: &[&str]| -> Result<Sections> {
        eprintln!(
            "espb-bench: building the footprint firmware ({})",
            if features.is_empty() { "no engine".to_string() } else { features.join(", ") }
        );
        let elf = build_firmware(&work, &list, features, "footprint")?;
        let text = output(Command::new(&size_tool).args(["-A", "-d"]).arg(&elf))
            .ok_or_else(|| BenchError::new(format!("llvm-size failed on {}", elf.display())))?;
        Ok(parse_size(&text))
    };
    let base = measure(&[])?;
    let builds = vec![("espb runtime", measure(&["espb"])), ("wasm3", measure(&["wasm3"]))];
    Ok(Footprint { base, builds })
}

/// Sums `llvm-size -A` sections: flash = .text + .rodata (+ .data's image),
/// RAM = .data + .bss (without the firmware's stack).
fn parse_size(text: &str) -> Sections {
    let mut s = Sections::default();
    for l in text.lines() {
        let mut p = l.split_whitespace();
        let (Some(name), Some(size)) = (p.next(), p.next().and_then(|v| v.parse::<u64>().ok())) else { continue };
        match name {
            ".text" | ".rodata" => s.text += size,
            ".data" | ".sdata" => s.data += size,
            ".bss" | ".sbss" => s.bss += size,
            _ => {}
        }
    }
    s
}

pub fn print_footprint(f: &Footprint) {
    println!();
    println!("espb-bench --footprint: flash footprint on {TARGET}, Rust opt-level \"z\" + LTO, C -Oz,");
    println!("llvm-size of the same firmware without an engine and with one (each embeds the same");
    println!("fib module and runs it once: load, verify, instantiate, call).");
    println!();
    let mut t = Table::new(
        ["build", "code+rodata", "data", "bss", "flash added", "static RAM added"].map(String::from).to_vec(),
    );
    let row = |name: &str, s: &Sections, added: Option<(i64, i64)>| {
        vec![
            name.to_string(),
            s.text.to_string(),
            s.data.to_string(),
            s.bss.to_string(),
            added.map_or(String::new(), |(f, _)| format!("{f}")),
            added.map_or(String::new(), |(_, r)| format!("{r}")),
        ]
    };
    t.push(row("no engine", &f.base, None));
    for (name, s) in &f.builds {
        match s {
            Ok(s) => {
                let flash = (s.text + s.data) as i64 - (f.base.text + f.base.data) as i64;
                let ram = (s.data + s.bss) as i64 - (f.base.data + f.base.bss) as i64;
                t.push(row(name, s, Some((flash, ram))));
            }
            Err(e) => t.push(vec![name.to_string(), format!("n/a: {}", e.0.lines().next().unwrap_or(""))]),
        }
    }
    t.print();
    println!();
    println!("  flash added = (code + rodata + data) - the no-engine build's; bytes.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmware_lines_are_keyed() {
        let l = lines("run fib espb 46368 1234\nram fib espb 1 2 3 4 5\ndone 3 runs\n");
        assert_eq!(l.get(&("run", "fib", "espb")), Some(&"46368 1234"));
        assert_eq!(l.get(&("ram", "fib", "espb")), Some(&"1 2 3 4 5"));
        assert_eq!(l.get(&("run", "fib", "wasm3")), None);
    }

    #[test]
    fn llvm_size_sections_are_summed() {
        let s = parse_size(
            "x.elf  :\nsection size addr\n.text 1000 0\n.rodata 200 0\n.sdata 8 0\n.bss 64 0\n.stack 99 0\nTotal 1371\n",
        );
        assert_eq!((s.text, s.data, s.bss), (1200, 8, 64));
    }
}

//! Live push for real: the RISC-V test firmware (tests/qemu, mode 5) runs
//! espb-runtime's push loader on its UART, which QEMU exposes as a
//! pseudo-terminal; `cargo espb push --port /dev/pts/N` talks to it as it
//! would to a board. The module partition is RAM that QEMU's loader fills
//! with what `cargo espb flash --module` writes (module v1 in slot A).
//!
//! One QEMU run, in order: v1 runs from the partition; v2 is pushed and
//! replaces it without a reset (`-no-reboot`: a reset would end QEMU); a
//! module bound to another `custom` table is refused before anything is
//! written; a module that traps in its entry and one that traps 100 ms
//! into its trial are rolled back to v2; a module larger than a slot is
//! refused by the host; a truncated push, a corrupted one, a push while
//! another is in progress and an oversized one (sent by hand) are refused
//! by the firmware. v2 runs on through all of it.
//!
//! Skipped, loudly, when qemu-system-riscv32 or the riscv32imc target is
//! missing (scripts/setup.sh installs them).

use cargo_espb::push::{PushError, Session};
use espb_runtime::push::frame::{Refusal, Reply, Request};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod qemu_common;
use qemu_common::{build_firmware, check, have_qemu, have_target, root};

const TARGET: &str = "riscv32imc-unknown-none-elf";

fn espb() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
    c.current_dir(root());
    c
}

/// tests/qemu/app/`name`.c built against the SDK headers, with `symbols`
/// as its `custom` table if given.
fn module(name: &str, symbols: Option<&str>) -> PathBuf {
    let out = work_dir().join(format!("{name}.espb"));
    let mut c = espb();
    c.args(["build", &format!("tests/qemu/app/{name}.c"), "-o"]).arg(&out);
    if let Some(s) = symbols {
        c.args(["--symbols", s]);
    }
    c.args(["--", "-I", "espb-sys/sdk/include"]);
    check(c.output().unwrap(), &format!("cargo espb build {name}.c"));
    out
}

fn work_dir() -> PathBuf {
    qemu_common::work_dir("qemu-push")
}

fn have_tools() -> bool {
    let have = have_qemu() && have_target(TARGET) && std::env::var_os("CI_NO_QEMU").is_none();
    if !have {
        eprintln!(
            "\n!!! SKIPPED qemu_push: qemu-system-riscv32 or the {TARGET} target is missing (scripts/setup.sh)\n"
        );
    }
    have
}

/// The firmware, with the module of mode 0 it always embeds.
fn firmware() -> PathBuf {
    let embedded = module("main", Some("tests/qemu/app/custom.espbsym"));
    build_firmware(TARGET, &work_dir(), &embedded)
}

/// QEMU, killed when dropped.
struct Qemu(Child);

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the firmware in mode 5 with `partition` as its module partition;
/// returns QEMU and the pseudo-terminal of its UART.
fn start(elf: &Path, partition: &Path) -> (Qemu, String) {
    let mut child = Command::new("qemu-system-riscv32")
        .args(["-machine", "virt", "-bios", "none", "-display", "none", "-monitor", "none", "-no-reboot"])
        .args(["-serial", "pty"])
        .args(["-device", "loader,addr=0x84000000,data=5,data-len=4"])
        .arg("-device")
        .arg(format!("loader,file={},addr=0x86000000,force-raw=on", partition.display()))
        .arg("-kernel")
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cannot start qemu-system-riscv32");
    // "char device redirected to /dev/pts/N (label serial0)", on stdout.
    let mut said = child.stdout.take().unwrap();
    let mut text = Vec::new();
    let mut b = [0u8; 1];
    let start = Instant::now();
    while !String::from_utf8_lossy(&text).contains(" (label") && start.elapsed() < Duration::from_secs(10) {
        match said.read(&mut b) {
            Ok(1) => text.push(b[0]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&text).into_owned();
    let pty = text
        .split("redirected to ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap_or_else(|| panic!("QEMU named no pseudo-terminal: {text}"))
        .to_string();
    (Qemu(child), pty)
}

fn open(pty: &str) -> Box<dyn serialport::SerialPort> {
    serialport::new(pty, 115_200).timeout(Duration::from_millis(20)).open().expect("opening the UART's pty")
}

/// What the UART says within `time`, until `until` appears.
fn listen(pty: &str, time: Duration, until: &str) -> String {
    let mut port = open(pty);
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let start = Instant::now();
    while start.elapsed() < time && !String::from_utf8_lossy(&out).contains(until) {
        if let Ok(n) = port.read(&mut buf) {
            out.extend_from_slice(&buf[..n]);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `cargo espb push` of `module`; its exit status, stdout (the device's
/// output) and stderr.
fn push(pty: &str, module: &Path, extra: &[&str]) -> (bool, String, String) {
    let out = espb().arg("push").arg(module).args(["--port", pty]).args(extra).output().unwrap();
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), s(&out.stdout), s(&out.stderr))
}

/// A miette report as one line (it wraps at 80 columns).
fn flat(report: &str) -> String {
    report.lines().map(|l| l.trim().trim_start_matches(['│', '×', ' '])).collect::<Vec<_>>().join(" ")
}

/// Asserts that the push failed with `message` on stderr.
fn refused(r: (bool, String, String), message: &str) -> String {
    let (ok, out, err) = r;
    let err = flat(&err);
    assert!(!ok && err.contains(message), "expected a refusal with `{message}`:\n{err}\n--- device:\n{out}");
    out
}

#[test]
fn live_push_switches_refuses_and_rolls_back_under_qemu() {
    if !have_tools() {
        return;
    }
    let elf = firmware();
    let v1 = module("push_v1", None);
    let v2 = module("push_v2", None);
    let other = module("push_other", Some("tests/qemu/app/other_table/custom.espbsym"));
    let trap = module("push_trap", None);
    let late = module("push_late_trap", None);
    let big = module("push_big", None);

    // The partition as `cargo espb flash --module` leaves it: v1 in slot A.
    let v1_bytes = std::fs::read(&v1).unwrap();
    let mut image = espb_runtime::format::partition::wrap(&v1_bytes).unwrap();
    image.resize(64 * 1024, 0xFF);
    let partition = work_dir().join("partition.bin");
    std::fs::write(&partition, &image).unwrap();
    let (mut qemu, pty) = start(&elf, &partition);

    let out = listen(&pty, Duration::from_secs(20), "v1 tick 3");
    assert!(out.contains("v1 tick 3"), "v1 does not run from slot A:\n{out}");

    // v2 replaces v1 without a reset.
    let (ok, out, err) = push(&pty, &v2, &["--listen", "0.5"]);
    assert!(ok, "the push of v2 failed:\n{err}\n--- device:\n{out}");
    assert!(err.contains("Loader on ") && err.contains("running slot A, idle"), "{err}");
    assert!(err.contains("Done: the new module runs from slot B and passed its trial"), "{err}");
    let after = out.split("v2 started").nth(1).unwrap_or_else(|| panic!("v2 did not start:\n{out}"));
    assert!(out.contains("espb: switching to the module pushed to slot B"), "{out}");
    assert!(after.contains("v2 tick 3") && !after.contains("v1 tick"), "v1 still runs after the switch:\n{out}");
    assert!(after.contains("espb: the module in slot B passed its trial"), "{out}");

    // Another table: refused before anything is written.
    let out =
        refused(push(&pty, &other, &[]), "does not fit this firmware's symbol tables: symbol table `custom` differs");
    assert!(!out.contains("switching"), "{out}");

    // A trap in the entry, then one within the trial: back to v2 each time.
    let out = refused(push(&pty, &trap, &[]), "the new module failed on the device (trap: ");
    assert!(out.contains("trap module started") && out.contains("rolling back to slot B"), "{out}");
    let (_, out, err) = push(&pty, &late, &[]);
    let err = flat(&err);
    assert!(
        err.contains("failed on the device (trap: integer divide by zero") && err.contains("(slot B) runs again"),
        "{err}\n--- device:\n{out}"
    );
    assert!(out.contains("late trap module divides by zero") && out.contains("v2 started"), "{out}");
    // The device's compact trap record, told with the project's modules as
    // `cargo espb monitor` tells it.
    let record = out.lines().find(|l| l.starts_with("espb-trap: ")).unwrap_or_else(|| panic!("no trap record:\n{out}"));
    let modules = cargo_espb::monitor::find_modules(&work_dir());
    let told = cargo_espb::monitor::decode_line(record, &modules).unwrap();
    assert!(
        told.starts_with("trap: integer divide by zero in function `later` at push_late_trap.c:12 (")
            && told.ends_with("push_late_trap.espb)"),
        "{told}"
    );

    // Larger than a slot: the host does not even send it.
    refused(push(&pty, &big, &[]), "a slot of the device's module partition holds at most 28656");

    // Bad pushes by hand: the firmware refuses each, v2 runs on.
    let v2_bytes = std::fs::read(&v2).unwrap();
    let tables = espb_runtime::format::decode(&v2_bytes).unwrap().tables;
    let begin = |length: u32, crc32| Request::Begin { length, crc32, tables: tables.clone() };
    let data = |from: usize, to: usize| Request::Data { offset: from as u32, bytes: v2_bytes[from..to].to_vec() };
    let len = v2_bytes.len();
    let mut s = Session::new(open(&pty), |_: &[u8]| {});
    let mut ask = |r: Request| -> Reply { s.request(&r).unwrap_or_else(|e: PushError| panic!("{e}")) };
    assert_eq!(ask(begin(len as u32, crc32fast::hash(&v2_bytes))), Reply::Ack { next: 0 });
    assert_eq!(ask(data(0, 100)), Reply::Ack { next: 100 });
    assert!(
        matches!(ask(begin(len as u32, 0)), Reply::Refused(Refusal::Busy(m)) if m.contains("another push is in progress (100 of"))
    );
    assert_eq!(ask(Request::End), Reply::Refused(Refusal::Truncated { got: 100, expected: len as u32 }));
    assert_eq!(ask(begin(len as u32, 0x1234_5678)), Reply::Ack { next: 0 });
    assert_eq!(ask(data(0, len)), Reply::Ack { next: len as u32 });
    assert!(matches!(ask(Request::End), Reply::Refused(Refusal::Corrupt { expected: 0x1234_5678, .. })));
    assert_eq!(ask(begin(40_000, 0)), Reply::Refused(Refusal::TooLarge { length: 40_000, capacity: 28_656 }));
    assert_eq!(ask(Request::End), Reply::Refused(Refusal::NotReceiving));
    assert!(matches!(ask(Request::Hello), Reply::Status { slot: Some(1), text, .. } if text == "idle"));
    drop(s);

    let out = listen(&pty, Duration::from_secs(10), "v2 tick");
    assert!(out.contains("v2 tick"), "v2 stopped:\n{out}");
    assert!(qemu.0.try_wait().unwrap().is_none(), "the firmware reset or ended");
}

//! Real native calls under QEMU: builds tests/qemu/app/main.c into an .espb
//! module (bound to tests/qemu/app/custom.espbsym), builds the bare-metal
//! firmware crate tests/qemu (espb-runtime's `DeviceHost` and the natives,
//! some of them C variadic functions) once per RISC-V ABI of the ESP32 line,
//! runs each on `qemu-system-riscv32 -machine virt` and compares the UART
//! output with the values checked by hand below:
//!
//! * riscv32imc-unknown-none-elf: ilp32, soft float (ESP32-C2/C3/C6/H2);
//! * riscv32imafc-unknown-none-elf: ilp32f, f32 arguments in fa0..fa7
//!   (ESP32-P4); the firmware switches the FPU on and natives.c is compiled
//!   with `-mabi=ilp32f`.
//!
//! The same module runs on both: its call sites carry C signatures, and the
//! runtime lowers them onto whichever ABI it was built for. The firmware
//! then runs the module again from C through the C API (espb-capi) with the
//! C table espb-sys generates for ESP-IDF (tests/qemu/capi_test.c).
//!
//! The same firmware, started in its `rtos` mode, runs the scheduler it
//! carries for modules' task and timer natives (tests/qemu/src/rtos) with
//! native Rust tasks, under `-icount` so virtual time is deterministic.
//!
//! Each case is skipped, loudly, when qemu-system-riscv32 or its rustup
//! target is missing; scripts/setup.sh installs them.

mod qemu_common;
use qemu_common::{build_firmware, have_qemu, have_target, root, run};

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A firmware build: its rustup target and the ABI espb-runtime must pick
/// for it (printed by the firmware).
struct Firmware {
    target: &'static str,
    abi: &'static str,
}

const ILP32: Firmware = Firmware { target: "riscv32imc-unknown-none-elf", abi: "RISC-V ilp32" };
const ILP32F: Firmware = Firmware { target: "riscv32imafc-unknown-none-elf", abi: "RISC-V ilp32f" };

/// What the module prints through its natives (it runs twice).
macro_rules! module_output {
    () => {
        "\
print_i32: 42
print_i32: -7
print_str: hello from the module
print_str: on stack
sum6_i64(1, 4294967296, 3, -5, 2.5)
sum6_i64 = 4294967300
spill_split(1, 2, 3, 4, 5, 6, 7, 0x700000008, 9)
spill_split = 30064771117
mix_f32(1.5, 3, 0.25)
mix_f32 = 4.75
stack_i64(1, 2, 3, 4, 5, 6, 7, 8, 9, 10000000000, 0.5)
stack_i64 = 10000000045.5
mixed: 1 -2 3.5 four 5
a7 skipped: 1 2 3 4 5 6 4886718345 8
doubles: 0.5 1.5 -2.25 10000000000 3
many_f32(0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, -6, 7.25, 8.75)
many_f32 = 37.5
f32_spill(1, 2, 3, 4, 5, 6, 7, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, -0.125, 10.5)
f32_spill = 88.375
vscale(2, 4: 0.5 1.25 -4 100)
vscale = 195.5
ld_pick(1, 16381:93824992236885, 16383:140737488355328)
ld_pick = 1500
ld_nth(9: 16382:0 16383:140737488355328 16384:70368744177664 16384:211106232532992 16385:35184372088832 \
16385:105553116266496 16385:175921860444160 16385:246290604621824 16386:17592186044416 49151:0)
ld_nth = -1000000
fill_buf wrote 7: abcdefg
firmware string: 16 chars, checksum 13013, copy: firmware says hi
"
    };
}

/// What the firmware prints after its first line (which names the ABI).
/// The natives echo the arguments they received, so a misplaced register or
/// stack word shows up at the native. Values:
/// sum6_i64 = 1 + 2^32 + 3 - 5 + (int)(2.5*2) = 4294967300;
/// spill_split = (1+..+7) + 9 + 0x7_0000_0008 = 30064771117;
/// mix_f32 = 1.5*3 + 0.25 = 4.75; stack_i64 = (1+..+9) + 1e10 + 0.5;
/// 0x123456789 = 4886718345;
/// many_f32 = (0.5+1+..+5) - 6 + 7.25 + 8.75 = 27.5 + 10 = 37.5;
/// f32_spill = (1+..+7) + (0.5+1.5+..+9.5) - 0.125 + 10.5 = 28 + 50 + 10.375
/// = 88.375; vscale = 2 * (0.5 + 1.25 - 4 + 100) = 195.5; the long doubles
/// echo their top word as sign and exponent : top 48 fraction bits
/// (1/3 = 0x3FFD_5555.., 1.5 = 0x3FFF_8000..), 1/3 * 3 rounds to 1 exactly.
/// Floats print as Rust's `Display`.
///
/// After the Rust run, the same module through the C API (espb-capi,
/// tests/qemu/capi_test.c) with the generated C table (`espb_symtab_custom`,
/// whose `name` field it prints), and two refusals with their
/// `espb_last_detail` text; the module hash is that of app/custom.espbsym,
/// the firmware's is capi_test.c's 0x12345678 + 13 (14 slots).
const EXPECTED_REST: &str = concat!(
    "\
module memory at its native address: yes
",
    module_output!(),
    "main returned 7
capi: table `custom`, 14 slots
",
    module_output!(),
    "\
capi: espb_run_with main: 0 (ok)
capi:   detail: `main` returned 7
capi: main returned 7
capi: renumbered table: 5 (symbol table missing or different from the module's)
capi:   detail: symbol table `custom` differs: the module's first 14 slots hash to 0xbcd2384f, \
the firmware's to 0x12345685; the manifest was renumbered or the module is for another firmware: \
rebuild the module
capi: missing entry: 8 (no such entry function)
capi:   detail: the module has no function `no_such_function`; define it (non-static) in the module's source, \
or run another entry
"
);

fn skip(fw: &Firmware, why: &str) {
    eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    eprintln!("!!! SKIPPED qemu_riscv ({}): {why}", fw.abi);
    eprintln!("!!! run scripts/setup.sh to install qemu-system-riscv32 and the {} target", fw.target);
    eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
}

fn work_dir() -> PathBuf {
    qemu_common::work_dir("qemu-riscv")
}

/// The module, built once for both firmware builds (the tests run in
/// parallel; the second waits here).
fn module() -> &'static Path {
    static MODULE: OnceLock<PathBuf> = OnceLock::new();
    MODULE.get_or_init(|| {
        let module = work_dir().join("app.espb");
        run(
            Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
                .current_dir(root())
                .args(["build", "tests/qemu/app/main.c", "-o"])
                .arg(&module)
                .args(["--symbols", "tests/qemu/app/custom.espbsym"]),
            "cargo-espb build tests/qemu/app/main.c",
        );
        module
    })
}

/// tests/qemu built for `fw.target` (once per target: the tests of one
/// target share it), or None when the case is skipped.
fn firmware(fw: &Firmware) -> Option<PathBuf> {
    static BUILT: Mutex<Vec<(&str, PathBuf)>> = Mutex::new(Vec::new());
    if !have_qemu() {
        skip(fw, "qemu-system-riscv32 not found");
        return None;
    }
    if !have_target(fw.target) {
        skip(fw, &format!("rustup target {} not installed", fw.target));
        return None;
    }
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, elf)) = built.iter().find(|(t, _)| *t == fw.target) {
        return Some(elf.clone());
    }
    let elf = build_firmware(fw.target, &work_dir(), module());
    built.push((fw.target, elf.clone()));
    Some(elf)
}

/// Runs `elf` on the virt machine with `extra` arguments; returns its exit
/// status and UART output (stderr appended to failure messages).
fn qemu(fw: &Firmware, elf: &Path, extra: &[String]) -> (std::process::ExitStatus, String, String) {
    let mut child = Command::new("qemu-system-riscv32")
        .args(["-machine", "virt", "-bios", "none", "-nographic"])
        .args(extra)
        .arg("-kernel")
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start qemu-system-riscv32");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = String::from_utf8_lossy(&reader.join().unwrap()).replace('\r', "");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let Some(status) = status else {
        panic!("QEMU ({}) did not finish within 20 s; output so far:\n{out}\n{err}", fw.target);
    };
    (status, out, err)
}

/// Runs `fw`'s firmware with `extra` QEMU arguments and compares its whole
/// UART output with the ABI line and `rest`.
fn check_output(fw: &Firmware, extra: &[String], rest: &str) {
    check_output_masked(fw, extra, rest, |out| out.to_string());
}

/// [`check_output`] of the output as `mask` rewrites it (numbers that
/// follow from how fast the interpreter is, not from the module's logic).
fn check_output_masked(fw: &Firmware, extra: &[String], rest: &str, mask: impl Fn(&str) -> String) {
    let Some(elf) = firmware(fw) else { return };
    if let Err(e) = output_is(fw, &elf, extra, rest, mask) {
        panic!("{e}");
    }
}

/// Runs `elf` with `extra` QEMU arguments: `Err` says how its UART output
/// (as `mask` rewrites it) differs from the ABI line and `rest`, or that
/// the firmware reported failure.
fn output_is(
    fw: &Firmware,
    elf: &Path,
    extra: &[String],
    rest: &str,
    mask: impl Fn(&str) -> String,
) -> Result<(), String> {
    let (status, out, err) = qemu(fw, elf, extra);
    let out = mask(&mask_trap_record(&out));
    let expected = format!("espb-runtime on riscv32 (qemu virt), native calls: {}\n{rest}", fw.abi);
    if out != expected {
        return Err(format!(
            "UART output differs for {} (QEMU {status}, stderr: {err})\n--- got:\n{out}--- expected:\n{expected}",
            fw.target
        ));
    }
    if !status.success() {
        return Err(format!("the firmware reported failure: QEMU {status}\n{out}\n{err}"));
    }
    Ok(())
}

/// The trap record's module id and code offset (they follow from the
/// translator's code, not the module's logic) as `M` and `O`.
fn mask_trap_record(out: &str) -> String {
    let mut masked = String::new();
    for line in out.split_inclusive('\n') {
        let told = line.strip_prefix("espb-trap: module ").and_then(|rest| {
            let (_, rest) = rest.split_once(" function ")?;
            let (func, rest) = rest.split_once(" offset ")?;
            Some(format!("espb-trap: module M function {func} offset O{}", &rest[rest.find(':')?..]))
        });
        masked.push_str(told.as_deref().unwrap_or(line));
    }
    masked
}

/// Builds tests/qemu for `fw.target`, runs it under QEMU and checks its
/// output.
fn run_firmware(fw: &Firmware) {
    check_output(fw, &[], EXPECTED_REST);
}

/// QEMU arguments for the firmware's scheduler modes: QEMU's loader writes
/// `mode` to the mode word (tests/qemu/src/main.rs, MODE_WORD) before the hart
/// starts, and `-icount` ties the virtual clock (mtime, so ticks and
/// esp_timer) to the instructions run, 1 ns each; `sleep=off` jumps over
/// the idle task's `wfi` to the next timer event, so an idle millisecond
/// costs no host time.
fn rtos_mode(mode: u32) -> Vec<String> {
    ["-icount", "shift=0,sleep=off", "-device", &format!("loader,addr=0x84000000,data={mode},data-len=4")]
        .map(String::from)
        .to_vec()
}

/// The firmware's modes for a module QEMU loads (tests/qemu/src/apps.rs).
#[derive(Clone, Copy, Debug)]
enum Api {
    /// Mode 2: `espb_runtime::app::App`.
    Rust = 2,
    /// Mode 3: espb_load, espb_start, ... (tests/qemu/capi_app.c).
    C = 3,
    /// Mode 4: the cost of a callback, measured.
    Measure = 4,
}

/// QEMU arguments for modes 2 to 4: the firmware loads `module`, which
/// QEMU's loader puts at 0x8500_0000 (its length in the next word), as an
/// app on the scheduler, runs its `app_main` in the `main` task and
/// unloads it after `run_for_ms` of virtual time (0: when it ends by
/// itself).
fn module_mode(api: Api, module: &Path, run_for_ms: u32) -> Vec<String> {
    let len = std::fs::metadata(module).unwrap_or_else(|e| panic!("{}: {e}", module.display())).len();
    let mut args = rtos_mode(api as u32);
    for (addr, value) in [(0x8400_0004u32, len), (0x8400_0008, u64::from(run_for_ms))] {
        args.extend(["-device".into(), format!("loader,addr={addr:#x},data={value},data-len=4")]);
    }
    args.extend(["-device".into(), format!("loader,file={},addr=0x85000000,force-raw=on", module.display())]);
    args
}

/// tests/qemu/app/`name`.c built against the SDK headers (standard `idf`
/// table), once per test run.
fn sdk_module(name: &'static str) -> PathBuf {
    sdk_module_from(name, &format!("tests/qemu/app/{name}.c"))
}

/// `source` (relative to the repository) built against the SDK headers as
/// `name`.espb, once per test run.
fn sdk_module_from(name: &'static str, source: &str) -> PathBuf {
    static BUILT: Mutex<Vec<(&str, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, m)) = built.iter().find(|(n, _)| *n == name) {
        return m.clone();
    }
    let out = work_dir().join(format!("{name}.espb"));
    run(
        Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
            .current_dir(root())
            .args(["build", source, "-o"])
            .arg(&out)
            .args(["--", "-I", "espb-sys/sdk/include"]),
        &format!("cargo-espb build {source}"),
    );
    built.push((name, out.clone()));
    out
}

/// What tests/qemu/app/rtos_natives.c prints, calling FreeRTOS and
/// esp_timer through the standard `idf` table in the firmware's main task
/// (`portTICK_PERIOD_MS` comes from the firmware's `__espb_cfg_FREERTOS_HZ`,
/// 100): 30 ms are 3 ticks; xTaskDelayUntil by 5 from +3: +8, +13, +18; a
/// queue of 2 refuses a third item and hands out the front-sent one first;
/// a receive with a 20 ms timeout gives up after 2 ticks; a mutex cannot
/// be taken twice, a counting semaphore created with 1 once; then printf's
/// padding, precision and lengths. Nothing of it is left when app_main
/// returns: it has no callbacks, so the app ends with it (the firmware's
/// lines: see the comment above `APPS`).
const RTOS_NATIVES_EXPECTED: &str = "\
loaded: 0 of 32 thunks in use
app_main in task main, 10 ms per tick
vTaskDelay(30 ms): +3 ticks, 30 ms
vTaskDelayUntil 0: +8 ticks
vTaskDelayUntil 1: +13 ticks
vTaskDelayUntil 2: +18 ticks
send: 1 1, third when full: 0
waiting: 2
received -8
received 7
receive from empty queue with a 20 ms timeout: 0 after 2 ticks
mutex take 1, again 0, give 1; semaphore take 1 0
printf: [   42] [ab  ] [03.14] [beef] [z] [123456789]
app_main returned 0
app done by +220 ms: finished
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +530 ms
firmware esp_timer fired in esp_timer at +830 ms
firmware still running at +1230 ms
";

/// What the `rtos` mode prints (tests/qemu/src/rtos_demo.rs), fixed by
/// FreeRTOS's rules at 100 Hz: the highest-priority ready task runs, equals
/// run first-come first-served and take turns on the tick. Each part starts
/// right after a tick (its +0).
///
/// * ping (vTaskDelay(3)) at +3 +6 +9; pong (xTaskDelayUntil, 5) at +5 +10
///   +15, each time having delayed.
/// * every2 (auto-reload, 2 ticks) at +2, where its callback changes its
///   period to 3: +5, +8 (then it stops itself); once5 at +5 runs before
///   every2's +5: armed earlier. Callbacks run in "Tmr Svc".
/// * esp_timer every 15 ms: each callback (in the "esp_timer" task) sends
///   to a queue the consumer task blocks on, which prints at 15, 30, 45 ms;
///   the third callback stops its timer. ESP-IDF's return codes: 0x102
///   ESP_ERR_INVALID_ARG (no such dispatch method), 0x103
///   ESP_ERR_INVALID_STATE (started or deleted while armed, stopped while
///   not).
/// * An ESP_TIMER_ISR esp_timer every 12 ms: its callback runs in the timer
///   interrupt (xPortInIsrContext() is 1 there, 0 in the task) and sends
///   with xQueueSendFromISR to isr-reader (priority 3), which outranks the
///   interrupted idle task: pxHigherPriorityTaskWoken is set. Reads at 12
///   and 24 ms; the second callback stops its timer.
/// * inc-a and inc-b (priority 4) each read a counter, hold the mutex over a
///   one-tick delay, write it plus one and delay a tick: they alternate,
///   one step per tick, and no update is lost. main (priority 1, after
///   inc-a took it) cannot give or take it. A recursive mutex: two takes and
///   two gives pass, a third give fails.
/// * high (priority 8) creates busy-1 and busy-2 (priority 2, never block)
///   and delays 5 ticks: only the tick interrupt can let it run again, at
///   +5, and both busy tasks have had turns. Each spins with its own
///   values in every register (and float register under ilp32f) and checks
///   them: a switch that lost one says CORRUPTED. Turns: busy-1 from +0,
///   busy-2 from +1, ... busy-1 from +4; at +5 the tick readies high and
///   sends busy-1 behind busy-2, so once high is done busy-2 sees the stop
///   first.
/// * At the end only main, IDLE, Tmr Svc and esp_timer are left, and the
///   heap holds what it held before the parts: deleted tasks, queues,
///   mutexes, timers and esp_timers were freed.
const RTOS_EXPECTED: &str = "\
rtos: 100 Hz tick, 4 tasks at start, scheduler state 2
-- two tasks with delays
ping: 1 at +3 ticks
pong: 1 at +5 ticks (delayed: 1)
ping: 2 at +6 ticks
ping: 3 at +9 ticks
pong: 2 at +10 ticks (delayed: 1)
pong: 3 at +15 ticks (delayed: 1)
-- software timers
xTimerCreate with period 0: NULL
timer every2 (id 7) in Tmr Svc at +2 ticks
timer once5 (id 9) in Tmr Svc at +5 ticks
timer every2 (id 7) in Tmr Svc at +5 ticks
timer every2 (id 7) in Tmr Svc at +8 ticks
every2 active after stop: 0, once5 active after firing: 0
-- esp_timer and a queue
esp_timer_create: 0x0
esp_timer_create with dispatch method 2: 0x102
esp_timer_start_periodic 15 ms: 0x0
again while armed: 0x103
esp_timer_delete while armed: 0x103
esp_timer callback 1 in esp_timer
consumer: received 1 (1) after 15 ms
esp_timer callback 2 in esp_timer
consumer: received 2 (1) after 30 ms
esp_timer callback 3 in esp_timer
esp_timer_stop in its callback: 0x0
consumer: received 3 (1) after 45 ms
esp_timer_stop when stopped: 0x103
esp_timer_start_once 25 ms: 0x0
one-shot esp_timer after 25 ms in esp_timer
esp_timer_is_active after it fired: false
esp_timer_delete: 0x0 0x0
-- an esp_timer dispatched in the interrupt
esp_timer_create with ESP_TIMER_ISR: 0x0
isr-reader: received 1 after 12 ms (in ISR context: 1, woke a higher-priority task: 1; here: 0)
isr-reader: received 2 after 24 ms (in ISR context: 1, woke a higher-priority task: 1; here: 0)
esp_timer_delete: 0x0
-- a mutex shared by two tasks
main: give by a non-holder 0, take while held 0
inc-a: counter 1 at +1 ticks
inc-b: counter 2 at +2 ticks
inc-a: counter 3 at +3 ticks
inc-b: counter 4 at +4 ticks
inc-a: counter 5 at +5 ticks
inc-b: counter 6 at +6 ticks
counter 6 (expected 6)
recursive mutex: takes [1, 1], gives [1, 1, 0]
-- preemption and round robin
high: woke at +5 ticks over busy loops; busy-1 ran, busy-2 ran
busy-2: stopped, registers intact
busy-1: stopped, registers intact
rtos demo done: 4 tasks left, 0 bytes of heap more than before the parts
";

#[test]
fn native_calls_on_riscv32_ilp32_under_qemu() {
    run_firmware(&ILP32);
}

#[test]
fn native_calls_on_riscv32_ilp32f_under_qemu() {
    run_firmware(&ILP32F);
}

#[test]
fn rtos_scheduler_on_riscv32_ilp32_under_qemu() {
    check_output(&ILP32, &rtos_mode(1), RTOS_EXPECTED);
}

#[test]
fn rtos_scheduler_on_riscv32_ilp32f_under_qemu() {
    check_output(&ILP32F, &rtos_mode(1), RTOS_EXPECTED);
}

// ---- modules that live on: callbacks, tasks and timers (issue 9) -----------
//
// Each module of tests/qemu/app below runs as an app (the runtime's FreeRTOS
// `Os`, the chip's static pool of real thunks, called by the scheduler's
// tasks: "Tmr Svc", "esp_timer" and the module's own), once through the Rust
// API and once through the C API, on both ABIs; both APIs print the same
// lines. The firmware's own lines (tests/qemu/src/apps.rs):
//
// * `loaded: N of 32 thunks in use`: N = the module's address-taken
//   functions (ESPB_THUNKS is not set: the default pool of 32).
// * `app_main returned 0` / `app_main ended: ...`: printed by the `main`
//   task once its app_main is over (an unload ends one that never returns).
// * `app done by +T ms: finished|trapped`: the watcher (priority 10) saw the
//   app end by itself at its once-per-tick look, or `unloading after T ms`
//   and `status: unloaded` when it unloads it.
// * `heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6`:
//   nothing leaked (counted from after one load and unload, compared after
//   one more, tests/qemu/src/apps.rs says why), every slot released, and
//   only main, IDLE, Tmr Svc, esp_timer, the runtime's deferral task
//   (espb-defer) and the watcher left.
// * `firmware timer fired in Tmr Svc ...`, `firmware esp_timer fired in
//   esp_timer ...` and `firmware still running at +T ms`, 1 s later: the
//   firmware's own one-shot timers (300 and 600 ms) ran in the tasks that
//   ran the module's callbacks, and no callback of the module ran in that
//   second, although its timers were armed.
// Times are ms since the load, counted in 10 ms ticks.

/// The task example: dyn_task (priority 5) preempts app_main as it
/// is created and prints at 0, 1, 2 and 3 s; app_main loops in vTaskDelay,
/// so the watcher unloads the app at 3.5 s with dyn_task asleep inside its
/// callback. app_main's own vTaskDelay ends at 4 s, and its task leaves the
/// module then: unloaded.
const TASK_EXAMPLE: &str = "\
loaded: 1 of 32 thunks in use
Hello from dynamic code!
Hello from dynamic code!
Hello from dynamic code!
Hello from dynamic code!
unloading after 3500 ms
status: unloaded
app_main ended: the module is not loaded any more (unloaded, or stopped by a trap)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +4320 ms
firmware esp_timer fired in esp_timer at +4620 ms
firmware still running at +5020 ms
";

/// The timer example: app_main returns, the app lives on; the
/// auto-reload timer calls back (in Tmr Svc) at 2 and 4 s. Unloaded at 5 s
/// with the timer armed: no tick at 6 s.
const TIMER_EXAMPLE: &str = "\
loaded: 1 of 32 thunks in use
app_main returned 0
Timer tick!
Timer tick!
unloading after 5000 ms
status: unloaded
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +5310 ms
firmware esp_timer fired in esp_timer at +5610 ms
firmware still running at +6010 ms
";

/// Callbacks in structs: the module calls its table of handlers itself
/// (twice(7), square(7): the thunk addresses the relocations gave, entered
/// directly); the esp_timer task calls on_fast (from a static
/// esp_timer_create_args_t) every 300 ms and on_slow (set at run time in a
/// stack struct) every 700 ms; unloaded at 1 s with both armed.
const STRUCT_CALLBACK: &str = "\
loaded: 4 of 32 thunks in use
handlers: 14 49
create: 0 0
start: 0 0
app_main returned 0
fast #1 in esp_timer at 300 ms
fast #2 in esp_timer at 600 ms
slow #1 (from a stack struct)
fast #3 in esp_timer at 900 ms
unloading after 1000 ms
status: unloaded
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +1310 ms
firmware esp_timer fired in esp_timer at +1610 ms
firmware still running at +2010 ms
";

/// A queue between an esp_timer callback (every 250 ms, in the esp_timer
/// task) and the module's consumer task, blocked in xQueueReceive with the
/// app's lock released; after the fourth item the consumer deletes the timer,
/// the queue and itself, and the app, with nothing left, ends by itself.
const TIMER_QUEUE: &str = "\
loaded: 2 of 32 thunks in use
app_main done
app_main returned 0
consumer: got 1 at +250 ms
consumer: got 2 at +500 ms
consumer: got 3 at +750 ms
consumer: got 4 at +1000 ms
stop 0, delete 0
app done by +1020 ms: finished
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +1330 ms
firmware esp_timer fired in esp_timer at +1630 ms
firmware still running at +2030 ms
";

/// Two module tasks (priority 4) share a mutex held over a one-tick delay:
/// they alternate, one step per tick, and no update is lost. inc-b goes
/// first: inc-a, created first, waits for the app's lock app_main holds,
/// which lends main its priority, so inc-b does not preempt main when it is
/// created and is the first ready one when app_main returns.
const MUTEX_TASKS: &str = "\
loaded: 1 of 32 thunks in use
app_main returned 0
inc-b: counter 1
inc-a: counter 2
inc-b: counter 3
inc-a: counter 4
inc-b: counter 5
inc-a: counter 6
inc-b: counter 7
inc-a: counter 8
inc-b: counter 9
inc-a: counter 10
counter 10 (expected 10)
app done by +120 ms: finished
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +430 ms
firmware esp_timer fired in esp_timer at +730 ms
firmware still running at +1130 ms
";

/// A module that ends by itself: countdown (priority 3) prints at 0, 100,
/// 200 ms and ends at 300; the one-shot timer fires at 150 ms and deletes
/// itself; then nothing is left and the app unloads itself.
const SELF_UNLOAD: &str = "\
loaded: 2 of 32 thunks in use
countdown 3
app_main returns
app_main returned 0
countdown 2
one-shot timer once fired
countdown 1
countdown done
app done by +310 ms: finished
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +620 ms
firmware esp_timer fired in esp_timer at +920 ms
firmware still running at +1320 ms
";

/// A trap in a module task: faulty divides by 2, 1, then 0 at 200 ms. The
/// runtime logs it (task, function, line), stops the app (bystander
/// deleted, the ticker timer, which fired at 120 ms, stopped and deleted)
/// and the firmware runs on.
const CALLBACK_TRAP: &str = "\
loaded: 3 of 32 thunks in use
step 0: 50
app_main returned 0
step 1: 100
tick
espb: module stopped: trap: integer divide by zero in function `faulty` at callback_trap.c:19 (task faulty)
espb-trap: module M function 3 offset O: integer divide by zero
app done by +210 ms: trapped
last trap: trap: integer divide by zero in function `faulty` at callback_trap.c:19 (task faulty)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +520 ms
firmware esp_timer fired in esp_timer at +820 ms
firmware still running at +1220 ms
";

/// A trap in a callback on a firmware task: the timer's third call, in the
/// timer service task, reads through NULL (out of the module's memory and
/// every window). The module is stopped, the firmware's Tmr Svc runs on.
const TIMER_TRAP: &str = "\
loaded: 1 of 32 thunks in use
app_main returned 0
timer call 1 in Tmr Svc
read 1
timer call 2 in Tmr Svc
read 2
timer call 3 in Tmr Svc
espb: module stopped: trap: out-of-bounds access of 4 bytes at address 0x00000000 in function `on_timer` at \
timer_trap.c:14 (task Tmr Svc)
espb-trap: module M function 1 offset O: out-of-bounds access of 4 bytes at address 0x00000000
app done by +310 ms: trapped
last trap: trap: out-of-bounds access of 4 bytes at address 0x00000000 in function `on_timer` at timer_trap.c:14 \
(task Tmr Svc)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +620 ms
firmware esp_timer fired in esp_timer at +920 ms
firmware still running at +1320 ms
";

/// 40 address-taken functions for a pool of 32: refused at load, naming the
/// numbers and the remedy; nothing is kept of it.
const THUNK_EXHAUST: &str = "\
load refused: the module needs 40 callback thunks, but only 32 of the firmware's 32 are free: unload other \
modules, or build the firmware with more (environment variable ESPB_THUNKS=<count> when building espb-runtime; \
default 32)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +310 ms
firmware esp_timer fired in esp_timer at +610 ms
firmware still running at +1010 ms
";

/// Unloaded at 1 s with an auto-reload timer (300 ms: 300, 600, 900), a
/// periodic esp_timer (400 ms: 400, 800) armed and a task asleep for a
/// minute: none of them runs again.
const UNLOAD_ARMED: &str = "\
loaded: 3 of 32 thunks in use
sleeper: sleeping for a minute
app_main returned 0
timer fired
esp_timer fired
timer fired
esp_timer fired
timer fired
unloading after 1000 ms
status: unloaded
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +1310 ms
firmware esp_timer fired in esp_timer at +1610 ms
firmware still running at +2010 ms
";

/// An app_main that never returns and starts nothing, unloaded at 1.2 s
/// while it waits in vTaskDelay: its task comes out at 1.5 s ("unloaded")
/// instead of running on in freed memory (through the C API, espb_unload
/// runs on the watcher while espb_start still runs on main).
const ENTRY_LOOP: &str = "\
loaded: 0 of 32 thunks in use
app_main: round 1
app_main: round 2
app_main: round 3
unloading after 1200 ms
status: unloaded
app_main ended: the module is not loaded any more (unloaded, or stopped by a trap)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +1820 ms
firmware esp_timer fired in esp_timer at +2120 ms
firmware still running at +2520 ms
";

/// The `cargo espb new` template's module (templates/module/src/main.c),
/// unchanged: GPIO2 blinks every 500 ms in its task (priority 1, after
/// app_main), an esp_timer (every 100 ms, in the esp_timer task) and a
/// software timer (every second, in Tmr Svc) send it events through a
/// queue; ESP_LOGI lines carry ESP-IDF's millisecond timestamps (ticks since
/// the scheduler started; the load is at tick 1). At 1010 ms the slow tick
/// comes before the tenth fast one. The slow tick's `esp_timer_get_time()`
/// is masked: its microseconds depend on how fast the callback gets there.
/// Unloaded at 3 s. The module never deletes its event queue: unload
/// deletes it after the task that reads it (296 bytes here: 16 items of 16
/// bytes and the queue), so the heap holds what it held before.
const TEMPLATE: &str = "\
loaded: 3 of 32 thunks in use
I (10) blinky: starting
I (10) blinky: running
app_main returned 0
gpio: GPIO2 = 1
I (10) blinky: LED on (slow ticks: 0)
gpio: GPIO2 = 0
I (510) blinky: LED off (slow ticks: 0)
I (1010) blinky: slow tick at T us (9 fast ticks so far)
gpio: GPIO2 = 1
I (1010) blinky: LED on (slow ticks: 1)
gpio: GPIO2 = 0
I (1510) blinky: LED off (slow ticks: 1)
I (2010) blinky: slow tick at T us (19 fast ticks so far)
gpio: GPIO2 = 1
I (2010) blinky: LED on (slow ticks: 2)
gpio: GPIO2 = 0
I (2510) blinky: LED off (slow ticks: 2)
unloading after 3000 ms
status: unloaded
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +3310 ms
firmware esp_timer fired in esp_timer at +3610 ms
firmware still running at +4010 ms
";

/// `out` with each line that `mask` rewrites rewritten.
fn mask_lines(out: &str, mask: impl Fn(&str) -> Option<String>) -> String {
    out.split_inclusive('\n').map(|line| mask(line).unwrap_or_else(|| line.to_string())).collect()
}

/// The slow tick's microseconds in [`TEMPLATE`]'s output, as `T`.
fn mask_tick_time(out: &str) -> String {
    mask_lines(out, |line| {
        let (head, rest) = line.split_once("slow tick at ")?;
        Some(format!("{head}slow tick at T us{}", rest.split_once(" us")?.1))
    })
}

/// An esp_timer dispatched in the timer interrupt every 100 ms: the thunk,
/// called in the interrupt, defers the call to the runtime's task
/// (espb-defer), which runs it right after; the third alarm deletes the
/// timer and the app ends by itself.
const ISR_TIMER: &str = "\
loaded: 1 of 32 thunks in use
app_main returned 0
alarm 1 in task espb-defer at 100 ms
alarm 2 in task espb-defer at 200 ms
alarm 3 in task espb-defer at 300 ms
stop 0, delete 0
app done by +310 ms: finished
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +620 ms
firmware esp_timer fired in esp_timer at +920 ms
firmware still running at +1320 ms
";

/// Firmware memory: the heap_caps blocks the module holds are writable
/// windows, its task's name (`pcTaskGetName`'s `str` result) is readable but
/// read-only (a store traps, naming it); no firmware region is granted. The
/// writer task has a higher priority than app_main's, so it runs first.
const FIRMWARE_MEMORY: &str = "\
loaded: 1 of 32 thunks in use
a global aligned to 4096 is at a multiple of 4096: yes
in a heap_caps block
in a heap_caps block, resized
task reads its name: writer
espb: module stopped: trap: store of 1 bytes into read-only firmware memory at address A in function `writer` at \
firmware_memory.c:15 (task writer)
espb-trap: module M function 1 offset O: store of 1 bytes into read-only firmware memory at address A
app_main returned 0
app done by +10 ms: trapped
last trap: trap: store of 1 bytes into read-only firmware memory at address A in function `writer` at \
firmware_memory.c:15 (task writer)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +320 ms
firmware esp_timer fired in esp_timer at +620 ms
firmware still running at +1020 ms
";

/// No firmware region is granted: the module reads its data imports (the
/// tick rate, `data:4`; the ctype table up to its last entry, `data:257`), errno through `__errno` (`mem:4:rw`: a native's
/// ERANGE, then its own 0), stderr and stdout through `_impure_ptr`
/// (`data:4->16`: the first 16 bytes of `struct _reent`) and its task's name
/// (`str`); the word after the tick rate lies outside every window and
/// traps, and the firmware goes on.
const DATA_WINDOWS: &str = "\
loaded: 0 of 32 thunks in use
tick rate: 100 Hz
isdigit('5'): 1, isdigit(255): 0
strtol: 2147483647, errno 34
[stderr] errno is 0 again
task main
espb: module stopped: trap: out-of-bounds access of 4 bytes at address A in function `app_main` at \
data_windows.c:26 (task main)
espb-trap: module M function 0 offset O: out-of-bounds access of 4 bytes at address A
app_main ended: trap: out-of-bounds access of 4 bytes at address A in function `app_main` at \
data_windows.c:26 (task main)
app done by +10 ms: trapped
last trap: trap: out-of-bounds access of 4 bytes at address A in function `app_main` at \
data_windows.c:26 (task main)
heap: 0 bytes more than before the load; thunks in use: 0; tasks: 6
firmware timer fired in Tmr Svc at +320 ms
firmware esp_timer fired in esp_timer at +620 ms
firmware still running at +1020 ms
";

/// The faulting address in [`FIRMWARE_MEMORY`]'s output, as `A` (it is
/// wherever the firmware's heap put the task).
fn mask_fault_address(out: &str) -> String {
    mask_lines(out, |line| {
        let (head, rest) = line.split_once("at address 0x")?;
        Some(format!("{head}at address A{}", rest.trim_start_matches(|c: char| c.is_ascii_hexdigit())))
    })
}

/// A module run as an app (modes 2 and 3): tests/qemu/app/`name`.c (or
/// `source`, relative to the repository) built against the SDK headers,
/// through each API of `apis`, unloaded after `run_for_ms` of virtual time
/// (0: it ends by itself), its output as `mask` rewrites it compared with
/// `expected`.
struct AppCase {
    name: &'static str,
    source: Option<&'static str>,
    apis: &'static [Api],
    run_for_ms: u32,
    expected: &'static str,
    mask: fn(&str) -> String,
}

const BOTH: &[Api] = &[Api::Rust, Api::C];

fn as_is(out: &str) -> String {
    out.to_string()
}

const fn app(name: &'static str, run_for_ms: u32, expected: &'static str) -> AppCase {
    AppCase { name, source: None, apis: BOTH, run_for_ms, expected, mask: as_is }
}

/// Every module the firmware runs as an app, each through both APIs (the
/// FreeRTOS natives module through the Rust API only) on both ABIs.
const APPS: &[AppCase] = &[
    AppCase { apis: &[Api::Rust], ..app("rtos_natives", 0, RTOS_NATIVES_EXPECTED) },
    app("task_example", 3500, TASK_EXAMPLE),
    app("timer_example", 5000, TIMER_EXAMPLE),
    app("struct_callback", 1000, STRUCT_CALLBACK),
    app("timer_queue", 0, TIMER_QUEUE),
    app("mutex_tasks", 0, MUTEX_TASKS),
    app("self_unload", 0, SELF_UNLOAD),
    app("callback_trap", 0, CALLBACK_TRAP),
    app("timer_trap", 0, TIMER_TRAP),
    app("thunk_exhaust", 0, THUNK_EXHAUST),
    app("unload_armed", 1000, UNLOAD_ARMED),
    app("entry_loop", 1200, ENTRY_LOOP),
    AppCase { source: Some("templates/module/src/main.c"), mask: mask_tick_time, ..app("template", 3000, TEMPLATE) },
    app("isr_timer", 0, ISR_TIMER),
    AppCase { mask: mask_fault_address, ..app("firmware_memory", 0, FIRMWARE_MEMORY) },
    AppCase { mask: mask_fault_address, ..app("data_windows", 0, DATA_WINDOWS) },
];

/// Runs every case of [`APPS`] on `fw` and reports all that differ.
fn check_apps(fw: &Firmware) {
    let Some(elf) = firmware(fw) else { return };
    let mut failed = Vec::new();
    for case in APPS {
        let module = match case.source {
            Some(src) => sdk_module_from(case.name, src),
            None => sdk_module(case.name),
        };
        for &api in case.apis {
            eprintln!("{} through the {api:?} API on {}", case.name, fw.abi);
            let args = module_mode(api, &module, case.run_for_ms);
            if let Err(e) = output_is(fw, &elf, &args, case.expected, case.mask) {
                failed.push(format!("{} through the {api:?} API: {e}", case.name));
            }
        }
    }
    assert!(failed.is_empty(), "{} app case(s) failed on {}:\n\n{}", failed.len(), fw.abi, failed.join("\n\n"));
}

#[test]
fn apps_on_riscv32_ilp32_under_qemu() {
    check_apps(&ILP32);
}

#[test]
fn apps_on_riscv32_ilp32f_under_qemu() {
    check_apps(&ILP32F);
}

/// Mode 4 on `fw`: instructions (minstret) for one call of a module
/// callback through its thunk, as a native makes it; printed for the docs
/// and bounded so that a slower path shows up here.
fn measure_callback(fw: &Firmware) {
    let Some(elf) = firmware(fw) else { return };
    let (status, out, err) = qemu(fw, &elf, &module_mode(Api::Measure, &sdk_module("callback_cost"), 0));
    assert!(status.success(), "the measurement failed: QEMU {status}\n{out}\n{err}");
    let number = |prefix: &str| -> u64 {
        let line = out.lines().find_map(|l| l.strip_prefix(prefix)).unwrap_or_else(|| panic!("no `{prefix}`:\n{out}"));
        line.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("not a number: {line}"))
    };
    let round_trip = number("thunk round trip: ");
    let mutex = number("mutex take + give: ");
    eprintln!("{}: callback round trip {round_trip} instructions (mutex take + give: {mutex})", fw.abi);
    assert!(out.contains("add_one(0) = 1, 100 calls: 100"), "the callback computed something else:\n{out}");
    // ilp32f: a float-returning thunk puts the result in fa0.
    assert!(out.contains("half(3) = 1.5\n"), "a callback returning float:\n{out}");
    assert!((500..8000).contains(&round_trip), "a callback round trip costs {round_trip} instructions:\n{out}");
}

#[test]
fn callback_cost_on_riscv32_ilp32_under_qemu() {
    measure_callback(&ILP32);
}

#[test]
fn callback_cost_on_riscv32_ilp32f_under_qemu() {
    measure_callback(&ILP32F);
}

/// The interpreter loop's own native stack frame on the chip: every task
/// that runs module code pays it once per activation (and again per
/// re-entry), so it must stay small. It once grew to 1360 bytes when each
/// fuel refill site kept its own stack slot for a returned `Result`, and
/// timer tasks overflowed (docs/architecture.md, "Limits"); on ilp32f it
/// was 1392 while each trap site kept its own. Today: 592 bytes on both.
fn interpreter_frame(fw: &Firmware, limit: u32) {
    let Some(elf) = firmware(fw) else { return };
    let Some(objdump) = ["llvm-objdump-22", "llvm-objdump"].into_iter().find(|t| which::which(t).is_ok()) else {
        assert!(std::env::var_os("ESPB_E2E_REQUIRE_NATIVE").is_none(), "llvm-objdump is missing (scripts/setup.sh)");
        eprintln!("llvm-objdump not found: frame size not checked");
        return;
    };
    let out = Command::new(objdump)
        .args(["-d", "--no-show-raw-insn", "--demangle"])
        .arg(&elf)
        .output()
        .unwrap_or_else(|e| panic!("{objdump}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines().skip_while(|l| !(l.contains("<espb_runtime::vm::exec::execute") && l.ends_with(">:")));
    assert!(lines.next().is_some(), "no espb_runtime::vm::exec::execute in {}", elf.display());
    let frame = lines
        .take(4)
        .find_map(|l| l.split("addi\tsp, sp, -").nth(1))
        .and_then(|n| n.trim().strip_prefix("0x").map_or(n.trim().parse().ok(), |h| u32::from_str_radix(h, 16).ok()))
        .unwrap_or_else(|| panic!("no stack adjustment at the start of execute"));
    eprintln!("{}: the interpreter loop's frame is {frame} bytes", fw.abi);
    assert!(
        frame <= limit,
        "the interpreter loop takes {frame} bytes of native stack per activation (at most {limit})"
    );
}

#[test]
fn interpreter_frame_on_riscv32_ilp32() {
    interpreter_frame(&ILP32, 704);
}

#[test]
fn interpreter_frame_on_riscv32_ilp32f() {
    interpreter_frame(&ILP32F, 704);
}

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
/// = 88.375; vscale = 2 * (0.5 + 1.25 - 4 + 100) = 195.5.
/// Floats print as Rust's `Display`.
///
/// After the Rust run, the same module through the C API (espb-capi,
/// tests/qemu/capi_test.c) with the generated C table (`espb_symtab_custom`,
/// whose `name` field it prints), and two refusals with their
/// `espb_last_detail` text; the module hash is that of app/custom.espbsym,
/// the firmware's is capi_test.c's 0x12345678 + 11 (12 slots).
const EXPECTED_REST: &str = concat!(
    "\
module memory at its native address: yes
",
    module_output!(),
    "main returned 7
capi: table `custom`, 12 slots
",
    module_output!(),
    "\
capi: espb_run_with main: 0 (ok)
capi:   detail: `main` returned 7
capi: main returned 7
capi: renumbered table: 5 (symbol table missing or different from the module's)
capi:   detail: symbol table `custom` differs: the module's first 12 slots hash to 0xaf8d5798, \
the firmware's to 0x12345683; the manifest was renumbered or the module is for another firmware: \
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

fn have_qemu() -> bool {
    Command::new("qemu-system-riscv32")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn have_target(target: &str) -> bool {
    let Ok(o) = Command::new("rustc").args(["--print", "target-libdir", "--target", target]).output() else {
        return false;
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
    o.status.success()
        && std::fs::read_dir(&dir)
            .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.path().to_string_lossy().contains("libcore"))))
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// <target>/<profile>/cargo-espb -> <target>/qemu-riscv: its own target
/// dir, so the inner cargo never waits for the outer one's lock.
fn work_dir() -> PathBuf {
    let espb = PathBuf::from(env!("CARGO_BIN_EXE_cargo-espb"));
    let work = espb.parent().and_then(Path::parent).unwrap().join("qemu-riscv");
    std::fs::create_dir_all(&work).unwrap();
    work
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
    let module = module();
    let work = work_dir();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(root())
        .args(["build", "--release", "--target", fw.target, "--manifest-path", "tests/qemu/Cargo.toml"])
        .env("CARGO_TARGET_DIR", &work)
        .env("ESPB_QEMU_MODULE", module);
    // Flags meant for the host build (coverage, sanitizers) must not reach
    // the bare-metal one.
    for v in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        build.env_remove(v);
    }
    run(&mut build, &format!("cargo build of tests/qemu for {}", fw.target));
    let elf = work.join(fw.target).join("release").join("espb-qemu-test");
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
    let Some(elf) = firmware(fw) else { return };
    let (status, out, err) = qemu(fw, &elf, extra);
    let expected = format!("espb-runtime on riscv32 (qemu virt), native calls: {}\n{rest}", fw.abi);
    assert_eq!(out, expected, "UART output differs for {} (QEMU {status}, stderr: {err})", fw.target);
    assert!(status.success(), "the firmware reported failure: QEMU {status}\n{out}\n{err}");
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

/// QEMU arguments for mode 2: the firmware runs `module`, which QEMU's
/// loader puts at 0x8500_0000 (its length in the next word), in its main
/// task on the scheduler, then `run_for_ms` of virtual time more.
fn module_mode(module: &Path, run_for_ms: u32) -> Vec<String> {
    let len = std::fs::metadata(module).unwrap_or_else(|e| panic!("{}: {e}", module.display())).len();
    let mut args = rtos_mode(2);
    for (addr, value) in [(0x8400_0004u32, len), (0x8400_0008, u64::from(run_for_ms))] {
        args.extend(["-device".into(), format!("loader,addr={addr:#x},data={value},data-len=4")]);
    }
    args.extend(["-device".into(), format!("loader,file={},addr=0x85000000,force-raw=on", module.display())]);
    args
}

/// tests/qemu/app/`name`.c built against the SDK headers (standard `idf`
/// table), once per test run.
fn sdk_module(name: &'static str) -> PathBuf {
    static BUILT: Mutex<Vec<(&str, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, m)) = built.iter().find(|(n, _)| *n == name) {
        return m.clone();
    }
    let out = work_dir().join(format!("{name}.espb"));
    run(
        Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
            .current_dir(root())
            .args(["build", &format!("tests/qemu/app/{name}.c"), "-o"])
            .arg(&out)
            .args(["--", "-I", "espb-sys/sdk/include"]),
        &format!("cargo-espb build tests/qemu/app/{name}.c"),
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
/// padding, precision and lengths.
const RTOS_NATIVES_EXPECTED: &str = "\
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

#[test]
fn freertos_natives_from_a_module_on_riscv32_ilp32_under_qemu() {
    check_output(&ILP32, &module_mode(&sdk_module("rtos_natives"), 0), RTOS_NATIVES_EXPECTED);
}

#[test]
fn freertos_natives_from_a_module_on_riscv32_ilp32f_under_qemu() {
    check_output(&ILP32F, &module_mode(&sdk_module("rtos_natives"), 0), RTOS_NATIVES_EXPECTED);
}

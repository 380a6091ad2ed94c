//! Generates the `custom` symbol table from app/custom.espbsym (espb-sys,
//! as a firmware's build.rs would), compiles natives.c with clang for the
//! target's ABI (ilp32, or ilp32f for riscv32imafc: the chip table's flags), generates the same table as C (espb-sys gen_c, as for
//! ESP-IDF) and compiles it with capi_test.c and capi_app.c (the C API), copies the
//! module built by the driver test (`ESPB_QEMU_MODULE`) next to the
//! generated sources, and links with link.x. It also generates the
//! standard `idf` table with the slots of the functions this firmware
//! provides filled ([`IDF_PROVIDED`]: the scheduler of src/rtos, log and
//! GPIO of src/idf.rs, printf and co. of natives.c) and the rest empty, for
//! modules that call FreeRTOS.
use espb_runtime::chip::Chip;
use espb_runtime::native::Abi;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

mod rtos_config {
    #![allow(dead_code)]
    include!("src/rtos/config.rs");
}

/// The `idf` table's functions the firmware defines; a module importing
/// another is refused at load, naming it.
const IDF_PROVIDED: &[&str] = &[
    "printf",
    "vprintf",
    "fprintf",
    "strtol",
    "__getreent",
    "__errno",
    "_impure_ptr",
    "_ctype_",
    "puts",
    "putchar",
    "xTaskCreatePinnedToCore",
    "vTaskDelete",
    "vTaskDelay",
    "xTaskDelayUntil",
    "xTaskGetTickCount",
    "xTaskGetTickCountFromISR",
    "pcTaskGetName",
    "xTaskGetCurrentTaskHandle",
    "uxTaskGetNumberOfTasks",
    "xTaskGetSchedulerState",
    "vPortYield",
    "xQueueGenericCreate",
    "xQueueGenericSend",
    "xQueueGenericSendFromISR",
    "xQueueReceive",
    "uxQueueMessagesWaiting",
    "vQueueDelete",
    "xQueueCreateMutex",
    "xQueueCreateCountingSemaphore",
    "xQueueSemaphoreTake",
    "xQueueTakeMutexRecursive",
    "xQueueGiveMutexRecursive",
    "xTimerCreate",
    "pvTimerGetTimerID",
    "xTimerIsTimerActive",
    "pcTimerGetName",
    "xTimerGetTimerDaemonTaskHandle",
    "xTimerPendFunctionCall",
    "xTimerPendFunctionCallFromISR",
    "xTimerGenericCommand",
    "esp_timer_create",
    "esp_timer_start_once",
    "esp_timer_start_periodic",
    "esp_timer_stop",
    "esp_timer_delete",
    "esp_timer_get_time",
    "esp_timer_is_active",
    "esp_log_write",
    "esp_log_writev",
    "esp_log_timestamp",
    "gpio_config",
    "gpio_set_level",
    "_esp_error_check_failed",
    "heap_caps_malloc",
    "heap_caps_calloc",
    "heap_caps_realloc",
    "heap_caps_free",
    "heap_caps_aligned_alloc",
];

/// Writes `espb_symtab_idf.rs`: [`IDF_PROVIDED`] and the scheduler's
/// configuration values filled, every other slot empty.
fn generate_idf_table(out: &std::path::Path) {
    let m = espb_sys::standard_idf_manifest();
    for name in IDF_PROVIDED {
        assert!(m.lookup(name).is_some(), "`{name}` is not in the standard idf table");
    }
    let values = BTreeMap::from([
        ("FREERTOS_HZ".to_string(), rtos_config::TICK_RATE_HZ),
        ("FREERTOS_NUMBER_OF_CORES".to_string(), rtos_config::NUMBER_OF_CORES),
        ("FREERTOS_MAX_TASK_NAME_LEN".to_string(), rtos_config::MAX_TASK_NAME_LEN as u32),
        // ESP_LOG_INFO: ESP-IDF's default CONFIG_LOG_MAXIMUM_LEVEL.
        ("LOG_MAXIMUM_LEVEL".to_string(), 3),
        // src/idf.rs GPIO_PIN_COUNT (the ESP32-C3's).
        ("SOC_GPIO_PIN_COUNT".to_string(), 22),
    ]);
    let mut filled = vec![false; m.count() as usize];
    for e in m.live() {
        let value = espb_sys::gen_c::config_option(&e.name).is_some_and(|o| values.contains_key(o));
        filled[e.index as usize] = value || IDF_PROVIDED.contains(&e.name.as_str());
    }
    let opts = espb_sys::gen_rust::RustOptions { export_symbol: false, config_values: Some(&values) };
    let text = espb_sys::gen_rust::generate(&m, espb_sys::gen_rust::Slots::Resolved(&filled), opts);
    std::fs::write(out.join("espb_symtab_idf.rs"), text).unwrap();
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let manifest = dir.join("app/custom.espbsym");
    println!("cargo:rerun-if-changed={}", manifest.display());
    println!("cargo:rerun-if-changed=natives.c");
    println!("cargo:rerun-if-changed=capi_test.c");
    println!("cargo:rerun-if-changed=capi_app.c");
    println!("cargo:rerun-if-changed=../../espb-sys/component/espb_runtime/include/espb_runtime.h");
    println!("cargo:rerun-if-changed=link.x");
    println!("cargo:rerun-if-env-changed=ESPB_QEMU_MODULE");
    println!("cargo:rerun-if-env-changed=ESPB_CLANG");
    println!("cargo:rerun-if-changed=src/rtos/config.rs");

    // Not exported as the C symbol `espb_symtab_custom`: the C table below is.
    espb_sys::TableBuilder::new("custom")
        .manifest(&manifest)
        .export_symbol(false)
        .generate_rust(&out)
        .unwrap_or_else(|e| panic!("cannot generate the custom table: {e}"));
    generate_idf_table(&out);
    // The C table an ESP-IDF firmware would compile; its source includes
    // "sdkconfig.h" (no options matter for this manifest).
    let c_dir = out.join("c");
    let c_table = espb_sys::TableBuilder::new("custom")
        .manifest(&manifest)
        .generate_c(&c_dir)
        .unwrap_or_else(|e| panic!("cannot generate the custom C table: {e}"));
    std::fs::write(c_dir.join("sdkconfig.h"), "/* empty: the QEMU firmware has no ESP-IDF configuration */\n").unwrap();

    let module = std::env::var_os("ESPB_QEMU_MODULE")
        .map(PathBuf::from)
        .expect("set ESPB_QEMU_MODULE to the .espb built from tests/qemu/app/main.c");
    println!("cargo:rerun-if-changed={}", module.display());
    std::fs::copy(&module, out.join("app.espb")).unwrap_or_else(|e| panic!("{}: {e}", module.display()));

    println!("cargo:rustc-check-cfg=cfg(qemu_fpu)");
    let target = std::env::var("TARGET").unwrap();
    if !target.starts_with("riscv32") {
        return;
    }
    // The C objects must use the firmware's float ABI (the linker refuses a
    // mix): the `-march`/`-mabi` of the chips whose bare-metal Rust target
    // this is, from espb-runtime's chip table. The startup code must switch
    // the FPU on where there is one.
    let spec = Chip::ALL
        .iter()
        .map(|c| c.spec())
        .find(|s| s.rust.bare_metal == target)
        .unwrap_or_else(|| panic!("no chip of espb-runtime's chip table has the Rust target {target}"));
    if spec.abi == Abi::RiscvIlp32f {
        println!("cargo:rustc-cfg=qemu_fpu");
    }
    let march = format!("-march={}", spec.clang.march.expect("a RISC-V chip has a -march"));
    let mabi = format!("-mabi={}", spec.abi.mabi().expect("a RISC-V ABI has a -mabi"));
    let clang = std::env::var_os("ESPB_CLANG").map(PathBuf::from).unwrap_or_else(|| {
        ["clang-22", "clang"]
            .iter()
            .map(PathBuf::from)
            .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
            .expect("clang not found (set ESPB_CLANG)")
    });
    let include = dir.join("../../espb-sys/component/espb_runtime/include");
    for src in [dir.join("natives.c"), dir.join("capi_test.c"), dir.join("capi_app.c"), c_table.source] {
        let obj = out.join(src.file_stem().unwrap()).with_extension("o");
        let st = Command::new(&clang)
            .args(["--target=riscv32-unknown-elf", &march, &mabi, "-ffreestanding", "-O2"])
            .args(["-Wall", "-Wextra", "-Werror", "-c"])
            .arg("-I")
            .arg(&include)
            .arg("-I")
            .arg(&c_dir)
            .arg(&src)
            .arg("-o")
            .arg(&obj)
            .status()
            .expect("running clang");
        assert!(st.success(), "clang failed on {}", src.display());
        println!("cargo:rustc-link-arg={}", obj.display());
    }
    println!("cargo:rustc-link-arg=-T{}", dir.join("link.x").display());
}

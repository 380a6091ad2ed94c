//! A module written like ESP-IDF application code, built against the
//! portable SDK headers, runs on the PC simulator: load-time configuration
//! values, data imports (`_ctype_`, `_impure_ptr`) and ESP_LOG formatting.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root")
}

#[test]
fn esp_idf_style_module_runs_on_the_simulator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("app.espb");
    let cli = env!("CARGO_BIN_EXE_cargo-espb");
    let src = root().join("tests/sdk/log_delay_ctype.c");
    let include = root().join("espb-sys/sdk/include");
    let b = Command::new(cli)
        .args(["espb", "build"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .arg("--")
        .arg("-I")
        .arg(&include)
        .output()
        .expect("build runs");
    assert!(b.status.success(), "build failed: {}", String::from_utf8_lossy(&b.stderr));

    let m = espb_runtime::format::load(&std::fs::read(&out).expect("module")).expect("loads");
    let data: Vec<&str> = m.imports.iter().filter(|i| i.is_data()).filter_map(|i| i.name()).collect();
    assert!(data.contains(&"__espb_cfg_FREERTOS_HZ"), "tick rate must be a load-time value: {data:?}");
    assert!(data.contains(&"_impure_ptr") && data.contains(&"_ctype_"), "{data:?}");

    let r = Command::new(cli).args(["espb", "run"]).arg(&out).output().expect("run runs");
    assert!(r.status.success(), "run failed: {}", String::from_utf8_lossy(&r.stderr));
    let stdout = String::from_utf8_lossy(&r.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    // ESP_LOGx: "<level> (<ms>) <tag>: <message>", the timestamp varies.
    assert!(lines[0].starts_with("I (") && lines[0].ends_with(") demo: ticks for 500 ms: 50"), "{stdout}");
    assert_eq!(lines[1], "slept at least 20 ms: yes");
    assert_eq!(lines[2], "isdigit('7')=1 toupper('q')=Q");
    assert_eq!(lines[3], "stdout via _impure_ptr");
    assert!(lines[4].starts_with("W (") && lines[4].ends_with(") demo: done after 1 ticks"), "{stdout}");
}

//! `cargo espb flash --firmware <ELF>` with a module: the symbol tables the
//! firmware registers are read from the ELF, and a module the firmware would
//! refuse at load is refused before anything is written. The firmware here
//! is a real riscv32 ELF: espb-sys's C table for a small manifest, compiled
//! and linked with clang and lld.

use cargo_espb::flash::firmware_tables::{ElfTable, tables_of_elf};
use cargo_espb::flash::{FlashArgs, FlashError, run};
use espb_runtime::{Module, TableRef};
use std::path::{Path, PathBuf};
use std::process::Command;

const MANIFEST: &str = "0 led_on - \n1 led_off - \n";

/// clang-22 (or clang) and a linker it can use for riscv32, or `None` (then
/// the test says so, and fails under ESPB_E2E_REQUIRE_NATIVE).
fn clang() -> Option<&'static str> {
    let found = ["clang-22", "clang"].into_iter().find(|c| which::which(c).is_ok());
    if found.is_none() {
        assert!(std::env::var_os("ESPB_E2E_REQUIRE_NATIVE").is_none(), "clang is missing (scripts/setup.sh)");
        eprintln!("clang not found: firmware tables not checked");
    }
    found
}

/// The firmware ELF of `MANIFEST`'s table, and the manifest's prefix hashes.
fn firmware(dir: &Path, clang: &str) -> (PathBuf, Vec<u32>) {
    let man = dir.join("custom.espbsym");
    std::fs::write(&man, MANIFEST).unwrap();
    let g = espb_sys::TableBuilder::new("custom").manifest(&man).generate_c(dir.join("c")).unwrap();
    std::fs::write(dir.join("c/sdkconfig.h"), "").unwrap();
    std::fs::write(dir.join("fw.c"), "void led_on(void) {}\nvoid led_off(void) {}\nvoid _start(void) {}\n").unwrap();
    let elf = dir.join("fw.elf");
    let out = Command::new(clang)
        .args(["--target=riscv32-unknown-elf", "-march=rv32imc", "-ffreestanding", "-nostdlib", "-fuse-ld=lld"])
        .arg("-I")
        .arg(dir.join("c"))
        .arg(&g.source)
        .arg(dir.join("fw.c"))
        .arg("-o")
        .arg(&elf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (elf, espb_sys::Manifest::load(&man).unwrap().prefix_hashes())
}

/// A module project with a module importing `tables`, and partitions.csv.
fn project(dir: &Path, tables: Vec<TableRef>) -> FlashArgs {
    let m = Module { tables, ..Module::default() };
    std::fs::write(dir.join("m.espb"), espb_runtime::format::encode(&m)).unwrap();
    std::fs::write(dir.join("espb.toml"), "[build]\noutput = \"m.espb\"\n[flash]\npartition = \"modules\"\n").unwrap();
    std::fs::write(
        dir.join("partitions.csv"),
        "nvs, data, nvs, 0x9000, 0x6000,\nfactory, app, factory, 0x10000, 1M,\nmodules, data, undefined, 0x110000, 64K,\n",
    )
    .unwrap();
    FlashArgs {
        module: true,
        firmware: true,
        dry_run: true,
        firmware_image: Some(dir.join("fw.elf")),
        project: Some(dir.to_path_buf()),
        partition_table: Some(dir.join("partitions.csv")),
        ..FlashArgs::default()
    }
}

#[test]
fn a_module_the_firmware_would_refuse_is_not_flashed() {
    let Some(clang) = clang() else { return };
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("espb-flash-tables");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let (elf, hashes) = firmware(&d, clang);

    let tables = tables_of_elf(&std::fs::read(&elf).unwrap()).unwrap();
    assert_eq!(tables, [ElfTable { name: "custom".into(), prefix_hashes: hashes.clone() }], "read from the ELF");

    let custom = |count: u32, hash: u32| TableRef { name: "custom".into(), hash, count };
    // The firmware's own tables: the check passes, and the dry run goes on
    // to what it needs next (the chip, to convert the ELF).
    for tables in [vec![custom(2, hashes[1])], vec![custom(1, hashes[0])]] {
        let e = run(&project(&d, tables)).unwrap_err();
        assert!(matches!(e, FlashError::ElfNeedsChip { .. }), "{e}");
    }
    let refused = |tables: Vec<TableRef>| match run(&project(&d, tables)) {
        Err(e @ FlashError::ModuleForOtherFirmware { .. }) => e.to_string(),
        other => panic!("not refused: {other:?}"),
    };
    let e = refused(vec![custom(2, hashes[1] ^ 1)]);
    assert!(e.contains("m.espb would be refused by the firmware") && e.contains("fw.elf"), "{e}");
    assert!(e.contains("symbol table `custom` differs") && e.contains("rebuild the module"), "{e}");
    let e = refused(vec![custom(3, hashes[1])]);
    assert!(e.contains("has 2 slots; the module was built against 3"), "{e}");
    let e = refused(vec![custom(2, hashes[1]), TableRef { name: "idf".into(), hash: 1, count: 1 }]);
    assert!(e.contains("the firmware has no symbol table `idf`"), "{e}");
}

/// A firmware without espb's tables (another application) is not judged:
/// the device's own check stays.
#[test]
fn an_elf_without_tables_is_left_to_the_device() {
    let Some(clang) = clang() else { return };
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("espb-flash-no-tables");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("fw.c"), "void _start(void) {}\n").unwrap();
    let out = Command::new(clang)
        .args(["--target=riscv32-unknown-elf", "-ffreestanding", "-nostdlib", "-fuse-ld=lld", "-o"])
        .arg(d.join("fw.elf"))
        .arg(d.join("fw.c"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tables_of_elf(&std::fs::read(d.join("fw.elf")).unwrap()).unwrap(), []);
    let e = run(&project(&d, vec![TableRef { name: "idf".into(), hash: 1, count: 1 }])).unwrap_err();
    assert!(matches!(e, FlashError::ElfNeedsChip { .. }), "{e}");
}

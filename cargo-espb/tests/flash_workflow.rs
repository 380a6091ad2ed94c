//! `cargo espb flash` as a user runs it (the binary, `--dry-run`: no
//! device): the module is built first, and a module that no longer builds
//! is never written; `--firmware` writes the bootloader, the partition
//! table and the app of an idf.py build (flasher_args.json and the files it
//! names), or of a bootloader given with `--bootloader`; a broken build
//! directory, a missing file, a bad bootloader or an ELF for the other
//! architecture is refused with what, where and what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn espb(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
        .current_dir(dir)
        .args(args)
        .env_remove("ESPB_CLANG")
        .env_remove("ESPFLASH_PORT")
        .env_remove("ESPFLASH_BAUD")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// stdout of a command that must succeed.
fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "failed: {err}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr of a command that must fail (nothing planned on stdout), its
/// whitespace collapsed (miette wraps lines).
fn fail(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "unexpected success: {err}");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Flash plan"), "a plan was made: {err}");
    err.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ")
}

const TABLE: &str = "\
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
espb,     data, undefined, 0x110000, 256K,
";

/// The row of the dry-run report for `kind` (`boot`, `table`, ...).
fn row<'a>(out: &'a str, kind: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start().starts_with(&format!("{kind} ")))
        .unwrap_or_else(|| panic!("no {kind} row:\n{out}"))
}

/// A C module project with a partition table beside it.
fn module_project(t: &Path) -> PathBuf {
    let o = espb(t, &["new", "blinky", "--chip", "esp32c3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let root = t.join("blinky");
    std::fs::write(root.join("partitions.csv"), TABLE).unwrap();
    root
}

#[test]
fn the_module_is_built_first_and_a_failed_build_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let root = module_project(t.path());
    let flash = ["flash", "--module", "--dry-run", "--partition-table", "partitions.csv"];
    let module = root.join("build/blinky.espb");
    assert!(!module.exists());
    let out = ok(&espb(&root, &flash));
    assert!(module.is_file(), "flash built the module");
    let size = std::fs::metadata(&module).unwrap().len();
    assert!(row(&out, "module").contains(&format!("{} B", size + 16)), "{out}");

    // The source no longer compiles: the stale module is not written.
    let main = root.join("src/main.c");
    let good = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{good}\nint broken(void) {{ return undeclared_thing; }}\n")).unwrap();
    let err = fail(&espb(&root, &flash));
    assert!(err.contains("undeclared_thing") && err.contains("main.c"), "{err}");
    assert!(module.is_file(), "the old module stays, unflashed");

    // --no-build writes the module as it is, on purpose.
    let out = ok(&espb(&root, &[&flash[..], &["--no-build"]].concat()));
    assert!(row(&out, "module").contains(&format!("{} B", size + 16)), "{out}");

    // Fixed: built again and planned.
    std::fs::write(&main, format!("{good}\nint fixed(void) {{ return 42; }}\n")).unwrap();
    let out = ok(&espb(&root, &flash));
    let new_size = std::fs::metadata(&module).unwrap().len();
    assert!(new_size > size, "the new function is in the module");
    assert!(row(&out, "module").contains(&format!("{} B", new_size + 16)), "{out}");
}

/// An idf.py build directory as idf.py 5.x leaves it.
struct IdfBuild {
    _t: tempfile::TempDir,
    dir: PathBuf,
}

fn bootloader(len: usize) -> Vec<u8> {
    let mut b = vec![0x5A; len];
    b[0] = 0xE9;
    b
}

fn idf_build(chip: &str, boot_offset: &str) -> IdfBuild {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("build");
    std::fs::create_dir_all(dir.join("partition_table")).unwrap();
    std::fs::create_dir_all(dir.join("bootloader")).unwrap();
    let table = cargo_espb::flash::table::parse_table(TABLE.as_bytes()).unwrap().0;
    std::fs::write(dir.join("partition_table/partition-table.bin"), table.to_bin().unwrap()).unwrap();
    std::fs::write(dir.join("bootloader/bootloader.bin"), bootloader(21_000)).unwrap();
    let mut app = vec![0u8; 150_000];
    app[0] = 0xE9;
    std::fs::write(dir.join("pump.bin"), app).unwrap();
    std::fs::write(
        dir.join("flasher_args.json"),
        format!(
            r#"{{
    "write_flash_args" : [ "--flash_mode", "dio", "--flash_size", "4MB", "--flash_freq", "80m" ],
    "flash_files" : {{ "{boot_offset}" : "bootloader/bootloader.bin", "0x10000" : "pump.bin",
                       "0x8000" : "partition_table/partition-table.bin" }},
    "bootloader" : {{ "offset" : "{boot_offset}", "file" : "bootloader/bootloader.bin", "encrypted" : "false" }},
    "app" : {{ "offset" : "0x10000", "file" : "pump.bin", "encrypted" : "false" }},
    "partition-table" : {{ "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" }},
    "extra_esptool_args" : {{ "after" : "hard_reset", "before" : "default_reset", "stub" : true, "chip" : "{chip}" }}
}}"#
        ),
    )
    .unwrap();
    IdfBuild { _t: t, dir }
}

fn firmware_dry_run(b: &IdfBuild, extra: &[&str]) -> Output {
    let dir = b.dir.to_string_lossy().into_owned();
    espb(&b.dir, &[&["flash", "--firmware", "--dry-run", "--firmware-build", &dir][..], extra].concat())
}

#[test]
fn firmware_from_an_idf_build_is_bootloader_table_and_app() {
    let b = idf_build("esp32c3", "0x0");
    let out = ok(&firmware_dry_run(&b, &[]));
    let boot = row(&out, "boot");
    assert!(boot.contains("bootloader") && boot.contains("0x0 ") && boot.contains("21000 B"), "{out}");
    let table = row(&out, "table");
    assert!(table.contains("partition table") && table.contains("0x8000") && table.contains("3072 B"), "{out}");
    let app = row(&out, "firmware");
    assert!(app.contains("factory") && app.contains("0x10000") && app.contains("150000 B"), "{out}");
    let at = |k: &str| out.lines().position(|l| l.trim_start().starts_with(&format!("{k} "))).unwrap();
    assert!(at("boot") < at("table") && at("table") < at("firmware"), "flash order:\n{out}");
    assert!(out.contains("esp32c3 (firmware build target"), "{out}");

    // The ESP32's bootloader sits at 0x1000, as its build says.
    let b = idf_build("esp32", "0x1000");
    let out = ok(&firmware_dry_run(&b, &[]));
    assert!(row(&out, "boot").contains("0x1000"), "{out}");
}

#[test]
fn a_broken_idf_build_says_what_and_what_to_do() {
    let b = idf_build("esp32c3", "0x0");
    std::fs::remove_file(b.dir.join("bootloader/bootloader.bin")).unwrap();
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("bootloader") && err.contains("bootloader/bootloader.bin does not exist"), "{err}");
    assert!(err.contains("run `idf.py build` again"), "{err}");

    let b = idf_build("esp32c3", "0x0");
    std::fs::remove_file(b.dir.join("pump.bin")).unwrap();
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("firmware image") && err.contains("pump.bin does not exist"), "{err}");

    let b = idf_build("esp32c3", "0x0");
    let json = std::fs::read_to_string(b.dir.join("flasher_args.json")).unwrap();
    std::fs::write(b.dir.join("flasher_args.json"), &json[..json.len() / 2]).unwrap();
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("flasher_args.json is not a usable idf.py build") && err.contains("idf.py build"), "{err}");

    let b = idf_build("esp32c3", "zero");
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("the bootloader offset `zero` is not a number"), "{err}");

    let b = idf_build("esp32c3", "0x0");
    std::fs::write(b.dir.join("bootloader/bootloader.bin"), b"not an image").unwrap();
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("the bootloader is not an ESP-IDF image (first byte 0x6e"), "{err}");

    let b = idf_build("esp32c3", "0x0");
    std::fs::write(b.dir.join("bootloader/bootloader.bin"), bootloader(0x8001)).unwrap();
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("runs into the partition table at 0x8000"), "{err}");

    let b = idf_build("esp32c3", "0x0");
    std::fs::write(b.dir.join("partition_table/partition-table.bin"), vec![0xFF; 3072]).unwrap();
    let err = fail(&firmware_dry_run(&b, &[]));
    assert!(err.contains("partition-table.bin"), "{err}");
}

#[test]
fn bootloader_and_table_given_by_hand() {
    let b = idf_build("esp32c3", "0x0");
    let err = fail(&firmware_dry_run(&b, &["--bootloader", "nowhere/boot.bin"]));
    assert!(err.contains("bootloader nowhere/boot.bin does not exist") && err.contains("--bootloader path"), "{err}");

    // An app .bin and a bootloader without a build: the offset is the chip's.
    let d = &b.dir;
    std::fs::write(d.join("mine.bin"), bootloader(9000)).unwrap();
    std::fs::write(d.join("p.csv"), TABLE).unwrap();
    let by_hand = ["flash", "--firmware", "--dry-run", "--firmware-image", "pump.bin", "--bootloader", "mine.bin"];
    let by_hand = [&by_hand[..], &["--partition-table", "p.csv"]].concat();
    let err = fail(&espb(d, &by_hand));
    assert!(err.contains("depends on the chip") && err.contains("--chip"), "{err}");
    let out = ok(&espb(d, &[&by_hand[..], &["--chip", "esp32s2"]].concat()));
    assert!(row(&out, "boot").contains("0x1000") && row(&out, "boot").contains("9000 B"), "{out}");
    assert!(row(&out, "table").contains("0x8000"), "{out}");

    // A table whose first partition sits in the table's own sector.
    std::fs::write(d.join("p.csv"), TABLE.replace("0x9000,  0x6000", "0x8000,  0x7000")).unwrap();
    let err = fail(&espb(d, &[&by_hand[..], &["--chip", "esp32c3"]].concat()));
    assert!(err.contains("partition 'nvs' starts at 0x8000, inside the partition table's sector"), "{err}");

    // Without a bootloader an app .bin is written alone, as before.
    std::fs::write(d.join("p.csv"), TABLE).unwrap();
    let alone = ["flash", "--firmware", "--dry-run", "--firmware-image", "pump.bin", "--partition-table", "p.csv"];
    let out = ok(&espb(d, &alone));
    assert!(row(&out, "firmware").contains("0x10000") && !out.contains("\n    boot "), "{out}");
}

#[test]
fn an_elf_for_the_other_architecture_is_refused() {
    let b = idf_build("esp32c3", "0x0");
    // An ELF header whose e_machine is RISC-V (243).
    let mut elf = vec![0u8; 64];
    elf[..4].copy_from_slice(b"\x7fELF");
    elf[4] = 1;
    elf[5] = 1;
    elf[18..20].copy_from_slice(&243u16.to_le_bytes());
    std::fs::write(b.dir.join("fw.elf"), &elf).unwrap();
    let err = fail(&firmware_dry_run(&b, &["--firmware-image", "fw.elf", "--chip", "esp32s3"]));
    assert!(err.contains("fw.elf is built for RISC-V, but the chip (esp32s3) runs Xtensa code"), "{err}");
    // The right architecture, but no program in it: espflash's refusal, with what to pass.
    let err = fail(&firmware_dry_run(&b, &["--firmware-image", "fw.elf"]));
    assert!(err.contains("cannot convert the firmware ELF") && err.contains("<project>.elf"), "{err}");
}

/// A real RISC-V firmware ELF (clang-22 and ld.lld, a linker script with
/// the ESP32-C3's flash and DRAM addresses) through espflash's conversion:
/// espflash's bootloader for the chip, the table, and the app image.
#[test]
fn a_firmware_elf_becomes_bootloader_table_and_app() {
    let (Ok(clang), true) =
        (which::which("clang-22"), which::which("ld.lld-22").or_else(|_| which::which("ld.lld")).is_ok())
    else {
        let require = std::env::var_os("ESPB_E2E_REQUIRE_NATIVE").is_some_and(|v| v != "0" && !v.is_empty());
        assert!(
            !require,
            "clang-22 and ld.lld are missing and ESPB_E2E_REQUIRE_NATIVE=1: scripts/setup.sh installs them"
        );
        eprintln!("SKIPPED (flash_workflow): clang-22 or ld.lld is missing");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::write(
        d.join("fw.c"),
        "const char msg[] = \"hello\";\nint counter = 3;\n\
         void call_start_cpu0(void) { for (;;) { counter += msg[counter & 3]; } }\n",
    )
    .unwrap();
    std::fs::write(
        d.join("fw.ld"),
        "ENTRY(call_start_cpu0)\nSECTIONS {\n  .flash.text 0x42000020 : { *(.text*) }\n  \
         .flash.rodata 0x3c000020 : { *(.rodata*) *(.srodata*) }\n  .dram0.data 0x3fc88000 : { *(.data*) *(.sdata*) }\n}\n",
    )
    .unwrap();
    let o = Command::new(clang)
        .current_dir(d)
        .args(["--target=riscv32-unknown-elf", "-march=rv32imc", "-O2", "-nostdlib", "-ffreestanding"])
        .args(["-fuse-ld=lld", "-Wl,-T,fw.ld", "-o", "fw.elf", "fw.c"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(d.join("p.csv"), TABLE).unwrap();
    let args = ["flash", "--firmware", "--dry-run", "--firmware-image", "fw.elf", "--partition-table", "p.csv"];
    let out = ok(&espb(d, &[&args[..], &["--chip", "esp32c3"]].concat()));
    assert!(row(&out, "boot").contains("0x0 "), "espflash's ESP32-C3 bootloader at 0x0:\n{out}");
    assert!(row(&out, "table").contains("0x8000") && row(&out, "table").contains("3072 B"), "{out}");
    assert!(row(&out, "firmware").contains("factory") && row(&out, "firmware").contains("0x10000"), "{out}");
    // Without --chip a dry run cannot convert it, and says so.
    let err = fail(&espb(d, &args));
    assert!(err.contains("is an ELF") && err.contains("--chip"), "{err}");
    // The same ELF for an Xtensa chip is refused.
    let err = fail(&espb(d, &[&args[..], &["--chip", "esp32"]].concat()));
    assert!(err.contains("built for RISC-V, but the chip (esp32) runs Xtensa code"), "{err}");
}

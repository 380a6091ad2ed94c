//! `cargo espb symbols` check / lock / gen, through the command's `exec`.

use std::path::PathBuf;

use cargo_espb::CliError;
use cargo_espb::commands::symbols::SymbolsCmd;
use clap::Parser;

#[derive(clap::Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: SymbolsCmd,
}

fn run(cmd: &SymbolsCmd) -> Result<(), CliError> {
    cmd.exec()
}

fn parse(args: &[&str]) -> SymbolsCmd {
    let mut v = vec!["symbols"];
    v.extend_from_slice(args);
    Cli::try_parse_from(v).unwrap().cmd
}

fn scratch(name: &str) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("espb-cli-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn lock_then_check() {
    let d = scratch("lock");
    let man = d.join("custom.espbsym");
    std::fs::write(&man, "0 a - \n1 b - if CONFIG_B\n").unwrap();
    let m = man.to_str().unwrap();
    run(&parse(&["lock", m])).unwrap();
    assert!(d.join("custom.lock").exists());
    // Default baseline: the sibling lock file.
    run(&parse(&["check", m])).unwrap();
    std::fs::write(&man, "0 a -\n1 - removed:b\n2 c -\n").unwrap();
    run(&parse(&["check", m, "--lock", d.join("custom.lock").to_str().unwrap()])).unwrap();
    std::fs::write(&man, "0 c -\n1 b -\n").unwrap();
    let err = run(&parse(&["check", m])).unwrap_err().to_string();
    assert!(err.contains("index 0: was `a`") && err.contains("now `c` (line 1)"), "{err}");
}

#[test]
fn gen_c_rust_and_convert() {
    let d = scratch("gen");
    let comp = d.join("comp");
    let rs = d.join("rs");
    run(&parse(&[
        "gen",
        "--c",
        comp.to_str().unwrap(),
        "--rust",
        rs.to_str().unwrap(),
        "--enable",
        "CONFIG_SOC_LEDC_SUPPORTED",
        "--idf-version",
        "5.2",
    ]))
    .unwrap();
    assert!(comp.join("espb_symtab_idf.c").exists());
    assert!(comp.join("CMakeLists.txt").exists());
    assert!(comp.join("Kconfig").exists());
    let r = std::fs::read_to_string(rs.join("espb_symtab_idf.rs")).unwrap();
    assert!(r.contains("#[link_name = \"ledc_set_duty\"]"));
    assert!(!r.contains("#[link_name = \"esp_wifi_init\"]"));

    let sym = d.join("fast.sym");
    std::fs::write(&sym, "ESPB_SYM(\"printf\", (const void*)&printf)\n").unwrap();
    let out = d.join("fast.espbsym");
    run(&parse(&["gen", sym.to_str().unwrap(), "--convert", out.to_str().unwrap()])).unwrap();
    assert!(std::fs::read_to_string(&out).unwrap().contains("printf"));

    let err = run(&parse(&["gen"])).unwrap_err().to_string();
    assert!(err.contains("nothing to generate"), "{err}");
    let err = run(&parse(&["gen", "--rust", "x", "--idf-version", "5"]));
    assert!(err.is_err());
}

/// The standard `idf` manifest's signatures are what `symbols sigs`
/// derives from the portable SDK headers and newlib (so the committed
/// manifest and the headers agree; rerun `cargo espb symbols sigs
/// espb-sys/manifests/idf.espbsym --write` after changing either).
#[test]
fn idf_signatures_are_the_headers() {
    if cargo_espb::toolchain::find(None).is_err() {
        eprintln!("SKIPPED: no clang to read the SDK headers with");
        return;
    }
    let d = scratch("sigs-idf");
    let man = d.join("idf.espbsym");
    std::fs::write(&man, espb_sys::STANDARD_IDF_MANIFEST).unwrap();
    run(&parse(&["sigs", man.to_str().unwrap(), "--write"])).unwrap();
    assert_eq!(std::fs::read_to_string(&man).unwrap(), espb_sys::STANDARD_IDF_MANIFEST);
}

/// A custom table's signatures come from the firmware's own header.
#[test]
fn sigs_writes_signatures_from_the_firmwares_headers() {
    if cargo_espb::toolchain::find(None).is_err() {
        eprintln!("SKIPPED: no clang to read the headers with");
        return;
    }
    let d = scratch("sigs-custom");
    std::fs::create_dir_all(d.join("inc")).unwrap();
    std::fs::write(
        d.join("inc/pump.h"),
        "#include <stddef.h>\n#include <stdint.h>\ntypedef struct pump *pump_t;\n\
         int pump_send(pump_t p, const void *data, size_t len);\nvoid pump_name(const char *name);\n\
         int pump_level(pump_t p, uint16_t *out);\ndouble pump_rate(pump_t p, int64_t window);\n",
    )
    .unwrap();
    let man = d.join("custom.espbsym");
    std::fs::write(&man, "0 pump_send pump.h  # sends\n1 pump_name pump.h\n2 pump_level pump.h\n3 pump_rate pump.h\n")
        .unwrap();
    let inc = d.join("inc");
    run(&parse(&["sigs", man.to_str().unwrap(), "-I", inc.to_str().unwrap(), "--write"])).unwrap();
    let m = espb_sys::Manifest::load(&man).unwrap();
    let sig = |i: u32| m.get(i).and_then(|e| e.signature.as_ref()).map(ToString::to_string);
    assert_eq!(sig(0).as_deref(), Some("i32(ptr,buf:2,i32)"));
    assert_eq!(sig(1).as_deref(), Some("void(str?)"));
    assert_eq!(sig(2).as_deref(), Some("i32(ptr,mem:2?)"));
    assert_eq!(sig(3).as_deref(), Some("f64(ptr,i64)"));
    assert_eq!(m.get(0).unwrap().comment.as_deref(), Some("sends"), "comments stay");
}

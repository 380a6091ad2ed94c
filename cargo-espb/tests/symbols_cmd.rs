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

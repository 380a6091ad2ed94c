//! espb.toml, espflash.toml / espflash_ports.toml, ESPFLASH_PORT /
//! ESPFLASH_BAUD, and idf.py's flasher_args.json.

use cargo_espb::flash;

use std::path::{Path, PathBuf};

use flash::config::*;

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("espb-flash-config-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn espb_toml_defaults_and_keys() {
    let dir = Path::new("/proj");
    let c = parse_project("", dir).unwrap();
    assert_eq!(c.partition, "espb");
    assert_eq!(c.module, Path::new("/proj/build/module.espb"));
    assert_eq!(c.firmware_build, None);

    let c = parse_project(
        r#"
[package]
name = "blinky"          # other sections belong to other commands

[build]
output = "out/blinky.espb"
opt-level = "s"

[flash]
partition = "modules"
firmware-build = "../firmware/build"
"#,
        dir,
    )
    .unwrap();
    assert_eq!(c.partition, "modules");
    assert_eq!(c.module, Path::new("/proj/out/blinky.espb"));
    assert_eq!(c.firmware_build.as_deref(), Some(Path::new("/proj/../firmware/build")));

    assert!(parse_project("[flash]\npartition = 3\n", dir).is_err());
    assert!(parse_project("[flash]\npartition = \"\"\n", dir).is_err());
    assert!(parse_project("[flash\n", dir).is_err());
}

#[test]
fn espb_toml_files() {
    let d = tmp("espb-toml");
    let c = load_project(&d).unwrap();
    assert_eq!(c.file, None);
    assert_eq!(c.partition, "espb");

    std::fs::write(d.join("espb.toml"), "[flash]\npartition = 7\n").unwrap();
    let e = load_project(&d).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("espb.toml"), "{msg}");
    assert!(msg.contains("partition"), "{msg}");

    std::fs::write(d.join("espb.toml"), "[flash]\npartition = \"mods\"\n").unwrap();
    let c = load_project(&d).unwrap();
    assert_eq!(c.file, Some(d.join("espb.toml")));
    assert_eq!(c.partition, "mods");
}

#[test]
fn espflash_toml_v4_and_v3() {
    let c = parse_espflash_toml(
        r#"
baudrate = 460800

[idf]
partition_table = "partitions.csv"

[flash]
mode = "dio"
size = "4MB"
"#,
        "espflash.toml",
    )
    .unwrap();
    assert_eq!(c.baudrate.unwrap().value, 460_800);
    assert_eq!(c.partition_table.unwrap().value, PathBuf::from("partitions.csv"));
    assert_eq!(c.port, None);

    let c = parse_espflash_toml(
        "[idf_format_args]\npartition_table = \"p.bin\"\n[connection]\nserial = \"/dev/ttyACM0\"\n",
        "espflash.toml",
    )
    .unwrap();
    assert_eq!(c.partition_table.unwrap().value, PathBuf::from("p.bin"));
    assert_eq!(c.port.unwrap().value, "/dev/ttyACM0");

    assert!(parse_espflash_toml("baudrate = \"fast\"", "x").is_err());

    let p = parse_ports_toml(
        "[connection]\nserial = \"/dev/ttyUSB1\"\n\n[[usb_device]]\nvid = \"303a\"\npid = \"1001\"\n",
        "espflash_ports.toml",
    )
    .unwrap()
    .unwrap();
    assert_eq!(p.value, "/dev/ttyUSB1");
    assert_eq!(p.source, "espflash_ports.toml");
}

#[test]
fn espflash_files_are_found_like_espflash() {
    let root = tmp("espflash-files");
    let cwd = root.join("project");
    let global = root.join("global");
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(&global).unwrap();

    assert_eq!(load_espflash(&cwd, Some(&global)).unwrap(), EspflashConfig::default());

    std::fs::write(global.join("espflash_ports.toml"), "[connection]\nserial = \"/dev/g\"\n").unwrap();
    std::fs::write(root.join("espflash.toml"), "baudrate = 921600\n[idf]\npartition_table = \"t.csv\"\n").unwrap();
    let c = load_espflash(&cwd, Some(&global)).unwrap();
    assert_eq!(c.port.unwrap().value, "/dev/g");
    assert_eq!(c.baudrate.unwrap().value, 921_600);
    // Relative to the current directory, as espflash resolves it.
    assert_eq!(c.partition_table.unwrap().value, cwd.join("t.csv"));

    std::fs::write(cwd.join("espflash.toml"), "baudrate = 115200\n").unwrap();
    let c = load_espflash(&cwd, Some(&global)).unwrap();
    assert_eq!(c.baudrate.unwrap().value, 115_200);

    std::fs::write(cwd.join("espflash.toml"), "baudrate = [\n").unwrap();
    let e = load_espflash(&cwd, Some(&global)).unwrap_err();
    assert!(e.to_string().contains("espflash.toml"), "{e}");
}

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

#[test]
fn port_and_baud_precedence() {
    let cfg = parse_espflash_toml("baudrate = 230400\n[connection]\nserial = \"/dev/cfg\"\n", "espflash.toml").unwrap();
    let env = env_of(&[("ESPFLASH_PORT", "/dev/env"), ("ESPFLASH_BAUD", "460800")]);
    let none = env_of(&[]);

    let p = resolve_port(Some("/dev/flag"), &env, &cfg).unwrap();
    assert_eq!((p.value.as_str(), p.source.as_str()), ("/dev/flag", "--port"));
    let p = resolve_port(None, &env, &cfg).unwrap();
    assert_eq!((p.value.as_str(), p.source.as_str()), ("/dev/env", "ESPFLASH_PORT"));
    let p = resolve_port(None, &none, &cfg).unwrap();
    assert_eq!(p.value, "/dev/cfg");
    assert_eq!(resolve_port(None, &none, &EspflashConfig::default()), None);
    let empty = env_of(&[("ESPFLASH_PORT", "")]);
    assert_eq!(resolve_port(None, &empty, &EspflashConfig::default()), None);

    assert_eq!(resolve_baud(Some(9600), &env, &cfg).unwrap().unwrap().value, 9600);
    let b = resolve_baud(None, &env, &cfg).unwrap().unwrap();
    assert_eq!((b.value, b.source.as_str()), (460_800, "ESPFLASH_BAUD"));
    assert_eq!(resolve_baud(None, &none, &cfg).unwrap().unwrap().value, 230_400);
    assert_eq!(resolve_baud(None, &none, &EspflashConfig::default()).unwrap(), None);

    let bad = env_of(&[("ESPFLASH_BAUD", "fast")]);
    let e = resolve_baud(None, &bad, &cfg).unwrap_err();
    assert!(e.to_string().contains("ESPFLASH_BAUD"), "{e}");
    assert!(e.to_string().contains("`fast`"), "{e}");
    let zero = env_of(&[("ESPFLASH_BAUD", "0")]);
    assert!(resolve_baud(None, &zero, &cfg).is_err());
}

#[test]
fn global_config_dir_follows_directories() {
    if cfg!(target_os = "linux") {
        let env = env_of(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/home/u")]);
        assert_eq!(global_config_dir(&env), Some(PathBuf::from("/x/espflash")));
        let env = env_of(&[("HOME", "/home/u")]);
        assert_eq!(global_config_dir(&env), Some(PathBuf::from("/home/u/.config/espflash")));
    }
}

/// flasher_args.json as idf.py 5.x writes it.
const FLASHER_ARGS: &str = r#"{
    "write_flash_args" : [ "--flash_mode", "dio",
                           "--flash_size", "2MB",
                           "--flash_freq", "80m" ],
    "flash_settings" : {
        "flash_mode": "dio",
        "flash_size": "2MB",
        "flash_freq": "80m"
    },
    "flash_files" : {
        "0x0" : "bootloader/bootloader.bin",
        "0x10000" : "blink.bin",
        "0x8000" : "partition_table/partition-table.bin"
    },
    "bootloader" : { "offset" : "0x0", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "0x10000", "file" : "blink.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "extra_esptool_args" : {
        "after"  : "hard_reset",
        "before" : "default_reset",
        "stub"   : true,
        "chip"   : "esp32c3"
    }
}"#;

#[test]
fn idf_build_flasher_args() {
    let b = parse_flasher_args(FLASHER_ARGS, Path::new("/fw/build")).unwrap();
    assert_eq!(b.app_bin, Some(PathBuf::from("/fw/build/blink.bin")));
    assert_eq!(b.partition_table, Some(PathBuf::from("/fw/build/partition_table/partition-table.bin")));
    assert_eq!(b.chip.as_deref(), Some("esp32c3"));
    assert!(parse_flasher_args("{", Path::new("/")).is_err());

    let d = tmp("idf-build");
    let e = load_idf_build(&d).unwrap_err();
    assert!(e.to_string().contains("idf.py build"), "{e}");
    std::fs::write(d.join("flasher_args.json"), FLASHER_ARGS).unwrap();
    assert_eq!(load_idf_build(&d).unwrap().chip.as_deref(), Some("esp32c3"));
}

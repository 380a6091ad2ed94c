//! `cargo espb flash` end to end without a device: dry runs, refusals that
//! happen before any port is opened, and the thin espflash layer's errors
//! for a missing port, a busy port (a pseudo-terminal held open), a port
//! where no chip answers, and a wrong chip.

use cargo_espb::flash;

use std::path::PathBuf;

use flash::plan::PlanError;
use flash::{FlashArgs, FlashError, device, run};

const TABLE: &str = "\
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
modules,  data, undefined, 0x110000, 64K,
";

/// A valid module of at least `len` bytes (its data fills it up).
fn module_of(len: usize) -> Vec<u8> {
    let mut m = espb_runtime::Module::default();
    let base = espb_runtime::format::encode(&m).len();
    let fill = len.saturating_sub(base + 8);
    m.data = espb_runtime::Data { size: fill as u32, align: 4, init: vec![0x42; fill], relocs: vec![] };
    let bytes = espb_runtime::format::encode(&m);
    assert!(bytes.len() >= len.min(base), "{} bytes for {len}", bytes.len());
    bytes
}

/// A module project: espb.toml naming partition `modules` and output
/// `out/m.espb`, a module of about `module_len` bytes, and partitions.csv.
fn project(name: &str, module_len: usize) -> PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("espb-flash-dev-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("out")).unwrap();
    std::fs::write(d.join("espb.toml"), "[build]\noutput = \"out/m.espb\"\n[flash]\npartition = \"modules\"\n")
        .unwrap();
    std::fs::write(d.join("out/m.espb"), module_of(module_len)).unwrap();
    std::fs::write(d.join("partitions.csv"), TABLE).unwrap();
    d
}

fn ports(port: Option<String>) -> flash::ports::PortArgs {
    flash::ports::PortArgs { port, ..Default::default() }
}

fn args(dir: &std::path::Path) -> FlashArgs {
    FlashArgs {
        module: true,
        project: Some(dir.to_path_buf()),
        partition_table: Some(dir.join("partitions.csv")),
        ..FlashArgs::default()
    }
}

#[test]
fn dry_run_needs_no_device() {
    let d = project("dry", 1000);
    let a = FlashArgs {
        dry_run: true,
        ports: ports(Some("/dev/espb-no-such-port".into())),
        chip: Some("esp32c3".into()),
        ..args(&d)
    };
    run(&a).unwrap();
}

#[test]
fn dry_run_with_an_idf_build() {
    let d = project("idf", 1000);
    let b = d.join("fw/build");
    std::fs::create_dir_all(b.join("partition_table")).unwrap();
    let table = flash::table::parse_table(TABLE.as_bytes()).unwrap().0;
    std::fs::write(b.join("partition_table/partition-table.bin"), table.to_bin().unwrap()).unwrap();
    let mut app = vec![0u8; 5000];
    app[0] = 0xE9;
    std::fs::write(b.join("blink.bin"), app).unwrap();
    std::fs::write(
        b.join("flasher_args.json"),
        r#"{ "app": { "offset": "0x10000", "file": "blink.bin" },
             "partition-table": { "offset": "0x8000", "file": "partition_table/partition-table.bin" },
             "extra_esptool_args": { "chip": "esp32c6" } }"#,
    )
    .unwrap();
    let a =
        FlashArgs { dry_run: true, firmware: true, partition_table: None, firmware_build: Some(b.clone()), ..args(&d) };
    run(&a).unwrap();

    // A firmware build that is not one.
    let a = FlashArgs { firmware_build: Some(d.join("out")), ..a };
    let e = run(&a).unwrap_err();
    assert!(e.to_string().contains("flasher_args.json"), "{e}");
}

#[test]
fn refusals_come_before_the_port() {
    // The port does not exist: each of these must fail on its own cause
    // first, proving nothing would be opened or written.
    let port = Some("/dev/espb-no-such-port".to_string());

    let d = project("too-big", 0x10000); // + 16-byte header > 64 KiB
    let e = run(&FlashArgs { ports: ports(port.clone()), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::Plan(PlanError::ModuleTooLarge { .. })), "{e}");

    let d = project("label", 10);
    let e = run(&FlashArgs { ports: ports(port.clone()), partition: Some("espb".into()), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::Plan(PlanError::PartitionNotFound { .. })), "{e}");
    assert!(e.to_string().contains("nvs, phy_init, factory, modules"), "{e}");

    let d = project("subtype", 10);
    std::fs::write(d.join("partitions.csv"), TABLE.replace("data, undefined", "data, 0x40")).unwrap();
    let e = run(&FlashArgs { ports: ports(port.clone()), ..args(&d) }).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, FlashError::Table { .. }), "{msg}");
    assert!(msg.contains("partitions.csv") && msg.contains("line 5"), "{msg}");
    assert!(msg.contains("data, undefined") && msg.contains("0x40-0xFE"), "{msg}");

    // Bytes the device's loader would refuse are not written.
    let d = project("invalid", 10);
    std::fs::write(d.join("out/m.espb"), vec![0x42; 100]).unwrap();
    let e = run(&FlashArgs { ports: ports(port.clone()), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::InvalidModule { .. }), "{e}");
    assert!(e.to_string().contains("nothing was written") && e.to_string().contains("cargo espb build"), "{e}");
    let mut bad = module_of(200);
    let n = bad.len();
    bad[n - 1] ^= 1; // checksum no longer matches
    std::fs::write(d.join("out/m.espb"), bad).unwrap();
    let e = run(&FlashArgs { ports: ports(port.clone()), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::InvalidModule { .. }), "{e}");

    let d = project("missing", 10);
    std::fs::remove_file(d.join("out/m.espb")).unwrap();
    let e = run(&FlashArgs { ports: ports(port.clone()), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::ModuleMissing { .. }), "{e}");
    assert!(e.to_string().contains("cargo espb build"), "{e}");

    let e = run(&FlashArgs { module: false, ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::Plan(PlanError::NothingToFlash)), "{e}");

    let d = project("no-table", 10);
    let e = run(&FlashArgs { ports: ports(port.clone()), partition_table: None, ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::NoPartitionTable), "{e}");

    let d = project("bad-chip", 10);
    let e = run(&FlashArgs { ports: ports(port.clone()), chip: Some("esp8266".into()), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::UnknownChip { .. }), "{e}");
    assert!(e.to_string().contains("esp32c3"), "{e}");

    let d = project("elf", 10);
    std::fs::write(d.join("fw.elf"), b"\x7fELF\x01\x01\x01").unwrap();
    let e = run(&FlashArgs { dry_run: true, firmware: true, firmware_image: Some(d.join("fw.elf")), ..args(&d) })
        .unwrap_err();
    assert!(matches!(e, FlashError::ElfNeedsChip { .. }), "{e}");
    let e = run(&FlashArgs {
        dry_run: true,
        firmware: true,
        chip: Some("esp32c3".into()),
        firmware_image: Some(d.join("fw.elf")),
        ..args(&d)
    })
    .unwrap_err();
    assert!(matches!(e, FlashError::Elf { .. }), "{e}");
}

#[test]
fn missing_port() {
    let d = project("no-port", 10);
    let e = run(&FlashArgs { ports: ports(Some("/dev/espb-no-such-port".into())), ..args(&d) }).unwrap_err();
    assert!(matches!(e, FlashError::PortNotFound { .. }), "{e}");
    assert!(e.to_string().contains("/dev/espb-no-such-port"), "{e}");
}

#[cfg(unix)]
#[test]
fn busy_port_and_silent_port() {
    use serialport::SerialPort;
    let (_master, slave) = serialport::TTYPort::pair().unwrap();
    let name = slave.name().unwrap();
    drop(slave);

    let held = device::open_port(&name).unwrap();
    let e = device::open_port(&name).unwrap_err();
    assert!(matches!(e, FlashError::PortBusy { .. }), "{e}");
    assert!(e.to_string().contains("another program"), "{e}");
    drop(held);

    // Nothing answers on the pseudo-terminal: espflash gives up, and the
    // error says what to check.
    let t = std::time::Instant::now();
    let e = device::connect(&device::Target {
        port: name.clone(),
        baud: None,
        chip: None,
        use_stub: true,
        verify: true,
        skip: true,
    })
    .unwrap_err();
    eprintln!("no answer after {:?}: {e}", t.elapsed());
    assert!(matches!(e, FlashError::NoAnswer { .. }), "{e}");
    assert!(e.to_string().contains("BOOT"), "{e}");
}

#[test]
fn wrong_chip_and_chip_names() {
    let e = device::connect_error(espflash::Error::ChipMismatch("esp32c3".into(), "esp32s3".into()), "/dev/ttyUSB0");
    assert!(matches!(e, FlashError::WrongChip { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("esp32s3") && msg.contains("esp32c3"), "{msg}");

    assert_eq!(device::parse_chip("esp32c3").unwrap(), espflash::target::Chip::Esp32c3);
    assert_eq!(device::parse_chip("ESP32-S3").unwrap(), espflash::target::Chip::Esp32s3);
    assert!(device::parse_chip("").is_err());
}

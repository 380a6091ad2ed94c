//! Flash plans for real-format partition tables, the dry-run report, and the
//! refusals (all decided before any device is touched).

use cargo_espb::flash;

use esp_idf_part::PartitionTable;
use espb_runtime::format::partition;
use flash::plan::{Context, FirmwareInput, ModuleInput, Plan, PlanError, RegionKind, Request, Sourced, plan, render};
use flash::table::parse_table;

const SINGLEAPP: &str = "\
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
espb,     data, undefined, 0x110000, 256K,
";

/// Two OTA slots, no factory; custom-type module partition, offsets omitted.
const TWO_OTA_CUSTOM: &str = "\
nvs,      data, nvs,     , 0x4000,
otadata,  data, ota,     , 0x2000,
phy_init, data, phy,     , 0x1000,
ota_0,    app,  ota_0,   , 1536K,
ota_1,    app,  ota_1,   , 1536K,
modules,  0x40, 0x00,    , 64K,
";

/// An 8 MB layout with a SPIFFS storage partition used for modules.
const LARGE_SPIFFS: &str = "\
nvs,      data, nvs,     0x9000,   0x5000,
otadata,  data, ota,     0xe000,   0x2000,
app0,     app,  ota_0,   0x10000,  0x330000,
app1,     app,  ota_1,   0x340000, 0x330000,
spiffs,   data, spiffs,  0x670000, 0x180000,
coredump, data, coredump, 0x7F0000, 0x10000,
";

fn table(csv: &str) -> PartitionTable {
    parse_table(csv.as_bytes()).unwrap().0
}

fn module(label: &str, bytes: &[u8]) -> Request<'static> {
    // Leak to keep the helper simple in tests.
    let label: &'static str = Box::leak(label.to_string().into_boxed_str());
    let bytes: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
    Request { module: Some(ModuleInput { label, bytes }), firmware: None }
}

fn app_image(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    v[0] = 0xE9;
    v
}

#[test]
fn module_only_singleapp() {
    let m = b"ESPB module bytes".to_vec();
    let p = plan(&table(SINGLEAPP), &module("espb", &m)).unwrap();
    assert_eq!(p.regions.len(), 1);
    let r = &p.regions[0];
    assert_eq!(r.kind, RegionKind::Module);
    assert_eq!(r.partition, "espb");
    assert_eq!(r.offset, 0x110000);
    assert_eq!(r.partition_size, 0x40000);
    assert_eq!(r.data.len(), partition::HEADER_LEN + m.len());
    // What is written is what the runtime's loader accepts.
    assert_eq!(partition::unwrap(&r.data).unwrap(), &m[..]);
}

#[test]
fn module_and_firmware_in_flash_order() {
    let t = table(SINGLEAPP);
    let fw = app_image(200_000);
    let mut req = module("espb", b"m");
    req.firmware = Some(FirmwareInput { app_partition: None, image: &fw });
    let p = plan(&t, &req).unwrap();
    let got: Vec<_> = p.regions.iter().map(|r| (r.kind, r.partition.as_str(), r.offset, r.data.len())).collect();
    assert_eq!(got, [(RegionKind::Firmware, "factory", 0x10000, 200_000), (RegionKind::Module, "espb", 0x110000, 17),]);
}

#[test]
fn firmware_goes_to_ota_0_without_factory() {
    let t = table(TWO_OTA_CUSTOM);
    let fw = app_image(1000);
    let req = Request { module: None, firmware: Some(FirmwareInput { app_partition: None, image: &fw }) };
    let p = plan(&t, &req).unwrap();
    assert_eq!(p.regions[0].partition, "ota_0");
    assert_eq!(p.regions[0].offset, 0x10000);
    // An explicit app partition.
    let req = Request { module: None, firmware: Some(FirmwareInput { app_partition: Some("ota_1"), image: &fw }) };
    assert_eq!(plan(&t, &req).unwrap().regions[0].offset, 0x190000);
}

#[test]
fn custom_type_and_spiffs_partitions_take_modules() {
    let p = plan(&table(TWO_OTA_CUSTOM), &module("modules", b"abc")).unwrap();
    assert_eq!(p.regions[0].offset, 0x310000);
    let p = plan(&table(LARGE_SPIFFS), &module("spiffs", b"abc")).unwrap();
    assert_eq!(p.regions[0].offset, 0x670000);
}

#[test]
fn module_size_limit_is_exact() {
    // 64 KiB partition: 16-byte header + module must fit.
    let t = table(TWO_OTA_CUSTOM);
    let fits = vec![0x5A; 0x10000 - partition::HEADER_LEN];
    assert!(plan(&t, &module("modules", &fits)).is_ok());
    let too_big = vec![0x5A; 0x10000 - partition::HEADER_LEN + 1];
    let e = plan(&t, &module("modules", &too_big)).unwrap_err();
    assert_eq!(e, PlanError::ModuleTooLarge { label: "modules".into(), needed: 0x10001, available: 0x10000 });
    let msg = e.to_string();
    assert!(msg.contains("65537") && msg.contains("65536"), "{msg}");
    assert!(msg.contains("Nothing was written"), "{msg}");
}

#[test]
fn refusals() {
    let t = table(SINGLEAPP);
    let e = plan(&t, &module("modules", b"m")).unwrap_err();
    assert!(matches!(e, PlanError::PartitionNotFound { .. }));
    let msg = e.to_string();
    assert!(msg.contains("'modules'"), "{msg}");
    assert!(msg.contains("nvs, phy_init, factory, espb"), "{msg}");
    assert!(msg.contains("data, undefined"), "{msg}");

    for label in ["factory", "nvs", "phy_init"] {
        let e = plan(&t, &module(label, b"m")).unwrap_err();
        assert!(matches!(e, PlanError::NotAModulePartition { .. }), "{label}: {e:?}");
    }
    let e = plan(&table(LARGE_SPIFFS), &module("coredump", b"m")).unwrap_err();
    assert!(matches!(e, PlanError::NotAModulePartition { .. }));
    let e = plan(&table(LARGE_SPIFFS), &module("otadata", b"m")).unwrap_err();
    assert!(matches!(e, PlanError::NotAModulePartition { .. }));

    assert_eq!(plan(&t, &module("espb", b"")).unwrap_err(), PlanError::EmptyModule);
    assert_eq!(plan(&t, &Request::default()).unwrap_err(), PlanError::NothingToFlash);

    let elf = b"\x7fELF....".to_vec();
    let req = Request { module: None, firmware: Some(FirmwareInput { app_partition: None, image: &elf }) };
    assert_eq!(plan(&t, &req).unwrap_err(), PlanError::NotAppImage { found: 0x7f });
    let empty: Vec<u8> = Vec::new();
    let req = Request { module: None, firmware: Some(FirmwareInput { app_partition: None, image: &empty }) };
    assert!(matches!(plan(&t, &req).unwrap_err(), PlanError::NotAppImage { .. }));

    let big = app_image(0x100001);
    let req = Request { module: None, firmware: Some(FirmwareInput { app_partition: None, image: &big }) };
    assert!(matches!(plan(&t, &req).unwrap_err(), PlanError::FirmwareTooLarge { .. }));

    let fw = app_image(10);
    let req = Request { module: None, firmware: Some(FirmwareInput { app_partition: Some("ota_3"), image: &fw }) };
    let e = plan(&t, &req).unwrap_err();
    assert!(matches!(e, PlanError::AppPartitionNotFound { .. }));
    assert!(e.to_string().contains("factory"), "{e}");
}

#[test]
fn a_refused_module_refuses_the_whole_plan() {
    // Firmware fine, module too big: nothing is planned at all.
    let t = table(TWO_OTA_CUSTOM);
    let fw = app_image(1000);
    let mut req = module("modules", &vec![1; 0x20000]);
    req.firmware = Some(FirmwareInput { app_partition: None, image: &fw });
    assert!(matches!(plan(&t, &req), Err(PlanError::ModuleTooLarge { .. })));
}

fn ctx(skip: bool) -> Context {
    Context {
        port: Some(Sourced { value: "/dev/ttyUSB0".into(), source: "ESPFLASH_PORT".into() }),
        baud: Some(Sourced { value: 460_800, source: "espflash.toml".into() }),
        chip: Some(Sourced { value: "esp32c3".into(), source: "firmware build target".into() }),
        table: Sourced {
            value: "build/partition_table/partition-table.bin".into(),
            source: "binary, from firmware build".into(),
        },
        skip_unchanged: skip,
    }
}

#[test]
fn dry_run_report() {
    let t = table(SINGLEAPP);
    let fw = app_image(183_456);
    let mut req = module("espb", &[7; 1511]);
    req.firmware = Some(FirmwareInput { app_partition: None, image: &fw });
    let p = plan(&t, &req).unwrap();
    let out = render(&p, &ctx(true));
    println!("{out}");
    for needle in [
        "dry run",
        "/dev/ttyUSB0 (ESPFLASH_PORT)",
        "460800 (espflash.toml)",
        "esp32c3 (firmware build target",
        "partition-table.bin (binary, from firmware build)",
        "firmware  factory",
        "0x10000",
        "183456 B",
        "1 MiB",
        "module    espb",
        "0x110000",
        "1527 B",
        "256 KiB",
        "skipped (MD5 compared on the device)",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    let lines: Vec<_> = out.lines().collect();
    let fw_line = lines.iter().position(|l| l.contains("factory")).unwrap();
    let mod_line = lines.iter().position(|l| l.contains("module ")).unwrap();
    assert!(fw_line < mod_line, "regions in flash order");

    let mut c = ctx(false);
    c.port = None;
    c.chip = None;
    c.baud = None;
    let out = render(&p, &c);
    assert!(out.contains("rewritten (--no-skip)"), "{out}");
    assert!(out.contains("detected when connecting"), "{out}");
    assert!(out.contains("115200 (default)"), "{out}");
    assert!(out.contains("USB serial port"), "{out}");
    let _ = Plan::default();
}

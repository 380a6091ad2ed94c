//! Partition tables: real ESP-IDF CSV and binary tables load; the rows that
//! make esp-idf-part 0.6 panic are refused with an error instead.

use cargo_espb::flash;

use esp_idf_part::{DataType, SubType, Type};
use flash::table::{TableError, TableFormat, parse_table};

/// ESP-IDF's partitions_singleapp.csv plus a module partition.
const SINGLEAPP_CSV: &str = "\
# ESP-IDF Partition Table
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
espb,     data, undefined, 0x110000, 256K,
";

/// The same table as gen_esp32part.py writes it (entries + MD5 row), before
/// the 0xFF padding to 0xC00 bytes.
const SINGLEAPP_BIN: [&str; 5] = [
    "aa50010200900000006000006e76730000000000000000000000000000000000",
    "aa50010100f00000001000007068795f696e6974000000000000000000000000",
    "aa5000000000010000001000666163746f727900000000000000000000000000",
    "aa50010600001100000004006573706200000000000000000000000000000000",
    "ebebffffffffffffffffffffffffffff4c39608f8a51c014f9abff71844eea4a",
];

/// partitions_two_ota.csv without factory, with a custom-type (0x40) module
/// partition, in binary.
const TWO_OTA_CUSTOM_BIN: [&str; 7] = [
    "aa50010200900000004000006e76730000000000000000000000000000000000",
    "aa50010000d00000002000006f74616461746100000000000000000000000000",
    "aa50010100f00000001000007068795f696e6974000000000000000000000000",
    "aa50001000000100000018006f74615f30000000000000000000000000000000",
    "aa50001100001900000018006f74615f31000000000000000000000000000000",
    "aa50400000003100000002006573706200000000000000000000000000000000",
    "ebebffffffffffffffffffffffffffffe04c8b3c3662bede9bd9e2fde888feb8",
];

fn bin(rows: &[&str]) -> Vec<u8> {
    let mut out: Vec<u8> = rows
        .concat()
        .as_bytes()
        .chunks(2)
        .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap())
        .collect();
    out.resize(0xC00, 0xFF);
    out
}

#[test]
fn csv_singleapp_with_module_partition() {
    let (t, f) = parse_table(SINGLEAPP_CSV.as_bytes()).unwrap();
    assert_eq!(f, TableFormat::Csv);
    let p = t.find("espb").unwrap();
    assert_eq!(p.ty(), Type::Data);
    assert_eq!(p.subtype(), SubType::Data(DataType::Undefined));
    assert_eq!((p.offset(), p.size()), (0x110000, 0x40000));
}

#[test]
fn binary_tables_from_gen_esp32part() {
    let (t, f) = parse_table(&bin(&SINGLEAPP_BIN)).unwrap();
    assert_eq!(f, TableFormat::Binary);
    let (csv, _) = parse_table(SINGLEAPP_CSV.as_bytes()).unwrap();
    assert_eq!(t, csv, "binary and CSV forms of one table agree");

    let (t, _) = parse_table(&bin(&TWO_OTA_CUSTOM_BIN)).unwrap();
    let p = t.find("espb").unwrap();
    assert_eq!(p.ty(), Type::Custom(0x40));
    assert_eq!((p.offset(), p.size()), (0x310000, 0x20000));
}

#[test]
fn csv_offsets_omitted_are_placed_like_esp_idf() {
    let csv = "\
nvs,      data, nvs,     , 0x4000,
otadata,  data, ota,     , 0x2000,
phy_init, data, phy,     , 0x1000,
ota_0,    app,  ota_0,   , 1M,
ota_1,    app,  ota_1,   , 1M,
espb,     0x40, 0x00,    , 128K,
";
    let (t, _) = parse_table(csv.as_bytes()).unwrap();
    let off = |n: &str| t.find(n).unwrap().offset();
    assert_eq!(off("nvs"), 0x9000);
    assert_eq!(off("otadata"), 0xd000);
    assert_eq!(off("ota_0"), 0x10000);
    assert_eq!(off("ota_1"), 0x110000);
    assert_eq!(off("espb"), 0x210000);
}

fn err(csv: &str) -> TableError {
    match parse_table(csv.as_bytes()) {
        Ok(_) => panic!("accepted:\n{csv}"),
        Err(e) => e,
    }
}

const HEAD: &str = "nvs, data, nvs, 0x9000, 0x6000,\nfactory, app, factory, 0x10000, 1M,\n";

#[test]
fn numeric_data_subtype_is_an_error_with_a_suggestion() {
    // esp-idf-part 0.6 panics on this row (`SubType::data(0x40).unwrap()`).
    let e = err(&format!("{HEAD}espb, data, 0x40, 0x110000, 64K,\n"));
    assert!(matches!(e, TableError::UnknownDataSubtype { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("'espb'"), "{msg}");
    assert!(msg.contains("data, undefined"), "{msg}");
    assert!(msg.contains("0x40-0xFE"), "{msg}");

    for sub in ["0x99", "7", "0x84", "ota_0", "factory"] {
        let e = err(&format!("{HEAD}espb, data, {sub}, 0x110000, 64K,\n"));
        assert!(matches!(e, TableError::UnknownDataSubtype { .. }), "{sub}: {e:?}");
    }
    // Known numeric data subtypes are fine.
    parse_table(format!("{HEAD}espb, data, 0x06, 0x110000, 64K,\n").as_bytes()).unwrap();
    parse_table(format!("{HEAD}espb, 1, 0x82, 0x110000, 64K,\n").as_bytes()).unwrap();
}

#[test]
fn bad_app_subtypes_are_errors() {
    for sub in ["0x05", "nvs", "spiffs", "0x21"] {
        let e = err(&format!("{HEAD}app2, app, {sub}, 0x110000, 1M,\n"));
        assert!(matches!(e, TableError::BadAppSubtype { .. }), "{sub}: {e:?}");
    }
}

#[test]
fn overflowing_and_negative_numbers_are_errors() {
    let e = err(&format!("{HEAD}big, data, undefined, 0xFFFFF000, 0x2000,\n"));
    assert!(matches!(e, TableError::Overflow { .. }), "{e:?}");
    let e = err(&format!("{HEAD}neg, data, undefined, -0x1000, 0x2000,\n"));
    assert!(matches!(e, TableError::BadNumber { field: "offset", .. }), "{e:?}");
    let e = err(&format!("{HEAD}neg, -1, 0, 0x110000, 0x2000,\n"));
    assert!(matches!(e, TableError::BadNumber { field: "type", .. }), "{e:?}");
    let e = err(&format!("{HEAD}neg, 0x40, -1, 0x110000, 0x2000,\n"));
    assert!(matches!(e, TableError::BadNumber { field: "subtype", .. }), "{e:?}");
    let e = err(&format!("{HEAD}huge, data, undefined, 0x110000, 99999999999k,\n"));
    assert!(matches!(e, TableError::BadNumber { field: "size", .. }), "{e:?}");
    let e = err(&format!("{HEAD}huge, data, undefined, 0x110000, 5000M,\n"));
    assert!(matches!(e, TableError::BadNumber { field: "size", .. }), "{e:?}");
    let e = err(&format!("{HEAD}arabic, data, undefined, 0x110000, \u{0661}k,\n"));
    assert!(matches!(e, TableError::BadNumber { field: "size", .. }), "{e:?}");
    // An omitted offset after a partition that ends near 4 GiB.
    let e = err(&format!("{HEAD}high, data, undefined, 0xFFFF0000, 0xF000,\nnext, app, ota_0, , 1M,\n"));
    assert!(matches!(e, TableError::Overflow { .. }), "{e:?}");
}

#[test]
fn binary_guard() {
    // A data entry with subtype 0x40 (the library would panic).
    let mut b = bin(&SINGLEAPP_BIN);
    b[3 * 32 + 3] = 0x40;
    let e = parse_table(&b).unwrap_err();
    assert!(matches!(e, TableError::UnknownDataSubtype { .. }), "{e:?}");
    assert!(e.to_string().contains("entry 3"), "{e}");
    // An app entry with subtype 0x05.
    let mut b = bin(&SINGLEAPP_BIN);
    b[2 * 32 + 3] = 0x05;
    let e = parse_table(&b).unwrap_err();
    assert!(matches!(e, TableError::BadAppSubtype { .. }), "{e:?}");
    // Unknown flag bits.
    let mut b = bin(&SINGLEAPP_BIN);
    b[3 * 32 + 28] = 0x04;
    let e = parse_table(&b).unwrap_err();
    assert!(matches!(e, TableError::BadFlags { flags: 4, .. }), "{e:?}");
    // offset + size past 4 GiB.
    let mut b = bin(&SINGLEAPP_BIN);
    b[3 * 32 + 4..3 * 32 + 8].copy_from_slice(&0xFFFF_F000u32.to_le_bytes());
    let e = parse_table(&b).unwrap_err();
    assert!(matches!(e, TableError::Overflow { .. }), "{e:?}");
    // A corrupted byte is caught by the table's own MD5.
    let mut b = bin(&SINGLEAPP_BIN);
    b[3 * 32 + 12] = b'x';
    let e = parse_table(&b).unwrap_err();
    assert!(matches!(e, TableError::Invalid(_)), "{e:?}");
    // Not a multiple of 32, no end marker.
    assert!(parse_table(&bin(&SINGLEAPP_BIN)[..100]).is_err());
    assert!(parse_table(&bin(&SINGLEAPP_BIN)[..160]).is_err());
}

#[test]
fn degenerate_inputs() {
    // esp-idf-part's `try_from` indexes `input[..2]`: never used here.
    assert!(parse_table(b"").is_err());
    assert!(parse_table(b"\xAA").is_err());
    assert!(matches!(parse_table(b"\xff\xfe\x00"), Err(TableError::NotUtf8)));
    assert!(parse_table(b"# only a comment\n").is_err());
    assert!(parse_table(b"nvs, data\n").is_err());
    assert!(parse_table(b"nvs, bogus, nvs, 0x9000, 0x6000\n").is_err());
    assert!(parse_table(b"\"unterminated, data, nvs, 0x9000, 0x6000\n").is_err());
}

/// Deterministic pseudo-random mutations of real tables never panic.
#[test]
fn mutations_never_panic() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let csv = SINGLEAPP_CSV.as_bytes().to_vec();
    let alphabet = b"0123456789abcdefxXkKmM,-_ \n#\"data app";
    for _ in 0..400 {
        let mut c = csv.clone();
        for _ in 0..(next() % 4 + 1) {
            let i = (next() as usize) % c.len();
            match next() % 3 {
                0 => c[i] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    c.remove(i);
                }
                _ => c.insert(i, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        let _ = parse_table(&c);
    }
    let b = bin(&TWO_OTA_CUSTOM_BIN);
    for _ in 0..400 {
        let mut c = b.clone();
        for _ in 0..(next() % 3 + 1) {
            let i = (next() as usize) % 224;
            c[i] = next() as u8;
        }
        let _ = parse_table(&c);
    }
}

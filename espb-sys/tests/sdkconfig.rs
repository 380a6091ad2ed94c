use espb_sys::sdkconfig::Format;
use espb_sys::{Sdkconfig, Value};

const TEXT: &str = r#"#
# Automatically generated file. DO NOT EDIT.
# Espressif IoT Development Framework (ESP-IDF) 5.2.1 Project Configuration
#
CONFIG_SOC_LEDC_SUPPORTED=y
CONFIG_IDF_TARGET="esp32c3"
CONFIG_PARTITION_TABLE_OFFSET=0x8000
CONFIG_LOG_DEFAULT_LEVEL=3
CONFIG_NEG=-5
CONFIG_APP_NAME="say \"hi\" \\ there"

#
# Wi-Fi
#
# CONFIG_ESP_WIFI_ENABLED is not set
# end of Wi-Fi
CONFIG_MANUAL_N=n
"#;

const HEADER: &str = r#"/*
 * Automatically generated file. DO NOT EDIT.
 * Espressif IoT Development Framework (ESP-IDF) 5.1.2 Configuration Header
 */
#pragma once
#define CONFIG_SOC_LEDC_SUPPORTED 1
#define CONFIG_IDF_TARGET "esp32c3"
#define CONFIG_PARTITION_TABLE_OFFSET 0x8000
#define CONFIG_LOG_DEFAULT_LEVEL 3
#define CONFIG_APP_NAME "a /* not a comment */ b"
#define CONFIG_FREERTOS_HZ 100

/* List of deprecated options */
#define CONFIG_OLD_LEDC CONFIG_SOC_LEDC_SUPPORTED
#define CONFIG_OLD_GONE CONFIG_NOT_SET
"#;

const JSON: &str = r#"{
    "SOC_LEDC_SUPPORTED": true,
    "ESP_WIFI_ENABLED": false,
    "IDF_TARGET": "esp32c3",
    "PARTITION_TABLE_OFFSET": 32768,
    "LOG_DEFAULT_LEVEL": 3
}
"#;

#[test]
fn text_format() {
    let c = Sdkconfig::parse(TEXT, Format::Text, "sdkconfig").unwrap();
    assert_eq!(c.get("CONFIG_SOC_LEDC_SUPPORTED"), Some(&Value::Bool(true)));
    assert_eq!(c.get("SOC_LEDC_SUPPORTED"), Some(&Value::Bool(true)));
    assert!(c.is_enabled("SOC_LEDC_SUPPORTED"));
    assert_eq!(c.get("ESP_WIFI_ENABLED"), Some(&Value::Bool(false)));
    assert!(!c.is_enabled("CONFIG_ESP_WIFI_ENABLED"));
    assert!(!c.is_enabled("CONFIG_MANUAL_N"));
    assert!(!c.is_enabled("CONFIG_ABSENT"));
    assert_eq!(c.get("IDF_TARGET"), Some(&Value::Str("esp32c3".into())));
    assert_eq!(c.get("PARTITION_TABLE_OFFSET"), Some(&Value::Hex(0x8000)));
    assert_eq!(c.get("LOG_DEFAULT_LEVEL"), Some(&Value::Int(3)));
    assert_eq!(c.get("NEG"), Some(&Value::Int(-5)));
    assert_eq!(c.get("APP_NAME"), Some(&Value::Str(r#"say "hi" \ there"#.into())));
    assert_eq!(c.idf_version(), Some((5, 2, 1)));
}

#[test]
fn header_format() {
    let c = Sdkconfig::parse(HEADER, Format::Header, "build/config/sdkconfig.h").unwrap();
    assert!(c.is_enabled("CONFIG_SOC_LEDC_SUPPORTED"));
    assert_eq!(c.get("SOC_LEDC_SUPPORTED"), Some(&Value::Int(1)));
    assert_eq!(c.get("IDF_TARGET"), Some(&Value::Str("esp32c3".into())));
    assert_eq!(c.get("PARTITION_TABLE_OFFSET"), Some(&Value::Hex(0x8000)));
    assert_eq!(c.get("APP_NAME"), Some(&Value::Str("a /* not a comment */ b".into())));
    assert!(c.is_enabled("OLD_LEDC"), "deprecated alias follows its target");
    assert_eq!(c.get("OLD_GONE"), None);
    assert!(!c.is_enabled("ESP_WIFI_ENABLED"), "disabled bools are absent");
    assert_eq!(c.idf_version(), Some((5, 1, 2)));
}

#[test]
fn json_format() {
    let c = Sdkconfig::parse(JSON, Format::Json, "sdkconfig.json").unwrap();
    assert!(c.is_enabled("CONFIG_SOC_LEDC_SUPPORTED"));
    assert!(!c.is_enabled("ESP_WIFI_ENABLED"));
    assert_eq!(c.get("CONFIG_PARTITION_TABLE_OFFSET"), Some(&Value::Int(32768)));
    assert_eq!(c.get("IDF_TARGET"), Some(&Value::Str("esp32c3".into())));
    assert_eq!(c.idf_version(), None);
}

#[test]
fn load_picks_format_by_name() {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("espb-sys-sdk");
    std::fs::create_dir_all(&d).unwrap();
    for (name, text) in [("sdkconfig", TEXT), ("sdkconfig.h", HEADER), ("sdkconfig.json", JSON)] {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        let c = Sdkconfig::load(&p).unwrap();
        assert!(c.is_enabled("SOC_LEDC_SUPPORTED"), "{name}");
        assert_eq!(c.get("IDF_TARGET"), Some(&Value::Str("esp32c3".into())), "{name}");
    }
}

#[test]
fn errors_name_file_and_line() {
    let cases: &[(&str, Format, &str)] = &[
        ("CONFIG_A=y\nCONFIG_B=maybe\n", Format::Text, "sdkconfig:2: CONFIG_B: `maybe`"),
        ("CONFIG_A=\"open\n", Format::Text, "sdkconfig:1: CONFIG_A: unterminated"),
        ("FOO=1\n", Format::Text, "sdkconfig:1: `FOO` is not a Kconfig"),
        ("just words\n", Format::Text, "sdkconfig:1: expected `CONFIG_NAME=value`"),
        ("CONFIG_A=m\n", Format::Text, "tristate"),
        ("#pragma once\n#define CONFIG_A 1\n#include <x.h>\n", Format::Header, "sdkconfig:3: expected `#define"),
        ("#define CONFIG_A zzz\n", Format::Header, "sdkconfig:1: CONFIG_A: `zzz`"),
        ("{\n  \"A\": true,\n  \"B\": null\n}\n", Format::Json, "sdkconfig:3: B: expected a bool"),
        ("{\n  \"A\": true,\n  \"B\" 1\n}\n", Format::Json, "sdkconfig:3: invalid JSON"),
        ("[1]", Format::Json, "expected a JSON object"),
    ];
    for (text, f, want) in cases {
        let err = Sdkconfig::parse(text, *f, "sdkconfig").unwrap_err().to_string();
        assert!(err.contains(want), "{text:?}: got `{err}`, want `{want}`");
    }
}

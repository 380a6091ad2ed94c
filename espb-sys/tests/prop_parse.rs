//! Every parser of user files takes arbitrary and mutated input without
//! panicking: manifests, ESPB `.sym` files, lock files, and sdkconfig in its
//! three formats. Valid inputs keep parsing after harmless edits.

use espb_sys::sdkconfig::{Format, Sdkconfig};
use espb_sys::{Manifest, check::Baseline, symfile::parse_sym};
use proptest::prelude::*;

/// Lines shaped like the real formats, so mutations reach deep paths.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,4} [a-z_]{1,12} [a-z_/]{1,10}\\.h( if !?CONFIG_[A-Z_]{1,8}( && IDF >= 5\\.[0-9])?)?( # .*)?",
        "[0-9]{1,3} - removed:[a-z_]{1,8}",
        "[0-9]{1,3} [a-z_]{1,8}=[a-z_]{1,8} -",
        "ESPB_SYM(_OPT\\(CONFIG_[A-Z]{1,6}, )?\\(\"[a-z_]{1,8}\", [a-z_&]{1,8}\\)",
        "CONFIG_[A-Z_]{1,10}=(y|n|[0-9]{1,6}|0x[0-9a-f]{1,8}|\"[^\"\\n]{0,8}\")",
        "# CONFIG_[A-Z_]{1,10} is not set",
        "#define CONFIG_[A-Z_]{1,10} (1|[0-9]{1,6}|0x[0-9A-F]{1,8}|\"[a-z]{0,6}\")",
        "\\PC{0,30}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..12).prop_map(|ls| ls.join("\n"))
}

fn json() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(
            ("[A-Z_]{1,10}", prop_oneof!["true", "false", "[0-9]{1,9}", "\"[a-z]{0,5}\"", "null", "\\[\\]"]),
            0..6
        )
        .prop_map(|kv| {
            let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{}}}", body.join(", "))
        }),
        "\\PC{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn manifest_parsers_never_panic(t in text()) {
        let _ = Manifest::parse(&t, "fuzz.espbsym");
        let _ = Manifest::parse_named("fuzz", &t, "fuzz.espbsym");
        let _ = parse_sym("fuzz", &t, "fuzz.sym");
        let _ = Baseline::parse_lock(&t, "fuzz.lock");
    }

    #[test]
    fn sdkconfig_parsers_never_panic(t in text(), j in json()) {
        let _ = Sdkconfig::parse(&t, Format::Text, "sdkconfig");
        let _ = Sdkconfig::parse(&t, Format::Header, "sdkconfig.h");
        let _ = Sdkconfig::parse(&j, Format::Json, "sdkconfig.json");
    }

    #[test]
    fn mutated_standard_manifest_never_panics(cut in 0usize..20_000, byte in any::<u8>(), at in 0usize..20_000) {
        let mut bytes = espb_sys::standard_idf_manifest().to_text().into_bytes();
        let at = at % bytes.len();
        bytes[at] = byte;
        bytes.truncate(cut.max(1).min(bytes.len()));
        let t = String::from_utf8_lossy(&bytes);
        if let Ok(m) = Manifest::parse(&t, "idf.espbsym") {
            // Whatever parses hashes and prints without panicking.
            let _ = (m.hash(), m.prefix_hashes(), m.to_text());
        }
    }
}

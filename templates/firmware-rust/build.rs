//! Build script of {{name}}: esp-idf-sys's link settings, and the symbol
//! tables .espb modules import from (espb_sys::TableBuilder): the standard
//! `idf` table, and the project's own `custom` table when
//! symbols/custom.espbsym exists (symbols/README.md).

use std::path::Path;

const CUSTOM_MANIFEST: &str = "symbols/custom.espbsym";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Propagates esp-idf-sys's link arguments and Kconfig cfgs to this crate.
    embuild::espidf::sysenv::output();
    let out_dir = std::env::var("OUT_DIR")?;
    println!("cargo::rustc-check-cfg=cfg(espb_custom_table)");
    // The directory, so that a new manifest in it reruns this script.
    println!("cargo::rerun-if-changed=symbols");
    println!("cargo::rerun-if-changed=build.rs");
    let mut tables = vec![("idf", espb_sys::TableBuilder::new("idf"))];
    if Path::new(CUSTOM_MANIFEST).is_file() {
        tables.push((
            "custom",
            espb_sys::TableBuilder::new("custom").manifest(CUSTOM_MANIFEST),
        ));
        println!("cargo::rustc-cfg=espb_custom_table");
    }
    for (name, builder) in tables {
        // Guards and the load-time configuration values (`__espb_cfg_*`)
        // follow the sdkconfig.h of esp-idf-sys's ESP-IDF build.
        let table = builder.sdkconfig_from_env().generate_rust(&out_dir)?;
        println!(
            "cargo::warning=espb symbol table {name}: {} slots, hash {:08x}, {} disabled by sdkconfig",
            table.count,
            table.hash,
            table.disabled.len()
        );
    }
    Ok(())
}

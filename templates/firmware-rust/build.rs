//! Build script of {{name}}: esp-idf-sys's link settings, and the `idf`
//! symbol table that .espb modules import from (espb_sys::TableBuilder).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Propagates esp-idf-sys's link arguments and Kconfig cfgs to this crate.
    embuild::espidf::sysenv::output();
    let out_dir = std::env::var("OUT_DIR")?;
    // Guards and the load-time configuration values (`__espb_cfg_*`) follow
    // the sdkconfig.h of esp-idf-sys's ESP-IDF build.
    let table = espb_sys::TableBuilder::new("idf").sdkconfig_from_env().generate_rust(&out_dir)?;
    println!(
        "cargo::warning=espb symbol table idf: {} slots, hash {:08x}, {} disabled by sdkconfig",
        table.count,
        table.hash,
        table.disabled.len()
    );
    Ok(())
}

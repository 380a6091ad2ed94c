//! Build script of {{name}}: esp-idf-sys's link settings, and the `idf`
//! symbol table that .espb modules import from (espb_sys::TableBuilder).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Propagates esp-idf-sys's link arguments and Kconfig cfgs to this crate.
    embuild::espidf::sysenv::output();
    let out_dir = std::env::var("OUT_DIR")?;
    // Guards follow the firmware's sdkconfig, as esp-idf-sys reports it.
    let table = espb_sys::TableBuilder::new("idf").cfgs_from_env().generate_rust(&out_dir)?;
    println!("cargo::warning=espb symbol table idf: {} slots, hash {:08x}", table.count, table.hash);
    Ok(())
}

//! `TableBuilder`: table generation from a firmware's `build.rs` (or a CLI).
//!
//! ```no_run
//! // build.rs of a Rust firmware using esp-idf-sys
//! let out = std::env::var("OUT_DIR").unwrap();
//! espb_sys::TableBuilder::new("idf")          // the standard table
//!     .sdkconfig_from_env()                   // the sdkconfig.h of esp-idf-sys's build
//!     .generate_rust(&out)
//!     .unwrap();
//! // main.rs: include!(concat!(env!("OUT_DIR"), "/espb_symtab_idf.rs"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, write};
use crate::gen_rust::{RustOptions, Slots};
use crate::manifest::{Entry, GuardTerm, Manifest, VersionOp, check_table_name};
use crate::sdkconfig::{Sdkconfig, Value};

/// What [`TableBuilder::generate_rust`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedRust {
    pub path: PathBuf,
    pub hash: u32,
    pub count: u32,
    /// Names of live entries whose slot is NULL in this configuration
    /// (empty in deferred mode).
    pub disabled: Vec<String>,
    /// The `__espb_cfg_<OPTION>` values written, as (`<OPTION>`, value).
    pub config_values: Vec<(String, u32)>,
}

/// What [`TableBuilder::generate_c`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedC {
    pub source: PathBuf,
    pub header: PathBuf,
    pub cmake: PathBuf,
    pub kconfig: Option<PathBuf>,
    pub hash: u32,
    pub count: u32,
}

/// Builds the firmware side of one symbol table.
#[derive(Clone, Debug)]
pub struct TableBuilder {
    name: String,
    manifest_path: Option<PathBuf>,
    manifest: Option<Manifest>,
    sdkconfig_path: Option<PathBuf>,
    sdkconfig_from_env: bool,
    cfgs_from_env: bool,
    config_values: bool,
    enable: BTreeSet<String>,
    disable: BTreeSet<String>,
    idf_version: Option<(u32, u32)>,
    compile_c: bool,
    include_dirs: Vec<PathBuf>,
    export_symbol: bool,
    cargo_directives: Option<bool>,
}

impl TableBuilder {
    /// A builder for table `name`. Without [`manifest`](Self::manifest), the
    /// table `idf` uses the standard manifest shipped with espb-sys.
    pub fn new(name: &str) -> Self {
        TableBuilder {
            name: name.to_string(),
            manifest_path: None,
            manifest: None,
            sdkconfig_path: None,
            sdkconfig_from_env: false,
            cfgs_from_env: false,
            config_values: true,
            enable: BTreeSet::new(),
            disable: BTreeSet::new(),
            idf_version: None,
            compile_c: false,
            include_dirs: Vec::new(),
            export_symbol: true,
            cargo_directives: None,
        }
    }

    /// The manifest file (`.espbsym` or ESPB `.sym`).
    pub fn manifest(mut self, path: impl Into<PathBuf>) -> Self {
        self.manifest_path = Some(path.into());
        self
    }

    /// An already parsed manifest (its name must match the builder's).
    pub fn manifest_parsed(mut self, m: Manifest) -> Self {
        self.manifest = Some(m);
        self
    }

    /// Resolve guards from this configuration (`sdkconfig`, `sdkconfig.h` or
    /// `sdkconfig.json`). The ESP-IDF version is read from its banner.
    pub fn sdkconfig(mut self, path: impl Into<PathBuf>) -> Self {
        self.sdkconfig_path = Some(path.into());
        self
    }

    /// Use the `sdkconfig.h` of the ESP-IDF build of esp-idf-sys, as a
    /// dependent's build script finds it: in the include directories of
    /// `DEP_<LINKS>_EMBUILD_C_INCLUDE_ARGS` (the build's `config` directory is
    /// an include directory of every component), where `<LINKS>` is
    /// `ESP_IDF_SVC`, `ESP_IDF_HAL` or `ESP_IDF` (esp-idf-svc and esp-idf-hal
    /// relay esp-idf-sys's metadata; the first one set is used, as embuild's
    /// `sysenv` does). Resolves guards, and fills the configuration slots
    /// (`__espb_cfg_*`) with the firmware's values.
    pub fn sdkconfig_from_env(mut self) -> Self {
        self.sdkconfig_from_env = true;
        self
    }

    /// Resolve guards from esp-idf-sys's cfgs, as a dependent's build script
    /// sees them: `DEP_<LINKS>_EMBUILD_CFG_ARGS` (see
    /// [`sdkconfig_from_env`](Self::sdkconfig_from_env) for `<LINKS>`) and
    /// `CARGO_CFG_ESP_IDF_*`. The cfgs name enabled bool options only: they
    /// give no values for configuration slots.
    pub fn cfgs_from_env(mut self) -> Self {
        self.cfgs_from_env = true;
        self
    }

    /// Treat an option as enabled (`CONFIG_X`, `X` or cfg name `esp_idf_x`).
    pub fn enable(mut self, option: &str) -> Self {
        self.enable.insert(option_key(option));
        self
    }

    /// Treat several options as enabled.
    pub fn enabled_options<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for o in options {
            self.enable.insert(option_key(o.as_ref()));
        }
        self
    }

    /// Treat an option as disabled even if the configuration enables it.
    pub fn disable(mut self, option: &str) -> Self {
        self.disable.insert(option_key(option));
        self
    }

    /// The ESP-IDF version, for `IDF >= x.y` guards.
    pub fn idf_version(mut self, major: u32, minor: u32) -> Self {
        self.idf_version = Some((major, minor));
        self
    }

    /// Compile the generated C with the `cc` crate (feature `cc`) when
    /// calling [`generate_c`](Self::generate_c). Include paths come from
    /// [`include_dir`](Self::include_dir) and `DEP_<LINKS>_EMBUILD_C_INCLUDE_ARGS`.
    pub fn compile_c(mut self, yes: bool) -> Self {
        self.compile_c = yes;
        self
    }

    /// An include directory for [`compile_c`](Self::compile_c).
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.include_dirs.push(dir.into());
        self
    }

    /// Leave the configuration slots (`__espb_cfg_*`) of a Rust table empty
    /// instead of requiring an sdkconfig for their values: modules that read
    /// them are then refused at load, naming the value.
    pub fn without_config_values(mut self) -> Self {
        self.config_values = false;
        self
    }

    /// Export the Rust table as C symbol `espb_symtab_<name>` (default: yes).
    pub fn export_symbol(mut self, yes: bool) -> Self {
        self.export_symbol = yes;
        self
    }

    /// Print `cargo::rerun-if-changed` lines (default: when run by cargo as a
    /// build script).
    pub fn cargo_directives(mut self, yes: bool) -> Self {
        self.cargo_directives = Some(yes);
        self
    }

    fn emit_directives(&self) -> bool {
        self.cargo_directives
            .unwrap_or_else(|| ["OUT_DIR", "HOST", "TARGET"].iter().all(|v| std::env::var_os(v).is_some()))
    }

    /// The manifest this builder uses.
    pub fn load_manifest(&self) -> Result<Manifest, Error> {
        check_table_name(&self.name)?;
        let m = if let Some(m) = &self.manifest {
            m.clone()
        } else if let Some(p) = &self.manifest_path {
            let m = Manifest::load(p)?;
            // The table name given to the builder wins over the file name.
            Manifest::from_entries(&self.name, m.source(), m.entries().to_vec())?
        } else if self.name == "idf" {
            crate::try_standard_idf_manifest()?
        } else {
            return Err(Error::Usage(format!(
                "table `{}` needs a manifest: call .manifest(\"path/{}.espbsym\")",
                self.name, self.name
            )));
        };
        if m.name() != self.name {
            return Manifest::from_entries(&self.name, m.source(), m.entries().to_vec());
        }
        Ok(m)
    }

    /// Whether any configuration source was given (else guards are deferred
    /// to `#[cfg]` in Rust).
    fn resolves(&self) -> bool {
        self.sdkconfig_path.is_some() || self.sdkconfig_from_env || self.cfgs_from_env || !self.enable.is_empty()
    }

    /// The whole configuration file, when one was given: the explicit
    /// [`sdkconfig`](Self::sdkconfig), else the one
    /// [`sdkconfig_from_env`](Self::sdkconfig_from_env) finds.
    pub fn sdkconfig_file(&self) -> Result<Option<PathBuf>, Error> {
        if let Some(p) = &self.sdkconfig_path {
            return Ok(Some(p.clone()));
        }
        if !self.sdkconfig_from_env {
            return Ok(None);
        }
        let Some((var, args)) = dep_env(C_INCLUDE_ARGS) else {
            return Err(Error::Usage(format!(
                "sdkconfig_from_env(): none of {} is set; call it from the build script of a crate that \
                 depends on esp-idf-svc, esp-idf-hal or esp-idf-sys, or use .sdkconfig(path)",
                dep_vars(C_INCLUDE_ARGS).join(", ")
            )));
        };
        let dirs = include_dirs(&args);
        match dirs.iter().map(|d| d.join("sdkconfig.h")).find(|p| p.is_file()) {
            Some(p) => Ok(Some(p)),
            None => Err(Error::Usage(format!(
                "sdkconfig_from_env(): no sdkconfig.h in the {} include directories of {var}; \
                 build esp-idf-sys first, or use .sdkconfig(path)",
                dirs.len()
            ))),
        }
    }

    /// The merged configuration: sdkconfig file, env cfgs, explicit options.
    pub fn configuration(&self) -> Result<Sdkconfig, Error> {
        let mut c = match self.sdkconfig_file()? {
            Some(p) => Sdkconfig::load(p)?,
            None => Sdkconfig::default(),
        };
        if self.cfgs_from_env {
            let (opts, ver) = env_cfgs();
            if opts.is_empty() {
                return Err(Error::Usage(format!(
                    "cfgs_from_env(): no ESP-IDF cfgs in {} or CARGO_CFG_ESP_IDF_*; call it from the \
                     build script of a crate that depends on esp-idf-svc, esp-idf-hal or esp-idf-sys, \
                     or use .sdkconfig_from_env() or .sdkconfig(path)",
                    dep_vars(CFG_ARGS).join(", ")
                )));
            }
            for o in opts {
                c.set(&o, Value::Bool(true));
            }
            if let Some((maj, min)) = ver {
                c.set_idf_version(maj, min, 0);
            }
        }
        for o in &self.enable {
            c.set(o, Value::Bool(true));
        }
        for o in &self.disable {
            c.set(o, Value::Bool(false));
        }
        if let Some((maj, min)) = self.idf_version {
            c.set_idf_version(maj, min, 0);
        }
        Ok(c)
    }

    /// Which slots are filled under the configuration (`[i]` for index `i`).
    pub fn resolve(&self, m: &Manifest) -> Result<Vec<bool>, Error> {
        let c = self.configuration()?;
        m.entries().iter().map(|e| if e.removed { Ok(false) } else { entry_enabled(m.name(), e, &c) }).collect()
    }

    /// The values of `m`'s configuration slots (`__espb_cfg_<OPTION>`), by
    /// `<OPTION>`, from the sdkconfig file: what C's `CONFIG_<OPTION>` is
    /// (bools 0/1, numbers as `uint32_t`), 0 where the option is unset, as
    /// the C table has it. `None` when left empty
    /// ([`without_config_values`](Self::without_config_values) or no such slots).
    pub fn config_values(&self, m: &Manifest) -> Result<Option<BTreeMap<String, u32>>, Error> {
        let slots: Vec<(&Entry, &str)> =
            m.live().filter_map(|e| crate::gen_c::config_option(&e.name).map(|o| (e, o))).collect();
        if slots.is_empty() || !self.config_values {
            return Ok(None);
        }
        if self.sdkconfig_file()?.is_none() {
            return Err(Error::MissingConfigValues {
                table: m.name().to_string(),
                names: slots.iter().map(|(e, _)| e.name.clone()).collect(),
            });
        }
        let c = self.configuration()?;
        let mut values = BTreeMap::new();
        for (e, o) in slots {
            let v = match c.get(o) {
                None => 0,
                Some(Value::Bool(b)) => u32::from(*b),
                // C's (uint32_t) conversion.
                Some(Value::Int(n)) => *n as u32,
                Some(Value::Hex(n)) => *n as u32,
                Some(Value::Str(v)) => {
                    return Err(Error::ConfigValue {
                        table: m.name().to_string(),
                        index: e.index,
                        name: e.name.clone(),
                        line: e.line,
                        message: format!(
                            "CONFIG_{o} is the string {v:?} in {}; configuration slots hold 32-bit numbers",
                            c.source()
                        ),
                    });
                }
            };
            values.insert(o.to_string(), v);
        }
        Ok(Some(values))
    }

    /// Writes `espb_symtab_<name>.rs` into `out_dir`.
    pub fn generate_rust(&self, out_dir: impl AsRef<Path>) -> Result<GeneratedRust, Error> {
        let m = self.load_manifest()?;
        let filled = if self.resolves() { Some(self.resolve(&m)?) } else { None };
        let slots = match &filled {
            Some(f) => Slots::Resolved(f),
            None => Slots::Deferred,
        };
        let values = self.config_values(&m)?;
        let opts = RustOptions { export_symbol: self.export_symbol, config_values: values.as_ref() };
        let text = crate::gen_rust::generate(&m, slots, opts);
        let path = out_dir.as_ref().join(format!("espb_symtab_{}.rs", m.name()));
        write(&path, &text)?;
        self.print_directives();
        let disabled = match &filled {
            Some(f) => m.live().filter(|e| !f[e.index as usize]).map(|e| e.name.clone()).collect(),
            None => Vec::new(),
        };
        let config_values = values.unwrap_or_default().into_iter().collect();
        Ok(GeneratedRust { path, hash: m.hash(), count: m.count(), disabled, config_values })
    }

    /// Writes the ESP-IDF component (`espb_symtab_<name>.c/.h`,
    /// `CMakeLists.txt`, and `Kconfig` for `idf`) into `out_dir`; compiles
    /// the C when [`compile_c`](Self::compile_c) is set.
    pub fn generate_c(&self, out_dir: impl AsRef<Path>) -> Result<GeneratedC, Error> {
        let m = self.load_manifest()?;
        let out_dir = out_dir.as_ref();
        std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
        let kconfig = (m.name() == "idf").then_some(crate::STANDARD_IDF_KCONFIG);
        let src = crate::gen_c::generate(&m, kconfig);
        let (c_name, h_name) = src.file_names();
        let source = out_dir.join(c_name);
        let header = out_dir.join(h_name);
        let cmake = out_dir.join("CMakeLists.txt");
        write(&source, &src.source)?;
        write(&header, &src.header)?;
        write(&cmake, &src.cmake)?;
        let kconfig = match &src.kconfig {
            Some(k) => {
                let p = out_dir.join("Kconfig");
                write(&p, k)?;
                Some(p)
            }
            None => None,
        };
        if self.compile_c {
            self.compile(&source, out_dir, &m)?;
        }
        self.print_directives();
        Ok(GeneratedC { source, header, cmake, kconfig, hash: m.hash(), count: m.count() })
    }

    #[cfg(feature = "cc")]
    fn compile(&self, source: &Path, out_dir: &Path, m: &Manifest) -> Result<(), Error> {
        let mut b = cc::Build::new();
        b.file(source).include(out_dir).cargo_metadata(self.emit_directives());
        for d in &self.include_dirs {
            b.include(d);
        }
        if let Some((_, args)) = dep_env(C_INCLUDE_ARGS) {
            for a in split_args(&args) {
                b.flag(&a);
            }
        }
        b.try_compile(&format!("espb_symtab_{}", m.name()))
            .map_err(|e| Error::Compile { path: source.to_path_buf(), message: e.to_string() })
    }

    #[cfg(not(feature = "cc"))]
    fn compile(&self, source: &Path, _out_dir: &Path, _m: &Manifest) -> Result<(), Error> {
        Err(Error::Compile {
            path: source.to_path_buf(),
            message: "compile_c(true) needs espb-sys's `cc` feature: \
                      espb-sys = { ..., features = [\"cc\"] } in [build-dependencies]"
                .to_string(),
        })
    }

    fn print_directives(&self) {
        if !self.emit_directives() {
            return;
        }
        if let Some(p) = &self.manifest_path {
            println!("cargo::rerun-if-changed={}", p.display());
        }
        if let Ok(Some(p)) = self.sdkconfig_file() {
            println!("cargo::rerun-if-changed={}", p.display());
        }
        let mut vars = Vec::new();
        if self.sdkconfig_from_env {
            vars.extend(dep_vars(C_INCLUDE_ARGS));
        }
        if self.cfgs_from_env {
            vars.extend(dep_vars(CFG_ARGS));
        }
        for v in vars {
            println!("cargo::rerun-if-env-changed={v}");
        }
    }
}

/// `CONFIG_X` / `X` / `esp_idf_x` → `X`.
fn option_key(o: &str) -> String {
    if let Some(rest) = o.strip_prefix("esp_idf_") {
        rest.to_ascii_uppercase()
    } else {
        o.strip_prefix("CONFIG_").unwrap_or(o).to_string()
    }
}

/// The `links` names whose embuild metadata a firmware's build script may
/// see, in embuild `sysenv`'s order: esp-idf-svc and esp-idf-hal relay what
/// esp-idf-sys (`links = "esp_idf"`) publishes to their direct dependents.
const DEP_LINKS: [&str; 3] = ["ESP_IDF_SVC", "ESP_IDF_HAL", "ESP_IDF"];
/// embuild's metadata keys.
const C_INCLUDE_ARGS: &str = "EMBUILD_C_INCLUDE_ARGS";
const CFG_ARGS: &str = "EMBUILD_CFG_ARGS";

/// `DEP_<LINKS>_<key>` for each of [`DEP_LINKS`].
fn dep_vars(key: &str) -> Vec<String> {
    DEP_LINKS.iter().map(|l| format!("DEP_{l}_{key}")).collect()
}

/// The first of [`dep_vars`] that is set: (name, value).
fn dep_env(key: &str) -> Option<(String, String)> {
    dep_vars(key).into_iter().find_map(|v| std::env::var(&v).ok().map(|val| (v, val)))
}

/// The include directories in embuild's C include args (`"-isystem<dir>"`
/// as embuild writes them; `-I<dir>`, `-I <dir>`, `-isystem <dir>` too).
pub(crate) fn include_dirs(args: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let mut it = split_args(args).into_iter();
    while let Some(a) = it.next() {
        let rest = a.strip_prefix("-isystem").or_else(|| a.strip_prefix("-I"));
        match rest {
            Some("") => dirs.extend(it.next().map(PathBuf::from)),
            Some(d) => dirs.push(PathBuf::from(d)),
            None => {}
        }
    }
    dirs
}

/// Options and version from esp-idf-sys's propagated cfgs.
fn env_cfgs() -> (Vec<String>, Option<(u32, u32)>) {
    let mut args: Vec<String> = Vec::new();
    if let Some((_, v)) = dep_env(CFG_ARGS) {
        args.extend(v.split(':').filter(|s| !s.is_empty()).map(str::to_string));
    }
    for (k, v) in std::env::vars() {
        if let Some(name) = k.strip_prefix("CARGO_CFG_ESP_IDF_") {
            let cfg = format!("esp_idf_{}", name.to_ascii_lowercase());
            if v.is_empty() {
                args.push(cfg);
            } else {
                args.push(format!("{cfg}=\"{v}\""));
            }
        }
    }
    cfg_args_to_options(&args)
}

/// `esp_idf_foo` → option `FOO`; `esp_idf_version_major="5"` → version.
pub(crate) fn cfg_args_to_options(args: &[String]) -> (Vec<String>, Option<(u32, u32)>) {
    let mut opts = Vec::new();
    let (mut major, mut minor) = (None, None);
    for a in args {
        if let Some((k, v)) = a.split_once('=') {
            let v = v.trim_matches('"');
            match k.trim() {
                "esp_idf_version_major" => major = v.parse().ok(),
                "esp_idf_version_minor" => minor = v.parse().ok(),
                _ => {}
            }
        } else if let Some(o) = a.trim().strip_prefix("esp_idf_") {
            opts.push(o.to_ascii_uppercase());
        }
    }
    (opts, major.map(|m| (m, minor.unwrap_or(0))))
}

/// Whether a live entry's guard holds under `c`.
pub(crate) fn entry_enabled(table: &str, e: &Entry, c: &Sdkconfig) -> Result<bool, Error> {
    let Some(g) = e.guard_expr() else {
        return Ok(true);
    };
    let err = |message: String| Error::Guard {
        table: table.to_string(),
        index: e.index,
        name: e.name.clone(),
        line: e.line,
        message,
    };
    for t in &g.terms {
        let holds = match t {
            GuardTerm::Option { name, negated } => {
                let on = match c.get(name) {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    // sdkconfig.h writes enabled bools as 1.
                    Some(Value::Int(1)) => true,
                    Some(Value::Int(0)) => false,
                    Some(other) => {
                        return Err(err(format!(
                            "guard option {name} is not a bool in {} (value {other:?}); \
                             guards must name bool options",
                            if c.source().is_empty() { "the configuration" } else { c.source() }
                        )));
                    }
                };
                on != *negated
            }
            GuardTerm::IdfVersion { op, major, minor } => {
                let Some((maj, min, _)) = c.idf_version() else {
                    return Err(err(format!(
                        "guard `{t}` needs the ESP-IDF version: use an sdkconfig/sdkconfig.h \
                         with its generated banner, cfgs_from_env() with esp-idf-sys, or \
                         .idf_version({major}, {minor})"
                    )));
                };
                let ge = (maj, min) >= (*major, *minor);
                match op {
                    VersionOp::Ge => ge,
                    VersionOp::Lt => !ge,
                }
            }
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Splits `-I"a b" -Ic` style argument strings (double quotes, backslash escapes).
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut have = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    have = true;
                }
            }
            '"' => {
                in_q = !in_q;
                have = true;
            }
            c if c.is_whitespace() && !in_q => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            c => {
                cur.push(c);
                have = true;
            }
        }
    }
    if have {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfg_args() {
        let args: Vec<String> = [
            "esp_idf_soc_ledc_supported",
            "esp_idf_version_major=\"5\"",
            "esp_idf_version_minor=\"2\"",
            "esp_idf_comp_esp_wifi_enabled",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (o, v) = cfg_args_to_options(&args);
        assert_eq!(o, vec!["SOC_LEDC_SUPPORTED", "COMP_ESP_WIFI_ENABLED"]);
        assert_eq!(v, Some((5, 2)));
    }

    #[test]
    fn args_split() {
        assert_eq!(split_args("-Ia \"-Ib c\" -Id\\ e"), vec!["-Ia", "-Ib c", "-Id e"]);
    }

    #[test]
    fn include_dirs_of_embuild_args() {
        let args = "-DESP_PLATFORM -DIDF_VER=\\\"v5.5\\\" \"-isystem/t/out/build/config\" \
                    \"-isystem/idf/components/a b/include\" -I /x -Iy -isystem z";
        let dirs: Vec<String> = include_dirs(args).iter().map(|d| d.display().to_string()).collect();
        assert_eq!(dirs, ["/t/out/build/config", "/idf/components/a b/include", "/x", "y", "z"]);
    }

    #[test]
    fn option_keys() {
        assert_eq!(option_key("CONFIG_A_B"), "A_B");
        assert_eq!(option_key("esp_idf_a_b"), "A_B");
        assert_eq!(option_key("A_B"), "A_B");
    }
}

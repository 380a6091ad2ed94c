//! GCC command lines of a firmware build -> clang flags for a module.
//!
//! [`RULES`] is the table of every GCC-only flag ESP-IDF passes that clang
//! must not see, with the reason; `docs/flags.md` lists the same entries
//! (a unit test checks that every entry is documented). Flags not in the
//! table are kept: clang understands the rest of what ESP-IDF passes.

use std::path::Path;

/// How a rule matches a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The whole flag.
    Exact,
    /// The flag starts with the pattern (`-specs=` matches `-specs=nano.specs`).
    Prefix,
}

/// One entry of the table.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub pattern: &'static str,
    pub matching: Match,
    /// The flag's value is the next argument (`-MF file`).
    pub takes_value: bool,
    pub reason: &'static str,
}

const fn drop(pattern: &'static str, matching: Match, reason: &'static str) -> Rule {
    Rule { pattern, matching, takes_value: false, reason }
}
const fn drop_with_value(pattern: &'static str, reason: &'static str) -> Rule {
    Rule { pattern, matching: Match::Exact, takes_value: true, reason }
}

const OUTPUT: &str = "output and compile mode are cargo-espb's: it compiles each source to bitcode itself";
const DEPS: &str = "dependency files are cargo-espb's: it writes its own depfile for the incremental cache";
const TARGET: &str = "replaced by the chip's target flags (docs/flags.md, chip table)";
const XTENSA_CODEGEN: &str =
    "Xtensa GCC code generation option; a module is bitcode for the VM, no Xtensa code is generated";
const LINK: &str = "link-time option; modules are not linked by a C linker";
const WERROR: &str =
    "a module warning must not fail the build because of a GCC-only warning; clang's warnings still show";
const GCC_OPT: &str = "GCC-only optimisation option; clang rejects or ignores it, and the translator does its own \
                       instruction selection";

/// Every GCC-only flag that is dropped, and why.
pub const RULES: &[Rule] = &[
    // Compile mode, output, source.
    drop("-c", Match::Exact, OUTPUT),
    drop_with_value("-o", OUTPUT),
    drop("-o", Match::Prefix, OUTPUT),
    drop("-S", Match::Exact, OUTPUT),
    drop("-E", Match::Exact, OUTPUT),
    drop_with_value("-x", OUTPUT),
    drop("-pipe", Match::Exact, "no effect on the result"),
    drop("-save-temps", Match::Prefix, OUTPUT),
    // Dependency files.
    drop("-MD", Match::Exact, DEPS),
    drop("-MMD", Match::Exact, DEPS),
    drop("-MP", Match::Exact, DEPS),
    drop_with_value("-MF", DEPS),
    drop_with_value("-MT", DEPS),
    drop_with_value("-MQ", DEPS),
    drop("-MF", Match::Prefix, DEPS),
    drop("-MT", Match::Prefix, DEPS),
    drop("-MQ", Match::Prefix, DEPS),
    // Target selection (rewritten from the chip table).
    drop("-march=", Match::Prefix, TARGET),
    drop("-mabi=", Match::Prefix, TARGET),
    drop("-mcpu=", Match::Prefix, TARGET),
    drop("-mtune=", Match::Prefix, TARGET),
    drop("--target=", Match::Prefix, TARGET),
    drop_with_value("-target", TARGET),
    // Xtensa GCC code generation.
    drop("-mlongcalls", Match::Exact, XTENSA_CODEGEN),
    drop("-mno-longcalls", Match::Exact, XTENSA_CODEGEN),
    drop("-mtext-section-literals", Match::Exact, XTENSA_CODEGEN),
    drop("-mauto-litpools", Match::Exact, XTENSA_CODEGEN),
    drop("-mdisable-hardware-atomics", Match::Exact, "ESP32-S2 GCC option (no S32C1I); the VM implements atomics"),
    drop(
        "-mfix-esp32-psram-cache-issue",
        Match::Exact,
        "ESP32 PSRAM errata workaround in GCC's Xtensa code generation; the VM's loads and stores are not affected",
    ),
    drop(
        "-mfix-esp32-psram-cache-strategy=",
        Match::Prefix,
        "ESP32 PSRAM errata workaround in GCC's Xtensa code generation; the VM's loads and stores are not affected",
    ),
    drop("-mno-target-align", Match::Exact, XTENSA_CODEGEN),
    drop("-mserialize-volatile", Match::Exact, XTENSA_CODEGEN),
    drop("-mno-serialize-volatile", Match::Exact, XTENSA_CODEGEN),
    // GCC-only optimisation and code generation options.
    drop(
        "-fstrict-volatile-bitfields",
        Match::Exact,
        "GCC's volatile bit-field access width; clang rejects it for RISC-V and Xtensa (the translator keeps the access width of the IR)",
    ),
    drop("-fno-tree-switch-conversion", Match::Exact, GCC_OPT),
    drop("-ftree-", Match::Prefix, GCC_OPT),
    drop("-fno-tree-", Match::Prefix, GCC_OPT),
    drop("-fno-shrink-wrap", Match::Exact, GCC_OPT),
    drop("-fshrink-wrap", Match::Exact, GCC_OPT),
    drop("-freorder-blocks", Match::Prefix, GCC_OPT),
    drop("-fno-reorder-blocks", Match::Prefix, GCC_OPT),
    drop("-fipa-", Match::Prefix, GCC_OPT),
    drop("-fno-ipa-", Match::Prefix, GCC_OPT),
    drop("-fno-isolate-erroneous-paths", Match::Prefix, GCC_OPT),
    drop("-fisolate-erroneous-paths", Match::Prefix, GCC_OPT),
    drop("-fno-malloc-dce", Match::Exact, GCC_OPT),
    drop(
        "-fzero-init-padding-bits=",
        Match::Prefix,
        "GCC 15 option; clang zero-initialises padding the same way for ESP-IDF's uses",
    ),
    drop(
        "--param",
        Match::Prefix,
        "GCC tuning parameter (`--param=min-pagesize=0` and the like); clang has no equivalent",
    ),
    drop(
        "-fstack-protector",
        Match::Prefix,
        "stack canaries reference the firmware's `__stack_chk_guard`; the VM bounds-checks the module stack itself",
    ),
    drop("-fno-stack-protector", Match::Exact, "stack canaries are never emitted for modules (see -fstack-protector)"),
    drop(
        "-fdiagnostics-color",
        Match::Prefix,
        "cargo-espb passes clang's diagnostics through; colour is clang's own choice for the terminal",
    ),
    drop("-fno-diagnostics-color", Match::Exact, "as -fdiagnostics-color"),
    drop("-fanalyzer", Match::Exact, "GCC static analyser"),
    drop("-fno-printf-return-value", Match::Exact, GCC_OPT),
    drop("-fno-inline-small-functions", Match::Exact, GCC_OPT),
    drop("-finline-small-functions", Match::Exact, GCC_OPT),
    drop("-fno-aggressive-loop-optimizations", Match::Exact, GCC_OPT),
    // Link and driver options.
    drop("-specs=", Match::Prefix, "GCC spec files select newlib-nano and link settings; nothing to link in a module"),
    drop("--specs=", Match::Prefix, "as -specs="),
    drop("-nostartfiles", Match::Exact, LINK),
    drop("-nostdlib", Match::Exact, LINK),
    drop("-nodefaultlibs", Match::Exact, LINK),
    drop("-Wl,", Match::Prefix, LINK),
    drop("-L", Match::Prefix, LINK),
    drop("-l", Match::Prefix, LINK),
    drop("-T", Match::Prefix, LINK),
    // Warnings.
    drop("-Werror", Match::Exact, WERROR),
    drop("-Werror=", Match::Prefix, WERROR),
    drop("-Wno-error", Match::Exact, "meaningless without -Werror, which is dropped"),
    drop("-Wno-error=", Match::Prefix, "meaningless without -Werror, which is dropped"),
    drop("-pedantic-errors", Match::Exact, WERROR),
];

/// Warning names GCC knows and clang does not: `-W<name>` and `-Wno-<name>`
/// are dropped (clang would warn about an unknown warning option).
pub const GCC_ONLY_WARNINGS: &[&str] = &[
    "old-style-declaration",
    "stringop-overflow",
    "stringop-truncation",
    "stringop-overread",
    "maybe-uninitialized",
    "clobbered",
    "use-after-free",
    "dangling-pointer",
    "enum-int-mismatch",
    "logical-op",
    "duplicated-cond",
    "duplicated-branches",
    "restrict",
    "suggest-attribute=format",
    "suggest-attribute=noreturn",
    "missing-parameter-type",
    "packed-not-aligned",
    "lto-type-mismatch",
    "unused-const-variable=",
    "implicit-fallthrough=",
    "shadow=",
    "alloc-size-larger-than=",
    "vla-larger-than=",
    "array-bounds=",
];

/// Flags rewritten (from, to, why).
pub const REWRITES: &[(&str, &str, &str)] = &[(
    "-Og",
    "-O1",
    "clang 20+ implements -Og as -O1 plus `llvm.fake.use` markers that keep variables alive for the debugger; \
     the translator ignores `llvm.fake.use`, and a module has no debugger to keep them for",
)];

/// A flag left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub flag: String,
    pub reason: &'static str,
}

/// The result of [`translate`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Translated {
    pub flags: Vec<String>,
    pub dropped: Vec<Dropped>,
}

/// Flags whose value is a path, joined (`-Ifoo`) or separate (`-I foo`).
const PATH_FLAGS: &[&str] =
    &["-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-isysroot", "--sysroot="];
/// Flags whose value is the next argument but not a path.
const VALUE_FLAGS: &[&str] = &["-D", "-U"];

fn rule_for(flag: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| match r.matching {
        Match::Exact => flag == r.pattern,
        Match::Prefix => flag.starts_with(r.pattern) && flag != r.pattern || (flag == r.pattern && !r.takes_value),
    })
}

fn gcc_only_warning(flag: &str) -> bool {
    let Some(w) = flag.strip_prefix("-W") else { return false };
    let name = w.strip_prefix("no-").unwrap_or(w);
    GCC_ONLY_WARNINGS.iter().any(|g| if g.ends_with('=') { name.starts_with(g) } else { name == *g })
}

fn is_source(arg: &str) -> bool {
    !arg.starts_with('-') && [".c", ".cc", ".cpp", ".cxx", ".S", ".s", ".m"].iter().any(|e| arg.ends_with(e))
}

fn resolve(dir: &Path, p: &str) -> String {
    let path = Path::new(p);
    if path.is_absolute() { p.to_string() } else { dir.join(path).display().to_string() }
}

/// Translates a GCC argument list (without the compiler itself) into clang
/// flags. Relative paths are resolved against `directory` (the compile
/// command's working directory). `source` is the entry's source file, which
/// is dropped like any other source path.
pub fn translate(args: &[String], directory: &Path) -> Translated {
    let mut out = Translated::default();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        // Path-valued flags: keep, with the path made absolute.
        if let Some(pf) = PATH_FLAGS.iter().find(|pf| a.starts_with(**pf)) {
            let joined = &a[pf.len()..];
            if joined.is_empty() && !pf.ends_with('=') {
                if let Some(v) = it.next() {
                    out.flags.push(a.clone());
                    out.flags.push(resolve(directory, v));
                }
            } else {
                out.flags.push(format!("{pf}{}", resolve(directory, joined)));
            }
            continue;
        }
        if VALUE_FLAGS.contains(&a.as_str()) {
            if let Some(v) = it.next() {
                out.flags.push(format!("{a}{v}"));
            }
            continue;
        }
        if let Some((from, to, reason)) = REWRITES.iter().find(|r| r.0 == a) {
            out.flags.push(to.to_string());
            out.dropped.push(Dropped { flag: format!("{from} (now {to})"), reason });
            continue;
        }
        if let Some(rule) = rule_for(a) {
            let mut flag = a.clone();
            if rule.takes_value
                && a == rule.pattern
                && let Some(v) = it.next()
            {
                flag = format!("{a} {v}");
            }
            out.dropped.push(Dropped { flag, reason: rule.reason });
            continue;
        }
        if gcc_only_warning(a) {
            out.dropped.push(Dropped { flag: a.clone(), reason: "a GCC-only warning option that clang does not know" });
            continue;
        }
        if is_source(a) {
            out.dropped.push(Dropped { flag: a.clone(), reason: "the firmware's source file" });
            continue;
        }
        out.flags.push(a.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn keeps_and_drops() {
        let t = translate(
            &v(&[
                "-DESP_PLATFORM",
                "-D",
                "X=1",
                "-Iconfig",
                "-I",
                "/abs/inc",
                "-isystem",
                "sys",
                "-mlongcalls",
                "-Werror=all",
                "-Wno-error=unused-function",
                "-Wall",
                "-Wno-old-style-declaration",
                "-Wno-unused-parameter",
                "-Og",
                "-std=gnu17",
                "-o",
                "x.obj",
                "-c",
                "/p/main/main.c",
                "-MD",
                "-MT",
                "t",
                "-MF",
                "d",
                "-specs=nano.specs",
                "-march=rv32imc_zicsr_zifencei",
                "-fno-builtin-memcpy",
            ]),
            Path::new("/b"),
        );
        assert_eq!(
            t.flags,
            v(&[
                "-DESP_PLATFORM",
                "-DX=1",
                "-I/b/config",
                "-I",
                "/abs/inc",
                "-isystem",
                "/b/sys",
                "-Wall",
                "-Wno-unused-parameter",
                "-O1",
                "-std=gnu17",
                "-fno-builtin-memcpy",
            ])
        );
        assert!(t.dropped.iter().any(|d| d.flag == "-MF d"));
        assert!(t.dropped.iter().any(|d| d.flag == "/p/main/main.c"));
    }

    #[test]
    fn every_rule_is_documented() {
        let doc = include_str!("../../../docs/flags.md");
        for r in RULES {
            assert!(doc.contains(&format!("`{}", r.pattern)), "docs/flags.md does not list `{}`", r.pattern);
        }
        for (from, _, _) in REWRITES {
            assert!(doc.contains(&format!("`{from}`")), "docs/flags.md does not list rewrite `{from}`");
        }
        for w in GCC_ONLY_WARNINGS {
            assert!(doc.contains(&format!("`{w}`")), "docs/flags.md does not list warning `{w}`");
        }
    }
}

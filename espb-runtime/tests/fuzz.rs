//! A mutation fuzzer on stable Rust: mutates the committed seed modules
//! (`fuzz/corpus/*.espb`, real modules of `tests/c` programs), fixes the
//! checksum of most mutants so they reach the section parsers, the
//! verifier and the interpreter, and runs every function of whatever
//! loads under a fuel limit with a host whose natives accept anything.
//! Any panic, a run that takes longer than fuel allows, or a re-encoding
//! that does not decode to itself is a finding: the input is written to
//! the target directory and the test fails naming it.
//!
//! CI runs it for a few seconds (`cargo test -p espb-runtime --test fuzz`);
//! a longer run, in a release build:
//!
//!     ESPB_FUZZ_SECS=3600 cargo test --release -p espb-runtime --test fuzz -- --nocapture
//!
//! `ESPB_FUZZ_SEED` picks another sequence; the run prints its executions
//! and what they reached. Regenerate the corpus after a format change with
//! `scripts/fuzz-corpus.sh`.

use espb_runtime::{
    Config, FuncType, Host, HostCtx, Import, Instance, Module, Trap, VerifiedModule, disasm, format, load,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Fuel per call: a run may take at most this times the fuel bound of
/// tests/limits.rs (20 us per unit in a debug build) before it is a hang.
const FUEL: u64 = 20_000;
const HANG: Duration = Duration::from_secs(2);
/// Mutants kept because they load (a small in-memory corpus that grows).
const KEEP: usize = 512;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Natives that take anything and return their first argument (often a
/// pointer, so modules go on using it); data imports get a word of heap.
struct AnyHost;

impl Host for AnyHost {
    fn resolve(&mut self, _: &Import, _: &FuncType) -> Option<u32> {
        Some(0)
    }
    fn call(&mut self, _: u32, _: &FuncType, args: &[u64], ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
        ctx.charge(args.len() as u64)?;
        Ok(args.first().copied().unwrap_or(0))
    }
    fn data_address(&mut self, _: &Import, ctx: &mut HostCtx<'_>) -> Option<u32> {
        Some(ctx.malloc(16)).filter(|&a| a != 0)
    }
    fn table_prefix_hash(&self, _: &str, _: u32) -> Result<u32, espb_runtime::TableLookupError> {
        Err(espb_runtime::TableLookupError::Missing)
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn seeds() -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "espb"));
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Table hashes are the firmware's business: a fuzzed module's tables
/// are dropped so its imports reach the host by name.
fn without_tables(m: VerifiedModule) -> Option<VerifiedModule> {
    if m.tables.is_empty() {
        return Some(m);
    }
    let mut plain: Module = (*m).clone();
    plain.tables.clear();
    for imp in &mut plain.imports {
        if let espb_runtime::ImportRef::Slot { name, index, .. } = &imp.what {
            imp.what = espb_runtime::ImportRef::Name(name.clone().unwrap_or_else(|| format!("slot{index}")));
        }
    }
    VerifiedModule::new(plain).ok()
}

/// What one input reached.
#[derive(Default)]
struct Reached {
    decoded: u64,
    verified: u64,
    instantiated: u64,
    calls: u64,
    traps: u64,
}

/// Everything the loader and the interpreter may do with `bytes`; returns
/// whether it ran module code (worth mutating further), or the finding.
fn exercise(bytes: &[u8], rng: &mut Rng, r: &mut Reached) -> Result<bool, String> {
    if let Ok(m) = format::decode(bytes) {
        r.decoded += 1;
        let _ = disasm::disassemble(bytes);
        let _ = disasm::disassemble_module(&m);
        if format::decode(&format::encode(&m)).as_ref() != Ok(&m) {
            return Err("re-encoding does not decode to the same module".into());
        }
    }
    let Ok(m) = load(bytes) else { return Ok(false) };
    r.verified += 1;
    let Some(m) = without_tables(m) else { return Ok(false) };
    let config = Config {
        fuel: Some(FUEL),
        max_memory: 1 << 20,
        max_call_depth: 256,
        max_registers: 1 << 16,
        ..Config::default()
    };
    let nfuncs = m.functions.len().min(16);
    let Ok(mut inst) = Instance::new(m, AnyHost, config) else { return Ok(false) };
    r.instantiated += 1;
    let base = u64::from(inst.data_base());
    for f in 0..nfuncs {
        let nparams = inst.module().types.get(usize::from(inst.module().functions[f].ty)).map_or(0, |t| t.params.len());
        let args: Vec<u64> = (0..nparams)
            .map(|_| match rng.below(4) {
                0 => 0,
                1 => rng.next() % 64,
                2 => base + rng.next() % 256,
                _ => rng.next(),
            })
            .collect();
        inst.set_fuel(Some(FUEL));
        let t = Instant::now();
        let res = inst.call(f as u16, &args);
        if t.elapsed() > HANG {
            return Err(format!("function {f} ran {:?} on {FUEL} fuel", t.elapsed()));
        }
        r.calls += 1;
        if let Err(trap) = res {
            r.traps += 1;
            let _ = inst.describe(&trap);
        }
    }
    Ok(nfuncs > 0)
}

/// One to eight mutations of `input`, some with a piece of `other`.
fn mutate(input: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let len = b.len();
        let i = rng.below(len.max(1));
        match rng.below(10) {
            0..=2 if len > 0 => b[i] ^= 1 << rng.below(8),
            3 | 4 if len > 0 => b[i] = [0, 1, 0x7F, 0x80, 0xFF, rng.next() as u8][rng.below(6)],
            5 => b.insert(i.min(len), rng.next() as u8),
            6 if len > 0 => {
                b.remove(i);
            }
            7 if len > 4 => {
                // A little-endian word at i: small changes to counts and lengths.
                let at = i.min(len - 4);
                let w = u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
                let delta = [1u32, u32::MAX, 16, 0x100, 0x8000_0000][rng.below(5)];
                b[at..at + 4].copy_from_slice(&w.wrapping_add(delta).to_le_bytes());
            }
            8 if !other.is_empty() => {
                // A piece of another module over this one.
                let from = rng.below(other.len());
                let n = (1 + rng.below(32)).min(other.len() - from);
                let at = i.min(len);
                let end = (at + n).min(len);
                b.splice(at..end, other[from..from + n].iter().copied());
            }
            _ if len > 1 => {
                // Duplicate or drop a run of bytes.
                let n = 1 + rng.below(16.min(len - i));
                if rng.below(2) == 0 {
                    let piece = b[i..i + n].to_vec();
                    b.splice(i..i, piece);
                } else {
                    b.drain(i..i + n);
                }
            }
            _ => {}
        }
    }
    b
}

#[test]
fn mutated_modules_never_panic_hang_or_misencode() {
    let secs: u64 = std::env::var("ESPB_FUZZ_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = std::env::var("ESPB_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_E5B0);
    let seeds = seeds();
    assert!(!seeds.is_empty(), "no seed modules in {}", corpus_dir().display());
    let mut rng = Rng(seed | 1);
    let mut reached = Reached::default();
    // The seeds themselves must load, or the corpus is stale.
    let loading = seeds.iter().filter(|s| load(s).is_ok()).count();

    assert!(
        loading * 2 >= seeds.len(),
        "only {loading} of {} seed modules load: regenerate the corpus with scripts/fuzz-corpus.sh",
        seeds.len()
    );
    let mut pool: Vec<Vec<u8>> = seeds.clone();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut execs: u64 = 0;
    let mut findings: Vec<(PathBuf, String)> = Vec::new();
    while Instant::now() < end {
        for _ in 0..64 {
            let input = &pool[rng.below(pool.len())];
            let other = &pool[rng.below(pool.len())];
            let mut bytes = mutate(input, other, &mut rng);
            // Most mutants get a valid checksum, so they reach the parsers.
            if rng.below(8) != 0 {
                format::fix_checksum(&mut bytes);
            }
            execs += 1;
            let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&bytes, &mut rng, &mut reached)));
            let problem = match outcome {
                Ok(Ok(true)) => {
                    if pool.len() < KEEP {
                        pool.push(bytes);
                    } else {
                        let k = rng.below(KEEP - seeds.len()) + seeds.len();
                        pool[k] = bytes;
                    }
                    continue;
                }
                Ok(Ok(false)) => continue,
                Ok(Err(why)) => why,
                Err(_) => "panicked".to_string(),
            };
            let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("espb-fuzz-finding-{seed:x}-{execs}.espb"));
            let _ = std::fs::write(&out, &bytes);
            findings.push((out, problem));
        }
    }
    eprintln!(
        "fuzz: {execs} executions in {secs} s (seed {seed:#x}): {} decoded, {} verified, {} instantiated, {} calls ({} trapped), {} findings",
        reached.decoded,
        reached.verified,
        reached.instantiated,
        reached.calls,
        reached.traps,
        findings.len()
    );
    assert!(reached.calls > 0 || secs == 0, "no mutant ran: the fuzzer does not reach the interpreter");
    let list: Vec<String> = findings.iter().map(|(p, w)| format!("{}: {w}", p.display())).collect();
    assert!(findings.is_empty(), "findings:\n{}", list.join("\n"));
}

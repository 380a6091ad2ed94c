//! A mutation fuzzer on stable Rust: mutates the committed seed modules
//! (`fuzz/corpus/*.espb`, real modules of `tests/c` programs), fixes the
//! checksum of most mutants so they reach the section parsers, the
//! verifier and the interpreter, and runs every function of whatever
//! loads under a fuel limit with a host whose natives accept anything.
//! Half the mutants are structure-aware: the module is decoded, an
//! operand, opcode, instruction or function header inside a valid body is
//! changed (registers and immediates to the edges of their kinds, spill
//! moves with wide registers) and it is re-encoded, so most of them get
//! past the section parsers to the verifier's rules; `ESPB_FUZZ_BYTES=1`
//! keeps to byte-level mutations. Any panic, a run that takes longer than fuel allows, or a re-encoding
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

use espb_runtime::format::LoadError;
use espb_runtime::isa::{Instr, Opcode, OperandKind, operand::operands};
use espb_runtime::verify::VerifyError;
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
    /// Instantiated modules with a spill move (`mov.lx`/`mov.xl`, the
    /// only `Def16`/`Use16` operands) in a function that was called.
    spill: u64,
    /// Refusals of a register past the one-byte window (only `Def16`
    /// and `Use16` operands can name one).
    wide_refused: u64,
}

/// Everything the loader and the interpreter may do with `bytes`; returns
/// whether it ran module code (worth mutating further), or the finding.
fn exercise(bytes: &[u8], rng: &mut Rng, r: &mut Reached) -> Result<bool, String> {
    if let Ok(m) = format::decode(bytes) {
        r.decoded += 1;
        // The disassembler is mostly string formatting: one module in
        // eight is enough to keep it covered without halving the speed.
        if rng.below(8) == 0 {
            let _ = disasm::disassemble(bytes);
            let _ = disasm::disassemble_module(&m);
        }
        if format::decode(&format::encode(&m)).as_ref() != Ok(&m) {
            return Err("re-encoding does not decode to the same module".into());
        }
    }
    let m = match load(bytes) {
        Ok(m) => m,
        Err(LoadError::Verify(VerifyError::RegisterOutOfRange { reg, .. })) if reg > 255 => {
            r.wide_refused += 1;
            return Ok(false);
        }
        Err(_) => return Ok(false),
    };
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
    let has_spill = m.functions[..nfuncs].iter().any(|f| has_spill_move(&f.code));
    let Ok(mut inst) = Instance::new(m, AnyHost, config) else { return Ok(false) };
    r.instantiated += 1;
    r.spill += u64::from(has_spill);
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

/// One decoded instruction: where it starts and ends, and which of
/// [`Code::ops`] are its operands.
struct Ins {
    start: usize,
    end: usize,
    ops: std::ops::Range<usize>,
}

/// The instructions of a body up to the first that does not decode, and
/// where each operand starts, with its kind (one list, to spare the
/// allocator: this is the structured mutator's hot loop).
struct Code {
    list: Vec<Ins>,
    ops: Vec<(usize, OperandKind)>,
}

fn instructions(code: &[u8]) -> Code {
    let mut c = Code { list: Vec::new(), ops: Vec::new() };
    let mut pc = 0;
    'walk: while let Some((op, mut it)) = operands(code, pc) {
        let first = c.ops.len();
        let mut at = pc + 1;
        for &(_, kind) in op.operands() {
            c.ops.push((at, kind));
            if it.next().is_none() {
                c.ops.truncate(first);
                break 'walk;
            }
            at = it.position();
        }
        c.list.push(Ins { start: pc, end: at, ops: first..c.ops.len() });
        pc = at;
    }
    c
}

/// Whether `code` holds a spill move, without allocating.
fn has_spill_move(code: &[u8]) -> bool {
    let mut pc = 0;
    while let Some((i, next)) = Instr::decode(code, pc) {
        if matches!(i.opcode(), Opcode::MovLX | Opcode::MovXL) {
            return true;
        }
        pc = next;
    }
    false
}

/// A value at or near the edge of what a register operand may name.
fn edge_reg(num_regs: u16, rng: &mut Rng) -> u16 {
    let n = num_regs;
    [0, n.wrapping_sub(1), n, n.wrapping_add(1), 255, 256, 257, u16::MAX, rng.below(usize::from(n.max(1))) as u16]
        [rng.below(9)]
}

/// Structure-aware mutations: decodes `input`, changes one to four
/// things inside function bodies (an operand, an opcode, a whole
/// instruction) or their headers, and re-encodes it, so the result passes
/// the section parsers and tests the verifier's and the interpreter's
/// rules on otherwise valid code. `None` when `input` does not decode.
fn mutate_code(input: &[u8], other: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut m = format::decode(input).ok()?;
    if m.functions.is_empty() {
        return None;
    }
    for _ in 0..1 + rng.below(4) {
        let fi = rng.below(m.functions.len());
        let nfuncs = m.functions.len();
        let f = &mut m.functions[fi];
        let body = instructions(&f.code);
        let list = &body.list;
        if list.is_empty() {
            continue;
        }
        let ins = &list[rng.below(list.len())];
        let choice = rng.below(12);
        if choice <= 4 && !ins.ops.is_empty() {
            // One operand, to a value near the edge of what its kind allows.
            let (at, kind) = body.ops[ins.ops.start + rng.below(ins.ops.len())];
            let code = &mut f.code;
            match kind {
                OperandKind::Def | OperandKind::Use => code[at] = edge_reg(f.num_regs, rng) as u8,
                OperandKind::Def16 | OperandKind::Use16 => {
                    code[at..at + 2].copy_from_slice(&edge_reg(f.num_regs, rng).to_le_bytes())
                }
                OperandKind::Target => {
                    let t = [
                        list[rng.below(list.len())].start,
                        list[rng.below(list.len())].start + 1,
                        code.len(),
                        ins.start,
                        rng.next() as usize,
                    ][rng.below(5)] as u16;
                    code[at..at + 2].copy_from_slice(&t.to_le_bytes());
                }
                OperandKind::Args | OperandKind::Targets => {
                    // The count, or one element past it.
                    let k = rng.below((ins.end - at).max(1));
                    code[at + k] = [0, 1, 0xFF, code[at + k].wrapping_add(1), rng.next() as u8][rng.below(5)];
                }
                OperandKind::U16 => {
                    let v = [0, 1, nfuncs as u16, nfuncs as u16 - 1, u16::MAX, rng.next() as u16][rng.below(6)];
                    code[at..at + 2].copy_from_slice(&v.to_le_bytes());
                }
                _ => {
                    let n = kind.fixed_size().unwrap_or(1).min(ins.end - at);
                    let edges: [u64; 7] = [0, 1, u64::MAX, 1 << (8 * n - 1), (1 << (8 * n - 1)) - 1, 8, rng.next()];
                    let v = edges[rng.below(edges.len())].to_le_bytes();
                    code[at..at + n].copy_from_slice(&v[..n]);
                }
            }
        } else if choice <= 6 {
            // Another opcode with the same operand kinds (decodes alike),
            // or sometimes any opcode.
            let old = Opcode::from_u8(f.code[ins.start])?;
            let same: Vec<Opcode> = Opcode::ALL.iter().copied().filter(|o| o.operands() == old.operands()).collect();
            let new =
                if rng.below(4) == 0 { Opcode::ALL[rng.below(Opcode::ALL.len())] } else { same[rng.below(same.len())] };
            f.code[ins.start] = new as u8;
        } else if choice == 7 {
            // Drop, or duplicate, one instruction.
            let piece = f.code[ins.start..ins.end].to_vec();
            if rng.below(2) == 0 {
                f.code.drain(ins.start..ins.end);
            } else {
                f.code.splice(ins.start..ins.start, piece);
            }
        } else if choice == 8 {
            // A spill move between the window and any register of the frame.
            let (op, r16) = if rng.below(2) == 0 { (Opcode::MovLX, true) } else { (Opcode::MovXL, false) };
            let r8 = edge_reg(f.num_regs.min(256), rng) as u8;
            let wide = edge_reg(f.num_regs, rng).to_le_bytes();
            let mut b = vec![op as u8];
            if r16 {
                b.push(r8);
                b.extend_from_slice(&wide);
            } else {
                b.extend_from_slice(&wide);
                b.push(r8);
            }
            // Replace an instruction of the same length, so targets hold.
            match list.iter().find(|i| i.end - i.start == b.len() && rng.below(4) == 0) {
                Some(i) => f.code.splice(i.start..i.end, b),
                None => f.code.splice(ins.start..ins.start, b),
            };
        } else if choice == 9 {
            // The header: registers, frame, type.
            match rng.below(3) {
                0 => f.num_regs = edge_reg(f.num_regs, rng),
                1 => f.frame_size = [0, 16, f.frame_size.wrapping_add(16), !15, rng.next() as u32][rng.below(5)],
                _ => f.ty = rng.below(m.types.len() + 1) as u16,
            }
        } else if let Ok(o) = format::decode(other) {
            // An instruction of another function (of another module).
            let Some(g) = o.functions.get(rng.below(o.functions.len().max(1))) else { continue };
            let theirs = instructions(&g.code).list;
            let Some(t) = theirs.get(rng.below(theirs.len().max(1))) else { continue };
            let piece = g.code[t.start..t.end].to_vec();
            let f = &mut m.functions[fi];
            if piece.len() == ins.end - ins.start {
                f.code.splice(ins.start..ins.end, piece);
            } else {
                f.code.splice(ins.start..ins.start, piece);
            }
        }
    }
    Some(format::encode(&m))
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
    let bytes_only = std::env::var("ESPB_FUZZ_BYTES").is_ok_and(|v| v == "1");
    let mut rng = Rng(seed | 1);
    let mut reached = Reached::default();
    // The seeds themselves must load, or the corpus is stale.
    let stale = seeds.iter().filter(|s| load(s).is_err()).count();
    assert!(
        stale == 0,
        "{stale} of {} seed modules do not load: regenerate the corpus with scripts/fuzz-corpus.sh",
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
            // Half the mutants change code inside valid bodies, the rest
            // are byte-level (ESPB_FUZZ_BYTES=1: byte-level only).
            let structured = !bytes_only && rng.below(2) == 0;
            let mut bytes = match structured.then(|| mutate_code(input, other, &mut rng)).flatten() {
                Some(b) => b,
                None => mutate(input, other, &mut rng),
            };
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
        "fuzz: {execs} executions in {secs} s (seed {seed:#x}): {} decoded, {} verified, {} instantiated, {} calls ({} trapped), {} with spill moves, {} wide registers refused, {} findings",
        reached.decoded,
        reached.verified,
        reached.instantiated,
        reached.calls,
        reached.traps,
        reached.spill,
        reached.wide_refused,
        findings.len()
    );
    assert!(reached.calls > 0 || secs == 0, "no mutant ran: the fuzzer does not reach the interpreter");
    assert!(
        (reached.spill > 0 && reached.wide_refused > 0) || secs == 0 || bytes_only,
        "no mutant with a spill move (mov.lx/mov.xl) ran or was refused: the corpus needs a seed with them"
    );
    let list: Vec<String> = findings.iter().map(|(p, w)| format!("{}: {w}", p.display())).collect();
    assert!(findings.is_empty(), "findings:\n{}", list.join("\n"));
}

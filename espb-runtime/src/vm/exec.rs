//! The interpreter loop: runs verified code of an instance until the entry
//! function returns or a trap. Nothing a module does can make this code
//! panic or touch memory outside the instance: registers are addressed
//! through a 256-slot window so a one-byte register number is always in
//! bounds (the spill moves' 16-bit numbers are checked), memory accesses go through [`Memory`]'s checks, and operands
//! are read unchecked only where the verifier proved them inside the code.

use super::builtins::{Builtin, ImportTarget, Reenter, call_import, search_sort};
use super::checked::Imports;
use super::config::Config;
use super::context::{Hooks, grow_frames, grow_registers};
use super::frame::{Frame, WINDOW};
use super::heap::Heap;
use super::host::Host;
use super::memory::{FUNC_ADDR_BASE, IMPORT_ADDR_BASE, Memory, RawMem};
use super::meter::{BYTES_PER_FUEL, Meter, charge, refuel, spend};
use super::trap::{Trap, TrapKind};
use crate::isa::operand::RegOff;
use crate::isa::{ComplexOp, Conv, DivRem128, FBinary, FUnary, Opcode, Regs, aligned, verified};
use crate::verify::VerifiedModule;
use alloc::vec::Vec;

/// Everything the interpreter loop touches, borrowed from the instance, so
/// that builtins such as `qsort` can run module code re-entrantly.
pub(super) struct Vm<'a, H: Host> {
    /// Verified: the loop reads its code without checks.
    pub(super) module: &'a VerifiedModule,
    pub(super) host: &'a mut H,
    pub(super) mem: &'a mut Memory,
    pub(super) heap: &'a mut Heap,
    pub(super) imports: &'a Imports,
    pub(super) import_addrs: &'a [u32],
    pub(super) regs: &'a mut Vec<u64>,
    pub(super) frames: &'a mut Vec<Frame>,
    pub(super) config: &'a Config,
    pub(super) fuel: u64,
    /// Fuel beyond the current time slice (`fuel`), handed out by [`refuel`].
    pub(super) budget: u64,
    pub(super) stack_limit: u32,
    /// Nesting of re-entrant runs (each costs native stack).
    pub(super) depth: u32,
    /// Each function's address as the module sees it (`func.addr`).
    pub(super) func_addrs: &'a [u32],
    /// This instance's callback thunks (address, function), by address: an
    /// indirect call to one enters the function directly.
    pub(super) thunk_funcs: &'a [(u32, u16)],
    /// The app the instance runs in: lock, time slices, resources.
    pub(super) app: Option<&'a dyn Hooks>,
}

/// The function behind `addr` when it is one of this instance's thunks.
fn own_thunk(thunks: &[(u32, u16)], addr: u32) -> Option<u16> {
    thunks.binary_search_by_key(&addr, |t| t.0).ok().map(|i| thunks[i].1)
}

/// Arguments a call hands out, in place for up to [`INLINE_ARGS`]: a run
/// allocates nothing for them, and a task deleted inside a blocking native
/// (it never returns, its frames never drop) leaves nothing on the heap.
/// Longer lists (a variadic printf) go to a Vec.
struct ArgBuf {
    inline: [u64; INLINE_ARGS],
    spill: Vec<u64>,
}

const INLINE_ARGS: usize = 8;

impl ArgBuf {
    fn new() -> ArgBuf {
        ArgBuf { inline: [0; INLINE_ARGS], spill: Vec::new() }
    }

    /// The values of registers `args` of window `r`.
    fn load(&mut self, args: Regs<'_>, r: &[u64; WINDOW]) -> &[u64] {
        let vals = args.iter().map(|a| r[usize::from(a)]);
        if args.len() <= INLINE_ARGS {
            for (d, v) in self.inline.iter_mut().zip(vals) {
                *d = v;
            }
            &self.inline[..args.len()]
        } else {
            self.spill.clear();
            self.spill.extend(vals);
            &self.spill
        }
    }
}

/// Runs function `entry` with its registers at `base0` and the stack
/// pointer at `sp0`, until it returns.
#[allow(clippy::too_many_lines)]
pub(super) fn execute<H: Host>(
    vm: &mut Vm<'_, H>,
    entry: u16,
    args: &[u64],
    base0: usize,
    sp0: u32,
) -> Result<u64, Trap> {
    let module = vm.module;
    let floor = vm.frames.len();
    // Kept in a register; written back whenever this run ends or calls out.
    let mut fuel = slice_fuel(vm);
    // Why `refuel` stopped the run: one slot for all its call sites.
    let mut why = TrapKind::OutOfFuel;
    let mut argbuf = ArgBuf::new();
    let types = &module.types;
    let nfuncs = module.functions.len() as u32;
    // Read on every call: locals, not two loads through `vm.config`.
    let max_depth = vm.config.max_call_depth;
    let max_regs = vm.config.max_registers;
    let nimports = vm.imports.len() as u32;

    let mut cur = entry;
    let Some(entry_body) = module.body(usize::from(cur)) else {
        return Err(Trap { kind: TrapKind::BadCode, func: Some(cur), pc: 0 });
    };
    // The running function's register count (its callee's base is `base + nregs`).
    let mut nregs = usize::from(entry_body.num_regs);
    let mut code: &[u8] = words(&entry_body.code);
    // Where the loop is in `code`: a pointer, so one register serves both
    // reading operands and dispatch.
    let mut ip: *const u8 = code.as_ptr();
    let mut base: usize = base0;
    let mut sp: u32 = sp0;
    let mut fp: u32;
    let stack_limit = vm.stack_limit;

    // The offset of `ip` in the code, for traps and return addresses.
    macro_rules! pc {
        () => {
            module
                .functions
                .get(usize::from(cur))
                .map_or(0, |f| aligned::file_offset(&f.code, ip as usize - code.as_ptr() as usize))
        };
    }
    'trap: {
        // Every trap leaves through the one exit after this `'trap` block,
        // which names the place: the kind goes to the one slot `why` (no value
        // flows out of the block, which the hot path would pay for), one call
        // of `file_offset`, however many sites.
        macro_rules! trap {
            ($kind:expr) => {{
                why = $kind;
                break 'trap;
            }};
        }
        // A stop whose kind `refuel` or `spend` already put in `why`.
        macro_rules! stop {
            () => {
                break 'trap
            };
        }
        macro_rules! at {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    // A trap from a nested call (qsort's comparator) already
                    // names its own place.
                    Err(t) if t.func.is_some() => {
                        vm.fuel = fuel as u64;
                        return Err(t);
                    }
                    Err(t) => trap!(t.kind),
                }
            };
        }
        // A memory access: out of bounds traps with the address.
        macro_rules! mem {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(o) => trap!(TrapKind::from(o)),
                }
            };
        }

        // Work beyond one step (bulk memory, a native's copying): `n` more units.
        macro_rules! charge {
            ($n:expr) => {
                // Through a copy: taking `fuel`'s address would keep it in
                // memory for the whole loop.
                let mut left = fuel as u64;
                let ok = spend(&mut left, &mut vm.budget, vm.config.time_slice, vm.app, $n, &mut why);
                // At most the fuel before or one new slice: fits.
                fuel = usize::try_from(left).unwrap_or(usize::MAX);
                if !ok {
                    stop!();
                }
            };
        }
        // A builtin or native, which reports its work to a meter.
        macro_rules! native {
            ($i:expr, $ty:expr, $args:expr) => {{
                let mut meter = Meter::new(fuel as u64, vm.budget);
                let res = call_import(vm.imports, vm.host, vm.mem, vm.heap, vm.app, $i, $ty, $args, &mut meter);
                if meter.spent() > 0 {
                    charge!(meter.spent());
                }
                at!(res)
            }};
        }

        // Enter the entry function.
        fp = match sp.checked_sub(entry_body.frame_size) {
            Some(v) if (v & !15) >= stack_limit => v & !15,
            _ => trap!(TrapKind::StackExhausted),
        };
        sp = fp;
        let need = base0 + nregs + WINDOW;
        if need > max_regs || floor >= max_depth {
            trap!(TrapKind::StackExhausted);
        }
        if vm.regs.len() < need
            && let Err(k) = grow_registers(vm.regs, need)
        {
            trap!(k);
        }
        let Some(params) = vm.regs.get_mut(base0..base0 + args.len()) else {
            trap!(TrapKind::StackExhausted);
        };
        params.copy_from_slice(args);

        // The memory block never moves: one view serves every frame, refreshed
        // only after something else used the memory mutably (natives, qsort).
        let mut raw: RawMem = vm.mem.raw();
        // A fixed-size load or store: inside the block on the hot path,
        // firmware windows and faults out of line.
        macro_rules! ld {
            ($n:literal, $addr:expr) => {{
                let addr: u32 = $addr;
                match raw.load_inside::<$n>(addr) {
                    Some(b) => b,
                    None => mem!(raw.load_outside::<$n>(addr)),
                }
            }};
        }
        macro_rules! st {
            ($addr:expr, $v:expr) => {{
                let (addr, v): (u32, _) = ($addr, $v);
                if !raw.store_inside(addr, v) {
                    mem!(raw.store_outside(addr, v));
                }
            }};
        }

        'frame: loop {
            let Some(window) = vm.regs.get_mut(base..base + WINDOW) else {
                trap!(TrapKind::StackExhausted);
            };
            let Ok(r) = <&mut [u64; WINDOW]>::try_from(window) else {
                trap!(TrapKind::StackExhausted);
            };
            macro_rules! dec {
                ($name:ident) => {
                    // SAFETY: ip is always an instruction start of this verified
                    // function: the entry is its start, branches go to verified
                    // targets, returns to the instruction after their call.
                    unsafe { verified::$name(ip, code.as_ptr_range().end) }
                };
            }
            macro_rules! bin32 {
                ($name:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let ((d, a, b), n) = dec!($name);
                    let $a = r[a] as u32;
                    let $b = r[b] as u32;
                    r[d] = ($e) as u32 as u64;
                    ip = n;
                }};
            }
            macro_rules! imm32 {
                ($name:ident, |$a:ident, $v:ident| $e:expr) => {{
                    let ((d, a, $v), n) = dec!($name);
                    let $a = r[a] as u32;
                    r[d] = ($e) as u32 as u64;
                    ip = n;
                }};
            }
            macro_rules! bin64 {
                ($name:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let ((d, a, b), n) = dec!($name);
                    let $a = r[a];
                    let $b = r[b];
                    r[d] = ($e) as u64;
                    ip = n;
                }};
            }
            macro_rules! un {
                ($name:ident, |$s:ident| $e:expr) => {{
                    let ((d, s), n) = dec!($name);
                    let $s = r[s];
                    r[d] = ($e) as u64;
                    ip = n;
                }};
            }
            macro_rules! f32op {
                ($name:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let ((d, a, b), n) = dec!($name);
                    let $a = f32::from_bits(r[a] as u32);
                    let $b = f32::from_bits(r[b] as u32);
                    r[d] = u64::from(($e).to_bits());
                    ip = n;
                }};
            }
            macro_rules! f64op {
                ($name:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let ((d, a, b), n) = dec!($name);
                    let $a = f64::from_bits(r[a]);
                    let $b = f64::from_bits(r[b]);
                    r[d] = ($e).to_bits();
                    ip = n;
                }};
            }
            macro_rules! load {
                ($name:ident, $n:literal, |$b:ident| $e:expr) => {{
                    let ((d, a, off), n) = dec!($name);
                    let addr = (r[a] as u32).wrapping_add(off as i32 as u32);
                    let $b: [u8; $n] = ld!($n, addr);
                    r[d] = $e;
                    ip = n;
                }};
            }
            macro_rules! store {
                ($name:ident, |$v:ident| $e:expr) => {{
                    let ((s, a, off), n) = dec!($name);
                    let addr = (r[a] as u32).wrapping_add(off as i32 as u32);
                    let $v = r[s];
                    st!(addr, $e);
                    ip = n;
                }};
            }
            macro_rules! jump {
                ($t:expr) => {{
                    // SAFETY: the verifier proved the target an instruction start
                    // inside this function's code.
                    let t = unsafe { code.as_ptr().add($t as usize * 4) };
                    if t <= ip {
                        if fuel == 0 {
                            fuel = refuel(&mut vm.budget, vm.config.time_slice, vm.app, &mut why) as usize;
                            if fuel == 0 {
                                stop!();
                            }
                        }
                        fuel -= 1;
                    }
                    ip = t;
                }};
            }
            // Pushes the caller's frame and switches to `callee`. Arguments
            // are read from the caller's registers (all below the new base)
            // before the callee's are written.
            macro_rules! enter {
                ($fi:expr, $callee:expr, $d:expr, $args:expr, $ret:expr) => {{
                    let callee = $callee;
                    if fuel == 0 {
                        fuel = refuel(&mut vm.budget, vm.config.time_slice, vm.app, &mut why) as usize;
                        if fuel == 0 {
                            stop!();
                        }
                    }
                    fuel -= 1;
                    if vm.frames.len() >= max_depth {
                        trap!(TrapKind::StackExhausted);
                    }
                    let new_fp = match sp.checked_sub(callee.frame_size) {
                        Some(v) if (v & !15) >= stack_limit => v & !15,
                        _ => trap!(TrapKind::StackExhausted),
                    };
                    let new_base = base + nregs;
                    let need = new_base + usize::from(callee.num_regs) + WINDOW;
                    if need > max_regs {
                        trap!(TrapKind::StackExhausted);
                    }
                    if vm.frames.len() == vm.frames.capacity()
                        && let Err(k) = grow_frames(vm.frames)
                    {
                        trap!(k);
                    }
                    vm.frames.push(Frame {
                        func: cur,
                        ret_pc: $ret as usize - code.as_ptr() as usize,
                        base,
                        ret_dst: $d,
                        fp,
                        sp,
                    });
                    let first = nregs;
                    if first + $args.len() <= WINDOW {
                        // Usual case: the callee's parameters still fall in
                        // the caller's window; no bounds checks needed.
                        for (i, a) in $args.iter().enumerate() {
                            r[first + i] = r[usize::from(a)];
                        }
                        if vm.regs.len() < need
                            && let Err(k) = grow_registers(vm.regs, need)
                        {
                            trap!(k);
                        }
                    } else {
                        if vm.regs.len() < need
                            && let Err(k) = grow_registers(vm.regs, need)
                        {
                            trap!(k);
                        }
                        for (i, a) in $args.iter().enumerate() {
                            vm.regs[new_base + i] = vm.regs[base + usize::from(a)];
                        }
                    }
                    base = new_base;
                    cur = $fi;
                    nregs = usize::from(callee.num_regs);
                    code = words(&callee.code);
                    ip = code.as_ptr();
                    fp = new_fp;
                    sp = fp;
                    continue 'frame;
                }};
            }
            macro_rules! inc_br {
                ($name:ident, |$d:ident, $b:ident| $cond:expr) => {{
                    let ((d, a, v, b, t), n) = dec!($name);
                    let $d = (r[a] as u32).wrapping_add(v as i32 as u32);
                    r[d] = u64::from($d);
                    let $b = r[b] as u32;
                    if $cond { jump!(t) } else { ip = n }
                }};
            }
            macro_rules! inc_br_imm {
                ($name:ident, |$d:ident, $w:ident| $cond:expr) => {{
                    let ((d, a, v, $w, t), n) = dec!($name);
                    let $d = (r[a] as u32).wrapping_add(v as i32 as u32);
                    r[d] = u64::from($d);
                    if $cond { jump!(t) } else { ip = n }
                }};
            }
            macro_rules! br2 {
                ($name:ident, |$a:ident, $b:ident| $cond:expr) => {{
                    let ((a, b, t), n) = dec!($name);
                    let $a = r[a] as u32;
                    let $b = r[b] as u32;
                    if $cond { jump!(t) } else { ip = n }
                }};
            }
            macro_rules! bri {
                ($name:ident, |$a:ident, $v:ident| $cond:expr) => {{
                    let ((a, $v, t), n) = dec!($name);
                    let $a = r[a] as u32;
                    if $cond { jump!(t) } else { ip = n }
                }};
            }

            loop {
                debug_assert!(code.as_ptr_range().contains(&ip), "unverified code");
                // SAFETY: as for dec!: ip is an instruction start inside code.
                // The verifier refused every byte that is no opcode, so the
                // match needs no range check.
                let op = unsafe { Opcode::from_u8_unchecked(*ip) };
                #[cfg(feature = "op-stats")]
                super::op_stats::count(op);
                match op {
                    Opcode::Nop => {
                        let ((), n) = dec!(Nop);
                        ip = n;
                    }
                    Opcode::Mov => {
                        let ((d, s), n) = dec!(Mov);
                        r[d] = r[s];
                        ip = n;
                    }
                    Opcode::Mov2 => {
                        let ((d0, s0, d1, s1), n) = dec!(Mov2);
                        let (v0, v1) = (r[s0], r[s1]);
                        r[d0] = v0;
                        r[d1] = v1;
                        ip = n;
                    }
                    Opcode::ConstI32 => {
                        let ((d, v), n) = dec!(ConstI32);
                        r[d] = u64::from(v as u32);
                        ip = n;
                    }
                    Opcode::ConstI8 => {
                        let ((d, v), n) = dec!(ConstI8);
                        r[d] = u64::from(v as i32 as u32);
                        ip = n;
                    }
                    Opcode::ConstI64 => {
                        let ((d, v), n) = dec!(ConstI64);
                        r[d] = v as u64;
                        ip = n;
                    }
                    Opcode::DataAddr => {
                        let ((d, off), n) = dec!(DataAddr);
                        r[d] = u64::from(self_data_base(vm.mem).wrapping_add(off));
                        ip = n;
                    }
                    Opcode::FuncAddr => {
                        let ((d, fi), n) = dec!(FuncAddr);
                        let Some(&a) = vm.func_addrs.get(fi as usize) else { trap!(TrapKind::BadCode) };
                        r[d] = u64::from(a);
                        ip = n;
                    }
                    Opcode::ImportAddr => {
                        let ((d, i), n) = dec!(ImportAddr);
                        let Some(&a) = vm.import_addrs.get(i as usize) else { trap!(TrapKind::BadCode) };
                        r[d] = u64::from(a);
                        ip = n;
                    }
                    Opcode::StackAddr => {
                        let ((d, off), n) = dec!(StackAddr);
                        r[d] = u64::from(fp.wrapping_add(off));
                        ip = n;
                    }
                    Opcode::Select => {
                        let ((d, c, a, b), n) = dec!(Select);
                        r[d] = if r[c] as u32 != 0 { r[a] } else { r[b] };
                        ip = n;
                    }

                    Opcode::AddI32 => bin32!(AddI32, |a, b| a.wrapping_add(b)),
                    Opcode::SubI32 => bin32!(SubI32, |a, b| a.wrapping_sub(b)),
                    Opcode::MulI32 => bin32!(MulI32, |a, b| a.wrapping_mul(b)),
                    Opcode::DivSI32 => {
                        let ((d, a, b), n) = dec!(DivSI32);
                        let (a, b) = (r[a] as i32, r[b] as i32);
                        if b == 0 {
                            trap!(TrapKind::DivideByZero);
                        }
                        let Some(q) = a.checked_div(b) else { trap!(TrapKind::IntegerOverflow) };
                        r[d] = u64::from(q as u32);
                        ip = n;
                    }
                    Opcode::DivUI32 => {
                        let ((d, a, b), n) = dec!(DivUI32);
                        let (a, b) = (r[a] as u32, r[b] as u32);
                        let Some(q) = a.checked_div(b) else { trap!(TrapKind::DivideByZero) };
                        r[d] = u64::from(q);
                        ip = n;
                    }
                    Opcode::RemSI32 => {
                        let ((d, a, b), n) = dec!(RemSI32);
                        let (a, b) = (r[a] as i32, r[b] as i32);
                        if b == 0 {
                            trap!(TrapKind::DivideByZero);
                        }
                        r[d] = u64::from(a.wrapping_rem(b) as u32);
                        ip = n;
                    }
                    Opcode::RemUI32 => {
                        let ((d, a, b), n) = dec!(RemUI32);
                        let (a, b) = (r[a] as u32, r[b] as u32);
                        let Some(q) = a.checked_rem(b) else { trap!(TrapKind::DivideByZero) };
                        r[d] = u64::from(q);
                        ip = n;
                    }
                    Opcode::AndI32 => bin32!(AndI32, |a, b| a & b),
                    Opcode::OrI32 => bin32!(OrI32, |a, b| a | b),
                    Opcode::XorI32 => bin32!(XorI32, |a, b| a ^ b),
                    Opcode::ShlI32 => bin32!(ShlI32, |a, b| a.wrapping_shl(b)),
                    Opcode::ShrSI32 => bin32!(ShrSI32, |a, b| (a as i32).wrapping_shr(b)),
                    Opcode::ShrUI32 => bin32!(ShrUI32, |a, b| a.wrapping_shr(b)),
                    Opcode::RotlI32 => bin32!(RotlI32, |a, b| a.rotate_left(b & 31)),
                    Opcode::RotrI32 => bin32!(RotrI32, |a, b| a.rotate_right(b & 31)),

                    Opcode::AddImmI32 => imm32!(AddImmI32, |a, v| a.wrapping_add(v as u32)),
                    Opcode::MulImmI32 => imm32!(MulImmI32, |a, v| a.wrapping_mul(v as u32)),
                    Opcode::AndImmI32 => imm32!(AndImmI32, |a, v| a & v as u32),
                    Opcode::OrImmI32 => imm32!(OrImmI32, |a, v| a | v as u32),
                    Opcode::XorImmI32 => imm32!(XorImmI32, |a, v| a ^ v as u32),
                    Opcode::ShlImmI32 => imm32!(ShlImmI32, |a, v| a.wrapping_shl(u32::from(v))),
                    Opcode::ShrSImmI32 => imm32!(ShrSImmI32, |a, v| (a as i32).wrapping_shr(u32::from(v))),
                    Opcode::ShrUImmI32 => imm32!(ShrUImmI32, |a, v| a.wrapping_shr(u32::from(v))),
                    Opcode::AddImm8I32 => imm32!(AddImm8I32, |a, v| a.wrapping_add(v as i32 as u32)),
                    Opcode::SubFromImmI32 => imm32!(SubFromImmI32, |a, v| (v as u32).wrapping_sub(a)),

                    Opcode::EqI32 => bin32!(EqI32, |a, b| a == b),
                    Opcode::NeI32 => bin32!(NeI32, |a, b| a != b),
                    Opcode::LtSI32 => bin32!(LtSI32, |a, b| (a as i32) < (b as i32)),
                    Opcode::LtUI32 => bin32!(LtUI32, |a, b| a < b),
                    Opcode::LeSI32 => bin32!(LeSI32, |a, b| (a as i32) <= (b as i32)),
                    Opcode::LeUI32 => bin32!(LeUI32, |a, b| a <= b),
                    Opcode::EqImmI32 => imm32!(EqImmI32, |a, v| a == v as u32),
                    Opcode::NeImmI32 => imm32!(NeImmI32, |a, v| a != v as u32),
                    Opcode::LtSImmI32 => imm32!(LtSImmI32, |a, v| (a as i32) < v),
                    Opcode::LtUImmI32 => imm32!(LtUImmI32, |a, v| a < v as u32),
                    Opcode::GtSImmI32 => imm32!(GtSImmI32, |a, v| (a as i32) > v),
                    Opcode::GtUImmI32 => imm32!(GtUImmI32, |a, v| a > v as u32),

                    Opcode::AddI64 => bin64!(AddI64, |a, b| a.wrapping_add(b)),
                    Opcode::SubI64 => bin64!(SubI64, |a, b| a.wrapping_sub(b)),
                    Opcode::MulI64 => bin64!(MulI64, |a, b| a.wrapping_mul(b)),
                    Opcode::DivSI64 => {
                        let ((d, a, b), n) = dec!(DivSI64);
                        let (a, b) = (r[a] as i64, r[b] as i64);
                        if b == 0 {
                            trap!(TrapKind::DivideByZero);
                        }
                        let Some(q) = a.checked_div(b) else { trap!(TrapKind::IntegerOverflow) };
                        r[d] = q as u64;
                        ip = n;
                    }
                    Opcode::DivUI64 => {
                        let ((d, a, b), n) = dec!(DivUI64);
                        let Some(q) = r[a].checked_div(r[b]) else { trap!(TrapKind::DivideByZero) };
                        r[d] = q;
                        ip = n;
                    }
                    Opcode::RemSI64 => {
                        let ((d, a, b), n) = dec!(RemSI64);
                        let (a, b) = (r[a] as i64, r[b] as i64);
                        if b == 0 {
                            trap!(TrapKind::DivideByZero);
                        }
                        r[d] = a.wrapping_rem(b) as u64;
                        ip = n;
                    }
                    Opcode::RemUI64 => {
                        let ((d, a, b), n) = dec!(RemUI64);
                        let Some(q) = r[a].checked_rem(r[b]) else { trap!(TrapKind::DivideByZero) };
                        r[d] = q;
                        ip = n;
                    }
                    Opcode::DivRem128 => {
                        let ((dlo, dhi, alo, ahi, blo, bhi, k), n) = dec!(DivRem128);
                        let a = u128::from(r[alo]) | u128::from(r[ahi]) << 64;
                        let b = u128::from(r[blo]) | u128::from(r[bhi]) << 64;
                        let v = match divrem128(k, a, b) {
                            Ok(v) => v,
                            Err(kind) => trap!(kind),
                        };
                        (r[dlo], r[dhi]) = (v as u64, (v >> 64) as u64);
                        ip = n;
                    }
                    Opcode::AndI64 => bin64!(AndI64, |a, b| a & b),
                    Opcode::OrI64 => bin64!(OrI64, |a, b| a | b),
                    Opcode::XorI64 => bin64!(XorI64, |a, b| a ^ b),
                    Opcode::ShlI64 => bin64!(ShlI64, |a, b| a.wrapping_shl(b as u32)),
                    Opcode::ShrSI64 => bin64!(ShrSI64, |a, b| (a as i64).wrapping_shr(b as u32)),
                    Opcode::ShrUI64 => bin64!(ShrUI64, |a, b| a.wrapping_shr(b as u32)),
                    Opcode::RotlI64 => bin64!(RotlI64, |a, b| a.rotate_left((b & 63) as u32)),
                    Opcode::RotrI64 => bin64!(RotrI64, |a, b| a.rotate_right((b & 63) as u32)),
                    Opcode::AddImmI64 => {
                        let ((d, a, v), n) = dec!(AddImmI64);
                        r[d] = r[a].wrapping_add(v as i64 as u64);
                        ip = n;
                    }
                    Opcode::AndImmI64 => {
                        let ((d, a, v), n) = dec!(AndImmI64);
                        r[d] = r[a] & (v as i64 as u64);
                        ip = n;
                    }
                    Opcode::ShlImmI64 => {
                        let ((d, a, v), n) = dec!(ShlImmI64);
                        r[d] = r[a].wrapping_shl(u32::from(v));
                        ip = n;
                    }
                    Opcode::ShrSImmI64 => {
                        let ((d, a, v), n) = dec!(ShrSImmI64);
                        r[d] = (r[a] as i64).wrapping_shr(u32::from(v)) as u64;
                        ip = n;
                    }
                    Opcode::ShrUImmI64 => {
                        let ((d, a, v), n) = dec!(ShrUImmI64);
                        r[d] = r[a].wrapping_shr(u32::from(v));
                        ip = n;
                    }

                    Opcode::EqI64 => bin64!(EqI64, |a, b| a == b),
                    Opcode::NeI64 => bin64!(NeI64, |a, b| a != b),
                    Opcode::LtSI64 => bin64!(LtSI64, |a, b| (a as i64) < (b as i64)),
                    Opcode::LtUI64 => bin64!(LtUI64, |a, b| a < b),
                    Opcode::LeSI64 => bin64!(LeSI64, |a, b| (a as i64) <= (b as i64)),
                    Opcode::LeUI64 => bin64!(LeUI64, |a, b| a <= b),

                    Opcode::ClzI32 => un!(ClzI32, |s| (s as u32).leading_zeros()),
                    Opcode::CtzI32 => un!(CtzI32, |s| (s as u32).trailing_zeros()),
                    Opcode::PopcntI32 => un!(PopcntI32, |s| (s as u32).count_ones()),
                    Opcode::BswapI32 => un!(BswapI32, |s| (s as u32).swap_bytes()),
                    Opcode::ClzI64 => un!(ClzI64, |s| s.leading_zeros()),
                    Opcode::CtzI64 => un!(CtzI64, |s| s.trailing_zeros()),
                    Opcode::PopcntI64 => un!(PopcntI64, |s| s.count_ones()),
                    Opcode::BswapI64 => un!(BswapI64, |s| s.swap_bytes()),
                    Opcode::Sext8I32 => un!(Sext8I32, |s| s as i8 as i32 as u32),
                    Opcode::Sext16I32 => un!(Sext16I32, |s| s as i16 as i32 as u32),
                    Opcode::Zext8I32 => un!(Zext8I32, |s| s as u8),
                    Opcode::Zext16I32 => un!(Zext16I32, |s| s as u16),
                    Opcode::SextI32I64 => un!(SextI32I64, |s| s as i32 as i64),
                    Opcode::ZextI32I64 => un!(ZextI32I64, |s| s as u32),
                    Opcode::WrapI64I32 => un!(WrapI64I32, |s| s as u32),
                    Opcode::Sext8I64 => un!(Sext8I64, |s| s as i8 as i64),
                    Opcode::Sext16I64 => un!(Sext16I64, |s| s as i16 as i64),
                    Opcode::MinSI32 => bin32!(MinSI32, |a, b| (a as i32).min(b as i32)),
                    Opcode::MaxSI32 => bin32!(MaxSI32, |a, b| (a as i32).max(b as i32)),
                    Opcode::MinUI32 => bin32!(MinUI32, |a, b| a.min(b)),
                    Opcode::MaxUI32 => bin32!(MaxUI32, |a, b| a.max(b)),
                    Opcode::AbsI32 => un!(AbsI32, |s| (s as i32).wrapping_abs() as u32),
                    Opcode::MinSI64 => bin64!(MinSI64, |a, b| (a as i64).min(b as i64)),
                    Opcode::MaxSI64 => bin64!(MaxSI64, |a, b| (a as i64).max(b as i64)),
                    Opcode::MinUI64 => bin64!(MinUI64, |a, b| a.min(b)),
                    Opcode::MaxUI64 => bin64!(MaxUI64, |a, b| a.max(b)),
                    Opcode::AbsI64 => un!(AbsI64, |s| (s as i64).wrapping_abs()),
                    Opcode::MulHSI32 => {
                        bin32!(MulHSI32, |a, b| ((i64::from(a as i32) * i64::from(b as i32)) >> 32) as u32)
                    }
                    Opcode::MulHUI32 => bin32!(MulHUI32, |a, b| ((u64::from(a) * u64::from(b)) >> 32) as u32),

                    Opcode::AddF32 => f32op!(AddF32, |a, b| a + b),
                    Opcode::SubF32 => f32op!(SubF32, |a, b| a - b),
                    Opcode::MulF32 => f32op!(MulF32, |a, b| a * b),
                    Opcode::DivF32 => f32op!(DivF32, |a, b| a / b),
                    Opcode::AddF64 => f64op!(AddF64, |a, b| a + b),
                    Opcode::SubF64 => f64op!(SubF64, |a, b| a - b),
                    Opcode::MulF64 => f64op!(MulF64, |a, b| a * b),
                    Opcode::DivF64 => f64op!(DivF64, |a, b| a / b),
                    Opcode::CmpF32 => {
                        let ((d, a, b, p), n) = dec!(CmpF32);
                        let a = f64::from(f32::from_bits(r[a] as u32));
                        let b = f64::from(f32::from_bits(r[b] as u32));
                        r[d] = u64::from(fcmp(p, a, b));
                        ip = n;
                    }
                    Opcode::CmpF64 => {
                        let ((d, a, b, p), n) = dec!(CmpF64);
                        let a = f64::from_bits(r[a]);
                        let b = f64::from_bits(r[b]);
                        r[d] = u64::from(fcmp(p, a, b));
                        ip = n;
                    }
                    Opcode::Convert => {
                        let ((d, s, k), n) = dec!(Convert);
                        let Some(k) = Conv::from_u8(k) else { trap!(TrapKind::BadCode) };
                        r[d] = convert(k, r[s]);
                        ip = n;
                    }
                    Opcode::FUnary => {
                        let ((d, s, k), n) = dec!(FUnary);
                        let Some(k) = FUnary::from_u8(k) else { trap!(TrapKind::BadCode) };
                        r[d] = funary(k, r[s]);
                        ip = n;
                    }
                    Opcode::Complex => {
                        let ((dre, dim, a, b, c, d, k), n) = dec!(Complex);
                        let Some(k) = ComplexOp::from_u8(k) else { trap!(TrapKind::BadCode) };
                        (r[dre], r[dim]) = super::complex::eval(k, r[a], r[b], r[c], r[d]);
                        ip = n;
                    }
                    Opcode::ComplexF128 => {
                        let ((dst, src, k), n) = dec!(ComplexF128);
                        let Some(k) = crate::isa::ComplexF128Op::from_u8(k) else { trap!(TrapKind::BadCode) };
                        mem!(complex_f128(&raw, k, r[dst] as u32, r[src] as u32));
                        ip = n;
                    }
                    Opcode::F128 => {
                        let ((dlo, dhi, alo, ahi, blo, bhi, k), n) = dec!(F128);
                        let Some(k) = crate::isa::F128Op::from_u8(k) else { trap!(TrapKind::BadCode) };
                        if k == crate::isa::F128Op::Rem {
                            let work = super::f128::rem_work(r[ahi], r[bhi]);
                            if work > 0 {
                                charge!(work);
                            }
                        }
                        (r[dlo], r[dhi]) = super::f128::eval(k, r[alo], r[ahi], r[blo], r[bhi]);
                        ip = n;
                    }
                    Opcode::FBinary => {
                        let ((d, a, b, k), n) = dec!(FBinary);
                        let Some(k) = FBinary::from_u8(k) else { trap!(TrapKind::BadCode) };
                        r[d] = fbinary(k, r[a], r[b]);
                        ip = n;
                    }

                    Opcode::LoadI8S => load!(LoadI8S, 1, |b| u64::from(b[0] as i8 as i32 as u32)),
                    Opcode::LoadI8U => load!(LoadI8U, 1, |b| u64::from(b[0])),
                    Opcode::LoadI16S => load!(LoadI16S, 2, |b| u64::from(i16::from_le_bytes(b) as i32 as u32)),
                    Opcode::LoadI16U => load!(LoadI16U, 2, |b| u64::from(u16::from_le_bytes(b))),
                    Opcode::LoadI32 => load!(LoadI32, 4, |b| u64::from(u32::from_le_bytes(b))),
                    Opcode::LoadI64 => load!(LoadI64, 8, |b| u64::from_le_bytes(b)),
                    Opcode::StoreI8 => store!(StoreI8, |v| [v as u8]),
                    Opcode::StoreI16 => store!(StoreI16, |v| (v as u16).to_le_bytes()),
                    Opcode::StoreI32 => store!(StoreI32, |v| (v as u32).to_le_bytes()),
                    Opcode::StoreI64 => store!(StoreI64, |v| v.to_le_bytes()),
                    Opcode::LoadIdxI32 => {
                        let ((d, a, i, sh), n) = dec!(LoadIdxI32);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(u32::from(sh)));
                        r[d] = u64::from(u32::from_le_bytes(ld!(4, addr)));
                        ip = n;
                    }
                    Opcode::StoreIdxI32 => {
                        let ((s, a, i, sh), n) = dec!(StoreIdxI32);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(u32::from(sh)));
                        st!(addr, (r[s] as u32).to_le_bytes());
                        ip = n;
                    }
                    Opcode::MulAddI32 => {
                        let ((d, a, b, c), n) = dec!(MulAddI32);
                        let v = (r[a] as u32).wrapping_mul(r[b] as u32).wrapping_add(r[c] as u32);
                        r[d] = u64::from(v);
                        ip = n;
                    }
                    Opcode::MulAddF32 => {
                        let ((d, a, b, c), n) = dec!(MulAddF32);
                        let t = f32::from_bits(r[a] as u32) * f32::from_bits(r[b] as u32);
                        r[d] = u64::from((t + f32::from_bits(r[c] as u32)).to_bits());
                        ip = n;
                    }
                    Opcode::MulAddF64 => {
                        let ((d, a, b, c), n) = dec!(MulAddF64);
                        let t = f64::from_bits(r[a]) * f64::from_bits(r[b]);
                        r[d] = (t + f64::from_bits(r[c])).to_bits();
                        ip = n;
                    }
                    Opcode::MulImmAddI32 => {
                        let ((d, a, v, c), n) = dec!(MulImmAddI32);
                        r[d] = u64::from((r[a] as u32).wrapping_mul(v as u32).wrapping_add(r[c] as u32));
                        ip = n;
                    }
                    Opcode::ShlAddI32 => {
                        let ((d, a, v, c), n) = dec!(ShlAddI32);
                        r[d] = u64::from((r[a] as u32).wrapping_shl(u32::from(v)).wrapping_add(r[c] as u32));
                        ip = n;
                    }
                    Opcode::RemUBrEqzI32 | Opcode::RemUBrNezI32 => {
                        let ((d, a, b, t), n) = dec!(RemUBrEqzI32);
                        let Some(q) = (r[a] as u32).checked_rem(r[b] as u32) else { trap!(TrapKind::DivideByZero) };
                        r[d] = u64::from(q);
                        if (q == 0) == (op == Opcode::RemUBrEqzI32) { jump!(t) } else { ip = n }
                    }
                    Opcode::LoadMulAddI32 => {
                        let ((d, a, off, b, c), n) = dec!(LoadMulAddI32);
                        let addr = (r[a] as u32).wrapping_add(off as i32 as u32);
                        let x = u32::from_le_bytes(ld!(4, addr));
                        r[d] = u64::from(x.wrapping_mul(r[b] as u32).wrapping_add(r[c] as u32));
                        ip = n;
                    }
                    Opcode::AddMulF32 => {
                        let ((d, a, b, c), n) = dec!(AddMulF32);
                        let t = f32::from_bits(r[a] as u32) * f32::from_bits(r[b] as u32);
                        r[d] = u64::from((f32::from_bits(r[c] as u32) + t).to_bits());
                        ip = n;
                    }
                    Opcode::AddMulF64 => {
                        let ((d, a, b, c), n) = dec!(AddMulF64);
                        let t = f64::from_bits(r[a]) * f64::from_bits(r[b]);
                        r[d] = (f64::from_bits(r[c]) + t).to_bits();
                        ip = n;
                    }
                    Opcode::LoadIdxI64 => {
                        let ((d, a, i, sh), n) = dec!(LoadIdxI64);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(u32::from(sh)));
                        r[d] = u64::from_le_bytes(ld!(8, addr));
                        ip = n;
                    }
                    Opcode::StoreIdxI64 => {
                        let ((s, a, i, sh), n) = dec!(StoreIdxI64);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(u32::from(sh)));
                        st!(addr, r[s].to_le_bytes());
                        ip = n;
                    }
                    Opcode::LoadI8SIdx => {
                        let ((d, a, i), n) = dec!(LoadI8SIdx);
                        let addr = (r[a] as u32).wrapping_add(r[i] as u32);
                        r[d] = u64::from(ld!(1, addr)[0] as i8 as i32 as u32);
                        ip = n;
                    }
                    Opcode::LoadI8UIdx => {
                        let ((d, a, i), n) = dec!(LoadI8UIdx);
                        let addr = (r[a] as u32).wrapping_add(r[i] as u32);
                        r[d] = u64::from(ld!(1, addr)[0]);
                        ip = n;
                    }
                    Opcode::MemCpy | Opcode::MemMove => {
                        let ((dst, src, len), n) = dec!(MemCpy);
                        let len = r[len] as u32;
                        if len >= BYTES_PER_FUEL {
                            charge!(u64::from(len / BYTES_PER_FUEL));
                        }
                        mem!(raw.copy(r[dst] as u32, r[src] as u32, len));
                        ip = n;
                    }
                    Opcode::MemSet => {
                        let ((dst, val, len), n) = dec!(MemSet);
                        let len = r[len] as u32;
                        if len >= BYTES_PER_FUEL {
                            charge!(u64::from(len / BYTES_PER_FUEL));
                        }
                        mem!(raw.fill(r[dst] as u32, r[val] as u8, len));
                        ip = n;
                    }
                    Opcode::Alloca => {
                        let ((d, size, align), n) = dec!(Alloca);
                        let align = u32::from(align).max(1).next_power_of_two();
                        let size = r[size] as u32;
                        let new_sp = match sp.checked_sub(size) {
                            Some(v) => v & !(align - 1),
                            None => trap!(TrapKind::StackExhausted),
                        };
                        if new_sp < stack_limit {
                            trap!(TrapKind::StackExhausted);
                        }
                        sp = new_sp;
                        r[d] = u64::from(sp);
                        ip = n;
                    }
                    Opcode::StackSave => {
                        let ((d,), n) = dec!(StackSave);
                        r[d] = u64::from(sp);
                        ip = n;
                    }
                    Opcode::StackRestore => {
                        let ((s,), n) = dec!(StackRestore);
                        let v = r[s] as u32;
                        // Only moves within this frame's dynamic area are meaningful.
                        if v >= stack_limit && v <= fp {
                            sp = v;
                        }
                        ip = n;
                    }

                    Opcode::Br => {
                        let ((t,), _) = dec!(Br);
                        jump!(t);
                    }
                    Opcode::BrIf => {
                        let ((c, t), n) = dec!(BrIf);
                        if r[c] as u32 != 0 { jump!(t) } else { ip = n }
                    }
                    Opcode::BrIfNot => {
                        let ((c, t), n) = dec!(BrIfNot);
                        if r[c] as u32 == 0 { jump!(t) } else { ip = n }
                    }
                    Opcode::BrEqI32 => br2!(BrEqI32, |a, b| a == b),
                    Opcode::BrNeI32 => br2!(BrNeI32, |a, b| a != b),
                    Opcode::BrLtSI32 => br2!(BrLtSI32, |a, b| (a as i32) < (b as i32)),
                    Opcode::BrLtUI32 => br2!(BrLtUI32, |a, b| a < b),
                    Opcode::BrLeSI32 => br2!(BrLeSI32, |a, b| (a as i32) <= (b as i32)),
                    Opcode::BrLeUI32 => br2!(BrLeUI32, |a, b| a <= b),
                    Opcode::BrEqImmI32 => bri!(BrEqImmI32, |a, v| a == v as u32),
                    Opcode::BrNeImmI32 => bri!(BrNeImmI32, |a, v| a != v as u32),
                    Opcode::BrLtSImmI32 => bri!(BrLtSImmI32, |a, v| (a as i32) < v),
                    Opcode::BrLtUImmI32 => bri!(BrLtUImmI32, |a, v| a < v as u32),
                    Opcode::BrGtSImmI32 => bri!(BrGtSImmI32, |a, v| (a as i32) > v),
                    Opcode::BrGtUImmI32 => bri!(BrGtUImmI32, |a, v| a > v as u32),
                    Opcode::BrTable => {
                        let ((s, default, ts), _) = dec!(BrTable);
                        let i = r[s] as u32 as usize;
                        let t = ts.get(i).unwrap_or(default);
                        jump!(t);
                    }

                    Opcode::Call => {
                        let ((fi, d, args), n) = dec!(Call);
                        let Some(callee) = module.body(usize::from(fi)) else { trap!(TrapKind::BadCode) };
                        enter!(fi, callee, d, args, n);
                    }
                    Opcode::CallImport => {
                        let ((i, ty, d, args), n) = dec!(CallImport);
                        let Some(ty) = types.get(ty as usize) else { trap!(TrapKind::BadCode) };
                        let argbuf = argbuf.load(args, r);
                        if let Some(&ImportTarget::Builtin(b @ (Builtin::Qsort | Builtin::Bsearch))) =
                            vm.imports.get(i as usize)
                        {
                            // These call back into the module: run it above this frame.
                            vm.fuel = fuel as u64;
                            let res = search_sort(&mut Nested { vm, base: base + nregs, sp }, b, argbuf);
                            fuel = slice_fuel(vm);
                            let v = at!(res);
                            vm.regs[base + d.index()] = v;
                            raw = vm.mem.raw();
                            ip = n;
                            continue 'frame;
                        }
                        let v = native!(i, ty, argbuf);
                        raw = vm.mem.raw();
                        r[d] = v;
                        ip = n;
                    }
                    Opcode::CallIndirect => {
                        let ((p, ty, d, args), n) = dec!(CallIndirect);
                        let Some(ty_sig) = types.get(ty as usize) else { trap!(TrapKind::BadCode) };
                        let addr = r[p] as u32;
                        let off = addr.wrapping_sub(FUNC_ADDR_BASE);
                        let own = if off.is_multiple_of(4) && off / 4 < nfuncs {
                            Some((off / 4) as u16)
                        } else {
                            own_thunk(vm.thunk_funcs, addr)
                        };
                        if let Some(fi) = own {
                            let Some(callee) = module.body(usize::from(fi)) else { trap!(TrapKind::BadCode) };
                            if callee.ty != ty && types.get(callee.ty as usize) != Some(ty_sig) {
                                trap!(TrapKind::SignatureMismatch);
                            }
                            enter!(fi, callee, d, args, n);
                        }
                        let ioff = addr.wrapping_sub(IMPORT_ADDR_BASE);
                        if ioff.is_multiple_of(4) && ioff / 4 < nimports {
                            if !vm.imports.indirect_ok((ioff / 4) as u16, ty_sig) {
                                trap!(vm.imports.indirect_refusal((ioff / 4) as u16, ty_sig));
                            }
                            let argbuf = argbuf.load(args, r);
                            let v = native!((ioff / 4) as u16, ty_sig, argbuf);
                            raw = vm.mem.raw();
                            r[d] = v;
                            ip = n;
                        } else if let Some(app) = vm.app {
                            // Another app's callback, perhaps.
                            let argbuf = argbuf.load(args, r);
                            vm.fuel = fuel as u64;
                            let Some(res) = app.call_foreign(addr, argbuf) else {
                                trap!(TrapKind::BadFunctionPointer { addr })
                            };
                            let v = at!(res);
                            raw = vm.mem.raw();
                            r[d] = v;
                            ip = n;
                        } else {
                            trap!(TrapKind::BadFunctionPointer { addr });
                        }
                    }
                    Opcode::Ret | Opcode::RetVoid => {
                        let v = if op == Opcode::Ret {
                            let ((s,), _) = dec!(Ret);
                            r[s]
                        } else {
                            0
                        };
                        if vm.frames.len() <= floor {
                            vm.fuel = fuel as u64;
                            return Ok(v);
                        }
                        let Some(fr) = vm.frames.pop() else {
                            vm.fuel = fuel as u64;
                            return Ok(v);
                        };
                        // The callee's window starts where the caller's ends.
                        nregs = base.wrapping_sub(fr.base);
                        base = fr.base;
                        cur = fr.func;
                        let Some(caller) = module.body(usize::from(cur)) else { trap!(TrapKind::BadCode) };
                        code = words(&caller.code);
                        // SAFETY: the return address was the offset of the
                        // instruction after the call in this same function.
                        ip = unsafe { code.as_ptr().add(fr.ret_pc) };
                        fp = fr.fp;
                        sp = fr.sp;
                        vm.regs[base + fr.ret_dst.index()] = v;
                        continue 'frame;
                    }
                    Opcode::Unreachable => trap!(TrapKind::Unreachable),

                    Opcode::IncBrNeI32 => inc_br!(IncBrNeI32, |d, b| d != b),
                    Opcode::IncBrLtSI32 => inc_br!(IncBrLtSI32, |d, b| (d as i32) < (b as i32)),
                    Opcode::IncBrLtUI32 => inc_br!(IncBrLtUI32, |d, b| d < b),
                    Opcode::IncBrNeImmI32 => inc_br_imm!(IncBrNeImmI32, |d, w| d != w as u32),
                    Opcode::IncBrLtSImmI32 => inc_br_imm!(IncBrLtSImmI32, |d, w| (d as i32) < w),
                    Opcode::IncBrLtUImmI32 => inc_br_imm!(IncBrLtUImmI32, |d, w| d < w as u32),
                    Opcode::AddBrLtSI32 => {
                        let ((d, a, b, c, t), n) = dec!(AddBrLtSI32);
                        let v = (r[a] as u32).wrapping_add(r[b] as u32);
                        r[d] = u64::from(v);
                        if (v as i32) < (r[c] as u32 as i32) { jump!(t) } else { ip = n }
                    }
                    Opcode::AddBrLtUI32 => {
                        let ((d, a, b, c, t), n) = dec!(AddBrLtUI32);
                        let v = (r[a] as u32).wrapping_add(r[b] as u32);
                        r[d] = u64::from(v);
                        if v < r[c] as u32 { jump!(t) } else { ip = n }
                    }
                    Opcode::MovBr => {
                        let ((d, s, t), _) = dec!(MovBr);
                        r[d] = r[s];
                        jump!(t);
                    }
                    Opcode::StoreI8Idx => {
                        let ((s, a, i), n) = dec!(StoreI8Idx);
                        let addr = (r[a] as u32).wrapping_add(r[i] as u32);
                        st!(addr, [r[s] as u8]);
                        ip = n;
                    }
                    Opcode::LoadI16SIdx => {
                        let ((d, a, i), n) = dec!(LoadI16SIdx);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(1));
                        r[d] = u64::from(i16::from_le_bytes(ld!(2, addr)) as i32 as u32);
                        ip = n;
                    }
                    Opcode::LoadI16UIdx => {
                        let ((d, a, i), n) = dec!(LoadI16UIdx);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(1));
                        r[d] = u64::from(u16::from_le_bytes(ld!(2, addr)));
                        ip = n;
                    }
                    Opcode::StoreI16Idx => {
                        let ((s, a, i), n) = dec!(StoreI16Idx);
                        let addr = (r[a] as u32).wrapping_add((r[i] as u32).wrapping_shl(1));
                        st!(addr, (r[s] as u16).to_le_bytes());
                        ip = n;
                    }
                    Opcode::MulHSI64 => {
                        bin64!(MulHSI64, |a, b| ((i128::from(a as i64) * i128::from(b as i64)) >> 64) as u64)
                    }
                    Opcode::MulHUI64 => bin64!(MulHUI64, |a, b| ((u128::from(a) * u128::from(b)) >> 64) as u64),

                    Opcode::DataAddr16 => {
                        let ((d, off), n) = dec!(DataAddr16);
                        r[d] = u64::from(self_data_base(vm.mem).wrapping_add(u32::from(off)));
                        ip = n;
                    }
                    Opcode::StackAddr16 => {
                        let ((d, off), n) = dec!(StackAddr16);
                        r[d] = u64::from(fp.wrapping_add(u32::from(off)));
                        ip = n;
                    }
                    Opcode::ConstI64S => {
                        let ((d, v), n) = dec!(ConstI64S);
                        r[d] = v as i64 as u64;
                        ip = n;
                    }
                    Opcode::BrEqImm8I32 => bri!(BrEqImm8I32, |a, v| a == v as i32 as u32),
                    Opcode::BrNeImm8I32 => bri!(BrNeImm8I32, |a, v| a != v as i32 as u32),
                    Opcode::EqImm8I32 => imm32!(EqImm8I32, |a, v| a == v as i32 as u32),
                    Opcode::IncBrNeImm8I32 => inc_br_imm!(IncBrNeImm8I32, |d, w| d != w as i32 as u32),

                    // Spill moves: the frame's registers past the window. The
                    // verifier proved `s`/`d` below `num_regs`, and every frame
                    // has `num_regs` registers, so the checked access never
                    // fails; the window is taken again after it.
                    Opcode::MovLX => {
                        let ((d, s), n) = dec!(MovLX);
                        let Some(&v) = vm.regs.get(base + usize::from(s)) else { trap!(TrapKind::BadCode) };
                        let Some(slot) = vm.regs.get_mut(base + d.index()) else { trap!(TrapKind::BadCode) };
                        *slot = v;
                        ip = n;
                        continue 'frame;
                    }
                    Opcode::MovXL => {
                        let ((d, s), n) = dec!(MovXL);
                        let v = r[s];
                        let Some(slot) = vm.regs.get_mut(base + usize::from(d)) else { trap!(TrapKind::BadCode) };
                        *slot = v;
                        ip = n;
                        continue 'frame;
                    }
                }
            }
        }
    };
    vm.fuel = fuel as u64;
    Err(Trap { kind: why, func: Some(cur), pc: pc!() })
}

// Registers by their byte offset in the window, as the aligned form gives them.
impl core::ops::Index<RegOff> for [u64; WINDOW] {
    type Output = u64;
    #[inline(always)]
    fn index(&self, r: RegOff) -> &u64 {
        // SAFETY: a RegOff is a register number (< 256) times 8: an aligned
        // slot inside the 256-slot window.
        unsafe { &*self.as_ptr().cast::<u8>().add(r.offset()).cast::<u64>() }
    }
}

impl core::ops::IndexMut<RegOff> for [u64; WINDOW] {
    #[inline(always)]
    fn index_mut(&mut self, r: RegOff) -> &mut u64 {
        // SAFETY: as for `index`.
        unsafe { &mut *self.as_mut_ptr().cast::<u8>().add(r.offset()).cast::<u64>() }
    }
}

/// A function's code as the loop reads it: the verified module's aligned
/// form, as bytes.
#[inline(always)]
fn words(code: &[u32]) -> &[u8] {
    // SAFETY: the same memory, read as bytes; u8 has no alignment or
    // validity requirements.
    unsafe { core::slice::from_raw_parts(code.as_ptr().cast::<u8>(), code.len() * 4) }
}

/// A builtin's way back into the module: runs module code above register
/// `base` with the stack pointer at `sp` (`qsort`'s comparator).
struct Nested<'v, 'a, H: Host> {
    vm: &'v mut Vm<'a, H>,
    base: usize,
    sp: u32,
}

impl<H: Host> Reenter for Nested<'_, '_, H> {
    fn call_address(&mut self, addr: u32, args: &[u64]) -> Result<u64, Trap> {
        let vm = &mut *self.vm;
        let module = vm.module;
        let off = addr.wrapping_sub(FUNC_ADDR_BASE);
        let own = if off.is_multiple_of(4) && ((off / 4) as usize) < module.functions.len() {
            Some((off / 4) as u16)
        } else {
            own_thunk(vm.thunk_funcs, addr)
        };
        if let Some(fi) = own {
            let f = &module.functions[fi as usize];
            let nparams = module.types.get(f.ty as usize).map_or(usize::MAX, |t| t.params.len());
            if nparams != args.len() {
                return Err(Trap::new(TrapKind::SignatureMismatch));
            }
            if vm.depth >= vm.config.max_nesting {
                return Err(Trap::new(TrapKind::StackExhausted));
            }
            // A call like any other: a comparator without loops or calls
            // still pays for being entered.
            charge_vm(vm, 1)?;
            vm.depth += 1;
            let r = execute(vm, fi, args, self.base, self.sp);
            vm.depth -= 1;
            return r;
        }
        let ioff = addr.wrapping_sub(IMPORT_ADDR_BASE);
        let i = (ioff / 4) as usize;
        if ioff.is_multiple_of(4) && i < vm.imports.len() {
            let ty = module.imports.get(i).and_then(|imp| module.types.get(imp.ty as usize));
            if let Some(ty) = ty {
                if !vm.imports.indirect_ok(i as u16, ty) {
                    return Err(Trap::new(vm.imports.indirect_refusal(i as u16, ty)));
                }
                let mut meter = Meter::new(vm.fuel, vm.budget);
                let res = call_import(vm.imports, vm.host, vm.mem, vm.heap, vm.app, i as u16, ty, args, &mut meter);
                charge_vm(vm, meter.spent())?;
                return res;
            }
        }
        if let Some(res) = vm.app.and_then(|app| app.call_foreign(addr, args)) {
            return res;
        }
        Err(Trap::new(TrapKind::BadFunctionPointer { addr }))
    }

    fn memory(&mut self) -> &mut Memory {
        self.vm.mem
    }

    fn charge(&mut self, units: u64) -> Result<(), Trap> {
        charge_vm(self.vm, units)
    }
}

/// The fuel the loop counts down in a local: a `usize`, one register and
/// one decrement on a 32-bit chip (a slice is at most `u32::MAX`); more
/// than fits (a run without a time slice, on a chip) waits in the budget,
/// which refills the local a slice at a time. (On a 64-bit host `u32`
/// would cost a register the dispatch keeps its jump table in.)
fn slice_fuel<H: Host>(vm: &mut Vm<'_, H>) -> usize {
    let fuel = usize::try_from(vm.fuel).unwrap_or(usize::MAX);
    vm.budget = vm.budget.saturating_add(vm.fuel - fuel as u64);
    vm.fuel = fuel as u64;
    fuel
}

/// Spends `units` of the fuel a run left in `vm` (outside the loop).
fn charge_vm<H: Host>(vm: &mut Vm<'_, H>, units: u64) -> Result<(), Trap> {
    if units == 0 {
        return Ok(());
    }
    charge(&mut vm.fuel, &mut vm.budget, vm.config.time_slice, vm.app, units).map_err(Trap::new)
}

/// The data base is the start of memory (data comes first in the layout).
#[inline(always)]
fn self_data_base(mem: &Memory) -> u32 {
    mem.base()
}

/// LLVM fcmp predicates 0..=15 (false, oeq, ogt, oge, olt, ole, one, ord,
/// uno, ueq, ugt, uge, ult, ule, une, true).
fn fcmp(p: u8, a: f64, b: f64) -> bool {
    let uno = a.is_nan() || b.is_nan();
    match p {
        0 => false,
        1 => !uno && a == b,
        2 => !uno && a > b,
        3 => !uno && a >= b,
        4 => !uno && a < b,
        5 => !uno && a <= b,
        6 => !uno && a != b,
        7 => !uno,
        8 => uno,
        9 => uno || a == b,
        10 => uno || a > b,
        11 => uno || a >= b,
        12 => uno || a < b,
        13 => uno || a <= b,
        14 => uno || a != b,
        _ => true,
    }
}

fn f32b(v: u64) -> f32 {
    f32::from_bits(v as u32)
}
fn f64b(v: u64) -> f64 {
    f64::from_bits(v)
}
fn r32(v: f32) -> u64 {
    u64::from(v.to_bits())
}

fn convert(k: Conv, v: u64) -> u64 {
    match k {
        Conv::F32ToF64 => f64::from(f32b(v)).to_bits(),
        Conv::F64ToF32 => r32(f64b(v) as f32),
        Conv::I32SToF32 => r32(v as u32 as i32 as f32),
        Conv::I32UToF32 => r32(v as u32 as f32),
        Conv::I64SToF32 => r32(v as i64 as f32),
        Conv::I64UToF32 => r32(v as f32),
        Conv::I32SToF64 => f64::from(v as u32 as i32).to_bits(),
        Conv::I32UToF64 => f64::from(v as u32).to_bits(),
        Conv::I64SToF64 => (v as i64 as f64).to_bits(),
        Conv::I64UToF64 => (v as f64).to_bits(),
        Conv::F32ToI32S => u64::from(f32b(v) as i32 as u32),
        Conv::F32ToI32U => u64::from(f32b(v) as u32),
        Conv::F32ToI64S => f32b(v) as i64 as u64,
        Conv::F32ToI64U => f32b(v) as u64,
        Conv::F64ToI32S => u64::from(f64b(v) as i32 as u32),
        Conv::F64ToI32U => u64::from(f64b(v) as u32),
        Conv::F64ToI64S => f64b(v) as i64 as u64,
        Conv::F64ToI64U => f64b(v) as u64,
    }
}

fn funary(k: FUnary, v: u64) -> u64 {
    match k {
        FUnary::NegF32 => r32(-f32b(v)),
        FUnary::NegF64 => (-f64b(v)).to_bits(),
        FUnary::AbsF32 => r32(libm::fabsf(f32b(v))),
        FUnary::AbsF64 => libm::fabs(f64b(v)).to_bits(),
        FUnary::SqrtF32 => r32(libm::sqrtf(f32b(v))),
        FUnary::SqrtF64 => libm::sqrt(f64b(v)).to_bits(),
        FUnary::FloorF32 => r32(libm::floorf(f32b(v))),
        FUnary::FloorF64 => libm::floor(f64b(v)).to_bits(),
        FUnary::CeilF32 => r32(libm::ceilf(f32b(v))),
        FUnary::CeilF64 => libm::ceil(f64b(v)).to_bits(),
        FUnary::TruncF32 => r32(libm::truncf(f32b(v))),
        FUnary::TruncF64 => libm::trunc(f64b(v)).to_bits(),
        FUnary::RoundF32 => r32(libm::roundf(f32b(v))),
        FUnary::RoundF64 => libm::round(f64b(v)).to_bits(),
        FUnary::RintF32 => r32(libm::rintf(f32b(v))),
        FUnary::RintF64 => libm::rint(f64b(v)).to_bits(),
    }
}

/// `complex.f128`: the four binary128 values at `src`, the two parts of
/// the result at `dst`. Never inlined: its buffers stay out of the
/// interpreter loop's native frame.
#[inline(never)]
fn complex_f128(raw: &RawMem, k: crate::isa::ComplexF128Op, dst: u32, src: u32) -> Result<(), super::memory::Oob> {
    let mut abcd = [0u64; 8];
    for (i, w) in abcd.iter_mut().enumerate() {
        *w = u64::from_le_bytes(raw.load(src.wrapping_add(8 * i as u32))?);
    }
    let out = super::complex::eval_f128(k, abcd);
    for (i, w) in out.iter().enumerate() {
        raw.store(dst.wrapping_add(8 * i as u32), w.to_le_bytes())?;
    }
    Ok(())
}

/// `k` of `divrem.i128` on two 128-bit values (signed ones in two's
/// complement). Never inlined: its 128-bit temporaries stay out of the
/// loop's native frame.
#[inline(never)]
fn divrem128(k: u8, a: u128, b: u128) -> Result<u128, TrapKind> {
    let Some(k) = DivRem128::from_u8(k) else { return Err(TrapKind::BadCode) };
    if b == 0 {
        return Err(TrapKind::DivideByZero);
    }
    let (sa, sb) = (a as i128, b as i128);
    Ok(match k {
        DivRem128::DivU => a / b,
        DivRem128::RemU => a % b,
        DivRem128::DivS => sa.checked_div(sb).ok_or(TrapKind::IntegerOverflow)? as u128,
        DivRem128::RemS => sa.wrapping_rem(sb) as u128,
    })
}

fn fbinary(k: FBinary, a: u64, b: u64) -> u64 {
    match k {
        FBinary::MinF32 => r32(libm::fminf(f32b(a), f32b(b))),
        FBinary::MinF64 => libm::fmin(f64b(a), f64b(b)).to_bits(),
        FBinary::MaxF32 => r32(libm::fmaxf(f32b(a), f32b(b))),
        FBinary::MaxF64 => libm::fmax(f64b(a), f64b(b)).to_bits(),
        FBinary::CopySignF32 => r32(libm::copysignf(f32b(a), f32b(b))),
        FBinary::CopySignF64 => libm::copysign(f64b(a), f64b(b)).to_bits(),
        FBinary::RemF32 => r32(libm::fmodf(f32b(a), f32b(b))),
        FBinary::RemF64 => libm::fmod(f64b(a), f64b(b)).to_bits(),
    }
}

//! The interpreter on hand-assembled modules: results, calls, memory, traps.

use espb_runtime::describe_trap;
use espb_runtime::isa::{Instr, Regs, Targets, encode_targets};
use espb_runtime::{Config, Data, FuncType, Function, Instance, Module, NoHost, TrapKind, ValType, VerifiedModule};

fn asm(instrs: &[Instr<'_>]) -> Vec<u8> {
    let mut code = Vec::new();
    for i in instrs {
        i.encode(&mut code);
    }
    code
}

fn i32_fn(params: usize) -> FuncType {
    FuncType { params: vec![ValType::I32; params], result: Some(ValType::I32), variadic_fixed: None }
}

/// fib(n) = n < 2 ? n : fib(n-1) + fib(n-2), with the byte offsets of
/// each instruction worked out by hand.
fn fib_module() -> Module {
    // 0: br.lt.s.i32.imm r0, 2, @ret_n     (8 bytes)
    // 8: add.i32.imm8 r1, r0, -1           (4)
    // 12: call f0, r1, (r1)                (6)
    // 18: add.i32.imm8 r2, r0, -2          (4)
    // 22: call f0, r2, (r2)                (6)
    // 28: add.i32 r0, r1, r2               (4)
    // 32: ret r0                           (2)
    let code = asm(&[
        Instr::BrLtSImmI32 { a: 0, v: 2, t: 32 },
        Instr::AddImm8I32 { d: 1, a: 0, v: -1 },
        Instr::Call { f: 0, d: 1, args: Regs(&[1]) },
        Instr::AddImm8I32 { d: 2, a: 0, v: -2 },
        Instr::Call { f: 0, d: 2, args: Regs(&[2]) },
        Instr::AddI32 { d: 0, a: 1, b: 2 },
        Instr::Ret { s: 0 },
    ]);
    Module {
        types: vec![i32_fn(1)],
        functions: vec![Function { ty: 0, num_regs: 3, frame_size: 0, code }],
        names: vec!["fib".into()],
        ..Module::default()
    }
}

#[test]
fn recursive_fib() {
    let mut inst = Instance::new(VerifiedModule::new(fib_module()).unwrap(), NoHost, Config::default()).unwrap();
    assert_eq!(inst.call(0, &[20]).unwrap(), Some(6765));
    assert_eq!(inst.call(0, &[1]).unwrap(), Some(1));
}

#[test]
fn deep_recursion_traps_with_stack_exhausted() {
    let config = Config { max_call_depth: 50, ..Config::default() };
    let mut inst = Instance::new(VerifiedModule::new(fib_module()).unwrap(), NoHost, config).unwrap();
    let t = inst.call(0, &[60]).unwrap_err();
    assert_eq!(t.kind, TrapKind::StackExhausted);
    assert!(describe_trap(inst.module(), &t).contains("in function `fib`"));
}

#[test]
fn fuel_stops_runaway_code() {
    let code = asm(&[Instr::Br { t: 0 }]);
    let m = Module {
        types: vec![FuncType { params: vec![], result: None, variadic_fixed: None }],
        functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code }],
        ..Module::default()
    };
    let mut inst =
        Instance::new(VerifiedModule::new(m).unwrap(), NoHost, Config { fuel: Some(1000), ..Config::default() })
            .unwrap();
    assert_eq!(inst.call(0, &[]).unwrap_err().kind, TrapKind::OutOfFuel);
}

/// Globals, stores and loads, the stack frame, br.table and division traps.
#[test]
fn memory_stack_table_and_division() {
    // f(x): frame[0] = x*3; switch (x) { 0 => 10, 1 => 20, default => frame[0] / (x - 2) }
    let ts = encode_targets(&[0, 0]);
    let mut code;
    // Two passes: the first finds the offsets of the case blocks.
    let mut targets = [0u16; 3];
    loop {
        let ts2 = encode_targets(&targets[..2]);
        let _ = &ts;
        let prog = [
            Instr::MulImmI32 { d: 1, a: 0, v: 3 },
            Instr::StackAddr { d: 2, off: 0 },
            Instr::StoreI32 { s: 1, a: 2, off: 0 },
            Instr::BrTable { s: 0, default: targets[2], ts: Targets(&ts2) },
            Instr::ConstI8 { d: 3, v: 10 },
            Instr::Ret { s: 3 },
            Instr::ConstI8 { d: 3, v: 20 },
            Instr::Ret { s: 3 },
            Instr::LoadI32 { d: 3, a: 2, off: 0 },
            Instr::AddImm8I32 { d: 4, a: 0, v: -2 },
            Instr::DivSI32 { d: 3, a: 3, b: 4 },
            Instr::Ret { s: 3 },
        ];
        code = Vec::new();
        let mut starts = Vec::new();
        for i in &prog {
            starts.push(code.len() as u16);
            i.encode(&mut code);
        }
        let want = [starts[4], starts[6], starts[8]];
        if want == targets {
            break;
        }
        targets = want;
    }
    let m = Module {
        types: vec![i32_fn(1)],
        functions: vec![Function { ty: 0, num_regs: 5, frame_size: 16, code }],
        data: Data { size: 4, align: 4, init: vec![], relocs: vec![] },
        ..Module::default()
    };
    let mut inst = Instance::new(VerifiedModule::new(m).unwrap(), NoHost, Config::default()).unwrap();
    assert_eq!(inst.call(0, &[0]).unwrap(), Some(10));
    assert_eq!(inst.call(0, &[1]).unwrap(), Some(20));
    assert_eq!(inst.call(0, &[5]).unwrap(), Some(5)); // 15 / 3
    assert_eq!(inst.call(0, &[2]).unwrap_err().kind, TrapKind::DivideByZero);
}

#[test]
fn out_of_bounds_load_traps_with_address() {
    let code = asm(&[Instr::ConstI32 { d: 0, v: 0 }, Instr::LoadI32 { d: 0, a: 0, off: 0 }, Instr::Ret { s: 0 }]);
    let m = Module {
        types: vec![i32_fn(0)],
        functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code }],
        ..Module::default()
    };
    let mut inst = Instance::new(VerifiedModule::new(m).unwrap(), NoHost, Config::default()).unwrap();
    let t = inst.call(0, &[]).unwrap_err();
    assert_eq!(t.kind, TrapKind::OutOfBounds { addr: 0, len: 4 });
    assert_eq!(t.pc, 6);
}

/// Frames of more than 256 registers: `mov.xl`/`mov.lx` reach the
/// registers past the window, and a callee's frame starts after all of its
/// caller's (its window writes do not clobber the caller's high registers).
#[test]
fn registers_past_the_window_survive_calls() {
    let main = asm(&[
        Instr::MovXL { d: 999, s: 0 },
        Instr::ConstI32 { d: 1, v: 7 },
        Instr::MovXL { d: 300, s: 1 },
        Instr::Call { f: 1, d: 2, args: Regs(&[0]) },
        Instr::MovLX { d: 3, s: 999 },
        Instr::MovLX { d: 4, s: 300 },
        Instr::AddI32 { d: 3, a: 3, b: 4 },
        Instr::AddI32 { d: 3, a: 3, b: 2 },
        Instr::Ret { s: 3 },
    ]);
    // Writes every register of its window and one past it.
    let mut callee: Vec<Instr<'_>> = (1..=255).map(|d| Instr::ConstI32 { d, v: 1000 }).collect();
    callee.extend([
        Instr::MovXL { d: 399, s: 44 },
        Instr::MovLX { d: 2, s: 399 },
        Instr::AddI32 { d: 0, a: 0, b: 2 },
        Instr::Ret { s: 0 },
    ]);
    let m = Module {
        types: vec![i32_fn(1)],
        functions: vec![
            Function { ty: 0, num_regs: 1000, frame_size: 0, code: main },
            Function { ty: 0, num_regs: 400, frame_size: 0, code: asm(&callee) },
        ],
        ..Module::default()
    };
    let mut inst = Instance::new(VerifiedModule::new(m.clone()).unwrap(), NoHost, Config::default()).unwrap();
    assert_eq!(inst.call(0, &[5]).unwrap(), Some(5 + 7 + 5 + 1000));
    // The frame is sized for all its registers: too small a register stack traps.
    let config = Config { max_registers: 1200, ..Config::default() };
    let mut inst = Instance::new(VerifiedModule::new(m).unwrap(), NoHost, config).unwrap();
    assert_eq!(inst.call(0, &[5]).unwrap_err().kind, TrapKind::StackExhausted);
}

/// remu.br.*: the remainder is written whether or not the branch is taken,
/// and a zero divisor traps at the instruction, as rem.u.i32 does.
#[test]
fn remainder_branches() {
    // eqz: 0: remu.br.eqz.i32 r2, r0, r1, @8 (6 bytes); 6: ret r2; 8: const.i32 r2, 100; 14: ret r2
    let eqz = asm(&[
        Instr::RemUBrEqzI32 { d: 2, a: 0, b: 1, t: 8 },
        Instr::Ret { s: 2 },
        Instr::ConstI32 { d: 2, v: 100 },
        Instr::Ret { s: 2 },
    ]);
    // nez: 0: remu.br.nez.i32 r2, r0, r1, @8; 6: ret r0; 8: ret r2
    let nez = asm(&[Instr::RemUBrNezI32 { d: 2, a: 0, b: 1, t: 8 }, Instr::Ret { s: 0 }, Instr::Ret { s: 2 }]);
    let f = |code| Function { ty: 0, num_regs: 3, frame_size: 0, code };
    let m = Module { types: vec![i32_fn(2)], functions: vec![f(eqz), f(nez)], ..Module::default() };
    let mut inst = Instance::new(VerifiedModule::new(m).unwrap(), NoHost, Config::default()).unwrap();
    assert_eq!(inst.call(0, &[21, 7]).unwrap(), Some(100));
    assert_eq!(inst.call(0, &[23, 7]).unwrap(), Some(2));
    assert_eq!(inst.call(0, &[0xFFFF_FFFF, 10]).unwrap(), Some(5), "unsigned");
    assert_eq!(inst.call(1, &[21, 7]).unwrap(), Some(21));
    assert_eq!(inst.call(1, &[26, 7]).unwrap(), Some(5));
    let t = inst.call(0, &[5, 0]).unwrap_err();
    assert_eq!((t.kind, t.pc), (TrapKind::DivideByZero, 0));
    let t = inst.call(1, &[5, 0]).unwrap_err();
    assert_eq!((t.kind, t.pc), (TrapKind::DivideByZero, 0));
}

/// load.muladd.i32: d = load(a + off) * b + c, wrapping; an out-of-bounds
/// address traps at the instruction, as load.i32 does.
#[test]
fn load_multiply_add() {
    let code = asm(&[
        Instr::StackAddr { d: 3, off: 0 },
        Instr::StoreI32 { s: 0, a: 3, off: 4 },
        Instr::LoadMulAddI32 { d: 0, a: 3, off: 4, b: 1, c: 2 },
        Instr::Ret { s: 0 },
    ]);
    let oob = asm(&[Instr::LoadMulAddI32 { d: 3, a: 0, off: 0, b: 1, c: 2 }, Instr::Ret { s: 3 }]);
    let m = Module {
        types: vec![i32_fn(3)],
        functions: vec![
            Function { ty: 0, num_regs: 4, frame_size: 16, code },
            Function { ty: 0, num_regs: 4, frame_size: 0, code: oob },
        ],
        ..Module::default()
    };
    let mut inst = Instance::new(VerifiedModule::new(m).unwrap(), NoHost, Config::default()).unwrap();
    assert_eq!(inst.call(0, &[7, 6, 100]).unwrap(), Some(142));
    assert_eq!(inst.call(0, &[0x10000, 0x10001, 5]).unwrap(), Some(0x10005), "wraps at 32 bits");
    let t = inst.call(1, &[0, 1, 1]).unwrap_err();
    assert_eq!((t.kind, t.pc), (TrapKind::OutOfBounds { addr: 0, len: 4 }, 0));
}

/// fmodl of a huge by a tiny binary128 runs its loop ~32k times inside one
/// `f128` instruction: it costs fuel for that work (one unit per 64 bits
/// of exponent difference), so a small budget stops it.
#[test]
fn binary128_remainder_costs_fuel_by_its_work() {
    let k = espb_runtime::isa::F128Op::Rem.to_u8();
    // a = 2^16000 (exponent 16383 + 16000), b = 2^-16000: 1 mod b = 0.
    let code = asm(&[
        Instr::ConstI64 { d: 0, v: 0 },
        Instr::ConstI64 { d: 1, v: ((16383 + 16000) as i64) << 48 },
        Instr::ConstI64 { d: 2, v: 0 },
        Instr::ConstI64 { d: 3, v: ((16383 - 16000) as i64) << 48 },
        Instr::F128 { dlo: 4, dhi: 5, alo: 0, ahi: 1, blo: 2, bhi: 3, k },
        Instr::Ret { s: 5 },
    ]);
    let ty = FuncType { params: vec![], result: Some(ValType::I64), variadic_fixed: None };
    let m = || Module {
        types: vec![ty.clone()],
        functions: vec![Function { ty: 0, num_regs: 6, frame_size: 0, code: code.clone() }],
        ..Module::default()
    };
    let run = |fuel| {
        let cfg = Config { fuel: Some(fuel), ..Config::default() };
        Instance::new(VerifiedModule::new(m()).unwrap(), NoHost, cfg).unwrap().call(0, &[]).map_err(|t| t.kind)
    };
    assert_eq!(run(100), Err(TrapKind::OutOfFuel));
    assert_eq!(run(10_000), Ok(Some(0)), "2^16000 is a multiple of 2^-16000");
}

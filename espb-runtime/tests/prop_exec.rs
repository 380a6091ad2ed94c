//! Property test of the interpreter: random modules that pass the verifier,
//! built from the opcode table itself (every opcode, operands in range),
//! run under a fuel limit. Whatever they do, the result is a value or a trap,
//! never a panic. In debug builds (`cargo test`) the interpreter re-checks
//! what it trusts the verifier for, so a verifier hole shows up here.

use espb_runtime::isa::{Opcode, OperandKind};
use espb_runtime::{Config, Data, FuncType, Function, Instance, Module, NoHost, ValType, format};
use proptest::prelude::*;

const NREGS: u16 = 8;

/// One operand value before encoding; targets are instruction indices.
#[derive(Clone, Debug)]
enum Val {
    Byte(u8),
    Bytes(Vec<u8>),
    Target(usize),
    Regs(Vec<u8>),
    Targets(Vec<usize>),
}

/// The opcodes a module without imports, whose functions return a value,
/// can use.
fn usable() -> Vec<Opcode> {
    Opcode::ALL
        .iter()
        .copied()
        .filter(|o| !matches!(o, Opcode::CallImport | Opcode::ImportAddr | Opcode::RetVoid))
        .collect()
}

/// An operand of `kind` for `op`, in the range the verifier accepts.
fn operand(op: Opcode, name: &str, kind: OperandKind, nfuncs: u16, ninstrs: usize) -> BoxedStrategy<Val> {
    let target = (0..ninstrs).prop_map(Val::Target).boxed();
    match kind {
        OperandKind::Def | OperandKind::Use => (0..NREGS as u8).prop_map(Val::Byte).boxed(),
        OperandKind::Def16 | OperandKind::Use16 => {
            (0..NREGS).prop_map(|v| Val::Bytes(v.to_le_bytes().to_vec())).boxed()
        }
        OperandKind::U8 => {
            let hi: u8 = match op {
                Opcode::Convert => 17,
                Opcode::FUnary => 13,
                Opcode::FBinary => 7,
                Opcode::DivRem128 | Opcode::Complex => 3,
                Opcode::F128 => 30,
                Opcode::ComplexF128 => 1,
                Opcode::CmpF32 | Opcode::CmpF64 => 15,
                _ => u8::MAX,
            };
            (0..=hi).prop_map(Val::Byte).boxed()
        }
        OperandKind::I8 => any::<u8>().prop_map(Val::Byte).boxed(),
        OperandKind::I16 => any::<i16>().prop_map(|v| Val::Bytes(v.to_le_bytes().to_vec())).boxed(),
        OperandKind::U16 => match name {
            "f" => (0..nfuncs).prop_map(|v| Val::Bytes(v.to_le_bytes().to_vec())).boxed(),
            // type 0 is the only type
            _ => Just(Val::Bytes(vec![0, 0])).boxed(),
        },
        // Small offsets and values, so that some accesses land in memory.
        OperandKind::I32 | OperandKind::U32 => {
            prop_oneof![(-64i32..64), any::<i32>()].prop_map(|v| Val::Bytes(v.to_le_bytes().to_vec())).boxed()
        }
        OperandKind::I64 => any::<i64>().prop_map(|v| Val::Bytes(v.to_le_bytes().to_vec())).boxed(),
        OperandKind::Target => target,
        // Calls pass exactly the two parameters of type 0.
        OperandKind::Args => prop::collection::vec(0..NREGS as u8, 2).prop_map(Val::Regs).boxed(),
        OperandKind::Targets => prop::collection::vec(0..ninstrs, 0..4).prop_map(Val::Targets).boxed(),
    }
}

fn instr(nfuncs: u16, ninstrs: usize) -> impl Strategy<Value = (Opcode, Vec<Val>)> {
    prop::sample::select(usable()).prop_flat_map(move |op| {
        let ops: Vec<BoxedStrategy<Val>> =
            op.operands().iter().map(|&(name, kind)| operand(op, name, kind, nfuncs, ninstrs)).collect();
        (Just(op), ops)
    })
}

fn size(op: Opcode, vals: &[Val]) -> usize {
    1 + op
        .operands()
        .iter()
        .zip(vals)
        .map(|(&(_, k), v)| match (k.fixed_size(), v) {
            (Some(n), _) => n,
            (None, Val::Regs(r)) => 1 + r.len(),
            (None, Val::Targets(t)) => 2 + 2 * t.len(),
            (None, _) => 0,
        })
        .sum::<usize>()
}

/// Encodes the instructions and a final `ret r0`, resolving targets.
fn encode(body: &[(Opcode, Vec<Val>)]) -> Vec<u8> {
    let mut offsets = Vec::with_capacity(body.len() + 1);
    let mut pc = 0;
    for (op, vals) in body {
        offsets.push(pc as u16);
        pc += size(*op, vals);
    }
    offsets.push(pc as u16);
    let at = |i: usize| offsets[i.min(offsets.len() - 1)].to_le_bytes();
    let mut code = Vec::new();
    for (op, vals) in body {
        code.push(*op as u8);
        for v in vals {
            match v {
                Val::Byte(b) => code.push(*b),
                Val::Bytes(b) => code.extend_from_slice(b),
                Val::Target(t) => code.extend_from_slice(&at(*t)),
                Val::Regs(r) => {
                    code.push(r.len() as u8);
                    code.extend_from_slice(r);
                }
                Val::Targets(ts) => {
                    code.extend_from_slice(&(ts.len() as u16).to_le_bytes());
                    for t in ts {
                        code.extend_from_slice(&at(*t));
                    }
                }
            }
        }
    }
    code.extend_from_slice(&[Opcode::Ret as u8, 0]);
    code
}

fn module() -> impl Strategy<Value = Module> {
    (1u16..=3, 1usize..24).prop_flat_map(|(nfuncs, n)| {
        prop::collection::vec(prop::collection::vec(instr(nfuncs, n + 1), n), nfuncs as usize).prop_map(|bodies| {
            let ty = FuncType { params: vec![ValType::I32; 2], result: Some(ValType::I32), variadic_fixed: None };
            Module {
                types: vec![ty],
                functions: bodies
                    .iter()
                    .map(|b| Function { ty: 0, num_regs: NREGS, frame_size: 32, code: encode(b) })
                    .collect(),
                data: Data { size: 64, align: 8, init: (0..64).collect(), relocs: vec![] },
                ..Module::default()
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn verified_random_modules_run_or_trap(m in module(), a in any::<u32>(), b in any::<u32>()) {
        // The generator stays inside what the verifier accepts...
        let bytes = format::encode(&m);
        let m = format::load(&bytes).map_err(|e| TestCaseError::fail(format!("generated module refused: {e}")))?;
        let config = Config {
            fuel: Some(2_000),
            max_call_depth: 64,
            stack_size: Some(4096),
            heap_size: Some(1024),
            ..Config::default()
        };
        let mut inst = Instance::new(m, NoHost, config).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // ...and running it gives a value or a trap, never a panic.
        let _ = inst.call(0, &[u64::from(a), u64::from(b)]);
        let _ = inst.call(0, &[u64::from(b), u64::from(a)]);
    }
}

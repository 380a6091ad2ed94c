//! Every inverse the opcode table names is one: run in the interpreter on
//! edge-case values, a branch and its inverse (operands rewritten as the
//! table says) never both jump and never both fall through.

use espb_runtime::isa::{InverseOperands, Opcode, OperandKind};
use espb_runtime::{Config, FuncType, Function, Instance, Module, NoHost, ValType, VerifiedModule};

const EDGES: [i32; 9] = [0, 1, -1, 2, 7, i32::MIN, i32::MAX, i32::MIN + 1, i32::MAX - 1];

/// `f(a, b) = (branch a, b taken) ? 1 : 0`, the branch's registers `a` and
/// `b` in operand order (r0, r1) and its immediate `v`.
fn taken(op: Opcode, a: i32, b: i32, v: i64) -> Option<u64> {
    let mut code = vec![op as u8];
    let mut uses = 0u8;
    let mut target_at = None;
    for &(_, k) in op.operands() {
        match k {
            OperandKind::Use => {
                code.push(uses);
                uses += 1;
            }
            OperandKind::I32 => code.extend_from_slice(&i32::try_from(v).ok()?.to_le_bytes()),
            OperandKind::I8 => code.extend_from_slice(&i8::try_from(v).ok()?.to_le_bytes()),
            OperandKind::Target => {
                target_at = Some(code.len());
                code.extend_from_slice(&[0, 0]);
            }
            k => panic!("{op:?}: operand kind {k:?} not covered by this test"),
        }
    }
    // Fall through: r2 = 0; taken: r2 = 1.
    code.extend_from_slice(&[Opcode::ConstI8 as u8, 2, 0, Opcode::Ret as u8, 2]);
    let taken_pc = code.len() as u16;
    code.extend_from_slice(&[Opcode::ConstI8 as u8, 2, 1, Opcode::Ret as u8, 2]);
    let t = target_at.expect("a branch has a target");
    code[t..t + 2].copy_from_slice(&taken_pc.to_le_bytes());
    let ty = FuncType { params: vec![ValType::I32; 2], result: Some(ValType::I32), variadic_fixed: None };
    let m = Module {
        types: vec![ty],
        functions: vec![Function { ty: 0, num_regs: 3, frame_size: 0, code }],
        ..Module::default()
    };
    let mut inst =
        Instance::new(VerifiedModule::new(m).expect("verifies"), NoHost, Config::default()).expect("instantiates");
    inst.call(0, &[a as u32 as u64, b as u32 as u64]).expect("runs")
}

#[test]
fn a_branch_and_its_inverse_disagree_on_every_input() {
    let mut checked = 0;
    for &op in Opcode::ALL {
        let Some(inv) = op.inverse() else { continue };
        for a in EDGES {
            for b in EDGES {
                let v = i64::from(b);
                let (ia, ib, iv) = match inv.operands {
                    InverseOperands::Same => (a, b, Some(v)),
                    InverseOperands::Swap => (b, a, Some(v)),
                    step @ InverseOperands::Step { .. } => (a, b, step.step(v)),
                };
                let Some(iv) = iv else { continue };
                let (Some(x), Some(y)) = (taken(op, a, b, v), taken(inv.op, ia, ib, iv)) else { continue };
                assert_ne!(x, y, "{op:?}({a}, {b}) and {:?}({ia}, {ib}, {iv})", inv.op);
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} cases ran");
}

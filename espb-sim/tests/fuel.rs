//! Fuel holds in the simulated C library: natives pay for work that grows
//! with their arguments, so a tiny budget stops `printf("%*d", 1 << 30, 1)`
//! or a megabyte `memset` at once instead of after gigabytes of output.

use espb_runtime::isa::{Instr, Regs};
use espb_runtime::{Data, FuncType, Function, Import, ImportRef, Module, ValType, format};
use espb_sim::{Ended, Options, Sim};

fn asm(instrs: &[Instr<'_>]) -> Vec<u8> {
    let mut code = Vec::new();
    for i in instrs {
        i.encode(&mut code);
    }
    code
}

/// `main() { return name(data, a, b); }` with the format "%*d" as data.
fn module(name: &str, ty: FuncType, a: i32, b: i32) -> Vec<u8> {
    let main = asm(&[
        Instr::DataAddr { d: 0, off: 0 },
        Instr::ConstI32 { d: 1, v: a },
        Instr::ConstI32 { d: 2, v: b },
        Instr::CallImport { i: 0, ty: 1, d: 3, args: Regs(&[0, 1, 2]) },
        Instr::Ret { s: 3 },
    ]);
    let m = Module {
        types: vec![FuncType { params: vec![], result: Some(ValType::I32), variadic_fixed: None }, ty],
        imports: vec![Import::func(ImportRef::Name(name.into()), 1)],
        functions: vec![Function { ty: 0, num_regs: 4, frame_size: 0, code: main }],
        data: Data { size: 1 << 20, align: 4, init: b"%*d\0".to_vec(), relocs: vec![] },
        names: vec!["main".into()],
        ..Module::default()
    };
    format::encode(&m)
}

fn run(bytes: &[u8], fuel: u64) -> (Ended, usize) {
    let (sim, out, _) = Sim::capture(Options { fuel: Some(fuel), ..Options::default() });
    let run = sim.run(bytes).unwrap();
    (run.ended, out.text().len())
}

fn i32s(n: usize, fixed: Option<u8>) -> FuncType {
    FuncType { params: vec![ValType::I32; n], result: Some(ValType::I32), variadic_fixed: fixed }
}

#[test]
fn printf_with_a_huge_width_runs_out_of_fuel() {
    let m = module("printf", i32s(3, Some(1)), 1 << 30, 1);
    let (ended, printed) = run(&m, 1000);
    assert!(matches!(&ended, Ended::Trapped { message, .. } if message.contains("out of fuel")), "{ended:?}");
    assert_eq!(printed, 0, "nothing of the gigabyte is written");
    // A width the fuel pays for prints.
    let m = module("printf", i32s(3, Some(1)), 1000, 1);
    let (ended, printed) = run(&m, 1000);
    assert!(matches!(ended, Ended::Finished(_)), "{ended:?}");
    assert_eq!(printed, 1000);
}

#[test]
fn memset_of_the_simulated_libc_pays_by_length() {
    // memset(data, 1, 1 MiB) costs 16384 units.
    let m = module("memset", i32s(3, None), 1, 1 << 20);
    let (ended, _) = run(&m, 1000);
    assert!(matches!(&ended, Ended::Trapped { message, .. } if message.contains("out of fuel")), "{ended:?}");
    let (ended, _) = run(&m, 20_000);
    assert!(matches!(ended, Ended::Finished(_)), "{ended:?}");
}

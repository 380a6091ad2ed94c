//! The limits a firmware sets hold. Fuel bounds the work a module does:
//! code run again from inside a builtin (qsort's comparator) pays like any
//! other code, and builtins whose work grows with a length (memset, memcpy,
//! calloc, qsort's copy) pay in proportion to it, so a tiny budget stops a
//! module quickly however it spends it. The register stack, call depth and
//! re-entry depth stop where the configuration says, with a trap.

use espb_runtime::isa::{Instr, Regs};
use espb_runtime::{
    BYTES_PER_FUEL, Config, Data, FirmwareWindows, FuncType, Function, Import, ImportRef, Instance, Module, NoHost,
    PC_MEMORY_BASE, TrapKind, ValType, VerifiedModule, device_limits,
};
use proptest::prelude::*;

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

fn run(m: Module, fuel: u64) -> Result<Option<u64>, TrapKind> {
    run_with(m, Config { fuel: Some(fuel), ..Config::default() }).map(|(v, _)| v)
}

/// Runs function 0; also returns the word at the start of the data.
fn run_with(m: Module, config: Config) -> Result<(Option<u64>, u32), TrapKind> {
    let mut inst = Instance::new(VerifiedModule::new(m).unwrap(), NoHost, config).unwrap();
    let r = inst.call(0, &[]).map_err(|t| t.kind)?;
    Ok((r, inst.memory().read_u32(inst.data_base()).unwrap()))
}

/// The device's limits, with module memory in the PC window (a 64-bit
/// host's heap is rarely below 4 GiB).
fn device() -> Config {
    Config { native_memory: false, memory_base: PC_MEMORY_BASE, ..Config::device(FirmwareWindows::default()) }
}

/// `f(a, b)` counts its depth in the first data word, then recurses: with
/// `regs` registers per frame, or through qsort (`sort`).
fn recursive_module(regs: u16, sort: bool) -> Module {
    let mut code = vec![
        Instr::DataAddr { d: 0, off: 0 },
        Instr::LoadI32 { d: 1, a: 0, off: 0 },
        Instr::AddImm8I32 { d: 1, a: 1, v: 1 },
        Instr::StoreI32 { s: 1, a: 0, off: 0 },
    ];
    if sort {
        // qsort(data + 16, 2, 4, self): the comparator sorts again.
        code.extend([
            Instr::DataAddr { d: 0, off: 16 },
            Instr::ConstI32 { d: 1, v: 2 },
            Instr::ConstI32 { d: 2, v: 4 },
            Instr::FuncAddr { d: 3, f: 0 },
            Instr::CallImport { i: 0, ty: 1, d: 0, args: Regs(&[0, 1, 2, 3]) },
        ]);
    } else {
        code.push(Instr::Call { f: 0, d: 0, args: Regs(&[1, 1]) });
    }
    code.push(Instr::Ret { s: 0 });
    Module {
        types: vec![i32_fn(2), i32_fn(4)],
        imports: vec![Import::func(ImportRef::Name("qsort".into()), 1)],
        functions: vec![Function { ty: 0, num_regs: regs, frame_size: 0, code: asm(&code) }],
        data: Data { size: 32, align: 4, ..Data::default() },
        names: vec!["f".into()],
        ..Module::default()
    }
}

#[test]
fn the_register_stack_stops_at_its_limit() {
    // 255 registers a frame: the device's 4096-register stack holds 15
    // frames besides the 256-register window (the PC's limit, a million,
    // would have taken 8 MiB first).
    assert_eq!(device().max_registers, device_limits::MAX_REGISTERS);
    let mut inst = Instance::new(VerifiedModule::new(recursive_module(255, false)).unwrap(), NoHost, device()).unwrap();
    assert_eq!(inst.call(0, &[0, 0]).unwrap_err().kind, TrapKind::StackExhausted);
    let depth = inst.memory().read_u32(inst.data_base()).unwrap();
    assert_eq!(depth as usize, (device_limits::MAX_REGISTERS - 256) / 255);
    // Small frames: the call depth stops it.
    let mut inst = Instance::new(VerifiedModule::new(recursive_module(4, false)).unwrap(), NoHost, device()).unwrap();
    assert_eq!(inst.call(0, &[0, 0]).unwrap_err().kind, TrapKind::StackExhausted);
    let depth = inst.memory().read_u32(inst.data_base()).unwrap();
    assert_eq!(depth as usize, device_limits::MAX_CALL_DEPTH + 1);
}

#[test]
fn reentry_stops_at_the_nesting_limit() {
    for limit in [1, 3] {
        let config = Config { max_nesting: limit, ..device() };
        let mut inst = Instance::new(VerifiedModule::new(recursive_module(8, true)).unwrap(), NoHost, config).unwrap();
        assert_eq!(inst.call(0, &[0, 0]).unwrap_err().kind, TrapKind::StackExhausted);
        // The entry, then one comparator per level.
        assert_eq!(inst.memory().read_u32(inst.data_base()).unwrap(), limit + 1);
    }
}

/// `main` sorts `n` zeroed ints with a comparator that has no loop and
/// calls nothing (so only its re-entry can cost fuel).
fn qsort_module(n: i32, import: &str) -> Module {
    let main = asm(&[
        Instr::DataAddr { d: 0, off: 0 },
        Instr::ConstI32 { d: 1, v: n },
        Instr::ConstI32 { d: 2, v: 4 },
        Instr::FuncAddr { d: 3, f: 1 },
        Instr::CallImport { i: 0, ty: 1, d: 4, args: Regs(&[0, 1, 2, 3]) },
        Instr::ConstI32 { d: 4, v: 0 },
        Instr::Ret { s: 4 },
    ]);
    let cmp = asm(&[
        Instr::LoadI32 { d: 2, a: 0, off: 0 },
        Instr::LoadI32 { d: 3, a: 1, off: 0 },
        Instr::SubI32 { d: 2, a: 2, b: 3 },
        Instr::Ret { s: 2 },
    ]);
    Module {
        types: vec![i32_fn(0), i32_fn(4), i32_fn(2)],
        imports: vec![Import::func(ImportRef::Name(import.into()), 1)],
        functions: vec![
            Function { ty: 0, num_regs: 5, frame_size: 0, code: main },
            Function { ty: 2, num_regs: 4, frame_size: 0, code: cmp },
        ],
        data: Data { size: (n as u32) * 4, align: 4, ..Data::default() },
        names: vec!["main".into(), "cmp".into()],
        ..Module::default()
    }
}

#[test]
fn qsort_comparator_calls_cost_fuel() {
    // 4096 elements: about 49 000 comparator calls.
    assert_eq!(run(qsort_module(4096, "qsort"), 100), Err(TrapKind::OutOfFuel));
    // Enough fuel: the sort finishes.
    assert_eq!(run(qsort_module(4096, "qsort"), 1_000_000), Ok(Some(0)));
}

/// `main` runs `op dst, x, len` 100 times over a data block of `len` bytes.
fn bulk_module(len: i32, op: impl Fn(u8, u8, u8) -> Instr<'static>) -> Module {
    bulk_loop(len, 100, op)
}

/// `main` runs `op dst, x, len` `times` times over a data block of `len` bytes.
fn bulk_loop(len: i32, times: i32, op: impl Fn(u8, u8, u8) -> Instr<'static>) -> Module {
    let head = [
        Instr::DataAddr { d: 0, off: 0 },
        Instr::DataAddr { d: 1, off: 0 },
        Instr::ConstI32 { d: 2, v: len },
        Instr::ConstI32 { d: 3, v: 0 },
    ];
    let top = asm(&head).len() as u16;
    let mut body = head.to_vec();
    body.push(op(0, 1, 2));
    body.push(Instr::IncBrLtUImmI32 { d: 3, a: 3, v: 1, w: times, t: top });
    body.push(Instr::Ret { s: 3 });
    Module {
        types: vec![i32_fn(0)],
        functions: vec![Function { ty: 0, num_regs: 4, frame_size: 0, code: asm(&body) }],
        data: Data { size: len as u32, align: 16, ..Data::default() },
        names: vec!["main".into()],
        ..Module::default()
    }
}

#[test]
fn memset_and_memcpy_cost_fuel_by_length() {
    let set = |d, s, l| Instr::MemSet { dst: d, val: s, len: l };
    let copy = |d, s, l| Instr::MemCpy { dst: d, src: s, len: l };
    let mb = 1 << 20;
    // 100 MiB of work with 1000 fuel: stopped at the first megabyte.
    assert_eq!(run(bulk_module(mb, set), 1000), Err(TrapKind::OutOfFuel));
    assert_eq!(run(bulk_module(mb, copy), 1000), Err(TrapKind::OutOfFuel));
    // What the bytes cost: 100 runs of `len / BYTES_PER_FUEL`, plus the
    // loop's 100 back edges.
    let need = 100 * u64::from(4096 / BYTES_PER_FUEL) + 100;
    assert_eq!(run(bulk_module(4096, set), need), Ok(Some(100)));
    assert_eq!(run(bulk_module(4096, set), need - 100), Err(TrapKind::OutOfFuel));
}

#[test]
fn calloc_costs_fuel_by_length() {
    let main = asm(&[
        Instr::ConstI32 { d: 0, v: 1 },
        Instr::ConstI32 { d: 1, v: 1 << 20 },
        Instr::CallImport { i: 0, ty: 1, d: 2, args: Regs(&[0, 1]) },
        Instr::Ret { s: 2 },
    ]);
    let m = Module {
        types: vec![i32_fn(0), i32_fn(2)],
        imports: vec![Import::func(ImportRef::Name("calloc".into()), 1)],
        functions: vec![Function { ty: 0, num_regs: 3, frame_size: 0, code: main }],
        layout: espb_runtime::Layout { heap_size: 2 << 20, ..espb_runtime::Layout::default() },
        names: vec!["main".into()],
        ..Module::default()
    };
    assert_eq!(run(m.clone(), 100), Err(TrapKind::OutOfFuel));
    assert!(matches!(run(m, 1 << 20), Ok(Some(p)) if p != 0));
}

/// Host time per unit of fuel a run may take at most, in ns: the constant
/// `c` of "fuel F bounds the work to c * F". Measured in the tests' debug
/// build on a loaded 2-core machine: at most 1.8 us per unit (release
/// builds are faster); ten times that, so a busy machine does not fail it.
/// Unmetered (memset charged as one step, comparators free) these modules
/// took 100 us per unit and more, and fail it.
const NS_PER_FUEL: u128 = 20_000;
/// What a run may take besides (a trap's description, cold caches).
const BASE_NS: u128 = 20_000_000;

/// The least host time of two runs (noise only adds), in ns.
fn least_time(m: &Module, fuel: u64) -> u128 {
    let m = VerifiedModule::new(m.clone()).unwrap();
    (0..2)
        .map(|_| {
            let config = Config { fuel: Some(fuel), ..Config::default() };
            let mut inst = Instance::new(m.clone(), NoHost, config).unwrap();
            let t = std::time::Instant::now();
            let _ = inst.call(0, &[]);
            t.elapsed().as_nanos()
        })
        .min()
        .unwrap_or(0)
}

/// Modules whose work per unit of fuel is as large as a module can make it:
/// loops of bulk memory of up to 8 MiB, and sorts whose comparator
/// does nothing but return.
fn heavy_module() -> impl Strategy<Value = Module> {
    prop_oneof![
        (0i32..(8 << 20), 1i32..10_000, 0u8..3).prop_map(|(len, times, op)| match op {
            0 => bulk_loop(len, times, |d, s, l| Instr::MemSet { dst: d, val: s, len: l }),
            1 => bulk_loop(len, times, |d, s, l| Instr::MemCpy { dst: d, src: s, len: l }),
            _ => bulk_loop(len, times, |d, s, l| Instr::MemMove { dst: d, src: s, len: l }),
        }),
        (2i32..(1 << 16)).prop_map(|n| qsort_module(n, "qsort")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn fuel_bounds_host_time(m in heavy_module(), fuel in 1u64..5_000) {
        let ns = least_time(&m, fuel);
        prop_assert!(ns <= u128::from(fuel) * NS_PER_FUEL + BASE_NS, "{ns} ns for fuel {fuel}");
    }
}

#[test]
fn qsort_through_a_function_pointer_says_so() {
    let mut m = qsort_module(4, "qsort");
    // main: p = &qsort; p(data, 4, 4, cmp)
    m.functions[0].code = asm(&[
        Instr::DataAddr { d: 0, off: 0 },
        Instr::ConstI32 { d: 1, v: 4 },
        Instr::ConstI32 { d: 2, v: 4 },
        Instr::FuncAddr { d: 3, f: 1 },
        Instr::ImportAddr { d: 4, i: 0 },
        Instr::CallIndirect { p: 4, ty: 1, d: 4, args: Regs(&[0, 1, 2, 3]) },
        Instr::Ret { s: 4 },
    ]);
    let Err(TrapKind::Host(msg)) = run(m, 1000) else { panic!("expected a trap") };
    assert!(msg.contains("`qsort` called through a function pointer") && msg.contains("call it directly"), "{msg}");
}

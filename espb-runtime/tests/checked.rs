//! Checked natives (docs/symbols.md "Signatures"): with the C signatures
//! of the firmware's table, a module whose call sites disagree is refused
//! at load naming the import and the call site, a native's address called
//! with another type traps, and a pointer argument marked as memory that
//! lies outside the module's memory traps before the native sees it,
//! unless the firmware registered the table as trusted.

use espb_runtime::isa::{Instr, Regs};
use espb_runtime::signature::NativeSig;
use espb_runtime::symtab::{Checking, NO_SIGNATURE, Registry, SymbolTable};
use espb_runtime::{
    Config, FuncType, Function, Host, HostCtx, Import, ImportRef, Instance, InstantiateError, Module, TableLookupError,
    TableRef, Trap, TrapKind, ValType, VerifiedModule,
};

/// The firmware's `custom` table: `fill(void *buf, size_t len)`,
/// `say(const char *)`, and a slot without a signature.
const SIGS: [&str; 2] = ["void(buf:1,i32)", "void(str)"];
const HASHES: [u32; 3] = [0x1111, 0x2222, 0x3333];

fn table(trusted: bool) -> SymbolTable<'static> {
    let mut records = Vec::new();
    let mut index = Vec::new();
    for s in SIGS {
        index.push(records.len() as u16);
        NativeSig::parse(s).unwrap().encode(&mut records);
    }
    index.push(NO_SIGNATURE);
    let entries: &'static [usize] = Box::leak(Box::new([0x4000_1000usize, 0x4000_2000, 0x4000_3000]));
    let t = SymbolTable::new("custom", entries, &HASHES)
        .with_signatures(Box::leak(index.into_boxed_slice()), Box::leak(records.into_boxed_slice()));
    if trusted { t.trusted() } else { t }
}

/// A firmware that records the calls its natives get.
struct Firmware {
    tables: Registry<'static>,
    calls: Vec<(u32, Vec<u64>)>,
}

impl Firmware {
    fn new(trusted: bool) -> Firmware {
        let mut tables = Registry::new();
        tables.register(table(trusted)).unwrap();
        Firmware { tables, calls: Vec::new() }
    }
}

impl Host for Firmware {
    fn resolve(&mut self, _: &Import, _: &FuncType) -> Option<u32> {
        None
    }
    fn resolve_slot(&mut self, table: &str, index: u16, _: &Import, _: &FuncType) -> Option<u32> {
        self.tables.address(table, index).map(|_| u32::from(index))
    }
    fn call(&mut self, id: u32, _: &FuncType, args: &[u64], _: &mut HostCtx<'_>) -> Result<u64, Trap> {
        self.calls.push((id, args.to_vec()));
        Ok(0)
    }
    fn table_prefix_hash(&self, name: &str, count: u32) -> Result<u32, TableLookupError> {
        self.tables.prefix_hash(name, count)
    }
    fn native_signature(&self, table: &str, index: u16) -> Option<(NativeSig, Checking)> {
        self.tables.signature(table, index)
    }
    fn data_address(&mut self, import: &Import, _: &mut HostCtx<'_>) -> Option<u32> {
        match import.what {
            ImportRef::Slot { table: 0, index, .. } => self.tables.address("custom", index).map(|a| a as u32),
            _ => None,
        }
    }
}

fn asm(instrs: &[Instr<'_>]) -> Vec<u8> {
    let mut code = Vec::new();
    for i in instrs {
        i.encode(&mut code);
    }
    code
}

fn void_fn(params: usize) -> FuncType {
    FuncType { params: vec![ValType::I32; params], result: None, variadic_fixed: None }
}

/// `main(a, b)` runs `body`, then returns 0. Types: 0 = i32(i32,i32),
/// 1 = void(i32,i32), 2 = void(i32). Imports `fill` (slot 0, declared
/// `fill_ty`) and `say` (slot 1).
fn module(fill_ty: u16, body: &[Instr<'_>]) -> Module {
    let mut code = body.to_vec();
    code.extend([Instr::ConstI32 { d: 0, v: 0 }, Instr::Ret { s: 0 }]);
    let slot = |index: u16, name: &str| ImportRef::Slot { table: 0, index, name: Some(name.into()) };
    Module {
        types: vec![
            FuncType { params: vec![ValType::I32; 2], result: Some(ValType::I32), variadic_fixed: None },
            void_fn(2),
            void_fn(1),
        ],
        tables: vec![TableRef { name: "custom".into(), hash: HASHES[1], count: 2 }],
        imports: vec![Import::func(slot(0, "fill"), fill_ty), Import::func(slot(1, "say"), 2)],
        functions: vec![Function { ty: 0, num_regs: 4, frame_size: 0, code: asm(&code) }],
        names: vec!["main".into()],
        ..Module::default()
    }
}

/// `fill(a, b)` as the C prototype says.
const FILL: Instr<'static> = Instr::CallImport { i: 0, ty: 1, d: 2, args: Regs(&[0, 1]) };

fn instance(m: Module, trusted: bool) -> Result<Instance<Firmware>, InstantiateError> {
    Instance::new(VerifiedModule::new(m).unwrap(), Firmware::new(trusted), Config::default())
}

#[test]
fn a_call_site_of_another_signature_is_refused_at_load_naming_import_and_site() {
    // `fill(a)`: a module that declared `void fill(int)` itself.
    let wrong = Instr::CallImport { i: 0, ty: 2, d: 2, args: Regs(&[0]) };
    let m = module(2, &[Instr::ConstI32 { d: 3, v: 1 }, wrong]);
    let Err(e) = instance(m, false) else { panic!("a wrong call site must be refused") };
    assert!(matches!(e, InstantiateError::NativeSignature { more: 0, .. }), "{e:?}");
    let text = e.to_string();
    for part in
        ["`fill` (import #0)", "called as void(i32)", "function `main` (#0, code offset 0x6)", "void(buf:1,i32)"]
    {
        assert!(text.contains(part), "{part:?} missing in: {text}");
    }
    // Refused under a trusted table too: a wrong call is never right.
    assert!(instance(module(2, &[wrong]), true).is_err());
    // The call as the prototype says loads.
    assert!(instance(module(1, &[FILL]), false).is_ok());
}

#[test]
fn a_natives_address_called_with_another_type_traps_at_the_call() {
    let forged = [Instr::ImportAddr { d: 3, i: 0 }, Instr::CallIndirect { p: 3, ty: 2, d: 2, args: Regs(&[0]) }];
    let mut inst = instance(module(1, &forged), false).unwrap();
    let base = u64::from(inst.data_base());
    let t = inst.call(0, &[base, 4]).unwrap_err();
    let TrapKind::NativeCall(msg) = &t.kind else { panic!("{t:?}") };
    assert!(msg.contains("indirect call of native `fill` (import #0) as void(i32)"), "{msg}");
    assert_eq!((t.func, t.pc), (Some(0), 4), "the trap names the call site (after import.addr)");
    assert!(inst.host().calls.is_empty(), "the native never ran");

    // Through its address with its own type, the call goes through.
    let honest = [Instr::ImportAddr { d: 3, i: 0 }, Instr::CallIndirect { p: 3, ty: 1, d: 2, args: Regs(&[0, 1]) }];
    let mut inst = instance(module(1, &honest), false).unwrap();
    let base = u64::from(inst.data_base());
    inst.call(0, &[base, 4]).unwrap();
    assert_eq!(inst.host().calls, vec![(0, vec![base, 4])]);
}

#[test]
fn an_out_of_bounds_buffer_traps_before_a_checked_native_and_reaches_a_trusted_one() {
    let mut inst = instance(module(1, &[FILL]), false).unwrap();
    let end = u64::from(inst.memory().end());
    // 16 bytes that start inside the memory and run past its end.
    let t = inst.call(0, &[end - 8, 16]).unwrap_err();
    let TrapKind::NativeCall(msg) = &t.kind else { panic!("{t:?}") };
    assert!(msg.contains("argument 0 of native `fill` (import #0): 16 bytes at"), "{msg}");
    assert_eq!(t.func, Some(0));
    assert!(inst.host().calls.is_empty(), "the native never saw the pointer");
    // Inside the memory, and an empty buffer anywhere, go through.
    inst.call(0, &[end - 16, 16]).unwrap();
    inst.call(0, &[0x10, 0]).unwrap();
    assert_eq!(inst.host().calls.len(), 2);

    // The same call into a table the firmware registered as trusted.
    let mut inst = instance(module(1, &[FILL]), true).unwrap();
    inst.call(0, &[end - 8, 16]).unwrap();
    assert_eq!(inst.host().calls, vec![(0, vec![end - 8, 16])]);
}

#[test]
fn a_string_argument_must_end_inside_the_memory() {
    let say = [Instr::CallImport { i: 1, ty: 2, d: 2, args: Regs(&[0]) }];
    let mut inst = instance(module(1, &say), false).unwrap();
    let end = inst.memory().end();
    inst.memory_mut().slice_mut(end - 4, 4).unwrap().copy_from_slice(b"abcd");
    let t = inst.call(0, &[u64::from(end - 4), 0]).unwrap_err();
    let TrapKind::NativeCall(msg) = &t.kind else { panic!("{t:?}") };
    assert!(msg.contains("argument 0 of native `say` (import #1): no NUL-terminated string at"), "{msg}");
    inst.memory_mut().write_u8(end - 1, 0).unwrap();
    inst.call(0, &[u64::from(end - 4), 0]).unwrap();
    assert_eq!(inst.host().calls.len(), 1);
}

#[test]
fn a_data_import_of_a_function_slot_is_refused_at_load() {
    // A module whose C file declared `extern char fill[];`.
    let mut m = module(1, &[]);
    m.imports[0] = Import::data(ImportRef::Slot { table: 0, index: 0, name: Some("fill".into()) });
    let Err(e) = instance(m, false) else { panic!("data through a function's slot must be refused") };
    assert!(matches!(e, InstantiateError::DataImportOfFunction { import: 0, .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("`fill` (import #0) is imported as data") && text.contains("void(buf:1,i32)"), "{text}");
}

//! The device [`Host`]: natives come from the firmware's symbol tables
//! ([`Registry`]), and a call is a real call of the native's address
//! through the chip's C calling convention ([`super::call`]).
//!
//! Use it with a native-address instance, so that the pointers the module
//! passes are real addresses:
//!
//! ```ignore
//! let host = DeviceHost::new(registry, &module);
//! let config = Config { native_memory: true, ..Config::default() };
//! let mut inst = Instance::new(module, host, config)?;
//! ```

use super::Abi;
use crate::module::{FuncType, Import, ImportRef, Module};
use crate::signature::NativeSig;
use crate::symtab::{Checking, Registry};
use crate::vm::{Host, HostCtx, TableLookupError, Trap};
use alloc::string::String;
use alloc::vec::Vec;

/// Natives from the firmware's symbol tables, called for real.
pub struct DeviceHost<'a> {
    tables: Registry<'a>,
    /// The module's table names, in its order (an import's `table` indexes
    /// this): [`Host::data_address`] only sees the import.
    module_tables: Vec<String>,
    /// Id `i` (what [`Host::resolve_slot`] returned) is `natives[i]`.
    natives: Vec<usize>,
    /// Whether native `i` may block ([`HostCtx::block`] around it).
    blocking: Vec<bool>,
    /// (table, slot) of the imports the module's hints call `blocking`.
    blocking_slots: Vec<(String, u16)>,
}

impl<'a> DeviceHost<'a> {
    /// A host for `module` (only its table names are kept) answering from
    /// the firmware's `tables`.
    pub fn new(tables: Registry<'a>, module: &Module) -> DeviceHost<'a> {
        let module_tables: Vec<String> = module.tables.iter().map(|t| t.name.clone()).collect();
        let blocking_slots = (0..module.imports.len())
            .filter(|&i| module.hints_for(i).is_some_and(|h| h.blocking))
            .filter_map(|i| match &module.imports[i].what {
                ImportRef::Slot { table, index, .. } => Some((module_tables.get(usize::from(*table))?.clone(), *index)),
                ImportRef::Name(_) => None,
            })
            .collect();
        DeviceHost { tables, module_tables, natives: Vec::new(), blocking: Vec::new(), blocking_slots }
    }

    pub fn registry(&self) -> &Registry<'a> {
        &self.tables
    }

    /// The native address behind id `id`.
    pub fn native_address(&self, id: u32) -> Option<usize> {
        self.natives.get(id as usize).copied()
    }

    /// Whether native `id` runs with the app's lock released (the module's
    /// hints call it `blocking`).
    pub fn is_blocking(&self, id: u32) -> bool {
        self.blocking.get(id as usize).copied().unwrap_or(false)
    }
}

/// Native calls exist on targets whose C ABI is implemented ([`Abi::NATIVE`]:
/// RISC-V ilp32 and ilp32f, Xtensa).
pub const NATIVE_CALLS_AVAILABLE: bool = Abi::NATIVE.is_some();

impl Host for DeviceHost<'_> {
    /// A device has no symbol names: everything goes by table slot.
    fn resolve(&mut self, _: &Import, _: &FuncType) -> Option<u32> {
        None
    }

    fn resolve_slot(&mut self, table: &str, index: u16, _: &Import, _: &FuncType) -> Option<u32> {
        let addr = self.tables.address(table, index)?;
        let id = u32::try_from(self.natives.len()).ok()?;
        self.natives.push(addr);
        self.blocking.push(self.blocking_slots.iter().any(|(t, i)| t == table && *i == index));
        Some(id)
    }

    fn call(&mut self, id: u32, ty: &FuncType, args: &[u64], ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
        let Some(addr) = self.native_address(id) else {
            return Err(Trap::host(alloc::format!("no native with id {id}")));
        };
        // SAFETY: `addr` is a non-null slot of a firmware symbol table, whose
        // hash the loader matched against the module's: slot and function
        // agree, and the module's call site carries the C signature of the
        // call (docs/native-calls.md). Without a native ABI this traps.
        let call = || unsafe { super::call::call(addr, ty, args) };
        // A native hinted `blocking` (vTaskDelay, xQueueReceive...) runs with
        // the app's lock released, so its other tasks run meanwhile.
        if self.blocking.get(id as usize).copied().unwrap_or(false) { ctx.block(call) } else { call() }
    }

    fn data_address(&mut self, import: &Import, _ctx: &mut HostCtx<'_>) -> Option<u32> {
        let ImportRef::Slot { table, index, .. } = &import.what else { return None };
        let name = self.module_tables.get(usize::from(*table))?;
        u32::try_from(self.tables.address(name, *index)?).ok()
    }

    fn table_prefix_hash(&self, name: &str, count: u32) -> Result<u32, TableLookupError> {
        self.tables.prefix_hash(name, count)
    }

    fn native_signature(&self, table: &str, index: u16) -> Option<(NativeSig, Checking)> {
        self.tables.signature(table, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{TableRef, ValType};
    use crate::symtab::SymbolTable;
    use crate::verify::VerifiedModule;
    use crate::vm::{Config, Instance};

    #[test]
    fn slots_resolve_to_addresses_and_calls_trap_off_device() {
        let entries = [0x4000_1000usize, 0, 0x4000_2000];
        let hashes = [11u32, 22, 33];
        let mut r = Registry::new();
        r.register(SymbolTable::new("custom", &entries, &hashes)).unwrap();
        let slot = |index| Import::func(ImportRef::Slot { table: 0, index, name: None }, 0);
        let module = Module {
            tables: alloc::vec![TableRef { name: "custom".into(), hash: 33, count: 3 }],
            imports: alloc::vec![slot(0), slot(2)],
            import_hints: alloc::vec![crate::ImportHints {
                import: 1,
                hints: crate::CallHints { blocking: true, ..crate::CallHints::default() }
            }],
            ..Module::default()
        };
        let mut h = DeviceHost::new(r, &module);
        assert_eq!(h.table_prefix_hash("custom", 3), Ok(33));
        let ty = FuncType { params: alloc::vec![ValType::I32], result: None, variadic_fixed: None };
        let id = h.resolve_slot("custom", 2, &slot(2), &ty).unwrap();
        assert_eq!(h.native_address(id), Some(0x4000_2000));
        assert!(h.is_blocking(id), "slot 2 is hinted blocking");
        let id0 = h.resolve_slot("custom", 0, &slot(0), &ty).unwrap();
        assert!(!h.is_blocking(id0));
        assert_eq!(h.resolve_slot("custom", 1, &slot(1), &ty), None, "NULL slot");
        let data = Import::data(ImportRef::Slot { table: 0, index: 0, name: None });
        let mut mem = crate::vm::Memory::new(0x1000, 16);
        let mut heap = crate::vm::Heap::new(0x1000, 0x1000);
        let mut ctx = HostCtx::new(&mut mem, &mut heap);
        assert_eq!(h.data_address(&data, &mut ctx), Some(0x4000_1000));
        if !NATIVE_CALLS_AVAILABLE {
            let e = h.call(id, &ty, &[1], &mut ctx).unwrap_err();
            assert!(alloc::format!("{e}").contains("not available on this architecture"));
        }
    }

    /// Builtins are the `idf` table's slots, whatever the module calls them.
    #[test]
    fn builtins_are_known_by_table_and_slot_not_by_name() {
        use crate::isa::{Instr, Regs};
        let idf = [0x4000_1000usize; 38];
        let hashes: [u32; 38] = core::array::from_fn(|i| 100 + i as u32);
        let custom = [0x4000_2000usize];
        let mut r = Registry::new();
        r.register(SymbolTable::new("idf", &idf, &hashes)).unwrap();
        r.register(SymbolTable::new("custom", &custom, &[7])).unwrap();
        let slot =
            |table, index, name: &str| Import::func(ImportRef::Slot { table, index, name: Some(name.into()) }, 1);
        // f(i) = import i (NULL): free(NULL) is fine on the private heap, a
        // native call traps here.
        let call = |i| {
            let mut code = alloc::vec::Vec::new();
            Instr::ConstI32 { d: 0, v: 0 }.encode(&mut code);
            Instr::CallImport { i, ty: 1, d: 1, args: Regs(&[0]) }.encode(&mut code);
            Instr::Ret { s: 0 }.encode(&mut code);
            crate::module::Function { ty: 0, num_regs: 2, frame_size: 0, code }
        };
        let int = FuncType { params: alloc::vec![], result: Some(ValType::I32), variadic_fixed: None };
        let free_ty = FuncType { params: alloc::vec![ValType::I32], result: None, variadic_fixed: None };
        let module = Module {
            types: alloc::vec![int, free_ty],
            tables: alloc::vec![
                TableRef { name: "idf".into(), hash: 137, count: 38 },
                TableRef { name: "custom".into(), hash: 7, count: 1 },
            ],
            imports: alloc::vec![slot(0, 37, "xfree"), slot(1, 0, "free")],
            functions: alloc::vec![call(0), call(1)],
            ..Module::default()
        };
        let host = DeviceHost::new(r, &module);
        let mut inst = Instance::new(VerifiedModule::new(module).unwrap(), host, Config::default()).unwrap();
        assert_eq!(inst.call(0, &[]), Ok(Some(0)), "idf slot 37 named `xfree` is the private heap's free");
        if !NATIVE_CALLS_AVAILABLE {
            let e = inst.call(1, &[]).unwrap_err();
            assert!(alloc::format!("{e}").contains("not available"), "`free` of another table is its native: {e}");
        }
    }

    #[test]
    fn native_memory_instance_sits_at_its_real_address_only_when_it_fits() {
        let cfg = Config { native_memory: true, ..Config::default() };
        let r = Instance::new(VerifiedModule::new(Module::default()).unwrap(), crate::vm::NoHost, cfg);
        if cfg!(target_pointer_width = "32") {
            let inst = r.ok().unwrap();
            let base = inst.memory().base();
            let mut inst = inst;
            let p = inst.memory_mut().slice_mut(base, 1).unwrap().as_ptr() as usize;
            assert_eq!(p, base as usize, "module address = native address");
        } else {
            // A 64-bit heap address rarely fits 32 bits; when it does not,
            // instantiation says so instead of lying about addresses.
            if let Ok(inst) = r {
                assert_ne!(inst.memory().base(), 0);
            }
        }
    }
}

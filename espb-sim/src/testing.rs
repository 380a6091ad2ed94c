//! Test harness: a [`PcHost`] with captured output and a module memory to
//! place strings in, calling natives by name through the `Host` trait
//! exactly as the interpreter does.

use super::{PcHost, SharedBuf};
use espb_runtime::Heap;
use espb_runtime::{FuncType, Import, ImportRef, ValType};
use espb_runtime::{Host, HostCtx, Trap};
use espb_runtime::{Memory, PC_MEMORY_BASE};

/// An argument with its call-site type.
#[derive(Clone, Copy, Debug)]
pub enum V {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

impl V {
    pub fn ptr(p: u32) -> V {
        V::I32(p as i32)
    }
    fn split(self) -> (ValType, u64) {
        match self {
            V::I32(v) => (ValType::I32, v as u32 as u64),
            V::I64(v) => (ValType::I64, v as u64),
            V::F32(v) => (ValType::F32, v.to_bits() as u64),
            V::F64(v) => (ValType::F64, v.to_bits()),
        }
    }
}

pub struct Harness {
    pub host: PcHost,
    pub mem: Memory,
    /// The module heap: the upper half of `mem`.
    pub heap: Heap,
    pub out: SharedBuf,
    pub err: SharedBuf,
    next: u32,
}

/// Size of the harness memory.
pub const MEM_SIZE: usize = 64 * 1024;
/// Offset of the heap in `mem`; [`Harness::alloc`] hands out memory below it.
pub const HEAP_START: u32 = 32 * 1024;

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        let (host, out, err) = PcHost::capture();
        let mem = Memory::new(PC_MEMORY_BASE, MEM_SIZE);
        let heap = Heap::new(PC_MEMORY_BASE + HEAP_START, PC_MEMORY_BASE + MEM_SIZE as u32);
        Harness { host, mem, heap, out, err, next: PC_MEMORY_BASE + 16 }
    }

    /// Reserves `n` zeroed bytes (8-aligned) and returns their address.
    pub fn alloc(&mut self, n: u32) -> u32 {
        let at = self.next;
        self.next = (self.next + n + 7) & !7;
        assert!(self.next <= PC_MEMORY_BASE + HEAP_START, "harness data area full");
        at
    }

    /// Places `bytes` plus a NUL and returns the address.
    pub fn cstr(&mut self, bytes: &[u8]) -> u32 {
        let at = self.alloc(bytes.len() as u32 + 1);
        let s = self.mem.slice_mut(at, bytes.len()).unwrap_or_else(|e| panic!("harness memory full: {e:?}"));
        s.copy_from_slice(bytes);
        at
    }

    /// The NUL-terminated string at `p`.
    pub fn read_str(&self, p: u32) -> String {
        String::from_utf8_lossy(self.mem.c_str(p).unwrap_or_else(|e| panic!("bad string at {p:#x}: {e:?}")))
            .into_owned()
    }

    /// Calls native `name`; `fixed`: `Some(n)` for a variadic call with `n`
    /// fixed parameters.
    pub fn call_v(&mut self, name: &str, fixed: Option<u8>, args: &[V]) -> Result<u64, Trap> {
        let (params, raw): (Vec<ValType>, Vec<u64>) = args.iter().map(|a| a.split()).unzip();
        let ty = FuncType { params, result: Some(ValType::I32), variadic_fixed: fixed };
        let import = Import::func(ImportRef::Name(name.to_string()), 0);
        let id = self.host.resolve(&import, &ty).unwrap_or_else(|| panic!("the simulator has no {name}"));
        let mut ctx = HostCtx::new(&mut self.mem, &mut self.heap);
        self.host.call(id, &ty, &raw, &mut ctx)
    }

    pub fn call(&mut self, name: &str, args: &[V]) -> Result<u64, Trap> {
        self.call_v(name, None, args)
    }

    /// Stdout so far (flushed first).
    pub fn stdout(&mut self) -> String {
        let _ = self.host.flush();
        self.out.text()
    }

    pub fn stderr(&self) -> String {
        self.err.text()
    }
}

//! espb-runtime: the `.espb` module format and the virtual machine that runs
//! it. `no_std` + `alloc`, so the same crate runs inside ESP-IDF firmware, on
//! bare-metal RISC-V under QEMU, and on the PC.
//!
//! The modules follow the pipeline: [`isa`] (the instruction set: opcode
//! table and operand codec), [`format`] (the container: bytes <-> [`Module`],
//! and the flash partition header), [`verify`], [`disasm`], [`vm`] (instances
//! and the interpreter) with [`native`] (calling firmware functions),
//! [`symtab`] and [`chip`], and [`runner`], which does it all on a device.
//!
//! Flow: [`format::load`] decodes bytes and verifies them completely into a
//! [`VerifiedModule`] (decoding alone: [`format::decode`]); [`Instance::new`]
//! lays out its memory and resolves imports, without verifying again;
//! [`Instance::call`] runs a function ([`runner::run_module`] does all of
//! it on a device, with [`chip::Chip`]'s memory windows). A trap returns an
//! error; it never panics and never touches memory outside the instance.
#![cfg_attr(not(any(test, feature = "std")), no_std)]

extern crate alloc;

pub mod app;
pub mod chip;
pub mod disasm;
pub mod entry;
pub mod format;
pub mod isa;
pub mod module;
pub mod native;
pub mod os;
pub mod push;
pub mod runner;
pub mod signature;
pub mod symtab;
mod sync;
pub mod thunk;
pub mod verify;
pub mod vm;

pub use format::{LoadError, load};
pub use module::*;
pub use verify::VerifiedModule;
pub use vm::{
    Access, BYTES_PER_FUEL, Config, FirmwareWindows, Heap, Host, HostCtx, Instance, InstantiateError, Memory, NoHost,
    PC_MEMORY_BASE, TableLookupError, Trap, TrapKind, Window, describe_trap, device_limits,
};

//! The virtual machine: instances of verified modules and the interpreter
//! that runs them.
//!
//! - [`trap`](Trap): what stops a module and its description (a leaf: every
//!   other part reports through it);
//! - [`Memory`] and [`Heap`]: an instance's linear memory and private heap,
//!   and the firmware [`Window`]s a device module may reach (`firmware_heap`:
//!   the `heap_caps_*` blocks it holds);
//! - [`Host`]: the natives the firmware (or the PC simulator) provides;
//! - [`Config`]: limits and placement;
//! - [`Instance`]: instantiation (layout, relocations, imports) and calls;
//! - the interpreter loop and the C library builtins (`malloc`, `qsort`...).

mod builtins;
mod checked;
mod complex;
mod config;
pub(crate) mod context;
mod exec;
pub mod f128;
mod firmware_heap;
mod frame;
mod heap;
mod host;
mod instance;
mod memory;
mod meter;
#[cfg(feature = "op-stats")]
mod op_stats;
pub mod record;
pub(crate) mod resources;
mod trap;

pub use builtins::IDF_BUILTIN_SLOTS;
pub use checked::{SiteMismatch, mismatched_sites};
pub use config::{Config, DEFAULT_TASK_STACK, DEFAULT_TIME_SLICE, FirmwareWindows, device_limits};
pub(crate) use context::Gate;
pub use firmware_heap::IDF_HEAP_CAPS_SLOTS;
pub use heap::{HEAP_ALIGN, Heap, InvalidFree};
pub use host::{Host, HostCtx, NoHost, TableLookupError};
pub use instance::{CallError, Instance, InstantiateError, check_table};
pub use memory::{Access, FUNC_ADDR_BASE, IMPORT_ADDR_BASE, Memory, PC_MEMORY_BASE, Window};
pub use meter::BYTES_PER_FUEL;
#[cfg(feature = "op-stats")]
pub use op_stats::{op_pairs, reset_op_stats};
pub use trap::{Trap, TrapKind, describe_trap};

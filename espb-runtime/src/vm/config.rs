//! Instance limits and placement: the one configuration a firmware (or
//! the PC) gives a module, taken by [`Instance::new`](super::Instance::new),
//! [`App`](crate::app::App), [`crate::runner::run_module`] and the C API
//! (`espb_config_t`).

use super::memory::{PC_MEMORY_BASE, Window};
use alloc::vec::Vec;

/// Instance limits and placement.
#[derive(Clone, Debug)]
pub struct Config {
    /// Module address of the first byte of linear memory.
    pub memory_base: u32,
    /// Overrides the module's requested stack size.
    pub stack_size: Option<u32>,
    /// Overrides the module's requested heap size.
    pub heap_size: Option<u32>,
    /// Most nested calls before a stack-exhaustion trap.
    pub max_call_depth: usize,
    /// Most 64-bit registers on the register stack (all frames together):
    /// each frame takes its function's `num_regs` (more than 256, up to
    /// 4096, for a function the translator spilled) and the running one a
    /// 256-register window beyond.
    pub max_registers: usize,
    /// Instruction budget, counted at calls and backward branches.
    pub fuel: Option<u64>,
    /// Most bytes of linear memory (data + heap + stack) an instance may take.
    pub max_memory: u32,
    // [native-calls] (native/device.rs)
    /// Place linear memory at its own native address (`memory_base` is then
    /// ignored): on a device, module pointers are real pointers for natives.
    pub native_memory: bool,
    /// With `native_memory`: firmware regions the module may also reach at
    /// their real addresses, beyond what the symbol tables grant by
    /// themselves (data imports and natives' results, as their signatures
    /// size them; docs/native-calls.md "Firmware memory"). Empty in the
    /// templates. Everything else outside the module's own memory traps.
    pub firmware_windows: FirmwareWindows,
    /// Bytes of shadow stack (the module's C stack) for each further task
    /// that runs module code in an [`App`](crate::app::App), taken from the
    /// module's heap while the task runs it. The depth a module passes to
    /// `xTaskCreate` is for a native stack and says nothing about this one.
    pub task_stack_size: u32,
    /// Backward branches and calls an app's task interprets before it lets
    /// the app's other tasks run (its time slice; see docs/architecture.md).
    pub time_slice: u32,
    /// Most nested re-entries of the interpreter on one task (a qsort
    /// comparator that sorts again...): each level costs native stack
    /// (docs/architecture.md, "Limits").
    pub max_nesting: u32,
    /// Most callback thunks one module may take from the firmware's pool
    /// (its address-taken functions), so that one module cannot take them all.
    pub max_thunks: usize,
}

/// [`Config::task_stack_size`]'s default.
pub const DEFAULT_TASK_STACK: u32 = 4096;
/// [`Config::time_slice`]'s default.
pub const DEFAULT_TIME_SLICE: u32 = 20_000;

/// [`Config::device`]'s limits, for a chip with about 300 KB of free heap
/// (docs/architecture.md, "Limits", says what each costs).
pub mod device_limits {
    /// Linear memory (data + heap + stack) of one module: 128 KiB.
    pub const MAX_MEMORY: u32 = 128 << 10;
    /// Nested calls: each frame is 20 bytes of firmware heap on a 32-bit chip.
    pub const MAX_CALL_DEPTH: usize = 512;
    /// 64-bit registers of one task's register stack: 4096 = 32 KiB.
    pub const MAX_REGISTERS: usize = 4096;
    /// Nested re-entries: each takes as much native stack as a task needs
    /// to run module code (over 4 KiB under QEMU), so 1 + 2 levels fit the
    /// 16 KiB main task stack the templates configure.
    pub const MAX_NESTING: u32 = 2;
}

/// Firmware regions a native-memory module may reach at their real
/// addresses. Empty by default; only [`FirmwareWindows::new`], which is
/// unsafe, makes others, so a safe `Config` never grants raw access.
#[derive(Clone, Debug, Default)]
pub struct FirmwareWindows(Vec<Window>);

impl FirmwareWindows {
    /// Windows, e.g. the chip's DRAM and flash-mapped constants, read-only
    /// ([`crate::chip::Chip::firmware_windows`], a firmware's opt-in).
    ///
    /// # Safety
    /// Every window must be memory the module may read, and write where the
    /// window's [`super::Access`] says so, at those addresses for as long as
    /// an instance made with it lives.
    pub unsafe fn new(windows: &[Window]) -> FirmwareWindows {
        FirmwareWindows(windows.to_vec())
    }

    pub fn as_slice(&self) -> &[Window] {
        &self.0
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            memory_base: PC_MEMORY_BASE,
            stack_size: None,
            heap_size: None,
            max_call_depth: 10_000,
            max_registers: 1 << 20,
            fuel: None,
            max_memory: 16 << 20,
            native_memory: false, // [native-calls]
            firmware_windows: FirmwareWindows::default(),
            task_stack_size: DEFAULT_TASK_STACK,
            time_slice: DEFAULT_TIME_SLICE,
            max_nesting: 16,
            max_thunks: usize::MAX,
        }
    }
}

impl Config {
    /// A device's configuration: module memory at its native address with
    /// `windows` granted, and the limits of [`device_limits`] (fuel unlimited:
    /// tasks share the CPU by [`Config::time_slice`]). Change fields to
    /// set other limits: `Config { fuel: Some(1_000_000), ..Config::device(windows) }`.
    pub fn device(windows: FirmwareWindows) -> Config {
        Config {
            native_memory: true,
            firmware_windows: windows,
            max_memory: device_limits::MAX_MEMORY,
            max_call_depth: device_limits::MAX_CALL_DEPTH,
            max_registers: device_limits::MAX_REGISTERS,
            max_nesting: device_limits::MAX_NESTING,
            ..Config::default()
        }
    }
}

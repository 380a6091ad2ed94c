//! What the interpreter keeps per call: a suspended caller's frame and the
//! register window. Shared by the loop (exec) and the per-task contexts.

/// A call frame of a suspended caller.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frame {
    pub(super) func: u16,
    pub(super) ret_pc: usize,
    pub(super) base: usize,
    pub(super) ret_dst: crate::isa::operand::RegOff,
    pub(super) fp: u32,
    pub(super) sp: u32,
}

/// Register window: the current frame's registers. Every frame is given 256
/// slots of room so that a one-byte register number never leaves the slice.
pub(super) const WINDOW: usize = 256;

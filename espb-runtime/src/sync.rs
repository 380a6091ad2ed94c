//! Reference counting on every target: `alloc::sync::Arc` where the target
//! has atomic compare-and-swap, portable-atomic's `Arc` elsewhere
//! (riscv32imc: ESP32-C2/C3, single-core; see Cargo.toml). Only sized types
//! go in it, and trait objects through `Arc::from(Box<dyn ..>)`, which both
//! provide, so the same code builds for both.

#[cfg(target_has_atomic = "ptr")]
pub(crate) use alloc::sync::Arc;
#[cfg(not(target_has_atomic = "ptr"))]
pub(crate) use portable_atomic_util::Arc;

#[cfg(target_has_atomic = "ptr")]
pub(crate) use core::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize};
#[cfg(not(target_has_atomic = "ptr"))]
pub(crate) use portable_atomic::{AtomicU8, AtomicU32, AtomicUsize};

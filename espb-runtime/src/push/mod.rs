//! Live push: a new module arrives over any byte transport (the serial
//! console today; BLE, HTTP or MQTT the same way), goes into the inactive
//! one of two slots of the module partition, and replaces the running
//! module without a reset; one that fails to load, or traps within its
//! trial, is rolled back (docs/deploy.md).
//!
//! * [`frame`]: the wire format, shared with `cargo espb push`.
//! * [`slots`]: the A/B layout of the module partition and its boot log,
//!   over the firmware's [`Flash`].
//! * [`Loader`]: the firmware's end, sans I/O: bytes in ([`Loader::feed`]),
//!   replies out through [`Firmware::send`], modules run through
//!   [`Firmware::start`]/[`Firmware::stop`]. [`Loader::boot`] starts the
//!   last good slot.
//!
//! Order of a push: `Begin` (length, CRC, the module's table hashes: a
//! module for other tables, or too big for a slot, is refused before
//! anything is erased), `Data` chunks (each acknowledged), `End` (the CRC
//! is checked over what was written, then the slot's header is written,
//! a trial record logged, the running module unloaded and the new one
//! started). After [`LoaderConfig::trial_ms`] without a trap the slot is
//! recorded good (`Committed`); a failure in between starts the previous
//! slot again (`RolledBack`).

pub mod frame;
mod loader;
pub mod slots;

pub use loader::{Firmware, Loader, LoaderConfig, Phase, check_tables};
pub use slots::{Flash, FlashError, RamFlash};

#[cfg(test)]
mod tests;

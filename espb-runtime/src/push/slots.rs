//! The module partition as two slots (A/B) and a boot log (docs/deploy.md).
//!
//! ```text
//! | slot A: header + module | slot B: header + module | (unused) | boot log: 1 sector |
//! 0                         S                         2S          size - sector       size
//! ```
//!
//! `S` is half of what precedes the log (the partition's last sector),
//! rounded down to a sector. Each
//! slot holds what `cargo espb flash --module` writes at the partition's
//! start (the [`partition`](crate::format::partition) header, then the
//! module), so a flashed module is slot A. The log is a row of 16-byte
//! records, appended in order (flash bits only go from 1 to 0 between
//! erases):
//!
//! | offset | size | field                                       |
//! |--------|------|---------------------------------------------|
//! | 0      | 2    | magic `b"EL"`                               |
//! | 2      | 4    | sequence number (one more per record)       |
//! | 6      | 1    | slot (0 = A, 1 = B)                         |
//! | 7      | 1    | state: 1 trial, 2 good                      |
//! | 8      | 4    | CRC-32 of the slot's module (its header's)  |
//! | 12     | 4    | CRC-32 of bytes 0..12                       |
//!
//! A record cut short by a reset fails its CRC and is skipped. An erased
//! log means slot A; so does a slot A whose module is not the one the log
//! last named for it: `cargo espb flash --module` wrote it since.

use crate::format::partition::{HEADER_LEN, Header, PartitionError};
use alloc::vec;
use alloc::vec::Vec;

/// The module partition's flash, as the firmware reaches it
/// (`esp_partition_read/write/erase_range` on ESP-IDF). Offsets are from
/// the partition's start.
pub trait Flash {
    /// Bytes in the partition.
    fn size(&self) -> u32;
    /// Erase granularity in bytes (4096 on the ESP32 line).
    fn sector(&self) -> u32 {
        4096
    }
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), FlashError>;
    /// Writes into erased flash (bits go from 1 to 0 only).
    fn write(&mut self, offset: u32, data: &[u8]) -> Result<(), FlashError>;
    /// Erases `len` bytes from `offset`, both multiples of [`Flash::sector`].
    fn erase(&mut self, offset: u32, len: u32) -> Result<(), FlashError>;
}

/// A flash operation that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("flash {op} of {len} bytes at partition offset {offset:#x} failed")]
pub struct FlashError {
    pub op: &'static str,
    pub offset: u32,
    pub len: u32,
}

/// Flash simulated in RAM, with NOR semantics (a write can only clear
/// bits), so a missing erase shows up as a corrupted module.
pub struct RamFlash<'a> {
    pub bytes: &'a mut [u8],
    pub sector: u32,
}

impl RamFlash<'_> {
    fn range(&self, op: &'static str, offset: u32, len: usize) -> Result<core::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        let end = start.checked_add(len).filter(|&e| e <= self.bytes.len());
        end.map(|e| start..e).ok_or(FlashError { op, offset, len: len as u32 })
    }
}

impl Flash for RamFlash<'_> {
    fn size(&self) -> u32 {
        self.bytes.len() as u32
    }
    fn sector(&self) -> u32 {
        self.sector
    }
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), FlashError> {
        let r = self.range("read", offset, buf.len())?;
        buf.copy_from_slice(&self.bytes[r]);
        Ok(())
    }
    fn write(&mut self, offset: u32, data: &[u8]) -> Result<(), FlashError> {
        let r = self.range("write", offset, data.len())?;
        self.bytes[r].iter_mut().zip(data).for_each(|(f, d)| *f &= d);
        Ok(())
    }
    fn erase(&mut self, offset: u32, len: u32) -> Result<(), FlashError> {
        if !offset.is_multiple_of(self.sector) || !len.is_multiple_of(self.sector) {
            return Err(FlashError { op: "erase (unaligned)", offset, len });
        }
        let r = self.range("erase", offset, len as usize)?;
        self.bytes[r].fill(0xFF);
        Ok(())
    }
}

/// What a log record says of its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotState {
    /// Just written and started; not yet through its trial.
    Trial = 1,
    /// Through its trial (or rolled back to): boot from it.
    Good = 2,
}

/// One log record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub seq: u32,
    pub slot: u8,
    pub state: SlotState,
    /// The CRC-32 in the slot's header when the record was written.
    pub module_crc: u32,
}

const RECORD_MAGIC: [u8; 2] = *b"EL";
const RECORD_LEN: u32 = 16;

impl Record {
    fn encode(&self) -> [u8; RECORD_LEN as usize] {
        let mut r = [0xFFu8; RECORD_LEN as usize];
        r[0..2].copy_from_slice(&RECORD_MAGIC);
        r[2..6].copy_from_slice(&self.seq.to_le_bytes());
        r[6] = self.slot;
        r[7] = self.state as u8;
        r[8..12].copy_from_slice(&self.module_crc.to_le_bytes());
        let crc = crc32fast::hash(&r[..12]);
        r[12..16].copy_from_slice(&crc.to_le_bytes());
        r
    }

    fn decode(r: &[u8; RECORD_LEN as usize]) -> Option<Record> {
        let word = |i: usize| u32::from_le_bytes([r[i], r[i + 1], r[i + 2], r[i + 3]]);
        if r[0..2] != RECORD_MAGIC || crc32fast::hash(&r[..12]) != word(12) || r[6] > 1 {
            return None;
        }
        let state = match r[7] {
            1 => SlotState::Trial,
            2 => SlotState::Good,
            _ => return None,
        };
        Some(Record { seq: word(2), slot: r[6], state, module_crc: word(8) })
    }
}

/// Why the partition cannot hold two slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error(
        "the module partition ({size} bytes, {sector}-byte sectors) is too small for two slots and a boot log: give it at least {} bytes",
        5 * sector
    )]
    TooSmall { size: u32, sector: u32 },
}

/// The partition's geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Bytes per slot (header included).
    pub slot_size: u32,
    /// Where the log sector starts.
    pub log: u32,
    pub sector: u32,
}

impl Layout {
    /// The layout of a partition of `size` bytes with `sector`-byte sectors.
    pub fn new(size: u32, sector: u32) -> Result<Layout, LayoutError> {
        let too_small = LayoutError::TooSmall { size, sector };
        if sector == 0 || size / sector < 5 {
            return Err(too_small);
        }
        let log = (size / sector - 1) * sector;
        let slot_size = log / 2 / sector * sector;
        Ok(Layout { slot_size, log, sector })
    }

    /// Where `slot` (0 or 1) starts.
    pub fn slot_offset(&self, slot: u8) -> u32 {
        u32::from(slot.min(1)) * self.slot_size
    }

    /// The largest module a slot holds.
    pub fn capacity(&self) -> u32 {
        self.slot_size - HEADER_LEN as u32
    }
}

/// Why a slot holds no module.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error(transparent)]
    Flash(#[from] FlashError),
    #[error("slot {}: {error}", super::frame::slot_name(*slot))]
    Partition { slot: u8, error: PartitionError },
}

/// The two slots and the log over a [`Flash`].
pub struct Slots<F: Flash> {
    pub flash: F,
    pub layout: Layout,
    /// The newest valid record, and where the next one goes.
    last: Option<Record>,
    next_record: u32,
}

impl<F: Flash> Slots<F> {
    pub fn new(flash: F) -> Result<Slots<F>, LayoutError> {
        let layout = Layout::new(flash.size(), flash.sector())?;
        let mut s = Slots { flash, layout, last: None, next_record: 0 };
        s.scan();
        Ok(s)
    }

    /// Reads the log: the newest valid record, and the first free place.
    fn scan(&mut self) {
        let mut at = 0;
        let mut rec = [0u8; RECORD_LEN as usize];
        while at + RECORD_LEN <= self.layout.sector {
            if self.flash.read(self.layout.log + at, &mut rec).is_err() || rec.iter().all(|&b| b == 0xFF) {
                break;
            }
            at += RECORD_LEN;
        }
        self.next_record = at;
        self.last = self.newest(|_| true);
    }

    /// The newest valid record that `keep` accepts.
    fn newest(&self, keep: impl Fn(&Record) -> bool) -> Option<Record> {
        let mut best: Option<Record> = None;
        let mut rec = [0u8; RECORD_LEN as usize];
        for at in (0..self.next_record).step_by(RECORD_LEN as usize) {
            if self.flash.read(self.layout.log + at, &mut rec).is_ok()
                && let Some(r) = Record::decode(&rec)
                && keep(&r)
                && best.is_none_or(|b| r.seq > b.seq)
            {
                best = Some(r);
            }
        }
        best
    }

    /// The CRC in `slot`'s header, if it holds one.
    fn header_crc(&self, slot: u8) -> Option<u32> {
        let mut h = [0u8; HEADER_LEN];
        self.flash.read(self.layout.slot_offset(slot), &mut h).ok()?;
        Header::parse(&h).ok().map(|h| h.crc32)
    }

    /// Whether slot A holds a module the log never named for it: one
    /// `cargo espb flash --module` wrote after the last push.
    pub fn flashed_since(&self) -> bool {
        let Some(crc) = self.header_crc(0) else { return false };
        self.last.is_some() && self.newest(|r| r.slot == 0).is_none_or(|r| r.module_crc != crc)
    }

    /// The newest record (`None`: an erased log).
    pub fn last(&self) -> Option<Record> {
        self.last
    }

    /// Appends a record for `slot`; a full log is erased first and starts
    /// again with this record.
    pub fn record(&mut self, slot: u8, state: SlotState) -> Result<Record, FlashError> {
        // The first record names the flashed slot A too, so that a later
        // `flash --module` shows as a different module there.
        if self.last.is_none() && slot != 0 && self.header_crc(0).is_some() {
            self.record(0, SlotState::Good)?;
        }
        let module_crc = self.header_crc(slot).unwrap_or(0);
        let r = Record { seq: self.last.map_or(1, |l| l.seq.wrapping_add(1)), slot, state, module_crc };
        if self.next_record + RECORD_LEN > self.layout.sector {
            self.flash.erase(self.layout.log, self.layout.sector)?;
            self.next_record = 0;
        }
        self.flash.write(self.layout.log + self.next_record, &r.encode())?;
        self.next_record += RECORD_LEN;
        self.last = Some(r);
        Ok(r)
    }

    /// The newest slot recorded good before the newest record (`None`: no
    /// such record in the log).
    pub fn last_good(&self) -> Option<u8> {
        let last = self.last?;
        if last.state == SlotState::Good {
            return Some(last.slot);
        }
        self.newest(|r| r.state == SlotState::Good && r.seq < last.seq).map(|r| r.slot)
    }

    /// The module in `slot`, read and checked against its header.
    pub fn read_module(&self, slot: u8) -> Result<Vec<u8>, SlotError> {
        let base = self.layout.slot_offset(slot);
        let mut h = [0u8; HEADER_LEN];
        self.flash.read(base, &mut h)?;
        let part = |error| SlotError::Partition { slot, error };
        let header = Header::parse(&h).map_err(part)?;
        if header.length > self.layout.capacity() {
            return Err(part(PartitionError::TooLong {
                length: u64::from(header.length),
                available: u64::from(self.layout.capacity()),
            }));
        }
        let mut m = vec![0u8; header.length as usize];
        self.flash.read(base + HEADER_LEN as u32, &mut m)?;
        header.check(&m).map_err(part)?;
        Ok(m)
    }

    /// Erases what a module of `length` bytes needs in `slot` (its header
    /// included: the slot holds no module until [`Slots::seal`]).
    pub fn erase_for(&mut self, slot: u8, length: u32) -> Result<(), FlashError> {
        let s = self.layout.sector;
        let len = (length + HEADER_LEN as u32).div_ceil(s) * s;
        self.flash.erase(self.layout.slot_offset(slot), len.min(self.layout.slot_size))
    }

    /// Writes module bytes at `offset` of the module in `slot`.
    pub fn write_module(&mut self, slot: u8, offset: u32, bytes: &[u8]) -> Result<(), FlashError> {
        self.flash.write(self.layout.slot_offset(slot) + HEADER_LEN as u32 + offset, bytes)
    }

    /// Checks the `length` bytes written to `slot` against `crc32`, then
    /// writes the header that makes them a module. Returns the CRC found.
    pub fn seal(&mut self, slot: u8, length: u32, crc32: u32) -> Result<Result<(), u32>, FlashError> {
        let base = self.layout.slot_offset(slot);
        let mut h = crc32fast::Hasher::new();
        let mut buf = [0u8; 256];
        let mut at = 0;
        while at < length {
            let n = (length - at).min(buf.len() as u32) as usize;
            self.flash.read(base + HEADER_LEN as u32 + at, &mut buf[..n])?;
            h.update(&buf[..n]);
            at += n as u32;
        }
        let computed = h.finalize();
        if computed != crc32 {
            return Ok(Err(computed));
        }
        self.flash.write(base, &Header { length, crc32 }.encode())?;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::partition;

    fn flash(mem: &mut [u8]) -> RamFlash<'_> {
        mem.fill(0xFF);
        RamFlash { bytes: mem, sector: 256 }
    }

    #[test]
    fn layout_splits_the_partition() {
        let l = Layout::new(256 * 1024, 4096).unwrap();
        // 63 sectors before the log: 31 per slot.
        assert_eq!(l.slot_size, 124 * 1024);
        assert_eq!(l.log, 252 * 1024);
        assert_eq!(l.capacity(), 124 * 1024 - 16);
        assert_eq!(Layout::new(4 * 4096, 4096), Err(LayoutError::TooSmall { size: 4 * 4096, sector: 4096 }));
    }

    #[test]
    fn flashed_module_is_slot_a_and_records_pick_later_slots() {
        let mut mem = [0u8; 256 * 8];
        let mut f = flash(&mut mem);
        f.write(0, &partition::wrap(b"module one").unwrap()).unwrap();
        let mut s = Slots::new(f).unwrap();
        assert_eq!(s.last(), None);
        assert_eq!(s.read_module(0).unwrap(), b"module one");
        assert!(matches!(s.read_module(1), Err(SlotError::Partition { slot: 1, error: PartitionError::Erased })));
        s.erase_for(1, 5).unwrap();
        s.write_module(1, 0, b"two!!").unwrap();
        assert_eq!(s.seal(1, 5, 1).unwrap(), Err(crc32fast::hash(b"two!!")));
        s.seal(1, 5, crc32fast::hash(b"two!!")).unwrap().unwrap();
        assert_eq!(s.read_module(1).unwrap(), b"two!!");
        s.record(1, SlotState::Trial).unwrap();
        // A reset during the trial: the last good slot is A (the first
        // record names it).
        let Slots { flash, .. } = s;
        let s = Slots::new(flash).unwrap();
        let trial = Record { seq: 2, slot: 1, state: SlotState::Trial, module_crc: crc32fast::hash(b"two!!") };
        assert_eq!(s.last(), Some(trial));
        assert_eq!(s.last_good(), Some(0));
        assert!(!s.flashed_since());
        let mut s = s;
        s.record(1, SlotState::Good).unwrap();
        s.record(0, SlotState::Trial).unwrap();
        assert_eq!(s.last_good(), Some(1));
    }

    #[test]
    fn a_full_log_starts_again_and_a_torn_record_is_skipped() {
        let mut mem = [0u8; 256 * 8];
        let mut s = Slots::new(flash(&mut mem)).unwrap();
        for i in 0..40u32 {
            s.record((i % 2) as u8, SlotState::Good).unwrap();
        }
        let last = Record { seq: 40, slot: 1, state: SlotState::Good, module_crc: 0 };
        assert_eq!(s.last(), Some(last));
        // A torn write: half a record.
        let at = s.layout.log + s.next_record;
        s.flash.write(at, &Record { seq: 41, ..last }.encode()[..8]).unwrap();
        let Slots { flash, .. } = s;
        let s = Slots::new(flash).unwrap();
        assert_eq!(s.last(), Some(last));
    }

    #[test]
    fn a_write_without_erase_is_caught_by_the_crc() {
        let mut mem = [0u8; 256 * 8];
        let mut f = flash(&mut mem);
        f.write(0, &partition::wrap(b"first").unwrap()).unwrap();
        let mut s = Slots::new(f).unwrap();
        s.write_module(0, 0, b"secnd").unwrap();
        assert!(s.seal(0, 5, crc32fast::hash(b"secnd")).unwrap().is_err());
    }
}

//! The live-push wire format (docs/deploy.md), shared by `cargo espb push`
//! and the firmware's [`Loader`](super::Loader): frames, and the requests
//! and replies they carry. One definition serves both ends.
//!
//! A frame (all integers little-endian):
//!
//! | offset | size | field                                              |
//! |--------|------|----------------------------------------------------|
//! | 0      | 4    | magic [`MAGIC`] (`AB 45 50 55`, `\xABEPU`)          |
//! | 4      | 1    | kind (a [`Request`] or [`Reply`] code)             |
//! | 5      | 2    | sequence number (a reply repeats its request's)   |
//! | 7      | 2    | payload length (at most [`MAX_PAYLOAD`])           |
//! | 9      | n    | payload                                            |
//! | 9 + n  | 4    | CRC-32 (IEEE) of bytes 4 .. 9 + n                  |
//!
//! Frames share the serial console with text (logs, the module's
//! `printf`): [`Decoder`] passes every byte that is not part of a frame
//! through as text, and finds the next frame by its magic, whose first
//! byte is never the first byte of a UTF-8 character.

use crate::module::TableRef;
use alloc::string::String;
use alloc::vec::Vec;

/// First bytes of every frame.
pub const MAGIC: [u8; 4] = [0xAB, b'E', b'P', b'U'];
/// Magic, kind, sequence number, length.
pub const HEADER_LEN: usize = 9;
/// Largest payload: a [`Request::Data`] chunk of [`CHUNK`] bytes and its offset fit.
pub const MAX_PAYLOAD: usize = 2048;
/// Module bytes per [`Request::Data`] frame as `cargo espb push` sends them.
pub const CHUNK: usize = 1024;

/// A frame's kind and payload, decoded from bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub kind: u8,
    pub seq: u16,
    pub payload: Vec<u8>,
}

/// The bytes of a frame; payloads longer than [`MAX_PAYLOAD`] are cut
/// there (no request or reply built here is that long).
pub fn encode(kind: u8, seq: u16, payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(MAX_PAYLOAD)];
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + 4);
    out.extend_from_slice(&MAGIC);
    out.push(kind);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out[4..]);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A frame that was started (its magic seen) but is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a frame claims a {len}-byte payload; at most {MAX_PAYLOAD} are allowed")]
    TooLong { len: u16 },
    #[error(
        "a frame's CRC-32 does not match (computed {computed:#010x}, sent {sent:#010x}): bytes were lost or changed on the line"
    )]
    Crc { sent: u32, computed: u32 },
}

/// What [`Decoder::feed`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Frame(Frame),
    Error(FrameError),
}

/// Splits a byte stream into frames and text. Never panics; memory is
/// bounded by one frame.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Bytes of the frame being read (from its magic on).
    buf: Vec<u8>,
    /// Bytes that were not part of a frame, for [`Decoder::take_text`].
    text: Vec<u8>,
}

impl Decoder {
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Feeds one byte; a complete frame or a broken one is reported once.
    pub fn feed(&mut self, b: u8) -> Option<Event> {
        let n = self.buf.len();
        if n < MAGIC.len() {
            if b == MAGIC[n] {
                self.buf.push(b);
            } else {
                // Not a frame after all: what was held is text.
                self.text.append(&mut self.buf);
                if b == MAGIC[0] {
                    self.buf.push(b);
                } else {
                    self.text.push(b);
                }
            }
            return None;
        }
        self.buf.push(b);
        if self.buf.len() < HEADER_LEN {
            return None;
        }
        let len = u16::from_le_bytes([self.buf[7], self.buf[8]]);
        if usize::from(len) > MAX_PAYLOAD {
            self.buf.clear();
            return Some(Event::Error(FrameError::TooLong { len }));
        }
        let total = HEADER_LEN + usize::from(len) + 4;
        if self.buf.len() < total {
            return None;
        }
        let body = &self.buf[4..total - 4];
        let computed = crc32fast::hash(body);
        let t = &self.buf[total - 4..total];
        let sent = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let ev = if computed == sent {
            Event::Frame(Frame {
                kind: self.buf[4],
                seq: u16::from_le_bytes([self.buf[5], self.buf[6]]),
                payload: self.buf[HEADER_LEN..total - 4].to_vec(),
            })
        } else {
            Event::Error(FrameError::Crc { sent, computed })
        };
        self.buf.clear();
        Some(ev)
    }

    /// Bytes seen so far that were not part of a frame.
    pub fn take_text(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.text)
    }

    /// Whether a frame has been started and not finished.
    pub fn in_frame(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Forgets a started frame (the sender went quiet in the middle of it).
    pub fn reset(&mut self) {
        self.buf.clear();
    }
}

/// Request kinds (host to firmware).
pub mod kind {
    pub const HELLO: u8 = 0x01;
    pub const BEGIN: u8 = 0x02;
    pub const DATA: u8 = 0x03;
    pub const END: u8 = 0x04;
    pub const ABORT: u8 = 0x05;
    pub const ACK: u8 = 0x81;
    pub const REFUSED: u8 = 0x82;
    pub const STARTED: u8 = 0x83;
    pub const COMMITTED: u8 = 0x84;
    pub const ROLLED_BACK: u8 = 0x85;
    pub const STATUS: u8 = 0x86;
}

/// What the host asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Asks for a [`Reply::Status`].
    Hello,
    /// A module of `length` bytes with CRC-32 `crc32` follows; it imports
    /// from `tables` (checked before anything is written).
    Begin { length: u32, crc32: u32, tables: Vec<TableRef> },
    /// Module bytes from `offset` on.
    Data { offset: u32, bytes: Vec<u8> },
    /// All bytes sent: check, switch to the new module.
    End,
    /// Forget the transfer in progress.
    Abort,
}

/// Why a request was not followed. Codes are part of the wire format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the firmware is busy: {0}; wait for it to finish, or `cargo espb push --abort`")]
    Busy(String),
    #[error(
        "the module is {length} bytes; a slot of the module partition holds at most {capacity}: make the partition bigger or the module smaller"
    )]
    TooLarge { length: u32, capacity: u32 },
    #[error("the module does not fit this firmware's symbol tables: {0}; nothing was written")]
    Tables(String),
    #[error("the push was truncated: {got} of {expected} module bytes arrived; nothing was switched")]
    Truncated { got: u32, expected: u32 },
    #[error("the module arrived corrupted (CRC-32 {computed:#010x}, announced {expected:#010x}); nothing was switched")]
    Corrupt { expected: u32, computed: u32 },
    #[error("no push in progress (it was aborted, timed out or never begun)")]
    NotReceiving,
    #[error("module bytes at offset {offset}, expected offset {expected}")]
    OutOfOrder { offset: u32, expected: u32 },
    #[error("a corrupted frame arrived: {0}")]
    BadFrame(String),
    #[error("a malformed request (kind {0:#04x})")]
    BadRequest(u8),
    #[error("flash: {0}")]
    Flash(String),
}

impl Refusal {
    fn code(&self) -> (u8, u32, u32, &str) {
        match self {
            Refusal::Busy(s) => (1, 0, 0, s),
            Refusal::TooLarge { length, capacity } => (2, *length, *capacity, ""),
            Refusal::Tables(s) => (3, 0, 0, s),
            Refusal::Truncated { got, expected } => (4, *got, *expected, ""),
            Refusal::Corrupt { expected, computed } => (5, *expected, *computed, ""),
            Refusal::NotReceiving => (6, 0, 0, ""),
            Refusal::OutOfOrder { offset, expected } => (7, *offset, *expected, ""),
            Refusal::BadFrame(s) => (8, 0, 0, s),
            Refusal::BadRequest(k) => (9, u32::from(*k), 0, ""),
            Refusal::Flash(s) => (10, 0, 0, s),
        }
    }

    fn from_code(code: u8, a: u32, b: u32, s: String) -> Option<Refusal> {
        Some(match code {
            1 => Refusal::Busy(s),
            2 => Refusal::TooLarge { length: a, capacity: b },
            3 => Refusal::Tables(s),
            4 => Refusal::Truncated { got: a, expected: b },
            5 => Refusal::Corrupt { expected: a, computed: b },
            6 => Refusal::NotReceiving,
            7 => Refusal::OutOfOrder { offset: a, expected: b },
            8 => Refusal::BadFrame(s),
            9 => Refusal::BadRequest(a as u8),
            10 => Refusal::Flash(s),
            _ => return None,
        })
    }
}

/// What the firmware answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Done; send module bytes from `next` on.
    Ack {
        next: u32,
    },
    Refused(Refusal),
    /// The new module in `slot` runs; its trial period of `trial_ms` begins.
    Started {
        slot: u8,
        trial_ms: u32,
    },
    /// The new module survived its trial: `slot` is the one booted from now on.
    Committed {
        slot: u8,
    },
    /// The new module failed (`reason`); the module of `slot` runs again
    /// (`None`: there was none to go back to).
    RolledBack {
        slot: Option<u8>,
        reason: String,
    },
    /// The running slot (`None`: nothing runs), the slot capacity, and a
    /// line of state.
    Status {
        slot: Option<u8>,
        capacity: u32,
        text: String,
    },
}

/// Little-endian reads that fail instead of panicking.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (h, t) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = t;
        Some(h)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        let b = self.bytes(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn rest_str(&mut self) -> String {
        let s = String::from_utf8_lossy(self.0).into_owned();
        self.0 = &[];
        s
    }
    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

const NO_SLOT: u8 = 0xFF;

impl Request {
    /// The frame of this request.
    pub fn encode(&self, seq: u16) -> Vec<u8> {
        let mut p = Vec::new();
        let k = match self {
            Request::Hello => kind::HELLO,
            Request::Begin { length, crc32, tables } => {
                p.extend_from_slice(&length.to_le_bytes());
                p.extend_from_slice(&crc32.to_le_bytes());
                p.push(tables.len().min(255) as u8);
                for t in tables.iter().take(255) {
                    let name = &t.name.as_bytes()[..t.name.len().min(255)];
                    p.push(name.len() as u8);
                    p.extend_from_slice(name);
                    p.extend_from_slice(&t.count.to_le_bytes());
                    p.extend_from_slice(&t.hash.to_le_bytes());
                }
                kind::BEGIN
            }
            Request::Data { offset, bytes } => {
                p.extend_from_slice(&offset.to_le_bytes());
                p.extend_from_slice(bytes);
                kind::DATA
            }
            Request::End => kind::END,
            Request::Abort => kind::ABORT,
        };
        encode(k, seq, &p)
    }

    /// The request a frame carries; `None` for an unknown kind or a
    /// malformed payload.
    pub fn decode(f: &Frame) -> Option<Request> {
        let mut r = Reader(&f.payload);
        let req = match f.kind {
            kind::HELLO => Request::Hello,
            kind::BEGIN => {
                let (length, crc32) = (r.u32()?, r.u32()?);
                let n = r.u8()?;
                let mut tables = Vec::new();
                for _ in 0..n {
                    let len = r.u8()?;
                    let name = core::str::from_utf8(r.bytes(usize::from(len))?).ok()?.into();
                    tables.push(TableRef { name, count: r.u32()?, hash: r.u32()? });
                }
                Request::Begin { length, crc32, tables }
            }
            kind::DATA => {
                let offset = r.u32()?;
                Request::Data { offset, bytes: r.bytes(r.0.len())?.to_vec() }
            }
            kind::END => Request::End,
            kind::ABORT => Request::Abort,
            _ => return None,
        };
        r.end()?;
        Some(req)
    }
}

impl Reply {
    /// The frame of this reply to request `seq`.
    pub fn encode(&self, seq: u16) -> Vec<u8> {
        let mut p = Vec::new();
        let slot = |s: Option<u8>| s.unwrap_or(NO_SLOT);
        let k = match self {
            Reply::Ack { next } => {
                p.extend_from_slice(&next.to_le_bytes());
                kind::ACK
            }
            Reply::Refused(why) => {
                let (code, a, b, s) = why.code();
                p.push(code);
                p.extend_from_slice(&a.to_le_bytes());
                p.extend_from_slice(&b.to_le_bytes());
                p.extend_from_slice(s.as_bytes());
                kind::REFUSED
            }
            Reply::Started { slot, trial_ms } => {
                p.push(*slot);
                p.extend_from_slice(&trial_ms.to_le_bytes());
                kind::STARTED
            }
            Reply::Committed { slot } => {
                p.push(*slot);
                kind::COMMITTED
            }
            Reply::RolledBack { slot: s, reason } => {
                p.push(slot(*s));
                p.extend_from_slice(reason.as_bytes());
                kind::ROLLED_BACK
            }
            Reply::Status { slot: s, capacity, text } => {
                p.push(slot(*s));
                p.extend_from_slice(&capacity.to_le_bytes());
                p.extend_from_slice(text.as_bytes());
                kind::STATUS
            }
        };
        encode(k, seq, &p)
    }

    /// The reply a frame carries; `None` for an unknown kind or a malformed
    /// payload.
    pub fn decode(f: &Frame) -> Option<Reply> {
        let mut r = Reader(&f.payload);
        let slot = |s: u8| (s != NO_SLOT).then_some(s);
        let reply = match f.kind {
            kind::ACK => Reply::Ack { next: r.u32()? },
            kind::REFUSED => {
                let (code, a, b) = (r.u8()?, r.u32()?, r.u32()?);
                Reply::Refused(Refusal::from_code(code, a, b, r.rest_str())?)
            }
            kind::STARTED => Reply::Started { slot: r.u8()?, trial_ms: r.u32()? },
            kind::COMMITTED => Reply::Committed { slot: r.u8()? },
            kind::ROLLED_BACK => Reply::RolledBack { slot: slot(r.u8()?), reason: r.rest_str() },
            kind::STATUS => Reply::Status { slot: slot(r.u8()?), capacity: r.u32()?, text: r.rest_str() },
            _ => return None,
        };
        r.end()?;
        Some(reply)
    }
}

/// The letter users see for a slot (`A`, `B`).
pub fn slot_name(slot: u8) -> char {
    match slot {
        0 => 'A',
        1 => 'B',
        _ => '?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn decode_all(bytes: &[u8]) -> (Vec<Event>, Vec<u8>) {
        let mut d = Decoder::new();
        let events = bytes.iter().filter_map(|&b| d.feed(b)).collect();
        (events, d.take_text())
    }

    fn requests() -> Vec<Request> {
        vec![
            Request::Hello,
            Request::Begin {
                length: 1234,
                crc32: 0xdead_beef,
                tables: vec![
                    TableRef { name: "idf".into(), hash: 0x1234_5678, count: 300 },
                    TableRef { name: "custom".into(), hash: 7, count: 2 },
                ],
            },
            Request::Data { offset: 1024, bytes: vec![0xAB; CHUNK] },
            Request::Data { offset: 0, bytes: b"\xABEPU inside".to_vec() },
            Request::End,
            Request::Abort,
        ]
    }

    fn replies() -> Vec<Reply> {
        vec![
            Reply::Ack { next: 77 },
            Reply::Refused(Refusal::TooLarge { length: 9, capacity: 8 }),
            Reply::Refused(Refusal::Busy("a push is in progress".into())),
            Reply::Refused(Refusal::Corrupt { expected: 1, computed: 2 }),
            Reply::Started { slot: 1, trial_ms: 500 },
            Reply::Committed { slot: 0 },
            Reply::RolledBack { slot: Some(0), reason: "trap: unreachable".into() },
            Reply::RolledBack { slot: None, reason: String::new() },
            Reply::Status { slot: None, capacity: 4096, text: "idle".into() },
        ]
    }

    #[test]
    fn requests_and_replies_round_trip_between_text() {
        let mut stream = b"boot log line\n".to_vec();
        for (i, r) in requests().iter().enumerate() {
            stream.extend(r.encode(i as u16));
            stream.extend_from_slice(b"printf \xAB\xAB in between\n");
        }
        let (events, text) = decode_all(&stream);
        let got: Vec<Request> = events
            .iter()
            .map(|e| match e {
                Event::Frame(f) => Request::decode(f).expect("a request"),
                Event::Error(e) => panic!("{e}"),
            })
            .collect();
        assert_eq!(got, requests());
        let expected_text: Vec<u8> = [&b"boot log line\n"[..]]
            .into_iter()
            .chain(core::iter::repeat_n(&b"printf \xAB\xAB in between\n"[..], 6))
            .flatten()
            .copied()
            .collect();
        assert_eq!(text, expected_text);
        for (i, r) in replies().iter().enumerate() {
            let (events, _) = decode_all(&r.encode(i as u16));
            let Event::Frame(f) = &events[0] else { panic!("{events:?}") };
            assert_eq!(f.seq, i as u16);
            assert_eq!(Reply::decode(f).as_ref(), Some(r));
        }
    }

    #[test]
    fn corrupted_and_oversized_frames_are_reported_and_skipped() {
        let good = Request::End.encode(3);
        let mut bad = Request::Data { offset: 0, bytes: b"module".to_vec() }.encode(2);
        let last = bad.len() - 6;
        bad[last] ^= 0x10;
        let mut too_long = Request::Hello.encode(1);
        too_long[7..9].copy_from_slice(&(MAX_PAYLOAD as u16 + 1).to_le_bytes());
        let stream = [bad, too_long[..HEADER_LEN].to_vec(), good].concat();
        let (events, _) = decode_all(&stream);
        assert!(matches!(events[0], Event::Error(FrameError::Crc { .. })), "{events:?}");
        assert_eq!(events[1], Event::Error(FrameError::TooLong { len: MAX_PAYLOAD as u16 + 1 }));
        assert!(matches!(&events[2], Event::Frame(f) if f.kind == kind::END && f.seq == 3));
    }

    #[test]
    fn malformed_payloads_are_none() {
        let f = |kind, payload: &[u8]| Frame { kind, seq: 0, payload: payload.to_vec() };
        assert_eq!(Request::decode(&f(kind::BEGIN, &[1, 2, 3])), None);
        assert_eq!(Request::decode(&f(kind::BEGIN, &[0, 0, 0, 0, 0, 0, 0, 0, 1, 5, b'i'])), None);
        assert_eq!(Request::decode(&f(kind::END, &[1])), None);
        assert_eq!(Request::decode(&f(0x7f, &[])), None);
        assert_eq!(Reply::decode(&f(kind::REFUSED, &[99, 0, 0, 0, 0, 0, 0, 0, 0])), None);
        assert_eq!(Reply::decode(&f(kind::ACK, &[1, 2])), None);
    }

    proptest! {
        /// Random bytes, and valid frames with random corruption, never
        /// panic the decoder; an unchanged frame among them is always found.
        #[test]
        fn decoder_survives_noise(noise in proptest::collection::vec(any::<u8>(), 0..600),
                                  flips in proptest::collection::vec((any::<usize>(), 0u8..8), 0..4),
                                  cut in any::<usize>()) {
            let frame = Request::Data { offset: 5, bytes: noise.clone() }.encode(9);
            let mut broken = frame.clone();
            for (i, bit) in &flips {
                let i = i % broken.len();
                broken[i] ^= 1 << bit;
            }
            let cut = cut % (broken.len() + 1);
            for stream in [noise.clone(), broken.clone(), broken[..cut].to_vec()] {
                let (events, _) = decode_all(&stream);
                for e in events {
                    if let Event::Frame(f) = e {
                        let _ = Request::decode(&f);
                        let _ = Reply::decode(&f);
                    }
                }
            }
            // Noise that ends in the middle of a magic can swallow the start
            // of the frame after it only if a frame had begun: a reset
            // (the loader's idle timeout) recovers.
            let mut d = Decoder::new();
            for &b in &broken[..cut] { let _ = d.feed(b); }
            d.reset();
            let found: Vec<Event> = frame.iter().filter_map(|&b| d.feed(b)).collect();
            prop_assert_eq!(found.len(), 1);
            let expected = Some(Request::Data { offset: 5, bytes: noise.clone() });
            prop_assert!(matches!(&found[0], Event::Frame(f) if Request::decode(f) == expected), "{:?}", found);
        }
    }
}

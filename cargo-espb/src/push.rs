//! `cargo espb push`: a module into a running firmware over its serial
//! console, without a reset (docs/deploy.md). The wire format is
//! espb-runtime's [`espb_runtime::push::frame`], the same code the
//! firmware's loader decodes with; this is the host's end: send a
//! request, wait for its reply, print what else the device says.

use espb_runtime::push::frame::{CHUNK, Decoder, Event, Refusal, Reply, Request, slot_name};
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// How long a reply may take. The device writes flash between replies
/// (erasing a slot takes up to a second or two on a real chip).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// What went wrong with a push. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the module is not a valid .espb module: {0}; build it again with `cargo espb build`")]
    InvalidModule(espb_runtime::LoadError),
    #[error(
        "the module is {length} bytes, but a slot of the device's module partition holds at most {capacity}: \
         nothing was sent; make the partition bigger (partitions.csv) or the module smaller"
    )]
    TooLarge { length: u32, capacity: u32 },
    #[error("the device refused the push: {0}")]
    Refused(Refusal),
    #[error(
        "no answer from the firmware within {} s (waiting for the reply to {what}): is the firmware's push \
         loader on this port's console (docs/deploy.md), at this baud rate?",
        .waited.as_secs()
    )]
    NoAnswer { what: &'static str, waited: Duration },
    #[error("the serial port failed: {0}; was the device disconnected?")]
    Io(#[source] std::io::Error),
    #[error("the device answered {what} with an unexpected {reply:?}")]
    Unexpected { what: &'static str, reply: Reply },
}

/// How a push ended on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The new module runs from `slot` and passed its trial.
    Committed { slot: u8 },
    /// The new module failed (`reason`); the one of `slot` runs again.
    RolledBack { slot: Option<u8>, reason: String },
}

/// What a device said of its loader ([`Session::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub slot: Option<u8>,
    pub capacity: u32,
    pub text: String,
}

/// Where text that is not a frame goes.
type Echo<'e> = Box<dyn FnMut(&[u8]) + 'e>;

/// A conversation with a firmware's loader over `port` (any byte stream
/// whose reads time out: a serial port, a socket). Text that is not a frame
/// (the device's log, the module's output) goes to `echo`.
pub struct Session<'e, P: Read + Write> {
    port: P,
    decoder: Decoder,
    seq: u16,
    echo: Echo<'e>,
}

impl<'e, P: Read + Write> Session<'e, P> {
    pub fn new(port: P, echo: impl FnMut(&[u8]) + 'e) -> Self {
        Session { port, decoder: Decoder::new(), seq: 0, echo: Box::new(echo) }
    }

    /// Sends `req` and waits for its reply; a frame the device received
    /// corrupted is sent again (twice at most), as is a data chunk whose
    /// reply did not come.
    fn ask(&mut self, req: &Request, what: &'static str, timeout: Duration) -> Result<Reply, PushError> {
        self.seq = self.seq.wrapping_add(1).max(1);
        let frame = req.encode(self.seq);
        let retry_on_silence = matches!(req, Request::Data { .. } | Request::Hello);
        let mut tries = 0;
        loop {
            tries += 1;
            self.port.write_all(&frame).and_then(|()| self.port.flush()).map_err(PushError::Io)?;
            match self.wait(self.seq, what, timeout) {
                Ok(Reply::Refused(Refusal::BadFrame(_))) if tries < 3 => continue,
                Err(PushError::NoAnswer { .. }) if retry_on_silence && tries < 3 => continue,
                r => return r,
            }
        }
    }

    /// The next reply to request `seq` (or a corrupted-frame report, which
    /// carries no sequence number); other frames are dropped.
    fn wait(&mut self, seq: u16, what: &'static str, timeout: Duration) -> Result<Reply, PushError> {
        let start = Instant::now();
        let mut buf = [0u8; 512];
        while start.elapsed() < timeout {
            let n = match self.port.read(&mut buf) {
                Ok(0) => {
                    std::thread::sleep(Duration::from_millis(5));
                    0
                }
                Ok(n) => n,
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => 0,
                Err(e) => return Err(PushError::Io(e)),
            };
            let mut found = None;
            for &b in &buf[..n] {
                if let Some(Event::Frame(f)) = self.decoder.feed(b)
                    && let Some(r) = Reply::decode(&f)
                    && found.is_none()
                    && (f.seq == seq || matches!(r, Reply::Refused(Refusal::BadFrame(_))))
                {
                    found = Some(r);
                }
            }
            let text = self.decoder.take_text();
            if !text.is_empty() {
                (self.echo)(&text);
            }
            if let Some(r) = found {
                return Ok(r);
            }
        }
        Err(PushError::NoAnswer { what, waited: timeout })
    }

    /// Sends any request and returns its reply (for tools and tests that
    /// speak the protocol themselves).
    pub fn request(&mut self, req: &Request) -> Result<Reply, PushError> {
        self.ask(req, "a request", REPLY_TIMEOUT)
    }

    /// The loader's state.
    pub fn status(&mut self) -> Result<Status, PushError> {
        match self.ask(&Request::Hello, "hello", REPLY_TIMEOUT)? {
            Reply::Status { slot, capacity, text } => Ok(Status { slot, capacity, text }),
            reply => Err(PushError::Unexpected { what: "hello", reply }),
        }
    }

    /// Tells the loader to forget a push in progress.
    pub fn abort(&mut self) -> Result<(), PushError> {
        match self.ask(&Request::Abort, "abort", REPLY_TIMEOUT)? {
            Reply::Ack { .. } => Ok(()),
            reply => Err(PushError::Unexpected { what: "abort", reply }),
        }
    }

    /// Pushes `module` (checked here first: a valid module that fits the
    /// device's slot), reporting `progress(sent, total)`, and waits until
    /// the device committed it or rolled it back.
    pub fn push(&mut self, module: &[u8], progress: &mut dyn FnMut(u32, u32)) -> Result<Outcome, PushError> {
        let decoded = espb_runtime::load(module).map_err(PushError::InvalidModule)?;
        let length = module.len() as u32;
        let status = self.status()?;
        if length > status.capacity {
            return Err(PushError::TooLarge { length, capacity: status.capacity });
        }
        let begin = Request::Begin { length, crc32: crc32fast::hash(module), tables: decoded.tables.clone() };
        self.expect_ack(&begin, "the start of the push")?;
        progress(0, length);
        for (i, chunk) in module.chunks(CHUNK).enumerate() {
            let offset = (i * CHUNK) as u32;
            let next = self.expect_ack(&Request::Data { offset, bytes: chunk.to_vec() }, "module bytes")?;
            let end = offset + chunk.len() as u32;
            if next != end {
                return Err(PushError::Refused(Refusal::OutOfOrder { offset: end, expected: next }));
            }
            progress(end, length);
        }
        let trial = match self.ask(&Request::End, "the end of the push", REPLY_TIMEOUT)? {
            Reply::Started { trial_ms, .. } => Duration::from_millis(u64::from(trial_ms)),
            Reply::RolledBack { slot, reason } => return Ok(Outcome::RolledBack { slot, reason }),
            Reply::Refused(r) => return Err(PushError::Refused(r)),
            reply => return Err(PushError::Unexpected { what: "the end of the push", reply }),
        };
        match self.wait(self.seq, "the new module's trial", trial + REPLY_TIMEOUT)? {
            Reply::Committed { slot } => Ok(Outcome::Committed { slot }),
            Reply::RolledBack { slot, reason } => Ok(Outcome::RolledBack { slot, reason }),
            reply => Err(PushError::Unexpected { what: "the new module's trial", reply }),
        }
    }

    /// Sends a request that must be acknowledged; the offset acknowledged.
    fn expect_ack(&mut self, req: &Request, what: &'static str) -> Result<u32, PushError> {
        match self.ask(req, what, REPLY_TIMEOUT)? {
            Reply::Ack { next } => Ok(next),
            Reply::Refused(r) => Err(PushError::Refused(r)),
            reply => Err(PushError::Unexpected { what, reply }),
        }
    }

    /// Reads for `time`, echoing what arrives (the module's first lines).
    pub fn listen(&mut self, time: Duration) -> Result<(), PushError> {
        match self.wait(0, "nothing", time) {
            Ok(_) | Err(PushError::NoAnswer { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The outcome in words.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Committed { slot } => {
            format!("the new module runs from slot {} and passed its trial", slot_name(*slot))
        }
        Outcome::RolledBack { slot: Some(s), reason } => {
            format!("the new module failed ({reason}); the previous one (slot {}) runs again", slot_name(*s))
        }
        Outcome::RolledBack { slot: None, reason } => format!("the new module failed ({reason}); nothing runs"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use espb_runtime::push::{Firmware, Loader, LoaderConfig, RamFlash};
    use std::collections::VecDeque;

    /// The device end of a loopback: each write is fed to a loader whose
    /// replies are read back.
    struct Device<'a> {
        loader: Loader<RamFlash<'a>>,
        fw: Fw,
        /// Frames to corrupt on the way (by order), to test the retries.
        corrupt: Vec<usize>,
        writes: usize,
    }

    #[derive(Default)]
    struct Fw {
        out: VecDeque<u8>,
        running: Option<Vec<u8>>,
    }

    impl Firmware for Fw {
        fn now_ms(&self) -> u64 {
            0
        }
        fn send(&mut self, frame: &[u8]) {
            self.out.extend(b"device log\n");
            self.out.extend(frame);
        }
        fn log(&mut self, _: std::fmt::Arguments<'_>) {}
        fn check_tables(&self, _: &[espb_runtime::TableRef]) -> Result<(), String> {
            Ok(())
        }
        fn stop(&mut self) {
            self.running = None;
        }
        fn start(&mut self, m: &[u8]) -> Result<(), String> {
            self.running = Some(m.to_vec());
            Ok(())
        }
        fn failure(&mut self) -> Option<String> {
            None
        }
    }

    impl Write for Device<'_> {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            let mut b = b.to_vec();
            if self.corrupt.contains(&self.writes) {
                b[10] ^= 1;
            }
            self.writes += 1;
            self.loader.feed(&b, &mut self.fw);
            // The trial passes at once (trial_ms 0).
            self.loader.poll(&mut self.fw);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Read for Device<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.fw.out.len()).min(7);
            for b in buf.iter_mut().take(n) {
                *b = self.fw.out.pop_front().unwrap_or(0);
            }
            Ok(n)
        }
    }

    /// A valid module of about `size` bytes (its static data).
    fn module_of(size: usize) -> Vec<u8> {
        let mut m = espb_runtime::Module::default();
        m.data.init = vec![0x5A; size];
        m.data.size = size as u32;
        m.data.align = 4;
        espb_runtime::format::encode(&m)
    }

    fn module() -> Vec<u8> {
        module_of(3000)
    }

    #[test]
    fn a_push_through_a_loopback_survives_corrupted_frames() {
        let mut mem = vec![0xFFu8; 64 * 1024];
        let loader = Loader::new(
            RamFlash { bytes: &mut mem, sector: 4096 },
            LoaderConfig { trial_ms: 0, idle_timeout_ms: 1000 },
        )
        .unwrap();
        let module = module();
        assert!(module.len() > CHUNK, "several chunks");
        let dev = Device { loader, fw: Fw::default(), corrupt: vec![2, 3], writes: 0 };
        let mut text = Vec::new();
        let mut s = Session::new(dev, |t: &[u8]| text.extend_from_slice(t));
        let mut seen = Vec::new();
        let out = s.push(&module, &mut |a, b| seen.push((a, b))).unwrap();
        assert_eq!(out, Outcome::Committed { slot: 0 });
        assert_eq!(seen.last(), Some(&(module.len() as u32, module.len() as u32)));
        assert_eq!(s.port.fw.running.as_deref(), Some(module.as_slice()));
        drop(s);
        assert!(String::from_utf8_lossy(&text).contains("device log\n"));
    }

    #[test]
    fn the_host_refuses_what_cannot_fit_or_is_not_a_module() {
        let mut mem = vec![0xFFu8; 5 * 4096];
        let loader = Loader::new(RamFlash { bytes: &mut mem, sector: 4096 }, LoaderConfig::default()).unwrap();
        let dev = Device { loader, fw: Fw::default(), corrupt: vec![], writes: 0 };
        let mut s = Session::new(dev, |_: &[u8]| {});
        let big = module_of(3 * 4096);
        let e = s.push(&big, &mut |_, _| {}).unwrap_err();
        assert!(matches!(e, PushError::TooLarge { capacity: 8176, .. }), "{e}");
        let e = s.push(b"not a module", &mut |_, _| {}).unwrap_err();
        assert!(matches!(e, PushError::InvalidModule(_)), "{e}");
        assert!(s.port.fw.running.is_none());
    }
}

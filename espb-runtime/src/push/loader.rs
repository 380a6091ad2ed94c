//! The firmware's end of a live push: [`Loader`] (see the [module docs](super)).

use super::frame::{Decoder, Event, Frame, Refusal, Reply, Request, slot_name};
use super::slots::{Flash, FlashError, LayoutError, SlotState, Slots};
use crate::module::TableRef;
use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

/// What the loader needs of the firmware: time, the transport's way back,
/// its log, and running modules. The firmware implements it once per
/// transport (UART today; BLE, HTTP or MQTT the same way).
pub trait Firmware {
    /// Milliseconds since some fixed point (boot).
    fn now_ms(&self) -> u64;
    /// Sends a reply frame over the transport that fed the loader.
    fn send(&mut self, frame: &[u8]);
    /// A line for the firmware's log.
    fn log(&mut self, line: fmt::Arguments<'_>);
    /// Whether the firmware has these tables (a module's imports), with
    /// the loader's message when not ([`check_tables`] does it for a
    /// [`Registry`](crate::symtab::Registry)).
    fn check_tables(&self, tables: &[TableRef]) -> Result<(), String>;
    /// Unloads the running module, if any.
    fn stop(&mut self);
    /// Loads and starts a module (its entry returns or the module keeps
    /// running in its tasks); why not, when it does not.
    fn start(&mut self, module: &[u8]) -> Result<(), String>;
    /// Why the running module stopped, once it trapped or exited with an
    /// error; `None` while it runs or after it finished normally.
    fn failure(&mut self) -> Option<String>;
}

/// The check [`crate::Instance`] makes at load, for a registry: the
/// message names the first table that is missing or differs.
pub fn check_tables(registry: &crate::symtab::Registry<'_>, tables: &[TableRef]) -> Result<(), String> {
    tables
        .iter()
        .try_for_each(|t| crate::vm::check_table(t, registry.prefix_hash(&t.name, t.count)))
        .map_err(|e| e.to_string())
}

/// How long things may take.
#[derive(Clone, Copy, Debug)]
pub struct LoaderConfig {
    /// A new module that traps or exits with an error within this many
    /// milliseconds of its start is rolled back.
    pub trial_ms: u32,
    /// A push with no bytes for this long is abandoned.
    pub idle_timeout_ms: u32,
}

impl Default for LoaderConfig {
    fn default() -> Self {
        LoaderConfig { trial_ms: 2000, idle_timeout_ms: 5000 }
    }
}

/// What a [`Loader`] is doing, for a firmware that shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for a push.
    Idle,
    /// A push into `slot` is under way: `received` of `length` bytes.
    Receiving { slot: u8, received: u32, length: u32 },
    /// The module pushed to `slot` runs its trial.
    Trial { slot: u8 },
}

enum State {
    Idle,
    Receiving { slot: u8, length: u32, crc32: u32, next: u32 },
    Trial { slot: u8, until: u64, seq: u16 },
}

/// Receives modules as frames over any transport, writes them into the
/// inactive slot of the module partition, switches to them and rolls back
/// when they fail their trial. Feed it bytes ([`Loader::feed`]) and call
/// [`Loader::poll`] now and then (every few ms while a push runs).
pub struct Loader<F: Flash> {
    slots: Slots<F>,
    decoder: Decoder,
    config: LoaderConfig,
    state: State,
    /// The slot of the module that is committed (booted, or through its
    /// trial): the one to go back to.
    current: Option<u8>,
    last_input: u64,
}

impl<F: Flash> Loader<F> {
    pub fn new(flash: F, config: LoaderConfig) -> Result<Loader<F>, LayoutError> {
        Ok(Loader {
            slots: Slots::new(flash)?,
            decoder: Decoder::new(),
            config,
            state: State::Idle,
            current: None,
            last_input: 0,
        })
    }

    /// The slots, for a firmware that wants to look.
    pub fn slots(&self) -> &Slots<F> {
        &self.slots
    }

    /// The slot of the committed module.
    pub fn current(&self) -> Option<u8> {
        self.current
    }

    /// What the loader is doing now.
    pub fn phase(&self) -> Phase {
        match self.state {
            State::Idle => Phase::Idle,
            State::Receiving { slot, length, next, .. } => Phase::Receiving { slot, received: next, length },
            State::Trial { slot, .. } => Phase::Trial { slot },
        }
    }

    /// Starts the last good slot (a module that was in its trial when the
    /// device reset is skipped), else the other one. Returns the slot that
    /// runs.
    pub fn boot(&mut self, fw: &mut impl Firmware) -> Option<u8> {
        let last = self.slots.last();
        let flashed = self.slots.flashed_since();
        if flashed {
            fw.log(format_args!("espb: slot A was flashed since the last push: starting it"));
        }
        let first = match last {
            None => 0,
            Some(_) if flashed => 0,
            Some(r) if r.state == SlotState::Good => r.slot,
            Some(r) => {
                let back = self.slots.last_good().unwrap_or(1 - r.slot);
                fw.log(format_args!(
                    "espb: the module pushed to slot {} was in its trial when the device restarted: starting slot {}",
                    slot_name(r.slot),
                    slot_name(back)
                ));
                back
            }
        };
        let trial = last.filter(|r| r.state == SlotState::Trial && !(flashed && r.slot == 0)).map(|r| r.slot);
        for slot in [first, 1 - first] {
            if trial == Some(slot) {
                continue;
            }
            let started = self.slots.read_module(slot).map_err(|e| e.to_string()).and_then(|m| fw.start(&m));
            match started {
                Ok(()) => {
                    fw.log(format_args!("espb: running the module of slot {}", slot_name(slot)));
                    // An erased log means slot A; otherwise say where we are.
                    let unrecorded = match last {
                        None => slot != 0,
                        Some(r) => r.slot != slot || r.state != SlotState::Good,
                    };
                    if unrecorded && let Err(e) = self.slots.record(slot, SlotState::Good) {
                        fw.log(format_args!("espb: {e}"));
                    }
                    self.current = Some(slot);
                    return Some(slot);
                }
                Err(e) => fw.log(format_args!("espb: slot {}: {e}", slot_name(slot))),
            }
        }
        fw.log(format_args!("espb: no module to run; push one with `cargo espb push`"));
        None
    }

    /// Bytes from the transport. Text that is not a frame is ignored.
    pub fn feed(&mut self, bytes: &[u8], fw: &mut impl Firmware) {
        if !bytes.is_empty() {
            self.last_input = fw.now_ms();
        }
        for &b in bytes {
            match self.decoder.feed(b) {
                Some(Event::Frame(f)) => self.handle(&f, fw),
                Some(Event::Error(e)) => fw.send(&Reply::Refused(Refusal::BadFrame(e.to_string())).encode(0)),
                None => {}
            }
        }
        drop(self.decoder.take_text());
    }

    /// Ends trials (commit or roll back) and abandons pushes that went
    /// quiet.
    pub fn poll(&mut self, fw: &mut impl Firmware) {
        let now = fw.now_ms();
        let quiet = now.saturating_sub(self.last_input) >= u64::from(self.config.idle_timeout_ms);
        if quiet && self.decoder.in_frame() {
            self.decoder.reset();
        }
        match self.state {
            State::Receiving { next, length, .. } if quiet => {
                fw.log(format_args!(
                    "espb: push abandoned: nothing arrived for {} ms ({next} of {length} bytes); the running module goes on",
                    self.config.idle_timeout_ms
                ));
                self.state = State::Idle;
            }
            State::Trial { slot, until, seq } => {
                if let Some(why) = fw.failure() {
                    self.roll_back(slot, seq, &why, fw);
                } else if now >= until {
                    self.state = State::Idle;
                    match self.slots.record(slot, SlotState::Good) {
                        Ok(_) => {
                            self.current = Some(slot);
                            fw.log(format_args!(
                                "espb: the module in slot {} passed its trial: it is the one booted from now on",
                                slot_name(slot)
                            ));
                            fw.send(&Reply::Committed { slot }.encode(seq));
                        }
                        Err(e) => self.roll_back(slot, seq, &e.to_string(), fw),
                    }
                }
            }
            _ => {}
        }
    }

    fn handle(&mut self, f: &Frame, fw: &mut impl Firmware) {
        let reply = match Request::decode(f) {
            None => Some(Reply::Refused(Refusal::BadRequest(f.kind))),
            Some(r) => match self.request(r, f.seq, fw) {
                Ok(reply) => reply,
                Err(e) => {
                    self.state = State::Idle;
                    Some(Reply::Refused(Refusal::Flash(e.to_string())))
                }
            },
        };
        if let Some(r) = reply {
            fw.send(&r.encode(f.seq));
        }
    }

    /// The reply to a request, if one is due now.
    fn request(&mut self, r: Request, seq: u16, fw: &mut impl Firmware) -> Result<Option<Reply>, FlashError> {
        let refuse = |why| Ok(Some(Reply::Refused(why)));
        match (r, &mut self.state) {
            (Request::Hello, _) => Ok(Some(self.status(fw.now_ms()))),
            (Request::Begin { .. }, State::Receiving { next, length, .. }) => {
                refuse(Refusal::Busy(format!("another push is in progress ({next} of {length} bytes arrived)")))
            }
            (Request::Begin { .. }, State::Trial { slot, until, .. }) => refuse(Refusal::Busy(format!(
                "the module pushed last (slot {}) is in its trial for {} ms more",
                slot_name(*slot),
                until.saturating_sub(fw.now_ms())
            ))),
            (Request::Begin { length, crc32, tables }, State::Idle) => {
                let capacity = self.slots.layout.capacity();
                if length > capacity {
                    return refuse(Refusal::TooLarge { length, capacity });
                }
                if let Err(why) = fw.check_tables(&tables) {
                    return refuse(Refusal::Tables(why));
                }
                let slot = self.current.map_or(0, |c| 1 - c);
                self.slots.erase_for(slot, length)?;
                self.state = State::Receiving { slot, length, crc32, next: 0 };
                Ok(Some(Reply::Ack { next: 0 }))
            }
            (Request::Data { offset, bytes }, State::Receiving { slot, length, next, .. }) => {
                let n = bytes.len() as u32;
                if offset == *next && offset.checked_add(n).is_some_and(|e| e <= *length) {
                    self.slots.write_module(*slot, offset, &bytes)?;
                    *next += n;
                } else if offset.checked_add(n) != Some(*next) {
                    // Anything but a repeat of the last chunk (its ack was lost).
                    return refuse(Refusal::OutOfOrder { offset, expected: *next });
                }
                Ok(Some(Reply::Ack { next: *next }))
            }
            (Request::End, State::Receiving { slot, length, crc32, next }) => {
                let (slot, length, crc32, next) = (*slot, *length, *crc32, *next);
                self.state = State::Idle;
                if next < length {
                    return refuse(Refusal::Truncated { got: next, expected: length });
                }
                if let Err(computed) = self.slots.seal(slot, length, crc32)? {
                    return refuse(Refusal::Corrupt { expected: crc32, computed });
                }
                self.slots.record(slot, SlotState::Trial)?;
                Ok(self.switch(slot, seq, fw))
            }
            (Request::Abort, _) => {
                if matches!(self.state, State::Receiving { .. }) {
                    self.state = State::Idle;
                }
                Ok(Some(Reply::Ack { next: 0 }))
            }
            (Request::Data { .. } | Request::End, _) => refuse(Refusal::NotReceiving),
        }
    }

    /// Unloads the running module and starts the one just written.
    fn switch(&mut self, slot: u8, seq: u16, fw: &mut impl Firmware) -> Option<Reply> {
        fw.log(format_args!("espb: switching to the module pushed to slot {}", slot_name(slot)));
        fw.stop();
        let started = self.slots.read_module(slot).map_err(|e| e.to_string()).and_then(|m| fw.start(&m));
        match started {
            Ok(()) => {
                let trial_ms = self.config.trial_ms;
                self.state = State::Trial { slot, until: fw.now_ms() + u64::from(trial_ms), seq };
                Some(Reply::Started { slot, trial_ms })
            }
            Err(why) => {
                self.roll_back(slot, seq, &why, fw);
                None
            }
        }
    }

    /// The new module in `failed` did not make it: back to the committed one.
    fn roll_back(&mut self, failed: u8, seq: u16, why: &str, fw: &mut impl Firmware) {
        self.state = State::Idle;
        fw.stop();
        let Some(back) = self.current else {
            fw.log(format_args!("espb: the module pushed to slot {} failed: {why}", slot_name(failed)));
            fw.send(&Reply::RolledBack { slot: None, reason: why.into() }.encode(seq));
            return;
        };
        fw.log(format_args!(
            "espb: the module pushed to slot {} failed: {why}; rolling back to slot {}",
            slot_name(failed),
            slot_name(back)
        ));
        let again = self.slots.read_module(back).map_err(|e| e.to_string()).and_then(|m| fw.start(&m));
        let reply = match again.and_then(|()| self.slots.record(back, SlotState::Good).map_err(|e| e.to_string())) {
            Ok(_) => Reply::RolledBack { slot: Some(back), reason: why.into() },
            Err(e) => {
                fw.log(format_args!("espb: slot {} did not start again: {e}", slot_name(back)));
                self.current = None;
                Reply::RolledBack {
                    slot: None,
                    reason: format!("{why}; the previous module (slot {}) did not start again: {e}", slot_name(back)),
                }
            }
        };
        fw.send(&reply.encode(seq));
    }

    fn status(&self, now: u64) -> Reply {
        let what = match self.state {
            State::Idle => String::from("idle"),
            State::Receiving { next, length, slot, .. } => {
                format!("receiving slot {}: {next} of {length} bytes", slot_name(slot))
            }
            State::Trial { slot, until, .. } => {
                format!("slot {} in its trial for {} ms more", slot_name(slot), until.saturating_sub(now))
            }
        };
        Reply::Status { slot: self.current, capacity: self.slots.layout.capacity(), text: what }
    }
}

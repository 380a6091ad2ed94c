//! The loader against a firmware stand-in whose "modules" are byte strings:
//! `ok ...` runs, `bad ...` fails to load, `trap ...` fails 100 ms after
//! its start.

use super::frame::{Decoder, Event, Refusal, Reply, Request};
use super::slots::{Flash, RamFlash};
use super::*;
use crate::format::partition;
use crate::module::TableRef;
use alloc::string::String;
use alloc::vec::Vec;
use alloc::{format, vec};

#[derive(Default)]
struct Fw {
    now: u64,
    replies: Vec<Reply>,
    log: Vec<String>,
    running: Option<Vec<u8>>,
    started_at: u64,
}

impl Firmware for Fw {
    fn now_ms(&self) -> u64 {
        self.now
    }
    fn send(&mut self, frame: &[u8]) {
        let mut d = Decoder::new();
        for &b in frame {
            if let Some(Event::Frame(f)) = d.feed(b) {
                self.replies.push(Reply::decode(&f).expect("a reply"));
            }
        }
    }
    fn log(&mut self, line: core::fmt::Arguments<'_>) {
        self.log.push(format!("{line}"));
    }
    fn check_tables(&self, tables: &[TableRef]) -> Result<(), String> {
        match tables.iter().find(|t| t.name != "idf") {
            Some(t) => Err(format!("the firmware has no symbol table `{}`", t.name)),
            None => Ok(()),
        }
    }
    fn stop(&mut self) {
        self.running = None;
    }
    fn start(&mut self, module: &[u8]) -> Result<(), String> {
        if module.starts_with(b"bad") {
            return Err("refused at load".into());
        }
        self.running = Some(module.to_vec());
        self.started_at = self.now;
        Ok(())
    }
    fn failure(&mut self) -> Option<String> {
        let m = self.running.as_ref()?;
        (m.starts_with(b"trap") && self.now >= self.started_at + 100).then(|| {
            self.running = None;
            String::from("trap: unreachable executed in function `app_main`")
        })
    }
}

fn running(fw: &Fw) -> &[u8] {
    fw.running.as_deref().unwrap_or(b"<nothing>")
}

const SECTOR: u32 = 256;
const SIZE: usize = 256 * 16;

fn idf() -> Vec<TableRef> {
    vec![TableRef { name: "idf".into(), hash: 1, count: 1 }]
}

/// A push of `module` as `cargo espb push` sends it; the replies to it.
fn push(l: &mut Loader<RamFlash<'_>>, fw: &mut Fw, module: &[u8], tables: Vec<TableRef>) -> Vec<Reply> {
    fw.replies.clear();
    let begin = Request::Begin { length: module.len() as u32, crc32: crc32fast::hash(module), tables };
    l.feed(&begin.encode(1), fw);
    if !matches!(fw.replies.last(), Some(Reply::Ack { .. })) {
        return core::mem::take(&mut fw.replies);
    }
    for (i, c) in module.chunks(100).enumerate() {
        l.feed(&Request::Data { offset: (i * 100) as u32, bytes: c.to_vec() }.encode(2 + i as u16), fw);
    }
    l.feed(&Request::End.encode(999), fw);
    core::mem::take(&mut fw.replies)
}

/// Time passes in 10 ms steps, polling.
fn wait(l: &mut Loader<RamFlash<'_>>, fw: &mut Fw, ms: u64) -> Vec<Reply> {
    for _ in 0..ms / 10 {
        fw.now += 10;
        l.poll(fw);
    }
    core::mem::take(&mut fw.replies)
}

fn flashed<'a>(mem: &'a mut [u8], module: &[u8]) -> RamFlash<'a> {
    mem.fill(0xFF);
    let mut f = RamFlash { bytes: mem, sector: SECTOR };
    f.write(0, &partition::wrap(module).unwrap()).unwrap();
    f
}

const CONFIG: LoaderConfig = LoaderConfig { trial_ms: 500, idle_timeout_ms: 1000 };

#[test]
fn push_switches_commits_and_rolls_back() {
    let mut mem = vec![0u8; SIZE];
    let mut fw = Fw::default();
    let mut l = Loader::new(flashed(&mut mem, b"ok v1"), CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), Some(0));
    assert_eq!(running(&fw), b"ok v1");

    // v2 goes to slot B, runs at once, and is committed after its trial.
    let r = push(&mut l, &mut fw, &[b"ok v2 ".as_slice(), &[7; 300]].concat(), idf());
    assert!(matches!(r.last(), Some(Reply::Started { slot: 1, trial_ms: 500 })), "{r:?}");
    assert!(running(&fw).starts_with(b"ok v2"));
    assert_eq!(wait(&mut l, &mut fw, 490), vec![]);
    assert_eq!(wait(&mut l, &mut fw, 20), vec![Reply::Committed { slot: 1 }]);
    assert_eq!(l.current(), Some(1));

    // Another table: refused before anything is written; v2 runs on.
    let tables = vec![TableRef { name: "custom".into(), hash: 5, count: 2 }];
    let r = push(&mut l, &mut fw, b"ok other", tables);
    assert_eq!(r, vec![Reply::Refused(Refusal::Tables("the firmware has no symbol table `custom`".into()))]);
    assert!(running(&fw).starts_with(b"ok v2"));

    // Too big for a slot.
    let cap = l.slots().layout.capacity();
    let r = push(&mut l, &mut fw, &vec![0; cap as usize + 1], idf());
    assert_eq!(r, vec![Reply::Refused(Refusal::TooLarge { length: cap + 1, capacity: cap })]);

    // A module that traps 100 ms into its trial: back to v2 (slot B).
    let r = push(&mut l, &mut fw, b"trap v3", idf());
    assert!(matches!(r.last(), Some(Reply::Started { slot: 0, .. })), "{r:?}");
    let r = wait(&mut l, &mut fw, 200);
    assert_eq!(
        r,
        vec![Reply::RolledBack { slot: Some(1), reason: "trap: unreachable executed in function `app_main`".into() }]
    );
    assert!(running(&fw).starts_with(b"ok v2"));
    assert!(fw.log.iter().any(|l| l.contains("failed: trap: unreachable") && l.contains("rolling back to slot B")));

    // One that does not even load: rolled back at once.
    let r = push(&mut l, &mut fw, b"bad v4", idf());
    assert_eq!(r.last(), Some(&Reply::RolledBack { slot: Some(1), reason: "refused at load".into() }));
    assert!(running(&fw).starts_with(b"ok v2"));

    // A reboot starts the last good slot (B).
    drop(l);
    let mut fw = Fw::default();
    let mut l = Loader::new(RamFlash { bytes: &mut mem, sector: SECTOR }, CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), Some(1));
    assert!(running(&fw).starts_with(b"ok v2"));
}

#[test]
fn a_reset_during_the_trial_boots_the_previous_slot() {
    let mut mem = vec![0u8; SIZE];
    let mut fw = Fw::default();
    let mut l = Loader::new(flashed(&mut mem, b"ok v1"), CONFIG).unwrap();
    l.boot(&mut fw);
    let r = push(&mut l, &mut fw, b"ok v2 that hangs the device", idf());
    assert!(matches!(r.last(), Some(Reply::Started { slot: 1, .. })));
    drop(l);
    let mut fw = Fw::default();
    let mut l = Loader::new(RamFlash { bytes: &mut mem, sector: SECTOR }, CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), Some(0));
    assert_eq!(running(&fw), b"ok v1");
    assert!(fw.log[0].contains("was in its trial when the device restarted: starting slot A"), "{:?}", fw.log);
    // And the next push goes to B again.
    let r = push(&mut l, &mut fw, b"ok v3", idf());
    assert!(matches!(r.last(), Some(Reply::Started { slot: 1, .. })));
}

#[test]
fn bad_pushes_are_refused_and_the_module_runs_on() {
    let mut mem = vec![0u8; SIZE];
    let mut fw = Fw::default();
    let mut l = Loader::new(flashed(&mut mem, b"ok v1"), CONFIG).unwrap();
    l.boot(&mut fw);
    let module = b"ok v2 with some bytes".as_slice();
    let begin = |crc| Request::Begin { length: module.len() as u32, crc32: crc, tables: idf() };

    // Truncated: End before all bytes.
    l.feed(&begin(crc32fast::hash(module)).encode(1), &mut fw);
    l.feed(&Request::Data { offset: 0, bytes: module[..5].to_vec() }.encode(2), &mut fw);
    l.feed(&Request::End.encode(3), &mut fw);
    assert_eq!(fw.replies.pop(), Some(Reply::Refused(Refusal::Truncated { got: 5, expected: module.len() as u32 })));

    // Corrupted: the bytes do not match the announced CRC.
    l.feed(&begin(0x1234).encode(1), &mut fw);
    l.feed(&Request::Data { offset: 0, bytes: module.to_vec() }.encode(2), &mut fw);
    l.feed(&Request::End.encode(3), &mut fw);
    assert!(matches!(fw.replies.pop(), Some(Reply::Refused(Refusal::Corrupt { expected: 0x1234, .. }))));

    // A push while another is in progress, a chunk out of order, a repeat.
    fw.replies.clear();
    l.feed(&begin(crc32fast::hash(module)).encode(1), &mut fw);
    l.feed(&begin(crc32fast::hash(module)).encode(2), &mut fw);
    l.feed(&Request::Data { offset: 3, bytes: module[3..].to_vec() }.encode(3), &mut fw);
    l.feed(&Request::Data { offset: 0, bytes: module[..4].to_vec() }.encode(4), &mut fw);
    l.feed(&Request::Data { offset: 0, bytes: module[..4].to_vec() }.encode(5), &mut fw);
    assert_eq!(
        fw.replies,
        vec![
            Reply::Ack { next: 0 },
            Reply::Refused(Refusal::Busy("another push is in progress (0 of 21 bytes arrived)".into())),
            Reply::Refused(Refusal::OutOfOrder { offset: 3, expected: 0 }),
            Reply::Ack { next: 4 },
            Reply::Ack { next: 4 },
        ]
    );
    // A corrupted frame in the middle is reported; the push goes on.
    fw.replies.clear();
    let mut f = Request::Data { offset: 4, bytes: module[4..].to_vec() }.encode(6);
    f[12] ^= 0xFF;
    l.feed(&f, &mut fw);
    assert!(matches!(&fw.replies[..], [Reply::Refused(Refusal::BadFrame(m))] if m.contains("CRC-32")));
    // Then the sender goes quiet: the push is abandoned.
    fw.replies.clear();
    assert_eq!(wait(&mut l, &mut fw, 1000), vec![]);
    assert!(fw.log.last().unwrap().contains("push abandoned: nothing arrived for 1000 ms (4 of 21 bytes)"));
    l.feed(&Request::End.encode(7), &mut fw);
    assert_eq!(fw.replies.pop(), Some(Reply::Refused(Refusal::NotReceiving)));
    assert_eq!(running(&fw), b"ok v1");

    // During a trial, another push waits.
    let r = push(&mut l, &mut fw, module, idf());
    assert!(matches!(r.last(), Some(Reply::Started { .. })));
    let r = push(&mut l, &mut fw, b"ok v3", idf());
    assert!(matches!(&r[..], [Reply::Refused(Refusal::Busy(m))] if m.contains("in its trial")), "{r:?}");

    // Noise never panics the loader and never switches the module.
    let mut x = 12345u32;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        l.feed(&[x as u8], &mut fw);
    }
    assert_eq!(running(&fw), module);
    l.feed(&Request::Hello.encode(8), &mut fw);
    assert!(matches!(fw.replies.last(), Some(Reply::Status { slot: Some(0), .. })), "{:?}", fw.replies.last());
}

#[test]
fn a_module_flashed_after_pushes_wins_at_boot() {
    let mut mem = vec![0u8; SIZE];
    let mut fw = Fw::default();
    let mut l = Loader::new(flashed(&mut mem, b"ok v1"), CONFIG).unwrap();
    l.boot(&mut fw);
    push(&mut l, &mut fw, b"ok v2", idf());
    wait(&mut l, &mut fw, 600);
    push(&mut l, &mut fw, b"ok v3", idf());
    wait(&mut l, &mut fw, 600);
    assert_eq!(l.current(), Some(0));
    drop(l);
    // Reboots keep v3 (slot A, as pushed) ...
    let mut fw = Fw::default();
    let mut l = Loader::new(RamFlash { bytes: &mut mem, sector: SECTOR }, CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), Some(0));
    assert_eq!(running(&fw), b"ok v3");
    push(&mut l, &mut fw, b"ok v4", idf());
    wait(&mut l, &mut fw, 600);
    drop(l);
    // ... until `cargo espb flash --module` writes slot A (and only it).
    let image = partition::wrap(b"ok flashed").unwrap();
    RamFlash { bytes: &mut mem, sector: SECTOR }.erase(0, SECTOR).unwrap();
    RamFlash { bytes: &mut mem, sector: SECTOR }.write(0, &image).unwrap();
    let mut fw = Fw::default();
    let mut l = Loader::new(RamFlash { bytes: &mut mem, sector: SECTOR }, CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), Some(0));
    assert_eq!(running(&fw), b"ok flashed");
    assert!(fw.log[0].contains("slot A was flashed since the last push"), "{:?}", fw.log);
    // The next boot stays there.
    drop(l);
    let mut fw = Fw::default();
    let mut l = Loader::new(RamFlash { bytes: &mut mem, sector: SECTOR }, CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), Some(0));
    assert_eq!(fw.log.len(), 1, "{:?}", fw.log);
}

#[test]
fn an_empty_partition_boots_nothing_and_takes_a_push() {
    let mut mem = vec![0xFFu8; SIZE];
    let mut fw = Fw::default();
    let mut l = Loader::new(RamFlash { bytes: &mut mem, sector: SECTOR }, CONFIG).unwrap();
    assert_eq!(l.boot(&mut fw), None);
    assert!(fw.log.last().unwrap().contains("no module to run"));
    let r = push(&mut l, &mut fw, b"trap first", idf());
    assert!(matches!(r.last(), Some(Reply::Started { slot: 0, .. })));
    assert_eq!(
        wait(&mut l, &mut fw, 200),
        vec![Reply::RolledBack { slot: None, reason: "trap: unreachable executed in function `app_main`".into() }]
    );
    let r = push(&mut l, &mut fw, b"ok first", idf());
    assert!(matches!(r.last(), Some(Reply::Started { slot: 0, .. })));
    assert_eq!(wait(&mut l, &mut fw, 600), vec![Reply::Committed { slot: 0 }]);
}

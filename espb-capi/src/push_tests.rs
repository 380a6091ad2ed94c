//! The C push API driven as C firmware drives it: a partition in RAM (NOR
//! semantics) behind the flash callbacks, replies caught by `send`, and
//! the firmware's own `start`/`stop`/`failure`, whose "modules" are byte
//! strings (`ok ...` runs, `trap ...` traps 100 ms after its start). The
//! tables are real C tables: a module's table hashes are checked against
//! them.
use super::*;
use alloc::vec;
use alloc::vec::Vec;
use espb_runtime::push::frame::{Decoder, Event, Refusal, Reply, Request};

const SIZE: usize = 16 * 4096;

struct Dev {
    flash: Vec<u8>,
    now: u64,
    replies: Vec<Reply>,
    log: Vec<String>,
    running: Option<Vec<u8>>,
    started_at: u64,
}

fn dev(ctx: *mut c_void) -> &'static mut Dev {
    // SAFETY: every test passes a live `Dev` as ctx.
    unsafe { &mut *ctx.cast::<Dev>() }
}

unsafe extern "C" fn rd(ctx: *mut c_void, off: u32, buf: *mut u8, len: usize) -> i32 {
    let d = dev(ctx);
    let Some(src) = d.flash.get(off as usize..off as usize + len) else { return -1 };
    // SAFETY: the loader's buffer holds `len` bytes.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), buf, len) };
    0
}

unsafe extern "C" fn wr(ctx: *mut c_void, off: u32, data: *const u8, len: usize) -> i32 {
    let d = dev(ctx);
    // SAFETY: the loader's data holds `len` bytes.
    let data = unsafe { core::slice::from_raw_parts(data, len) };
    let Some(dst) = d.flash.get_mut(off as usize..off as usize + len) else { return -1 };
    dst.iter_mut().zip(data).for_each(|(f, b)| *f &= b);
    0
}

unsafe extern "C" fn er(ctx: *mut c_void, off: u32, len: u32) -> i32 {
    let d = dev(ctx);
    let Some(dst) = d.flash.get_mut(off as usize..(off + len) as usize) else { return -1 };
    dst.fill(0xFF);
    0
}

unsafe extern "C" fn send(ctx: *mut c_void, frame: *const u8, len: usize) {
    // SAFETY: the loader's frame holds `len` bytes.
    let frame = unsafe { core::slice::from_raw_parts(frame, len) };
    let mut dec = Decoder::new();
    for &b in frame {
        if let Some(Event::Frame(f)) = dec.feed(b) {
            dev(ctx).replies.push(Reply::decode(&f).expect("a reply"));
        }
    }
}

unsafe extern "C" fn log(ctx: *mut c_void, line: *const c_char) {
    // SAFETY: NUL-terminated by the loader.
    dev(ctx).log.push(unsafe { CStr::from_ptr(line) }.to_str().unwrap().into());
}

unsafe extern "C" fn now(ctx: *mut c_void) -> u64 {
    dev(ctx).now
}

fn put(why: *mut c_char, len: usize, text: &str) {
    let n = text.len().min(len);
    // SAFETY: the loader gives `len` writable bytes after a NUL-filled buffer.
    unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), why.cast::<u8>(), n) };
}

unsafe extern "C" fn start(ctx: *mut c_void, m: *const u8, len: usize, why: *mut c_char, why_len: usize) -> i32 {
    // SAFETY: the loader's module holds `len` bytes.
    let m = unsafe { core::slice::from_raw_parts(m, len) };
    let d = dev(ctx);
    if !m.starts_with(b"ok") && !m.starts_with(b"trap") {
        put(why, why_len, "malformed module");
        return 1;
    }
    d.running = Some(m.to_vec());
    d.started_at = d.now;
    0
}

unsafe extern "C" fn stop(ctx: *mut c_void) {
    dev(ctx).running = None;
}

unsafe extern "C" fn failure(ctx: *mut c_void, why: *mut c_char, why_len: usize) -> i32 {
    let d = dev(ctx);
    let trapped = d.running.as_ref().is_some_and(|m| m.starts_with(b"trap")) && d.now >= d.started_at + 100;
    if trapped {
        d.running = None;
        put(why, why_len, "trap: integer divide by zero in function `app_main` at main.c:3");
    }
    i32::from(trapped)
}

/// The firmware's `idf` table: one slot, hash `HASH`.
const HASH: u32 = 0x1234_5678;
static ENTRIES: [usize; 1] = [0x4000_0000];
static HASHES: [u32; 1] = [HASH];

fn table() -> EspbSymtab {
    EspbSymtab {
        hash: HASH,
        count: 1,
        entries: ENTRIES.as_ptr().cast(),
        prefix_hashes: HASHES.as_ptr(),
        name: c"idf".as_ptr(),
        sig_index: core::ptr::null(),
        sigs: core::ptr::null(),
        sigs_len: 0,
        checking: 0,
    }
}

fn idf(hash: u32) -> Vec<TableRef> {
    vec![TableRef { name: "idf".into(), hash, count: 1 }]
}

fn io(d: &mut Dev) -> EspbPushIo {
    EspbPushIo {
        ctx: (d as *mut Dev).cast(),
        flash_size: SIZE as u32,
        flash_read: Some(rd),
        flash_write: Some(wr),
        flash_erase: Some(er),
        send: Some(send),
        log: Some(log),
        now_ms: Some(now),
        start: Some(start),
        stop: Some(stop),
        failure: Some(failure),
        trial_ms: 500,
        idle_timeout_ms: 0,
        entry: core::ptr::null(),
    }
}

fn new_dev() -> Box<Dev> {
    Box::new(Dev { flash: vec![0xFF; SIZE], now: 0, replies: vec![], log: vec![], running: None, started_at: 0 })
}

fn loader(d: &mut Dev, t: &EspbSymtab) -> *mut EspbPush {
    let io = io(d);
    let tables = [t as *const EspbSymtab];
    let mut p = core::ptr::null_mut();
    // SAFETY: valid io, tables and handle pointer; they outlive the loader.
    let r = unsafe { espb_push_new(&io, tables.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), &mut p) };
    assert_eq!(r, EspbError::Ok);
    assert!(!p.is_null());
    p
}

fn feed(p: *mut EspbPush, bytes: &[u8]) {
    // SAFETY: a live handle and a byte slice.
    unsafe { espb_push_feed(p, bytes.as_ptr(), bytes.len()) };
}

/// Time passes in 10 ms steps, polling.
fn wait(p: *mut EspbPush, d: &mut Dev, ms: u64) {
    for _ in 0..ms / 10 {
        d.now += 10;
        // SAFETY: a live handle.
        unsafe { espb_push_poll(p) };
    }
}

/// A push as `cargo espb push` sends it, with frame `corrupt` (if any)
/// flipped on its first sending and sent again after the refusal; the
/// replies.
fn push(p: *mut EspbPush, d: &mut Dev, module: &[u8], tables: Vec<TableRef>, corrupt: Option<usize>) -> Vec<Reply> {
    d.replies.clear();
    let mut frames = vec![Request::Begin { length: module.len() as u32, crc32: crc32fast::hash(module), tables }];
    for (i, c) in module.chunks(64).enumerate() {
        frames.push(Request::Data { offset: (i * 64) as u32, bytes: c.to_vec() });
    }
    frames.push(Request::End);
    for (i, f) in frames.iter().enumerate() {
        let bytes = f.encode(i as u16 + 1);
        if corrupt == Some(i) {
            let mut bad = bytes.clone();
            bad[10] ^= 0x40;
            feed(p, &bad);
            assert!(
                matches!(d.replies.last(), Some(Reply::Refused(Refusal::BadFrame(_)))),
                "a corrupted frame is refused: {:?}",
                d.replies
            );
        }
        feed(p, &bytes);
        if matches!(d.replies.last(), Some(Reply::Refused(_))) && corrupt != Some(i) {
            break;
        }
    }
    core::mem::take(&mut d.replies)
}

fn status(p: *mut EspbPush) -> EspbPushStatus {
    let mut s = EspbPushStatus { slot: 9, state: EspbPushState::Idle, slot_capacity: 0, received: 0, length: 0 };
    // SAFETY: a live handle and a status to fill.
    assert_eq!(unsafe { espb_push_status(p, &mut s) }, EspbError::Ok);
    s
}

fn running(d: &Dev) -> &[u8] {
    d.running.as_deref().unwrap_or(b"<nothing>")
}

#[test]
fn good_push_switches_commits_and_is_booted_after_a_reset() {
    let mut d = new_dev();
    let t = table();
    let p = loader(&mut d, &t);
    // SAFETY: a live handle.
    assert_eq!(unsafe { espb_push_boot(p) }, -1, "an empty partition runs nothing");
    assert!(d.log.iter().any(|l| l.contains("no module to run")), "{:?}", d.log);

    let v1 = b"ok v1: the first module".repeat(10);
    let r = push(p, &mut d, &v1, idf(HASH), None);
    assert!(matches!(r.last(), Some(Reply::Started { slot: 0, trial_ms: 500 })), "{r:?}");
    assert_eq!(running(&d), &v1[..]);
    assert_eq!(status(p).state, EspbPushState::Trial);
    wait(p, &mut d, 600);
    assert!(matches!(d.replies.last(), Some(Reply::Committed { slot: 0 })), "{:?}", d.replies);
    let s = status(p);
    assert_eq!((s.slot, s.state), (0, EspbPushState::Idle));
    assert_eq!(s.slot_capacity, 7 * 4096 - 16, "half of 15 sectors, rounded down, less the header");

    let v2 = b"ok v2".repeat(50);
    let r = push(p, &mut d, &v2, idf(HASH), None);
    assert!(matches!(r.last(), Some(Reply::Started { slot: 1, .. })), "{r:?}");
    wait(p, &mut d, 600);
    assert_eq!(status(p).slot, 1);
    // SAFETY: a live handle, freed once.
    unsafe { espb_push_free(p) };
    assert_eq!(running(&d), b"<nothing>", "freeing the loader stops the module");

    // A reset: a new loader over the same flash boots the last good slot.
    let p = loader(&mut d, &t);
    // SAFETY: a live handle.
    assert_eq!(unsafe { espb_push_boot(p) }, 1);
    assert_eq!(running(&d), &v2[..]);
    // SAFETY: a live handle, freed once.
    unsafe { espb_push_free(p) };
}

#[test]
fn corrupted_frames_and_modules_are_refused_and_the_module_runs_on() {
    let mut d = new_dev();
    let t = table();
    let p = loader(&mut d, &t);
    let v1 = b"ok v1".to_vec();
    push(p, &mut d, &v1, idf(HASH), None);
    wait(p, &mut d, 600);

    // A Data frame corrupted on the wire: refused, sent again, the push goes through.
    let v2 = b"ok v2 ".repeat(40);
    let r = push(p, &mut d, &v2, idf(HASH), Some(2));
    assert!(matches!(r.last(), Some(Reply::Started { slot: 1, .. })), "{r:?}");
    wait(p, &mut d, 600);
    assert_eq!(running(&d), &v2[..]);

    // A module whose bytes do not match the CRC announced: nothing switched.
    d.replies.clear();
    let v3 = b"ok v3".repeat(20);
    feed(p, &Request::Begin { length: v3.len() as u32, crc32: 0xDEAD_BEEF, tables: idf(HASH) }.encode(1));
    feed(p, &Request::Data { offset: 0, bytes: v3.clone() }.encode(2));
    feed(p, &Request::End.encode(3));
    assert!(
        matches!(d.replies.last(), Some(Reply::Refused(Refusal::Corrupt { expected: 0xDEAD_BEEF, .. }))),
        "{:?}",
        d.replies
    );
    assert_eq!(running(&d), &v2[..], "the running module was not touched");
    assert_eq!(status(p).slot, 1);

    // Bytes the firmware's runner refuses at load: rolled back to v2.
    let r = push(p, &mut d, b"garbage", idf(HASH), None);
    assert!(
        matches!(r.last(), Some(Reply::RolledBack { slot: Some(1), reason }) if reason == "malformed module"),
        "{r:?}"
    );
    assert_eq!(running(&d), &v2[..]);
    // SAFETY: a live handle, freed once.
    unsafe { espb_push_free(p) };
}

#[test]
fn a_module_for_another_table_is_refused_before_anything_is_written() {
    let mut d = new_dev();
    let t = table();
    let p = loader(&mut d, &t);
    push(p, &mut d, b"ok v1", idf(HASH), None);
    wait(p, &mut d, 600);
    let before = d.flash.clone();

    let r = push(p, &mut d, b"ok v2", idf(HASH ^ 1), None);
    let [Reply::Refused(Refusal::Tables(why))] = &r[..] else { panic!("{r:?}") };
    assert!(why.contains("idf"), "{why}");
    let other = vec![TableRef { name: "custom".into(), hash: 7, count: 2 }];
    let r = push(p, &mut d, b"ok v2", other, None);
    assert!(matches!(&r[..], [Reply::Refused(Refusal::Tables(why))] if why.contains("custom")), "{r:?}");
    assert_eq!(d.flash, before, "nothing was erased or written");
    assert_eq!(running(&d), b"ok v1");

    let big = vec![b'o'; SIZE];
    let r = push(p, &mut d, &big, idf(HASH), None);
    assert!(matches!(&r[..], [Reply::Refused(Refusal::TooLarge { .. })]), "{r:?}");
    // SAFETY: a live handle, freed once.
    unsafe { espb_push_free(p) };
}

#[test]
fn a_module_that_traps_in_its_trial_is_rolled_back() {
    let mut d = new_dev();
    let t = table();
    let p = loader(&mut d, &t);
    push(p, &mut d, b"ok v1", idf(HASH), None);
    wait(p, &mut d, 600);

    let r = push(p, &mut d, b"trap v2", idf(HASH), None);
    assert!(matches!(r.last(), Some(Reply::Started { slot: 1, .. })), "{r:?}");
    wait(p, &mut d, 200);
    let Some(Reply::RolledBack { slot: Some(0), reason }) = d.replies.last() else { panic!("{:?}", d.replies) };
    assert!(reason.contains("integer divide by zero"), "{reason}");
    assert_eq!(running(&d), b"ok v1", "the previous module runs again");
    assert!(d.log.iter().any(|l| l.contains("rolling back to slot A")), "{:?}", d.log);
    // SAFETY: a live handle, freed once.
    unsafe { espb_push_free(p) };

    // After a reset the good slot is booted, not the failed one.
    let p = loader(&mut d, &t);
    // SAFETY: a live handle.
    assert_eq!(unsafe { espb_push_boot(p) }, 0);
    assert_eq!(running(&d), b"ok v1");
    // SAFETY: a live handle, freed once.
    unsafe { espb_push_free(p) };
}

#[test]
fn bad_arguments() {
    let mut d = new_dev();
    let t = table();
    let tables = [&t as *const EspbSymtab];
    let mut p = core::ptr::null_mut();
    let no_flash = EspbPushIo { flash_erase: None, ..io(&mut d) };
    // SAFETY (all calls): valid pointers or the NULLs under test.
    let r = unsafe { espb_push_new(&no_flash, tables.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), &mut p) };
    assert_eq!((r, p.is_null()), (EspbError::Args, true));
    let r = unsafe {
        espb_push_new(core::ptr::null(), tables.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), &mut p)
    };
    assert_eq!(r, EspbError::Args);
    let tiny = EspbPushIo { flash_size: 4096, ..io(&mut d) };
    let r = unsafe { espb_push_new(&tiny, tables.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), &mut p) };
    assert_eq!((r, p.is_null()), (EspbError::Partition, true), "a partition too small for two slots and a log");
    // NULL handles are ignored.
    unsafe {
        espb_push_feed(core::ptr::null_mut(), b"x".as_ptr(), 1);
        espb_push_poll(core::ptr::null_mut());
        espb_push_free(core::ptr::null_mut());
        assert_eq!(espb_push_boot(core::ptr::null_mut()), -1);
    }

    // Without the firmware's own runner, this host build (no RTOS) says why
    // a module cannot start, and the push is rolled back.
    #[cfg(not(feature = "freertos"))]
    {
        let own = EspbPushIo { start: None, stop: None, failure: None, ..io(&mut d) };
        let r = unsafe { espb_push_new(&own, tables.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), &mut p) };
        assert_eq!(r, EspbError::Ok);
        let replies = push(p, &mut d, b"ok v1", idf(HASH), None);
        assert!(
            matches!(replies.last(), Some(Reply::RolledBack { slot: None, reason }) if reason.contains("without RTOS support")),
            "{replies:?}"
        );
        unsafe { espb_push_free(p) };
    }
}

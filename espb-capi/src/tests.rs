//! Host tests of the C API's argument and error paths (running a module
//! needs native memory at a 32-bit address: the QEMU test does that).
use super::*;
use alloc::string::String;
use alloc::vec::Vec;

fn detail() -> (i32, String) {
    let mut buf = [0 as c_char; 300];
    // SAFETY: a buffer of that length.
    let code = unsafe { espb_last_detail(buf.as_mut_ptr(), buf.len()) };
    // SAFETY: NUL-terminated by espb_last_detail.
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap().into();
    (code, s)
}

fn str_of(e: i32) -> &'static str {
    // SAFETY: static strings.
    unsafe { CStr::from_ptr(espb_error_str(e)) }.to_str().unwrap()
}

#[test]
fn error_strings_cover_every_code() {
    assert_eq!(str_of(EspbError::Ok as i32), "ok");
    assert_eq!(str_of(EspbError::Exit as i32), "the module exited with a non-zero status");
    assert_eq!(str_of(-1), "unknown error");
    assert_eq!(str_of(EspbError::Os as i32), "the RTOS could not provide a lock");
    assert_eq!(str_of(EspbError::Signature as i32), "the module calls a native with the wrong signature");
    assert_eq!(str_of(16), "unknown error");
}

// The detail cell is global: one test runs all the cases in order.
#[test]
fn failures_map_to_codes_with_details() {
    let entry = c"main".as_ptr();
    // SAFETY (all calls): valid pointers and lengths.
    let r = unsafe { espb_run(core::ptr::null(), 4, core::ptr::null(), 0, entry) };
    assert_eq!(r, EspbError::Args);
    assert_eq!(detail(), (EspbError::Args as i32, "the module pointer is NULL".into()));

    let junk = [1u8, 2, 3, 4, 5];
    let r = unsafe { espb_run(junk.as_ptr(), junk.len(), core::ptr::null(), 0, entry) };
    assert_eq!(r, EspbError::Format);
    assert!(detail().1.starts_with("malformed module"), "{:?}", detail());

    let r = unsafe { espb_run_partition(junk.as_ptr(), junk.len(), core::ptr::null(), 0, entry) };
    assert_eq!(r, EspbError::Partition);
    assert!(detail().1.contains("too small (5 bytes)"), "{:?}", detail());

    // A table whose hash does not match its slots.
    let entries = [espb_error_str as *const c_void];
    let hashes = [0x1234_5678u32];
    let t = EspbSymtab {
        hash: 0x9999_9999,
        count: 1,
        entries: entries.as_ptr(),
        prefix_hashes: hashes.as_ptr(),
        name: c"custom".as_ptr(),
        sig_index: core::ptr::null(),
        sigs: core::ptr::null(),
        sigs_len: 0,
        checking: 0,
    };
    let tables = [&t as *const EspbSymtab];
    let r = unsafe { espb_run(junk.as_ptr(), junk.len(), tables.as_ptr(), 1, entry) };
    assert_eq!(r, EspbError::Table);
    assert!(detail().1.contains("symbol table `custom` is inconsistent"), "{:?}", detail());

    let two = [&t as *const EspbSymtab, core::ptr::null()];
    let r = unsafe { espb_run(junk.as_ptr(), junk.len(), two.as_ptr(), 2, entry) };
    assert_eq!(r, EspbError::Table, "the first table is checked first");

    // A valid empty module without `main`, and one table too many.
    let empty = espb_runtime::format::encode(&espb_runtime::Module::default());
    let r = unsafe { espb_run(empty.as_ptr(), empty.len(), core::ptr::null(), 0, entry) };
    assert_eq!(r, EspbError::NoEntry);
    assert!(detail().1.starts_with("the module has no function `main`;"), "{:?}", detail());
    let image = espb_runtime::format::partition::wrap(&empty).unwrap();
    let r = unsafe { espb_run_partition(image.as_ptr(), image.len(), core::ptr::null(), 0, entry) };
    assert_eq!(r, EspbError::NoEntry, "the partition header is checked, then the module runs");

    // Truncation keeps the NUL and a character boundary.
    let mut small = [0x55 as c_char; 8];
    let code = unsafe { espb_last_detail(small.as_mut_ptr(), small.len()) };
    assert_eq!(code, EspbError::NoEntry as i32);
    let s: Vec<u8> = small.iter().map(|&c| c as u8).collect();
    assert_eq!(&s, b"the mod\0");
    assert_eq!(unsafe { espb_last_detail(core::ptr::null_mut(), 0) }, EspbError::NoEntry as i32);

    // The handle API: a NULL handle pointer, then a module on a host (no
    // RTOS, no thunks) is refused with the reason.
    let r = unsafe {
        espb_load(empty.as_ptr(), empty.len(), core::ptr::null(), 0, core::ptr::null(), 0, core::ptr::null_mut())
    };
    assert_eq!(r, EspbError::Args);
    let mut app: *mut EspbApp = core::ptr::dangling_mut();
    let r = unsafe { espb_load(empty.as_ptr(), empty.len(), core::ptr::null(), 0, core::ptr::null(), 0, &mut app) };
    assert_eq!(r, EspbError::Os);
    assert!(app.is_null(), "no handle on failure");
    let d = detail().1;
    assert!(d.contains("without RTOS support") || d.contains("no callback thunks"), "{d}");
}

#[test]
fn null_handles_are_unloaded() {
    // SAFETY: NULL is allowed everywhere.
    unsafe {
        assert_eq!(espb_status(core::ptr::null()), EspbStatus::Unloaded);
        assert_eq!(espb_wait(core::ptr::null()), EspbStatus::Unloaded);
        let mut buf = [1 as c_char; 4];
        assert_eq!(espb_last_trap(core::ptr::null(), buf.as_mut_ptr(), buf.len()), 0);
        assert_eq!(buf[0], 1, "nothing written without a trap");
        espb_unload(core::ptr::null_mut());
    }
}

#[test]
fn the_default_configuration_is_the_device_s_and_zero_fields_take_it() {
    let mut c = core::mem::MaybeUninit::<EspbConfig>::uninit();
    // SAFETY: a writable config.
    unsafe { espb_config_default(c.as_mut_ptr()) };
    // SAFETY: written above.
    let c = unsafe { c.assume_init() };
    assert_eq!(c.max_memory, device_limits::MAX_MEMORY);
    assert_eq!(c.max_registers as usize, device_limits::MAX_REGISTERS);
    assert_eq!(c.fuel, 0, "unlimited: tasks share the CPU by time slices");
    let d = Config::device(FirmwareWindows::default());
    let got = c.to_config(FirmwareWindows::default());
    assert_eq!((got.max_call_depth, got.max_nesting, got.fuel), (d.max_call_depth, d.max_nesting, None));
    let zero = EspbConfig {
        fuel: 5,
        time_slice: 0,
        max_memory: 0,
        stack_size: 0,
        heap_size: 4096,
        max_call_depth: 0,
        max_registers: 0,
        max_nesting: 0,
        max_thunks: 0,
        task_stack_size: 0,
    };
    let got = zero.to_config(FirmwareWindows::default());
    assert_eq!((got.fuel, got.heap_size, got.stack_size), (Some(5), Some(4096), None));
    assert_eq!((got.max_memory, got.max_registers, got.time_slice), (d.max_memory, d.max_registers, d.time_slice));
    assert!(got.native_memory, "a device's memory is at its native address");
    // SAFETY: NULL is ignored.
    unsafe { espb_config_default(core::ptr::null_mut()) };
}

//! The simulator's natives called through the `Host` trait as the
//! interpreter calls them: output and its order, traps, memory effects.

use espb_runtime::TrapKind;
use espb_sim::testing::{Harness, V};

fn p(a: u32) -> V {
    V::ptr(a)
}

fn ret_i32(r: Result<u64, espb_runtime::Trap>) -> i32 {
    r.unwrap_or_else(|e| panic!("trapped: {e:?}")) as u32 as i32
}

#[test]
fn stdout_functions_keep_order_and_stderr_flushes_first() {
    let mut h = Harness::new();
    let f = h.cstr(b"%s=%d\n");
    let k = h.cstr(b"x");
    let hello = h.cstr(b"hello");
    assert_eq!(ret_i32(h.call_v("printf", Some(1), &[p(f), p(k), V::I32(5)])), 4);
    assert_eq!(ret_i32(h.call("puts", &[p(hello)])), 10);
    assert_eq!(ret_i32(h.call("putchar", &[V::I32(b'A' as i32)])), 65);
    assert_eq!(ret_i32(h.call("fputs", &[p(hello), p(espb_sim::SIM_STDOUT)])), 0);
    assert_eq!(ret_i32(h.call("fputc", &[V::I32(b'!' as i32), p(0x1234)])), 33);
    assert_eq!(ret_i32(h.call("putc", &[V::I32(b'\n' as i32), p(espb_sim::SIM_STDOUT)])), 10);
    // No newline yet: buffered; stderr output flushes it first.
    assert_eq!(ret_i32(h.call("fputs", &[p(hello), p(0x5678)])), 0);
    // A NULL stream (a failed fopen) traps instead.
    let null = h.call("fputs", &[p(hello), p(0)]).unwrap_err();
    assert!(format!("{null:?}").contains("FILE* is NULL"), "{null:?}");
    assert_eq!(h.out.text(), "x=5\nhello\nAhello!\n");
    assert_eq!(ret_i32(h.call("fputs", &[p(k), p(espb_sim::SIM_STDERR)])), 0);
    assert_eq!(h.out.text(), "x=5\nhello\nAhello!\nhello");
    assert_eq!(h.stderr(), "x");
    let ef = h.cstr(b"err %d\n");
    assert_eq!(ret_i32(h.call_v("fprintf", Some(2), &[p(espb_sim::SIM_STDERR), p(ef), V::I32(7)])), 6);
    assert_eq!(h.stderr(), "xerr 7\n");
    assert_eq!(ret_i32(h.call("fwrite", &[p(hello), V::I32(1), V::I32(3), p(espb_sim::SIM_STDOUT)])), 3);
    assert_eq!(ret_i32(h.call("fflush", &[p(0)])), 0);
    assert_eq!(h.out.text(), "x=5\nhello\nAhello!\nhellohel");
}

#[test]
fn sprintf_family_writes_module_memory() {
    let mut h = Harness::new();
    let buf = h.alloc(64);
    let f = h.cstr(b"%d-%s");
    let s = h.cstr(b"abcdef");
    // snprintf truncates, returns the full length, always NUL-terminates.
    assert_eq!(ret_i32(h.call_v("snprintf", Some(3), &[p(buf), V::I32(5), p(f), V::I32(123), p(s)])), 10);
    assert_eq!(h.read_str(buf), "123-");
    // n == 0 writes nothing, even with a NULL buffer.
    assert_eq!(ret_i32(h.call_v("snprintf", Some(3), &[p(0), V::I32(0), p(f), V::I32(1), p(s)])), 8);
    assert_eq!(ret_i32(h.call_v("sprintf", Some(2), &[p(buf), p(f), V::I32(-9), p(s)])), 9);
    assert_eq!(h.read_str(buf), "-9-abcdef");
    // sprintf past the end of memory traps (out of bounds), never panics.
    let end = espb_sim::testing::MEM_SIZE as u32 + espb_runtime::PC_MEMORY_BASE - 4;
    let e = h.call_v("sprintf", Some(2), &[p(end), p(f), V::I32(12345), p(s)]).unwrap_err();
    assert!(matches!(e.kind, TrapKind::OutOfBounds { .. }), "{e:?}");
    // A bad format pointer traps.
    let e = h.call_v("printf", Some(1), &[p(8)]).unwrap_err();
    assert!(matches!(e.kind, TrapKind::OutOfBounds { addr: 8, .. }), "{e:?}");
    // Too few arguments is a trap naming the function.
    let e = h.call_v("printf", Some(1), &[p(f)]).unwrap_err();
    assert!(matches!(e.kind, TrapKind::Host(ref m) if m.starts_with("printf")), "{e:?}");
}

#[test]
fn vprintf_reads_an_ilp32_va_list() {
    let mut h = Harness::new();
    let ap = h.alloc(32);
    let s = h.cstr(b"str");
    h.mem.write_u32(ap, 42).unwrap();
    h.mem.write_u64(ap + 8, 1.25f64.to_bits()).unwrap();
    h.mem.write_u32(ap + 16, s).unwrap();
    let f = h.cstr(b"%d %.2f %s\n");
    let buf = h.alloc(32);
    assert_eq!(ret_i32(h.call("vsnprintf", &[p(buf), V::I32(32), p(f), p(ap)])), 12);
    assert_eq!(h.read_str(buf), "42 1.25 str\n");
    assert_eq!(ret_i32(h.call("vprintf", &[p(f), p(ap)])), 12);
    assert_eq!(h.stdout(), "42 1.25 str\n");
}

#[test]
fn exit_abort_assert() {
    let mut h = Harness::new();
    let f = h.cstr(b"unflushed");
    h.call_v("printf", Some(1), &[p(f)]).unwrap();
    let e = h.call("exit", &[V::I32(3)]).unwrap_err();
    assert_eq!(e.kind, TrapKind::Exit(3));
    assert_eq!(h.out.text(), "unflushed", "exit flushes stdout");
    assert_eq!(h.call("abort", &[]).unwrap_err().kind, TrapKind::Abort);
    assert_eq!(h.call("esp_restart", &[]).unwrap_err().kind, TrapKind::Exit(0));
    let (file, func, expr) = (h.cstr(b"main.c"), h.cstr(b"app_main"), h.cstr(b"x > 0"));
    let e = h.call("__assert_func", &[p(file), V::I32(12), p(func), p(expr)]).unwrap_err();
    assert_eq!(e.kind, TrapKind::Abort);
    assert_eq!(h.stderr(), "assertion \"x > 0\" failed: file \"main.c\", line 12, function: app_main\n");
    let mut h = Harness::new();
    let (file, expr) = (h.cstr(b"a.c"), h.cstr(b"0"));
    h.call("__assert_func", &[p(file), V::I32(1), p(0), p(expr)]).unwrap_err();
    assert_eq!(h.stderr(), "assertion \"0\" failed: file \"a.c\", line 1\n");
}

#[test]
fn reent_errno_and_std_streams() {
    let mut h = Harness::new();
    let r = h.call("__getreent", &[]).unwrap() as u32;
    assert_ne!(r, 0);
    assert_eq!(h.call("__errno", &[]).unwrap() as u32, r, "errno is _REENT->_errno");
    assert_eq!(h.mem.read_u32(r + 8).unwrap(), espb_sim::SIM_STDOUT);
    assert_eq!(h.mem.read_u32(r + 12).unwrap(), espb_sim::SIM_STDERR);
    let big = h.cstr(b"99999999999");
    assert_eq!(ret_i32(h.call("strtol", &[p(big), p(0), V::I32(10)])), i32::MAX);
    assert_eq!(h.mem.read_u32(r).unwrap(), 34, "ERANGE");
    assert_eq!(ret_i32(h.call("strtol", &[p(big), p(0), V::I32(99)])), 0);
    assert_eq!(h.mem.read_u32(r).unwrap(), 22, "EINVAL");
}

#[test]
fn strings() {
    let mut h = Harness::new();
    let a = h.cstr(b"hello world");
    let b = h.cstr(b"hello");
    let dst = h.alloc(64);
    let r = |h: &mut Harness, name: &str, args: &[V]| h.call(name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert_eq!(r(&mut h, "strlen", &[p(a)]), 11);
    assert_eq!(r(&mut h, "strnlen", &[p(a), V::I32(4)]), 4);
    assert!((r(&mut h, "strcmp", &[p(a), p(b)]) as i32) > 0);
    assert!((r(&mut h, "strcmp", &[p(b), p(a)]) as i32) < 0);
    assert_eq!(r(&mut h, "strncmp", &[p(a), p(b), V::I32(5)]), 0);
    let up = h.cstr(b"HELLO");
    assert_eq!(r(&mut h, "strcasecmp", &[p(up), p(b)]), 0);
    assert_eq!(r(&mut h, "strcpy", &[p(dst), p(b)]) as u32, dst);
    let comma = h.cstr(b", ");
    r(&mut h, "strcat", &[p(dst), p(comma)]);
    r(&mut h, "strncat", &[p(dst), p(a), V::I32(3)]);
    assert_eq!(h.read_str(dst), "hello, hel");
    assert_eq!(r(&mut h, "strchr", &[p(a), V::I32(b'o' as i32)]) as u32, a + 4);
    assert_eq!(r(&mut h, "strrchr", &[p(a), V::I32(b'o' as i32)]) as u32, a + 7);
    assert_eq!(r(&mut h, "strchr", &[p(a), V::I32(0)]) as u32, a + 11);
    assert_eq!(r(&mut h, "strchr", &[p(a), V::I32(b'z' as i32)]), 0);
    let wor = h.cstr(b"wor");
    assert_eq!(r(&mut h, "strstr", &[p(a), p(wor)]) as u32, a + 6);
    let empty = h.cstr(b"");
    assert_eq!(r(&mut h, "strstr", &[p(a), p(empty)]) as u32, a);
    // strncpy pads with NULs and does not terminate a long source.
    h.mem.fill(dst, 0xAA, 16).unwrap();
    r(&mut h, "strncpy", &[p(dst), p(b), V::I32(8)]);
    assert_eq!(h.mem.slice(dst, 9).unwrap(), b"hello\0\0\0\xAA");
    r(&mut h, "strncpy", &[p(dst), p(a), V::I32(3)]);
    assert_eq!(h.mem.slice(dst, 4).unwrap(), b"hell", "no NUL: the old byte stays");
    // mem*.
    r(&mut h, "memset", &[p(dst), V::I32(0x41), V::I32(4)]);
    assert_eq!(h.mem.slice(dst, 4).unwrap(), b"AAAA");
    r(&mut h, "memcpy", &[p(dst), p(a), V::I32(5)]);
    r(&mut h, "memmove", &[p(dst + 1), p(dst), V::I32(5)]);
    assert_eq!(h.mem.slice(dst, 6).unwrap(), b"hhello");
    assert_eq!(r(&mut h, "memcmp", &[p(dst + 1), p(a), V::I32(5)]), 0);
    assert_eq!(r(&mut h, "memchr", &[p(a), V::I32(b'w' as i32), V::I32(100)]) as u32, a + 6);
    // strtok.
    let t = h.cstr(b"  a,b;;c ");
    let d = h.cstr(b" ,;");
    let mut toks = Vec::new();
    let mut s = t;
    loop {
        let tok = r(&mut h, "strtok", &[p(s), p(d)]) as u32;
        if tok == 0 {
            break;
        }
        toks.push(h.read_str(tok));
        s = 0;
    }
    assert_eq!(toks, ["a", "b", "c"]);
    // strdup/strndup are the runtime's (their copies come from the module's
    // heap on a device too): the simulator does not offer them.
    assert!(!espb_sim::native_names().any(|n| n == "strdup" || n == "strndup"));
}

#[test]
fn string_functions_trap_on_bad_pointers() {
    let mut h = Harness::new();
    let a = h.cstr(b"abc");
    for (name, args) in [
        ("strlen", vec![p(0)]),
        ("strcpy", vec![p(0x10), p(a)]),
        ("strcmp", vec![p(a), p(0xFFFF_FFFF)]),
        ("memcpy", vec![p(a), p(a), V::I32(-1)]),
        ("memset", vec![p(0), V::I32(0), V::I32(1)]),
        ("strncpy", vec![p(a), p(a), V::I32(1 << 20)]),
        ("memchr", vec![p(a), V::I32(b'z' as i32), V::I32(1 << 20)]),
    ] {
        let e = h.call(name, &args).unwrap_err();
        assert!(matches!(e.kind, TrapKind::OutOfBounds { .. }), "{name}: {e:?}");
    }
    // Missing arguments trap with the function's name.
    let e = h.call("strlen", &[]).unwrap_err();
    assert!(matches!(e.kind, TrapKind::Host(ref m) if m.contains("strlen")), "{e:?}");
}

#[test]
fn stdlib() {
    let mut h = Harness::new();
    assert_eq!(ret_i32(h.call("abs", &[V::I32(-5)])), 5);
    assert_eq!(ret_i32(h.call("abs", &[V::I32(i32::MIN)])), i32::MIN);
    assert_eq!(h.call("llabs", &[V::I64(-1 << 40)]).unwrap(), 1 << 40);
    let s = h.cstr(b" -123abc");
    let end = h.alloc(4);
    assert_eq!(ret_i32(h.call("strtol", &[p(s), p(end), V::I32(0)])), -123);
    assert_eq!(h.mem.read_u32(end).unwrap(), s + 5);
    assert_eq!(ret_i32(h.call("atoi", &[p(s)])), -123);
    assert_eq!(h.call("atoll", &[p(s)]).unwrap() as i64, -123);
    // rand: newlib's sequence from seed 1, and srand restarts it.
    let first: Vec<i32> = (0..3).map(|_| ret_i32(h.call("rand", &[]))).collect();
    assert_eq!(first[0], 1481765933);
    h.call("srand", &[V::I32(1)]).unwrap();
    let again: Vec<i32> = (0..3).map(|_| ret_i32(h.call("rand", &[]))).collect();
    assert_eq!(first, again);
    assert!(first.iter().all(|&v| v >= 0));
}

#[test]
fn ctype() {
    let mut h = Harness::new();
    let mut c = |name: &str, ch: i32| ret_i32(h.call(name, &[V::I32(ch)]));
    assert_eq!(c("isdigit", b'5' as i32), 4);
    assert_eq!(c("isdigit", b'a' as i32), 0);
    assert_eq!(c("isalpha", b'a' as i32), 2);
    assert_eq!(c("isalpha", b'Q' as i32), 1);
    assert_eq!(c("isupper", b'Q' as i32), 1);
    assert_eq!(c("islower", b'Q' as i32), 0);
    assert_ne!(c("isspace", b'\t' as i32), 0);
    assert_ne!(c("isspace", 0x0B), 0);
    assert_ne!(c("isxdigit", b'f' as i32), 0);
    assert_eq!(c("isxdigit", b'g' as i32), 0);
    assert_ne!(c("ispunct", b'!' as i32), 0);
    assert_ne!(c("isalnum", b'0' as i32), 0);
    assert_eq!(c("isdigit", -1), 0, "EOF");
    assert_eq!(c("isalpha", 0xE9), 0, "C locale");
    assert_eq!(c("toupper", b'a' as i32), b'A' as i32);
    assert_eq!(c("toupper", b'1' as i32), b'1' as i32);
    assert_eq!(c("tolower", b'Z' as i32), b'z' as i32);
    assert_eq!(c("tolower", -1), -1);
}

#[test]
fn math() {
    let mut h = Harness::new();
    let mut d = |name: &str, args: &[f64]| {
        let a: Vec<V> = args.iter().map(|&x| V::F64(x)).collect();
        f64::from_bits(h.call(name, &a).unwrap_or_else(|e| panic!("{name}: {e:?}")))
    };
    assert_eq!(d("sqrt", &[2.0]), 2f64.sqrt());
    assert_eq!(d("pow", &[2.0, 10.0]), 1024.0);
    assert_eq!(d("atan2", &[1.0, -1.0]), 1f64.atan2(-1.0));
    assert_eq!(d("fmod", &[7.5, 2.0]), 1.5);
    assert_eq!(d("round", &[-2.5]), -3.0);
    assert_eq!(d("floor", &[-2.5]), -3.0);
    assert_eq!(d("ceil", &[-2.5]), -2.0);
    assert_eq!(d("fabs", &[-0.0]).to_bits(), 0f64.to_bits());
    assert_eq!(d("log10", &[1000.0]), 3.0);
    assert!(d("sqrt", &[-1.0]).is_nan());
    let f = |h: &mut Harness, name: &str, args: &[f32]| {
        let a: Vec<V> = args.iter().map(|&x| V::F32(x)).collect();
        f32::from_bits(h.call(name, &a).unwrap_or_else(|e| panic!("{name}: {e:?}")) as u32)
    };
    assert_eq!(f(&mut h, "sqrtf", &[2.0]), 2f32.sqrt());
    assert_eq!(f(&mut h, "powf", &[3.0, 2.0]), 9.0);
    assert_eq!(f(&mut h, "sinf", &[0.5]), 0.5f32.sin());
    let e = h.alloc(8);
    let m = f64::from_bits(h.call("frexp", &[V::F64(48.0), p(e)]).unwrap());
    assert_eq!((m, h.mem.read_u32(e).unwrap()), (0.75, 6));
    let frac = f64::from_bits(h.call("modf", &[V::F64(-3.25), p(e)]).unwrap());
    assert_eq!((frac, f64::from_bits(h.mem.read_u64(e).unwrap())), (-0.25, -3.0));
    assert_eq!(f64::from_bits(h.call("ldexp", &[V::F64(0.75), V::I32(6)]).unwrap()), 48.0);
    // frexp through a bad pointer traps.
    assert!(h.call("frexp", &[V::F64(1.0), p(0)]).is_err());
}

#[test]
fn esp_time_delay_and_log() {
    let mut h = Harness::new(); // virtual time
    assert_eq!(h.call("esp_log_timestamp", &[]).unwrap(), 0);
    h.call("vTaskDelay", &[V::I32(50)]).unwrap(); // 50 ticks of 10 ms
    assert_eq!(h.call("esp_log_timestamp", &[]).unwrap(), 500);
    assert_eq!(h.call("esp_timer_get_time", &[]).unwrap(), 500_000);
    assert_eq!(h.call("xTaskGetTickCount", &[]).unwrap(), 50);
    h.host.set_tick_period_ms(1);
    h.call("vTaskDelay", &[V::I32(5)]).unwrap();
    assert_eq!(h.call("esp_log_timestamp", &[]).unwrap(), 505);
    // esp_log_write: INFO passes, DEBUG is filtered; levels are per tag.
    let tag = h.cstr(b"app");
    let fmt = h.cstr(b"I (%lu) %s: n=%d\n");
    let log = |h: &mut Harness, level: i32| {
        h.call_v("esp_log_write", Some(3), &[V::I32(level), p(tag), p(fmt), V::I32(505), p(tag), V::I32(level)])
            .unwrap();
    };
    log(&mut h, 3);
    log(&mut h, 4);
    let debug = V::I32(4);
    h.call("esp_log_level_set", &[p(tag), debug]).unwrap();
    log(&mut h, 4);
    assert_eq!(h.stdout(), "I (505) app: n=3\nI (505) app: n=4\n");
    let f = h.cstr(b"rom %x\n");
    h.call_v("esp_rom_printf", Some(1), &[p(f), V::I32(255)]).unwrap();
    assert_eq!(h.stdout(), "I (505) app: n=3\nI (505) app: n=4\nrom ff\n");
    // portMAX_DELAY in virtual time: no overflow, no sleep.
    h.host.set_tick_period_ms(u32::MAX);
    h.call("vTaskDelay", &[V::I32(-1)]).unwrap();
    h.call("esp_log_timestamp", &[]).unwrap();
}

#[test]
fn unknown_imports_do_not_resolve() {
    use espb_runtime::Host;
    use espb_runtime::{FuncType, Import, ImportRef};
    let (mut host, _, _) = espb_sim::PcHost::capture();
    let ty = FuncType { params: vec![], result: None, variadic_fixed: None };
    let import = |n: &str| Import::func(ImportRef::Name(n.to_string()), 0);
    assert!(host.resolve(&import("no_such_function"), &ty).is_none());
    assert!(host.resolve(&import("printf"), &ty).is_some());
    let slot = Import::func(ImportRef::Slot { table: 0, index: 3, name: None }, 0);
    assert!(host.resolve(&slot, &ty).is_none());
}

#[test]
fn output_reaches_the_writer_on_drop() {
    let out = espb_sim::SharedBuf::new();
    {
        let mut h = Harness::new();
        h.host = espb_sim::PcHost::with_stderr(Box::new(out.clone()), Box::new(std::io::sink()));
        let f = h.cstr(b"no newline");
        h.call_v("printf", Some(1), &[p(f)]).unwrap();
        assert_eq!(out.text(), "");
    }
    assert_eq!(out.text(), "no newline");
}

//! The simulator's printf against glibc: every case is formatted by our
//! `snprintf` (through the `Host` trait) and by glibc's `snprintf` in a C
//! program compiled with `gcc -m32 -malign-double` (ilp32, like the chips:
//! `long` is 32 bits). Also compares `strtol` and friends the same way.
//! Skipped, with a message, when gcc or its 32-bit support is missing.

use espb_sim::testing::{Harness, V};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

#[derive(Clone, Copy, Debug)]
enum A {
    I(i32),
    L(i64),
    D(f64),
    S(&'static str),
    Null,
    P(u32),
}
use A::*;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

#[rustfmt::skip]
const CASES: &[(&str, &[A])] = &[
    // Integers, flags, width, precision.
    ("%d|%i|%5d|%-5d|%05d|%+d|% d|%+ d", &[I(42), I(-42), I(42), I(42), I(-42), I(42), I(42), I(42)]),
    ("%d %d %d", &[I(0), I(i32::MAX), I(i32::MIN)]),
    ("%u %u %o %x %X", &[I(-1), I(0), I(-1), I(-1), I(0xabcdef)]),
    ("%08x|%#o|%#x|%#X|%#08x|%#-8x|%#.0o|%#.0x|%#o", &[I(255), I(8), I(255), I(255), I(255), I(255), I(0), I(0), I(0)]),
    ("%.0d|%5.0d|%+.0d|% .0d|%.0u|%.0x|%-5.0d|", &[I(0), I(0), I(0), I(0), I(0), I(0), I(0)]),
    ("%#5o|%#.5o|%08.3x|%-08d|%.3d|%+u|% u|%.10d|%012.5d", &[I(8), I(8), I(255), I(42), I(-7), I(5), I(5), I(-123), I(42)]),
    ("%hhd %hhu %hd %hu %hhx %hx", &[I(300), I(-1), I(70000), I(-1), I(0x1ff), I(0x12345)]),
    ("%ld %lu %lx %li %zu %zd %td %zx", &[I(-5), I(-1), I(-1), I(7), I(-1), I(-1), I(-3), I(4096)]),
    ("%lld|%llu|%llx|%llX|%llo", &[L(i64::MIN), L(-1), L(-1), L(0x0123_4567_89ab_cdef), L(-1)]),
    ("%lld %lld %+lld %20lld %-20lld|", &[L(0), L(i64::MAX), L(5), L(-123456789012), L(99)]),
    ("%jd %ju %Ld %qd %#llx", &[L(-1), L(-1), L(1 << 40), L(-2), L(1 << 63)]),
    ("%*d|%-*d|%*d|%.*d|%.*d|%*.*d", &[I(5), I(1), I(-5), I(1), I(3), I(-9), I(-1), I(7), I(4), I(7), I(8), I(3), I(-2)]),
    ("%'d %'u", &[I(1234567), I(1234567)]),
    // Characters, strings, pointers, percent, unknown conversions.
    ("[%c][%3c][%-3c][%05c][%c]", &[I(65), I(66), I(67), I(120), I(0x141)]),
    ("[%%][%5%][%-5%]", &[]),
    ("[%s][%-10s][%10s][%.3s][%5.1s][%.0s][%-6.2s]", &[S("hi"), S("hi"), S("hi"), S("hello"), S("hello"), S("x"), S("abc")]),
    ("[%s][%.3s][%10s][%.6s][%-8s][%.5s][%7.6s]", &[Null, Null, Null, Null, Null, Null, Null]),
    ("[%05s][%s][%s]", &[S("ab"), S(""), S("tab\there")]),
    ("[%p][%p][%10p][%-12p][%p][%20p]", &[P(0x3fc80010), Null, Null, P(0x10), P(0xffffffff), P(0x4200_0004)]),
    ("[%y][%5y][%-5k]", &[]),
    ("abc%", &[]),
    ("%5", &[]),
    ("plain text, no conversions", &[]),
    ("", &[]),
    // %f.
    ("%f|%5.2f|%-8.3f|%08.2f|%+f|% f|%.10f", &[D(3.14158), D(3.14158), D(2.5), D(-1.5), D(1.0), D(1.0), D(0.1)]),
    ("%.0f %.0f %.0f %.0f %.0f %.0f", &[D(0.5), D(1.5), D(2.5), D(3.5), D(-0.5), D(-2.5)]),
    ("%.2f %.2f %.2f %.1f %.1f %.3f", &[D(2.675), D(1.005), D(0.125), D(0.25), D(0.35), D(1.0005)]),
    ("%f %f %f %f", &[D(0.0), D(-0.0), D(1e-7), D(123456789.12345679)]),
    ("%f", &[D(1e300)]),
    ("%.20f %.30f", &[D(0.1), D(1e-20)]),
    ("%.1100f", &[D(5e-324)]),
    ("%#.0f %#.0f %#f %#.3f", &[D(3.0), D(0.0), D(1.0), D(2.0)]),
    ("%010.3f|%+010.3f|% 010.3f|%-010.3f|%010f", &[D(-3.14158), D(3.14158), D(3.14158), D(3.14158), D(-0.0)]),
    // (%Lf is left out: long double is 80-bit on i386, 128-bit on riscv32.)
    ("%F %f %lf", &[D(1.5), D(-7.25), D(8.125)]),
    ("%.15f %.17f %.16f", &[D(1.0 / 3.0), D(std::f64::consts::SQRT_2), D(std::f64::consts::PI)]),
    ("%f %f %f", &[D(f64::MAX), D(f64::MIN_POSITIVE), D(4294967296.5)]),
    // %e.
    ("%e|%e|%e|%e|%E", &[D(0.0), D(1e-300), D(123456789.0), D(-0.0), D(1e300)]),
    ("%.0e %.1e %.2e %.10e %.20e", &[D(5.5), D(9.95), D(1.005), D(1.0 / 3.0), D(0.1)]),
    ("%e %e %e %.3e", &[D(5e-324), D(f64::MAX), D(f64::MIN_POSITIVE), D(9.9995)]),
    ("%#.0e|%15.4e|%-15.4e|%015.4e|%+e|% e", &[D(3.0), D(12345.678), D(-12345.678), D(-12345.678), D(1.0), D(1.0)]),
    ("%e %e %e", &[D(1e100), D(1e-100), D(1e-10)]),
    // %g.
    ("%g %g %g %g %g %g %g", &[D(0.0001), D(1e-5), D(123456789.0), D(100000.0), D(1e6), D(0.5), D(0.0)]),
    ("%g %g %g %g %g %g", &[D(999999.5), D(9999995.0), D(0.00001234), D(1234567.0), D(123456.0), D(-0.0)]),
    ("%.0g %.1g %.2g %.3g %.10g %.17g", &[D(0.5), D(0.05), D(123.0), D(999.5), D(1.0 / 3.0), D(0.1)]),
    ("%#g|%#.3g|%#.0g|%#.1g|%#g|%#g", &[D(1.0), D(1.0), D(0.5), D(5.0), D(123456789.0), D(0.0)]),
    ("%G %G %g %g", &[D(1e-10), D(1e20), D(1e-4), D(9.9999e-5)]),
    ("%10.4g|%-10.4g|%010.4g|%+g|% g", &[D(3.14158), D(3.14158), D(-3.14158), D(1.5), D(2.5)]),
    ("%g %g %g %g", &[D(100.0), D(1e15), D(1e16), D(1e17)]),
    ("%.50g", &[D(0.1)]),
    // inf / nan.
    ("[%f][%F][%e][%E][%g][%G][%a][%A]", &[D(INF), D(INF), D(-INF), D(-INF), D(INF), D(INF), D(INF), D(-INF)]),
    ("[%f][%F][%+e][% g][%05f][%-6f][%010.3e][%+F]", &[D(NAN), D(NAN), D(NAN), D(NAN), D(INF), D(-INF), D(INF), D(INF)]),
    ("[%f][%e][%g][%F]", &[D(-NAN), D(-NAN), D(-NAN), D(-NAN)]),
    // %a.
    ("[%a][%a][%a][%.1a][%.0a][%A]", &[D(3.0), D(0.0), D(5e-324), D(1.5), D(1.5), D(-0.1)]),
    ("[%a][%.2a][%a][%.0a][%.0a][%.1a][%.1a]", &[D(1e308), D(1.0 / 3.0), D(2.5), D(2.5), D(3.5), D(1.03125), D(1.09375)]),
    ("[%a][%.3a][%.20a][%#a][%#.0a][%20a][%-20a][%020a][%+a]", &[D(1.0), D(1.0), D(1.0), D(1.0), D(1.0), D(0.1), D(0.1), D(0.1), D(0.1)]),
    ("[%a][%.1a][%a]", &[D(f64::MIN_POSITIVE), D(0.9999), D(-0.0)]),
    // Mixed.
    ("%s=%d (%5.1f%%) %c %llu %p", &[S("temp"), I(21), D(21.456), I(67), L(-1), P(0x3fc9_0000)]),
    ("%d %lld %d %f %d", &[I(1), L(2), I(3), D(4.0), I(5)]),
];

/// C expression for an argument.
fn c_arg(a: &A) -> String {
    match a {
        I(v) => format!("(int)0x{:x}u", *v as u32),
        L(v) => format!("(long long)0x{:x}ull", *v as u64),
        D(v) => format!("dbl(0x{:x}ull)", v.to_bits()),
        S(s) => c_literal(s.as_bytes()),
        Null => "(char *)0".to_string(),
        P(p) => format!("(void *)0x{p:x}u"),
    }
}

/// A C string literal with every byte escaped in octal.
fn c_literal(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        let _ = write!(s, "\\{c:03o}");
    }
    s.push('"');
    s
}

/// Places the arguments in the harness memory and turns them into values.
fn our_args(h: &mut Harness, args: &[A]) -> Vec<V> {
    args.iter()
        .map(|a| match a {
            I(v) => V::I32(*v),
            L(v) => V::I64(*v),
            D(v) => V::F64(*v),
            S(s) => V::ptr(h.cstr(s.as_bytes())),
            Null => V::I32(0),
            P(p) => V::ptr(*p),
        })
        .collect()
}

/// Ours: (return value, output) of `snprintf(buf, 4096, fmt, args...)`.
fn ours(fmt: &str, args: &[A]) -> (i32, Vec<u8>) {
    let mut h = Harness::new();
    let buf = h.alloc(4096);
    let f = h.cstr(fmt.as_bytes());
    let mut all = vec![V::ptr(buf), V::I32(4096), V::ptr(f)];
    all.extend(our_args(&mut h, args));
    let r = h.call_v("snprintf", Some(3), &all).unwrap_or_else(|e| panic!("snprintf({fmt:?}) trapped: {e:?}"));
    let out = h.mem.c_str(buf).map(|s| s.to_vec()).unwrap_or_default();
    (r as u32 as i32, out)
}

/// Compiles and runs `body` (C statements printing one line per case) with
/// `gcc -m32 -malign-double`; `None` (with a message) when that's impossible.
fn run_c(name: &str, body: &str) -> Option<String> {
    let dir: PathBuf = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("espb-sim-{name}"));
    std::fs::create_dir_all(&dir).ok()?;
    let src = dir.join("t.c");
    let exe = dir.join("t");
    let prog = format!(
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\
         static double dbl(unsigned long long b) {{ double d; memcpy(&d, &b, 8); return d; }}\n\
         static void hex(int r, const char *s) {{ printf(\"%d \", r); for (; *s; s++) printf(\"%02x\", (unsigned char)*s); printf(\"\\n\"); }}\n\
         static char buf[8192];\n\
         int main(void) {{ (void)dbl; (void)hex; (void)buf;\n{body}\nreturn 0; }}\n"
    );
    std::fs::write(&src, prog).ok()?;
    let cc = Command::new("gcc")
        .args(["-m32", "-malign-double", "-O0", "-w", "-fno-builtin", "-o"])
        .arg(&exe)
        .arg(&src)
        .output();
    let skip = |why: &str| {
        eprintln!("SKIPPED: comparison with glibc needs `gcc -m32` ({why})");
        None
    };
    let cc = match cc {
        Ok(o) => o,
        Err(e) => return skip(&format!("gcc not runnable: {e}")),
    };
    if !cc.status.success() {
        return skip(&String::from_utf8_lossy(&cc.stderr));
    }
    let run = Command::new(&exe).output().ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    Some(String::from_utf8_lossy(&run.stdout).into_owned())
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
}

#[test]
fn printf_matches_glibc() {
    let mut body = String::new();
    for (fmt, args) in CASES {
        let mut call = format!("hex(snprintf(buf, sizeof buf, {}", c_literal(fmt.as_bytes()));
        for a in *args {
            call.push_str(", ");
            call.push_str(&c_arg(a));
        }
        call.push_str("), buf);\n");
        body.push_str(&call);
    }
    let Some(out) = run_c("printf", &body) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), CASES.len(), "the C program printed {} lines for {} cases", lines.len(), CASES.len());
    let mut bad = String::new();
    for ((fmt, args), line) in CASES.iter().zip(&lines) {
        let (r, h) = line.split_once(' ').unwrap_or((line, ""));
        let want = (r.parse::<i32>().unwrap_or(i32::MIN), unhex(h));
        let got = ours(fmt, args);
        if got != want {
            let _ = writeln!(
                bad,
                "format {fmt:?}\n   glibc: {} {:?}\n   ours:  {} {:?}",
                want.0,
                String::from_utf8_lossy(&want.1),
                got.0,
                String::from_utf8_lossy(&got.1)
            );
        }
    }
    assert!(bad.is_empty(), "differences from glibc:\n{bad}");
}

#[rustfmt::skip]
const STRTO: &[(&str, i32)] = &[
    ("42", 10), ("  -42xyz", 10), ("+17", 10), ("0x1F", 0), ("0x1F", 16), ("0X1f", 16), ("0xg", 16), ("0xg", 0),
    ("017", 0), ("017", 10), ("08", 0), ("zz", 36), ("ZZ", 36), ("abc", 10), ("", 10), ("   ", 10), ("+", 10), ("-", 10),
    ("12", 1), ("12", 37), ("1010", 2), ("2147483647", 10), ("2147483648", 10), ("-2147483648", 10),
    ("-2147483649", 10), ("4294967295", 10), ("4294967296", 10), ("-1", 10), ("-4294967295", 10),
    ("9223372036854775807", 10), ("9223372036854775808", 10), ("-9223372036854775808", 10),
    ("-9223372036854775809", 10), ("18446744073709551615", 10), ("18446744073709551616", 10),
    ("99999999999999999999999999", 0), ("\t\n\x0b\x0c\r 7", 10), ("0x", 16), ("0", 0), ("-0x10", 0), ("1e5", 10),
];

#[test]
fn strtol_family_matches_glibc() {
    let mut body = String::new();
    for (s, base) in STRTO {
        let lit = c_literal(s.as_bytes());
        let _ = writeln!(
            body,
            "{{ const char *s = {lit}; char *e1 = (char *)s, *e2 = e1, *e3 = e1, *e4 = e1;\n\
             long a = strtol(s, &e1, {base}); unsigned long b = strtoul(s, &e2, {base});\n\
             long long c = strtoll(s, &e3, {base}); unsigned long long d = strtoull(s, &e4, {base});\n\
             printf(\"%ld %d %lu %d %lld %d %llu %d %d %ld\\n\", a, (int)(e1 - s), b, (int)(e2 - s), c, (int)(e3 - s), d, (int)(e4 - s), atoi(s), atol(s)); }}"
        );
    }
    let Some(out) = run_c("strtol", &body) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), STRTO.len());
    let mut bad = String::new();
    for ((s, base), want) in STRTO.iter().zip(&lines) {
        let mut h = Harness::new();
        let p = h.cstr(s.as_bytes());
        let end = h.alloc(4);
        let mut got = String::new();
        for (name, signed, wide) in
            [("strtol", true, false), ("strtoul", false, false), ("strtoll", true, true), ("strtoull", false, true)]
        {
            let r = h.call(name, &[V::ptr(p), V::ptr(end), V::I32(*base)]).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let e = h.mem.read_u32(end).unwrap_or(0).wrapping_sub(p) as i32;
            let v = match (signed, wide) {
                (true, false) => (r as u32 as i32).to_string(),
                (false, false) => (r as u32).to_string(),
                (true, true) => (r as i64).to_string(),
                (false, true) => r.to_string(),
            };
            let _ = write!(got, "{v} {e} ");
        }
        if *base == 10 {
            let a = h.call("atoi", &[V::ptr(p)]).unwrap_or_else(|e| panic!("atoi: {e:?}")) as u32 as i32;
            let l = h.call("atol", &[V::ptr(p)]).unwrap_or_else(|e| panic!("atol: {e:?}")) as u32 as i32;
            let _ = write!(got, "{a} {l}");
            if got != *want {
                let _ = writeln!(bad, "{s:?} base {base}\n   glibc: {want}\n   ours:  {got}");
            }
        } else {
            // atoi is base 10 only: compare the strto* part.
            let want_strto: Vec<&str> = want.split(' ').take(8).collect();
            let got_strto: Vec<&str> = got.split(' ').take(8).collect();
            if got_strto != want_strto {
                let _ = writeln!(bad, "{s:?} base {base}\n   glibc: {want}\n   ours:  {got}");
            }
        }
    }
    assert!(bad.is_empty(), "differences from glibc:\n{bad}");
}

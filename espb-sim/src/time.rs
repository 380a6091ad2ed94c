//! time.h and sys/time.h: the clock (virtual time since boot, as an
//! ESP-IDF device's clock starts at the epoch until SNTP sets it), the
//! broken-down time of newlib's `struct tm` (nine `int`s, 36 bytes), and
//! `strftime` in the C locale. The time zone is UTC (ESP-IDF's default
//! without `TZ`): `localtime` is `gmtime`.

use super::{Call, Native, PcHost, n, ret_i32};
use espb_runtime::{HostCtx, Memory, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("time", time),
    n("gettimeofday", gettimeofday),
    n("difftime", difftime),
    n("mktime", mktime),
    n("gmtime_r", gmtime_r),
    n("localtime_r", gmtime_r),
    n("gmtime", gmtime),
    n("localtime", gmtime),
    n("strftime", strftime),
    n("asctime_r", asctime_r),
    n("asctime", asctime),
    n("ctime_r", ctime_r),
    n("ctime", ctime),
];

/// The nine fields of `struct tm`, in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tm {
    sec: i32,
    min: i32,
    hour: i32,
    mday: i32,
    mon: i32,
    year: i32,
    wday: i32,
    yday: i32,
    isdst: i32,
}

const TM_SIZE: u32 = 36;

fn read_tm(mem: &Memory, p: u32) -> Result<Tm, Trap> {
    let f = |i: u32| mem.read_u32(p + 4 * i).map(|v| v as i32);
    Ok(Tm {
        sec: f(0)?,
        min: f(1)?,
        hour: f(2)?,
        mday: f(3)?,
        mon: f(4)?,
        year: f(5)?,
        wday: f(6)?,
        yday: f(7)?,
        isdst: f(8)?,
    })
}

fn write_tm(mem: &mut Memory, p: u32, t: &Tm) -> Result<(), Trap> {
    let v = [t.sec, t.min, t.hour, t.mday, t.mon, t.year, t.wday, t.yday, t.isdst];
    let dst = mem.slice_mut(p, TM_SIZE as usize)?;
    for (i, x) in v.iter().enumerate() {
        dst[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
    }
    Ok(())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (`m` 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month 1..=12, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The broken-down UTC time of `t`, or `None` when its year does not fit
/// an `int` (newlib then returns NULL with EOVERFLOW).
pub(crate) fn breakdown(t: i64) -> Option<Tm> {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let year = i32::try_from(y - 1900).ok()?;
    Some(Tm {
        sec: (secs % 60) as i32,
        min: (secs / 60 % 60) as i32,
        hour: (secs / 3600) as i32,
        mday: d as i32,
        mon: (m - 1) as i32,
        year,
        wday: (days + 4).rem_euclid(7) as i32,
        yday: (days - days_from_civil(y, 1, 1)) as i32,
        isdst: 0,
    })
}

/// `mktime`'s seconds since the epoch for fields that may be out of range
/// (normalised the way C says: 60 seconds are a minute, month 12 is next
/// January...).
pub(crate) fn seconds_of(t: &Tm) -> i64 {
    let mon = i64::from(t.mon);
    let y = i64::from(t.year) + 1900 + mon.div_euclid(12);
    let m = mon.rem_euclid(12) + 1;
    let days = days_from_civil(y, m, 1) + i64::from(t.mday) - 1;
    days * 86_400 + i64::from(t.hour) * 3600 + i64::from(t.min) * 60 + i64::from(t.sec)
}

fn now_secs(h: &PcHost) -> i64 {
    (h.now_us() / 1_000_000) as i64
}

/// `time(&t)`: seconds since boot (the epoch, until the firmware sets the clock).
fn time(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = now_secs(h);
    let p = c.u32(0)?;
    if p != 0 {
        ctx.mem.write_u64(p, t as u64)?;
    }
    Ok(t as u64)
}

/// `gettimeofday(&tv, tz)`: `struct timeval` is a 64-bit `tv_sec` and a
/// `long` `tv_usec` at 8.
fn gettimeofday(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = c.u32(0)?;
    if p != 0 {
        let us = h.now_us();
        ctx.mem.write_u64(p, us / 1_000_000)?;
        ctx.mem.write_u32(p + 8, (us % 1_000_000) as u32)?;
    }
    Ok(0)
}

fn difftime(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(super::ret_f64(c.i64(0)? as f64 - c.i64(1)? as f64))
}

/// `mktime(&tm)`: normalises the fields in place and returns the time.
fn mktime(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = c.u32(0)?;
    let t = seconds_of(&read_tm(ctx.mem, p)?);
    match breakdown(t) {
        Some(tm) => {
            write_tm(ctx.mem, p, &tm)?;
            Ok(t as u64)
        }
        None => Ok(u64::MAX),
    }
}

/// `gmtime_r(&t, &tm)` (and `localtime_r`, UTC): `tm`, or NULL when the
/// year does not fit.
fn gmtime_r(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (tp, out) = (c.u32(0)?, c.u32(1)?);
    let t = ctx.mem.read_u64(tp)? as i64;
    match breakdown(t) {
        Some(tm) => {
            write_tm(ctx.mem, out, &tm)?;
            Ok(u64::from(out))
        }
        None => Ok(0),
    }
}

/// `gmtime(&t)`/`localtime(&t)`: one `struct tm` of the C library's,
/// in the module's heap, rewritten by every call.
fn gmtime(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    if h.tm == 0 {
        let p = ctx.malloc(TM_SIZE);
        if p == 0 {
            return Err(Trap::host("gmtime: no room in the module heap for its struct tm"));
        }
        h.tm = p;
    }
    let t = ctx.mem.read_u64(c.u32(0)?)? as i64;
    match breakdown(t) {
        Some(tm) => {
            write_tm(ctx.mem, h.tm, &tm)?;
            Ok(u64::from(h.tm))
        }
        None => Ok(0),
    }
}

const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The ISO 8601 week-based year and week of `t`.
fn iso_week(t: &Tm) -> (i64, i64) {
    let year = i64::from(t.year) + 1900;
    let wday = (i64::from(t.wday) + 6) % 7; // Monday = 0
    let yday = i64::from(t.yday);
    let week = (yday - wday + 10) / 7;
    let weeks_in = |y: i64| {
        let jan1 = (days_from_civil(y, 1, 1) + 3).rem_euclid(7); // Monday = 0
        if jan1 == 3 || (jan1 == 2 && is_leap(y)) { 53 } else { 52 }
    };
    if week < 1 {
        (year - 1, weeks_in(year - 1))
    } else if week > weeks_in(year) {
        (year + 1, 1)
    } else {
        (year, week)
    }
}

fn name(names: &[&'static str], i: i32) -> &'static str {
    names.get(i as usize).copied().unwrap_or("???")
}

/// `strftime`'s text for `fmt` and `t`, in the C locale; `None` for a
/// conversion it does not know.
pub(crate) fn format_tm(fmt: &[u8], t: &Tm) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        i += 1;
        // C99's E and O modifiers change nothing in the C locale.
        if matches!(fmt.get(i), Some(b'E' | b'O')) {
            i += 1;
        }
        let Some(&c) = fmt.get(i) else { return Err("a `%` at the end of the format".into()) };
        i += 1;
        let year = i64::from(t.year) + 1900;
        let h12 = if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
        let piece = match c {
            b'a' => name(&DAYS, t.wday)[..3].to_string(),
            b'A' => name(&DAYS, t.wday).to_string(),
            b'b' | b'h' => name(&MONTHS, t.mon)[..3].to_string(),
            b'B' => name(&MONTHS, t.mon).to_string(),
            b'c' => format_text(b"%a %b %e %H:%M:%S %Y", t)?,
            b'C' => format!("{:02}", year.div_euclid(100)),
            b'd' => format!("{:02}", t.mday),
            b'D' => format_text(b"%m/%d/%y", t)?,
            b'e' => format!("{:2}", t.mday),
            b'F' => format_text(b"%Y-%m-%d", t)?,
            b'g' => format!("{:02}", iso_week(t).0.rem_euclid(100)),
            b'G' => format!("{}", iso_week(t).0),
            b'H' => format!("{:02}", t.hour),
            b'I' => format!("{h12:02}"),
            b'j' => format!("{:03}", i64::from(t.yday) + 1),
            b'k' => format!("{:2}", t.hour),
            b'l' => format!("{h12:2}"),
            b'm' => format!("{:02}", i64::from(t.mon) + 1),
            b'M' => format!("{:02}", t.min),
            b'n' => "\n".into(),
            b'p' => (if t.hour < 12 { "AM" } else { "PM" }).into(),
            b'r' => format_text(b"%I:%M:%S %p", t)?,
            b'R' => format_text(b"%H:%M", t)?,
            b's' => format!("{}", seconds_of(t)),
            b'S' => format!("{:02}", t.sec),
            b't' => "\t".into(),
            b'T' => format_text(b"%H:%M:%S", t)?,
            b'u' => format!("{}", if t.wday == 0 { 7 } else { t.wday }),
            b'U' => format!("{:02}", (i64::from(t.yday) + 7 - i64::from(t.wday)) / 7),
            b'V' => format!("{:02}", iso_week(t).1),
            b'w' => format!("{}", t.wday),
            b'W' => format!("{:02}", (i64::from(t.yday) + 7 - (i64::from(t.wday) + 6).rem_euclid(7)) / 7),
            b'x' => format_text(b"%m/%d/%y", t)?,
            b'X' => format_text(b"%H:%M:%S", t)?,
            b'y' => format!("{:02}", year.rem_euclid(100)),
            b'Y' => format!("{year}"),
            b'z' => "+0000".into(),
            b'Z' => "GMT".into(),
            b'%' => "%".into(),
            other => return Err(format!("unknown conversion `%{}`", other as char)),
        };
        out.extend_from_slice(piece.as_bytes());
    }
    Ok(out)
}

fn format_text(fmt: &[u8], t: &Tm) -> Result<String, String> {
    format_tm(fmt, t).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// C's `asctime` text: `Thu Feb 29 12:34:56 2024\n` (26 bytes with the NUL).
fn asctime_text(t: &Tm) -> Vec<u8> {
    let day = DAYS.get(t.wday as usize).map_or("???", |d| &d[..3]);
    let mon = MONTHS.get(t.mon as usize).map_or("???", |m| &m[..3]);
    format!("{day} {mon}{:3} {:02}:{:02}:{:02} {}\n", t.mday, t.hour, t.min, t.sec, 1900 + i64::from(t.year))
        .into_bytes()
}

/// Writes `text` and a NUL at `p`.
fn put_text(mem: &mut Memory, p: u32, text: &[u8]) -> Result<(), Trap> {
    let dst = mem.slice_mut(p, text.len() + 1)?;
    dst[..text.len()].copy_from_slice(text);
    dst[text.len()] = 0;
    Ok(())
}

/// The C library's one `asctime`/`ctime` buffer, in the module's heap.
fn static_buf(h: &mut PcHost, ctx: &mut HostCtx<'_>) -> Result<u32, Trap> {
    if h.asctime_buf == 0 {
        let p = ctx.malloc(ASCTIME_SIZE);
        if p == 0 {
            return Err(Trap::host("asctime: no room in the module heap for its buffer"));
        }
        h.asctime_buf = p;
    }
    Ok(h.asctime_buf)
}

/// Room for any year an `int` holds.
const ASCTIME_SIZE: u32 = 48;

fn asctime_r(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (tp, buf) = (c.u32(0)?, c.u32(1)?);
    let text = asctime_text(&read_tm(ctx.mem, tp)?);
    put_text(ctx.mem, buf, &text)?;
    Ok(u64::from(buf))
}

fn asctime(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let text = asctime_text(&read_tm(ctx.mem, c.u32(0)?)?);
    let p = static_buf(h, ctx)?;
    put_text(ctx.mem, p, &text)?;
    Ok(u64::from(p))
}

/// `ctime(&t)` is `asctime(localtime(&t))`; local time is UTC.
fn ctime_r(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (tp, buf) = (c.u32(0)?, c.u32(1)?);
    let Some(tm) = breakdown(ctx.mem.read_u64(tp)? as i64) else { return Ok(0) };
    put_text(ctx.mem, buf, &asctime_text(&tm))?;
    Ok(u64::from(buf))
}

fn ctime(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let Some(tm) = breakdown(ctx.mem.read_u64(c.u32(0)?)? as i64) else { return Ok(0) };
    let p = static_buf(h, ctx)?;
    put_text(ctx.mem, p, &asctime_text(&tm))?;
    Ok(u64::from(p))
}

/// `strftime(s, max, fmt, tm)`: the length written, or 0 (and `s`
/// unspecified) when it and its NUL do not fit in `max`.
fn strftime(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (s, max, fmt, tp) = (c.u32(0)?, c.u32(1)?, c.u32(2)?, c.u32(3)?);
    let fmt = ctx.mem.c_str(fmt)?.to_vec();
    let t = read_tm(ctx.mem, tp)?;
    let text = format_tm(&fmt, &t).map_err(|e| Trap::host(format!("strftime: {e}")))?;
    ctx.charge((fmt.len() + text.len()) as u64)?;
    if text.len() >= max as usize {
        return Ok(0);
    }
    let dst = ctx.mem.slice_mut(s, text.len() + 1)?;
    dst[..text.len()].copy_from_slice(&text);
    dst[text.len()] = 0;
    Ok(ret_i32(text.len() as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for t in [0i64, 951_782_400, 1_709_210_096, -1, -86_400 * 365, 4_102_444_800, 253_402_300_799] {
            let tm = breakdown(t).unwrap();
            assert_eq!(seconds_of(&tm), t, "{t}");
        }
        let tm = breakdown(1_709_210_096).unwrap(); // 2024-02-29 12:34:56, a Thursday
        assert_eq!((tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec), (124, 1, 29, 12, 34, 56));
        assert_eq!((tm.wday, tm.yday), (4, 59));
        let norm = Tm { mon: 13, mday: 31, sec: 3600, year: 123, ..Tm::default() };
        assert_eq!(breakdown(seconds_of(&norm)).unwrap().mon, 2, "Feb 31, 2024 is March 2");
    }

    #[test]
    fn fields_out_of_range_do_not_overflow() {
        let t = Tm {
            sec: i32::MAX,
            min: i32::MIN,
            hour: i32::MAX,
            mday: i32::MIN,
            mon: i32::MAX,
            year: i32::MAX,
            wday: i32::MAX,
            yday: i32::MAX,
            isdst: 0,
        };
        assert!(format_tm(b"%a%A%b%B%c%C%d%D%e%F%g%G%H%I%j%k%l%m%M%p%r%R%s%S%T%u%U%V%w%W%x%X%y%Y%z%%", &t).is_ok());
        let _ = seconds_of(&t);
        let _ = asctime_text(&t);
        let _ = breakdown(i64::MIN);
        let _ = breakdown(i64::MAX);
    }

    #[test]
    fn strftime_in_the_c_locale() {
        let tm = breakdown(1_709_210_096).unwrap();
        let f = |s: &str| String::from_utf8(format_tm(s.as_bytes(), &tm).unwrap()).unwrap();
        assert_eq!(f("%Y-%m-%d %H:%M:%S"), "2024-02-29 12:34:56");
        assert_eq!(f("%a %A %b %B %e|%j|%I %p|%u %w"), "Thu Thursday Feb February 29|060|12 PM|4 4");
        assert_eq!(f("%c"), "Thu Feb 29 12:34:56 2024");
        assert_eq!(f("%U %W %V %G %g"), "08 09 09 2024 24");
        let jan1 = breakdown(1_609_459_200).unwrap(); // 2021-01-01, a Friday: ISO week 53 of 2020
        assert_eq!(String::from_utf8(format_tm(b"%V %G", &jan1).unwrap()).unwrap(), "53 2020");
        assert!(format_tm(b"%Q", &tm).is_err());
    }
}

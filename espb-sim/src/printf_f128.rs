//! Exact decimal digits of a binary128 `long double` (riscv32's `%Lf`,
//! `%Le`, `%Lg`): the value `m * 2^q` is the integer `m * 5^k` over
//! `10^k` (`k = -q`), or `m << q`, whose decimal digits are then rounded
//! to nearest, ties to even, exactly as glibc does in the default mode.

/// A finite binary128 magnitude as decimal: `value = digits / 10^k`,
/// `digits` without leading zeros (`[0]` for zero), each 0..=9.
pub struct Decimal {
    pub digits: Vec<u8>,
    pub k: u64,
}

/// Little-endian 32-bit limbs.
fn mul_small(n: &mut Vec<u32>, f: u32) {
    let mut carry = 0u64;
    for l in n.iter_mut() {
        let v = u64::from(*l) * u64::from(f) + carry;
        *l = v as u32;
        carry = v >> 32;
    }
    if carry > 0 {
        n.push(carry as u32);
    }
}

/// Divides by `d`, returning the remainder.
fn div_small(n: &mut Vec<u32>, d: u32) -> u32 {
    let mut rem = 0u64;
    for l in n.iter_mut().rev() {
        let v = (rem << 32) | u64::from(*l);
        *l = (v / u64::from(d)) as u32;
        rem = v % u64::from(d);
    }
    while n.last() == Some(&0) {
        n.pop();
    }
    rem as u32
}

fn to_digits(mut n: Vec<u32>) -> Vec<u8> {
    while n.last() == Some(&0) {
        n.pop();
    }
    if n.is_empty() {
        return vec![0];
    }
    let mut chunks = Vec::new();
    while !n.is_empty() {
        chunks.push(div_small(&mut n, 1_000_000_000));
    }
    let mut out = Vec::with_capacity(chunks.len() * 9);
    for (i, c) in chunks.iter().rev().enumerate() {
        let s = if i == 0 { c.to_string() } else { format!("{c:09}") };
        out.extend(s.bytes().map(|b| b - b'0'));
    }
    out
}

/// The exact decimal of a finite binary128 (the sign is ignored).
pub fn decimal(bits: u128) -> Decimal {
    let e = ((bits >> 112) & 0x7FFF) as i64;
    let f = bits & ((1u128 << 112) - 1);
    let (m, q) = if e == 0 { (f, -16382 - 112) } else { (f | 1 << 112, e - 16383 - 112) };
    let mut n: Vec<u32> = (0..4).map(|i| (m >> (32 * i)) as u32).collect();
    if q >= 0 {
        // m << q
        let (words, bits) = ((q / 32) as usize, (q % 32) as u32);
        let mut shifted = vec![0u32; words];
        let mut carry = 0u32;
        for &l in &n {
            shifted.push((l << bits) | carry);
            carry = if bits == 0 { 0 } else { l >> (32 - bits) };
        }
        shifted.push(carry);
        return Decimal { digits: to_digits(shifted), k: 0 };
    }
    let k = (-q) as u64;
    let mut left = k;
    while left >= 13 {
        mul_small(&mut n, 1_220_703_125); // 5^13
        left -= 13;
    }
    for _ in 0..left {
        mul_small(&mut n, 5);
    }
    Decimal { digits: to_digits(n), k }
}

/// `digits` rounded to its first `keep` digits, ties to even (the rest
/// are exact, so a tie is a 5 followed by zeros). Returns the kept digits
/// and whether rounding carried into a new leading digit.
fn round_at(digits: &[u8], keep: usize) -> (Vec<u8>, bool) {
    if keep >= digits.len() {
        return (digits.to_vec(), false);
    }
    let mut out = digits[..keep].to_vec();
    let first = digits[keep];
    let rest_zero = digits[keep + 1..].iter().all(|&d| d == 0);
    let odd = out.last().is_some_and(|&d| d % 2 == 1);
    let up = first > 5 || (first == 5 && (!rest_zero || odd));
    if !up {
        return (out, false);
    }
    for d in out.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return (out, false);
        }
    }
    out.insert(0, 1);
    (out, true)
}

fn ascii(d: &[u8]) -> impl Iterator<Item = u8> + '_ {
    d.iter().map(|&x| x + b'0')
}

/// `%.pf` of the magnitude: `int.frac` with `p` fraction digits.
pub fn fixed(x: &Decimal, p: u64) -> Vec<u8> {
    let len = x.digits.len() as u64;
    // value * 10^p = digits * 10^(p - k)
    let mut r = if p >= x.k {
        let mut v = x.digits.clone();
        v.resize((len + p - x.k) as usize, 0);
        v
    } else {
        let drop = x.k - p;
        if drop > len {
            vec![0]
        } else if drop == len {
            // Below one unit: round 0.ddd.
            let mut padded = vec![0];
            padded.extend_from_slice(&x.digits);
            let (v, _) = round_at(&padded, 1);
            v
        } else {
            round_at(&x.digits, (len - drop) as usize).0
        }
    };
    if (r.len() as u64) <= p {
        let mut v = vec![0; (p + 1) as usize - r.len()];
        v.extend_from_slice(&r);
        r = v;
    }
    let split = r.len() - p as usize;
    let mut out: Vec<u8> = ascii(&r[..split]).collect();
    if p > 0 {
        out.push(b'.');
        out.extend(ascii(&r[split..]));
    }
    out
}

/// `%.pe` of the magnitude: the mantissa `d.ddd` and the exponent.
pub fn exponent(x: &Decimal, p: u64) -> (Vec<u8>, i32) {
    if x.digits == [0] {
        let mut m = vec![b'0'];
        if p > 0 {
            m.push(b'.');
            m.resize(p as usize + 2, b'0');
        }
        return (m, 0);
    }
    let mut e = x.digits.len() as i64 - 1 - x.k as i64;
    let (mut d, carried) = round_at(&x.digits, (p + 1) as usize);
    if carried {
        e += 1;
        d.pop();
    }
    d.resize((p + 1) as usize, 0);
    let mut m = vec![d[0] + b'0'];
    if p > 0 {
        m.push(b'.');
        m.extend(ascii(&d[1..]));
    }
    (m, e as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(x: f64) -> u128 {
        // f64 to binary128, exact (normal doubles only).
        let b = x.abs().to_bits();
        let e = (b >> 52) as i64;
        let f = u128::from(b & ((1 << 52) - 1));
        if b == 0 {
            return 0;
        }
        ((e - 1023 + 16383) as u128) << 112 | f << 60
    }

    fn s(v: Vec<u8>) -> String {
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn digits_agree_with_f64_formatting() {
        for &x in &[0.0, 1.0, 0.1, 2.5, 1e300, 123.456, 1e-300, 0.5, 9.999999, 1.0 / 3.0] {
            let d = decimal(q(x));
            for p in [0u64, 1, 3, 6, 20, 60] {
                assert_eq!(s(fixed(&d, p)), format!("{:.*}", p as usize, x), "{x} %.{p}f");
                let (m, e) = exponent(&d, p);
                let want = format!("{:.*e}", p as usize, x);
                assert_eq!(format!("{}e{e}", s(m)), want, "{x} %.{p}e");
            }
        }
    }

    #[test]
    fn binary128_values() {
        // 1/3 in binary128, 0x3FFD5555...5555.
        let third = 0x3FFD_5555_5555_5555_5555_5555_5555_5555u128;
        let d = decimal(third);
        assert_eq!(s(fixed(&d, 36)), "0.333333333333333333333333333333333317");
        // The largest finite value has 4933 integer digits.
        let max = decimal(0x7FFE_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF);
        let (m, e) = exponent(&max, 10);
        assert_eq!((s(m).as_str(), e), ("1.1897314954", 4932));
        // The smallest subnormal, 2^-16494.
        let (m, e) = exponent(&decimal(1), 5);
        assert_eq!((s(m).as_str(), e), ("6.47518", -4966));
        // Ties go to even: 2.5 -> 2, 0.125 -> 0.12, 0.375 -> 0.38.
        assert_eq!(s(fixed(&decimal(q(2.5)), 0)), "2");
        assert_eq!(s(fixed(&decimal(q(0.125)), 2)), "0.12");
        assert_eq!(s(fixed(&decimal(q(0.375)), 2)), "0.38");
        assert_eq!(s(fixed(&decimal(q(0.5)), 0)), "0");
        assert_eq!(s(fixed(&decimal(q(0.75)), 0)), "1");
        assert_eq!(s(exponent(&decimal(q(9.5)), 0).0), "1");
    }
}

//! Scripted natives: how the simulator answers functions it does not have
//! (a project's own firmware functions, from its custom symbol table), as
//! a project's espb.toml `[sim.stubs]` says:
//!
//! ```toml
//! [sim.stubs]
//! read_sensor = { returns = [20, 21, 22] }  # successive calls; the last repeats
//! led_on = { print = true }                 # returns 0; each call is printed
//! ```

/// A stub for the native `name`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stub {
    pub name: String,
    /// What successive calls return (raw bits, sign-extended); the last
    /// value repeats. Empty: 0.
    pub returns: Vec<i64>,
    /// Print each call (`I (ms) sim: name(1, 0x3fc80010) -> 0`).
    pub print: bool,
    calls: usize,
}

impl Stub {
    pub fn new(name: &str, returns: Vec<i64>, print: bool) -> Stub {
        Stub { name: name.to_string(), returns, print, calls: 0 }
    }

    /// One call with `args` (raw values): the line to print, if any, and
    /// the value to return (`void` calls show none).
    pub(crate) fn call(&mut self, args: &[u64], returns: bool) -> (Option<String>, u64) {
        let v = match self.returns.as_slice() {
            [] => 0,
            r => r[self.calls.min(r.len() - 1)],
        };
        self.calls += 1;
        let line = self.print.then(|| {
            let args: Vec<String> = args.iter().map(|&a| show(a)).collect();
            let shown = if returns { format!(" -> {v}") } else { String::new() };
            format!("{}({}){shown}", self.name, args.join(", "))
        });
        (line, v as u64)
    }
}

/// An argument as a reader wants it: small numbers in decimal, addresses
/// in hex.
fn show(a: u64) -> String {
    let a = a as u32;
    if a < 0x1_0000 {
        a.to_string()
    } else if (a as i32) < 0 && (a as i32) > -0x1_0000 {
        (a as i32).to_string()
    } else {
        format!("{a:#x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_run_in_order_and_the_last_repeats() {
        let mut s = Stub::new("read", vec![1, -2], true);
        assert_eq!(s.call(&[5, 0x3FC8_0010], true), (Some("read(5, 0x3fc80010) -> 1".into()), 1));
        assert_eq!(s.call(&[], true).1, -2i64 as u64);
        assert_eq!(s.call(&[u64::from(-3i32 as u32)], true), (Some("read(-3) -> -2".into()), -2i64 as u64));
        assert_eq!(s.call(&[1], false).0.as_deref(), Some("read(1)"), "a void call shows no value");
        let mut quiet = Stub::new("led", vec![], false);
        assert_eq!(quiet.call(&[1], true), (None, 0));
    }
}

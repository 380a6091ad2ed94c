//! GPIO input scripts: what drives the simulated input pins.
//!
//! One command a line; `#` starts a comment:
//!
//! ```text
//! at 1500ms set 4 1     # at 1.5 s, GPIO 4 reads 1
//! at 2s set 4 0
//! set 5 1               # real time from stdin only: now
//! ```
//!
//! Times are durations since boot ([`crate::parse_duration`]: `250ms`,
//! `1.5s`, `2m`, `100us`).

use crate::run::parse_duration;

/// One input change: at `at_us`, pin `pin` reads `level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Input {
    /// `None`: as soon as it is read (real time, stdin).
    pub at_us: Option<u64>,
    pub pin: u32,
    pub level: u32,
}

/// A script line that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message} (expected `at TIME set PIN LEVEL`, e.g. `at 1500ms set 4 1`)")]
pub struct ScriptError {
    pub line: usize,
    pub message: String,
}

/// Parses one line; `Ok(None)` for blank and comment lines.
pub fn parse_line(text: &str, line: usize) -> Result<Option<Input>, ScriptError> {
    let err = |message: String| ScriptError { line, message };
    let code = text.split('#').next().unwrap_or("").trim();
    if code.is_empty() {
        return Ok(None);
    }
    let mut words = code.split_whitespace().peekable();
    let at_us = if words.peek() == Some(&"at") {
        words.next();
        let t = words.next().ok_or_else(|| err("`at` needs a time".into()))?;
        Some(parse_duration(t).map_err(|e| err(e.to_string()))?.as_micros() as u64)
    } else {
        None
    };
    match words.next() {
        Some("set") => {}
        Some(w) => return Err(err(format!("unknown command `{w}`"))),
        None => return Err(err("a time needs a command".into())),
    }
    let mut number = |what: &str| -> Result<u32, ScriptError> {
        let w = words.next().ok_or_else(|| err(format!("`set` needs a {what}")))?;
        w.parse().map_err(|_| err(format!("`{w}` is not a {what}")))
    };
    let pin = number("pin number")?;
    let level = number("level (0 or 1)")?;
    if level > 1 {
        return Err(err(format!("level {level} is not 0 or 1")));
    }
    if let Some(w) = words.next() {
        return Err(err(format!("unexpected `{w}`")));
    }
    Ok(Some(Input { at_us, pin, level }))
}

/// Parses a whole script; every line needs its `at` time (virtual time has
/// no "now" to read a line at). Inputs come sorted by time, in script order
/// for equal times.
pub fn parse(text: &str) -> Result<Vec<Input>, ScriptError> {
    let mut inputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(input) = parse_line(line, i + 1)? else { continue };
        if input.at_us.is_none() {
            return Err(ScriptError { line: i + 1, message: "a script line needs its time".into() });
        }
        inputs.push(input);
    }
    inputs.sort_by_key(|i| i.at_us);
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_times_and_comments() {
        let s = "# buttons\nat 1500ms set 4 1\n\n  at 2s set 4 0  # release\nat 1s set 5 1\n";
        let v = parse(s).unwrap();
        let at: Vec<_> = v.iter().map(|i| (i.at_us, i.pin, i.level)).collect();
        assert_eq!(at, [(Some(1_000_000), 5, 1), (Some(1_500_000), 4, 1), (Some(2_000_000), 4, 0)]);
    }

    #[test]
    fn bad_lines_name_their_number() {
        let e = parse("at 1s set 4 1\nat 2s toggle 4\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("toggle"), "{e}");
        assert!(parse("set 4 1").unwrap_err().message.contains("needs its time"));
        assert!(parse("at 1s set 4 2").unwrap_err().message.contains("not 0 or 1"));
        assert!(parse("at soon set 4 1").is_err());
        assert_eq!(parse_line("set 4 1", 1).unwrap(), Some(Input { at_us: None, pin: 4, level: 1 }));
    }
}

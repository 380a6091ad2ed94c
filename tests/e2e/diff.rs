//! Comparing a native run with an espb run, with a readable report.

use crate::util::{self, Outcome};

/// `Ok` if stdout and exit code are identical; else a report naming the
/// first differing line, with both versions and some context.
pub fn compare(program: &str, native: &Outcome, espb: &Outcome) -> Result<(), String> {
    let mut problems = Vec::new();
    if espb.timed_out {
        problems.push(format!("espb run {}", espb.describe_end()));
    }
    if native.stdout != espb.stdout {
        problems.push(first_difference(&native.stdout_str(), &espb.stdout_str()));
    }
    if native.code() != espb.code() {
        problems.push(format!("exit code differs: native {}, espb {}", native.describe_end(), espb.describe_end()));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = format!("{program}: espb output differs from the native build\n");
    for p in problems {
        msg.push_str("  - ");
        msg.push_str(&p);
        msg.push('\n');
    }
    let err = espb.stderr_str();
    if !err.trim().is_empty() {
        msg.push_str("  espb stderr:\n");
        msg.push_str(&util::indent(&err, 20));
    }
    Err(msg)
}

/// Describes where two outputs first differ (line number, both lines, and
/// the lines just before, which matched).
pub fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let n = e.len().max(a.len());
    for i in 0..n {
        let (el, al) = (e.get(i).copied(), a.get(i).copied());
        if el == al {
            continue;
        }
        let mut s = format!("stdout differs at line {}:\n", i + 1);
        let from = i.saturating_sub(2);
        for (k, l) in e.iter().enumerate().take(i).skip(from) {
            s.push_str(&format!("        {:>4}   {}\n", k + 1, show_line(Some(l))));
        }
        s.push_str(&format!("      native {:>4} - {}\n", i + 1, show_line(el)));
        s.push_str(&format!("      espb   {:>4} + {}\n", i + 1, show_line(al)));
        s.push_str(&format!(
            "      (native printed {} lines, {} bytes; espb printed {} lines, {} bytes)",
            e.len(),
            expected.len(),
            a.len(),
            actual.len()
        ));
        return s;
    }
    "stdout differs (no line difference found)".into()
}

fn show_line(l: Option<&str>) -> String {
    match l {
        None => "<no line>".into(),
        Some(l) => match l.strip_suffix('\n') {
            Some(body) => format!("{body:?}"),
            None => format!("{l:?} (no newline)"),
        },
    }
}

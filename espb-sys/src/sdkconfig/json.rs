//! `sdkconfig.json` as written by esp-idf-kconfig (confgen).

use super::{Sdkconfig, Value};
use crate::error::Error;

pub(super) fn parse(text: &str, source: &str, out: &mut Sdkconfig) -> Result<(), Error> {
    let root: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::syntax(source, e.line(), format!("invalid JSON: {e}")))?;
    let serde_json::Value::Object(map) = root else {
        return Err(Error::syntax(source, 1, "expected a JSON object of option names to values"));
    };
    for (key, v) in map {
        let line = line_of_key(text, &key);
        let value = match v {
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::Hex(u)
                } else {
                    return Err(Error::syntax(source, line, format!("{key}: `{n}` is not an integer")));
                }
            }
            other => {
                return Err(Error::syntax(
                    source,
                    line,
                    format!("{key}: expected a bool, number or string, found `{other}`"),
                ));
            }
        };
        if !crate::manifest::is_ident(&key) {
            return Err(Error::syntax(source, line, format!("`{key}` is not a Kconfig option name")));
        }
        out.set(&key, value);
    }
    Ok(())
}

fn line_of_key(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines().position(|l| l.contains(&needle)).map_or(1, |p| p + 1)
}

//! `sdkconfig` as written by kconfiglib / esp-idf-kconfig.

use super::{Sdkconfig, Value, banner_version, number, quoted};
use crate::error::Error;

pub(super) fn parse(text: &str, source: &str, out: &mut Sdkconfig) -> Result<(), Error> {
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let s = raw.trim();
        if let Some(comment) = s.strip_prefix('#') {
            let c = comment.trim();
            if let Some(name) = c.strip_suffix(" is not set")
                && name.starts_with("CONFIG_")
                && !name.contains(char::is_whitespace)
            {
                out.set(name, Value::Bool(false));
            } else if out.idf_version.is_none()
                && let Some(v) = banner_version(c)
            {
                out.idf_version = Some(v);
            }
            continue;
        }
        if s.is_empty() {
            continue;
        }
        let err = |m: String| Error::syntax(source, line, m);
        let Some((name, value)) = s.split_once('=') else {
            return Err(err(format!("expected `CONFIG_NAME=value` or `# CONFIG_NAME is not set`, found `{s}`")));
        };
        let name = name.trim();
        if !name.starts_with("CONFIG_") || !crate::manifest::is_ident(name) {
            return Err(err(format!("`{name}` is not a Kconfig option name (CONFIG_...)")));
        }
        let value = value.trim();
        let v = match value {
            "y" => Value::Bool(true),
            "n" => Value::Bool(false),
            "m" => {
                return Err(err(format!("{name}=m: tristate modules do not exist in ESP-IDF; use y or n")));
            }
            v if v.starts_with('"') => Value::Str(quoted(v).map_err(|m| err(format!("{name}: {m}")))?),
            v => number(v)
                .ok_or_else(|| err(format!("{name}: `{v}` is not y, n, a number, 0x hex or a quoted string")))?,
        };
        out.set(name, v);
    }
    Ok(())
}

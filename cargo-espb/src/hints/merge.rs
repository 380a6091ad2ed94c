//! Putting a build's hints into the module: per import, the project's line
//! if it has one, else the standard table's default line, then the
//! translator's analysis (callback arguments it saw) where it contradicts
//! neither. Argument indices are checked against the import's declared
//! signature.

use super::HintError;
use super::parse::{HintFile, HintLine};
use espb_runtime::{CallHints, ImportHints, Module};
use std::collections::{BTreeMap, HashSet};

/// Replaces `module.import_hints` (on entry: the translator's analysis)
/// with the merged hints. Returns warnings: project lines for functions the
/// module does not import, default lines that do not fit a declaration.
pub fn merge(module: &mut Module, defaults: &HintFile, project: Option<&HintFile>) -> Result<Vec<String>, HintError> {
    let analysis: BTreeMap<u16, CallHints> = module.import_hints.drain(..).map(|h| (h.import, h.hints)).collect();
    let mut warnings = Vec::new();
    let mut used: HashSet<&str> = HashSet::new();
    let mut merged = Vec::new();
    for (i, imp) in module.imports.iter().enumerate() {
        let Ok(import) = u16::try_from(i) else { break };
        let name = imp.name().unwrap_or("");
        let own = project.and_then(|p| p.get(name).map(|l| (p, l)));
        if let Some((_, l)) = own {
            used.insert(l.name.as_str());
        }
        if imp.is_data() {
            if let Some((p, l)) = own {
                return Err(p.error(
                    l.offset,
                    l.name.len(),
                    format!("`{name}` is a variable of the firmware, not a function: it takes no hints"),
                    "remove this line",
                ));
            }
            continue;
        }
        let params = module.types.get(usize::from(imp.ty)).map_or(0, |t| t.params.len());
        let mut hints = match own {
            Some((p, l)) => {
                check_args(p, l, params)?;
                l.hints
            }
            None => match defaults.get(name) {
                Some(l) if check_args(defaults, l, params).is_ok() => l.hints,
                Some(l) => {
                    warnings.push(format!(
                        "{}: default `{name}: {}` does not fit `{name}` as the module declares it ({params} \
                         parameters); ignored",
                        defaults.place(l),
                        l.hints
                    ));
                    CallHints::default()
                }
                None => CallHints::default(),
            },
        };
        if let Some(found) = analysis.get(&import) {
            hints.merge_under(found);
        }
        if !hints.is_empty() {
            merged.push(ImportHints { import, hints });
        }
    }
    if let Some(p) = project {
        for l in p.lines.iter().filter(|l| !used.contains(l.name.as_str())) {
            warnings.push(format!("{}: the module does not import `{}`; this line has no effect", p.place(l), l.name));
        }
    }
    module.import_hints = merged;
    Ok(warnings)
}

/// Every argument index of `line` below the declared parameter count.
fn check_args(file: &HintFile, line: &HintLine, params: usize) -> Result<(), HintError> {
    for a in &line.attrs {
        let Some(role) = a.role else { continue };
        if a.arg as usize >= params {
            let takes = match params {
                0 => "takes no arguments".to_string(),
                1 => "takes 1 argument (index 0)".to_string(),
                n => format!("takes {n} arguments (indices 0 to {})", n - 1),
            };
            return Err(file.error(
                a.offset,
                a.len,
                format!("`{} {}`: argument {} is out of range, `{}` {takes}", role.keyword(), a.arg, a.arg, line.name),
                "count arguments from 0, as the function's C declaration lists them",
            ));
        }
    }
    Ok(())
}

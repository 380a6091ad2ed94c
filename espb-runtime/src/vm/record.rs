//! The compact trap record a device prints when a module traps, for tools
//! that hold the module with its names and line table (`cargo espb
//! monitor`, as espflash decodes native backtraces from the ELF):
//!
//! ```text
//! espb-trap: module 1a2b3c4d function 3 offset 0x1c: integer divide by zero
//! ```
//!
//! The module is named by [`module_id`], a hash of its code that does not
//! depend on the optional sections (names, lines), so a module stripped for
//! the device matches the project's build.

use super::trap::Trap;
use crate::module::Module;
use alloc::string::String;

/// What starts a record line.
pub const PREFIX: &str = "espb-trap: ";

/// The hash that names a module in trap records: CRC-32 over every
/// function's register count, frame size and code.
pub fn module_id(m: &Module) -> u32 {
    let mut h = crc32fast::Hasher::new();
    for f in &m.functions {
        h.update(&f.num_regs.to_le_bytes());
        h.update(&f.frame_size.to_le_bytes());
        h.update(&(f.code.len() as u32).to_le_bytes());
        h.update(&f.code);
    }
    h.finalize()
}

/// The record line of `trap` in `m` (none when no module function was
/// running).
pub fn trap_record(m: &Module, trap: &Trap) -> Option<String> {
    let func = trap.func?;
    Some(alloc::format!("{PREFIX}module {:08x} function {func} offset {:#x}: {}", module_id(m), trap.pc, trap.kind))
}

/// A record parsed back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrapRecord {
    pub module: u32,
    pub func: u16,
    pub pc: u32,
    /// What happened, as the device said it.
    pub kind: String,
}

/// The record in `line` (text before [`PREFIX`] is ignored: a log prefix).
pub fn parse_trap_record(line: &str) -> Option<TrapRecord> {
    let rest = &line[line.find(PREFIX)? + PREFIX.len()..];
    let (fields, kind) = rest.split_once(": ")?;
    let mut w = fields.split(' ');
    let mut field = |name: &str| (w.next()? == name).then(|| w.next()).flatten();
    let module = u32::from_str_radix(field("module")?, 16).ok()?;
    let func = field("function")?.parse().ok()?;
    let pc = u32::from_str_radix(field("offset")?.strip_prefix("0x")?, 16).ok()?;
    Some(TrapRecord { module, func, pc, kind: kind.trim_end().into() })
}

/// The record told with the module's names and lines: "trap: integer
/// divide by zero in function `f` at src/main.c:42".
pub fn explain(m: &Module, r: &TrapRecord) -> String {
    let name = m.function_name(usize::from(r.func));
    match m.source_line(usize::from(r.func), r.pc) {
        Some((file, line)) => alloc::format!("trap: {} in function `{name}` at {file}:{line}", r.kind),
        None => alloc::format!("trap: {} in function `{name}` at code offset {:#x}", r.kind, r.pc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::Function;
    use crate::vm::TrapKind;

    #[test]
    fn records_round_trip_and_name_the_module_by_its_code() {
        let f = |code: &[u8]| Function { ty: 0, num_regs: 2, frame_size: 0, code: code.to_vec() };
        let mut m = Module { functions: alloc::vec![f(b"ab"), f(b"cd")], ..Default::default() };
        let trap = Trap { kind: TrapKind::DivideByZero, func: Some(1), pc: 0x1c };
        let line = trap_record(&m, &trap).unwrap();
        assert_eq!(
            line,
            alloc::format!("espb-trap: module {:08x} function 1 offset 0x1c: integer divide by zero", module_id(&m))
        );
        let r = parse_trap_record(&alloc::format!("I (123) espb: {line}\r")).unwrap();
        assert_eq!(r, TrapRecord { module: module_id(&m), func: 1, pc: 0x1c, kind: "integer divide by zero".into() });
        assert_eq!(explain(&m, &r), "trap: integer divide by zero in function `func#1` at code offset 0x1c");
        // Names do not change the id; code does.
        let id = module_id(&m);
        m.names = alloc::vec!["a".into(), "b".into()];
        assert_eq!(module_id(&m), id);
        assert_eq!(explain(&m, &r), "trap: integer divide by zero in function `b` at code offset 0x1c");
        m.functions[0].code[0] ^= 1;
        assert_ne!(module_id(&m), id);
        assert_eq!(trap_record(&m, &Trap::new(TrapKind::Unreachable)), None);
        for bad in
            ["espb-trap: module xyz function 1 offset 0x1: k", "espb-trap: module 1 function 1 offset 1: k", "nothing"]
        {
            assert_eq!(parse_trap_record(bad), None, "{bad}");
        }
    }
}

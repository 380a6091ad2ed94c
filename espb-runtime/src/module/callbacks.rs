//! The C type the firmware calls each callback with, and the check of a
//! module's callbacks against it.
//!
//! [`CALLBACK_ARGS`] says, for the ESP-IDF natives that take a callback,
//! where it is (an argument, or a field of the struct an argument points
//! to) and the type ESP-IDF calls it with (`TaskFunction_t`, ...). It is
//! the one place this is written: the loader refuses a module whose
//! function reaching such a place has another type ([`check`], called at
//! instantiation), and `cargo espb build` warns about the same call sites
//! with their source lines. A thunk places a callback's arguments by the
//! function's own type, so a mismatch is not unsafe, but the function
//! reads arguments the firmware never passed (or returns what it does not
//! read), which C calls undefined behaviour.
//!
//! What is seen is what the module says statically: a function whose
//! address (`func.addr`) is the call's argument in the same straight-line
//! block, or a function relocation in the module's data at the field of a
//! struct whose address (`data.addr`) is the argument (a static
//! `esp_timer_create_args_t`). A pointer computed at run time (a struct on
//! the stack, a function pointer loaded from memory) is not followed.

use super::{FuncType, Module, RelocKind, ValType};
use crate::isa::operand::{Operand, OperandKind, operands};
use crate::isa::{Flow, Instr};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Where a native finds its callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackAt {
    /// Argument `n` is the function pointer.
    Arg(u8),
    /// Argument `arg` points to a struct whose field at byte `offset` is it.
    Field { arg: u8, offset: u32 },
}

/// A callback a native takes, and the type it calls it with.
#[derive(Clone, Copy, Debug)]
pub struct CallbackArg {
    /// The ESP-IDF function (as the module's import names it).
    pub native: &'static str,
    pub at: CallbackAt,
    /// The C type, for messages.
    pub c_type: &'static str,
    pub params: &'static [ValType],
    pub result: Option<ValType>,
}

use ValType::I32;

const fn cb(native: &'static str, at: CallbackAt, c_type: &'static str, params: &'static [ValType]) -> CallbackArg {
    CallbackArg { native, at, c_type, params, result: None }
}

const TASK: &str = "TaskFunction_t, void (*)(void *)";
const TIMER: &str = "TimerCallbackFunction_t, void (*)(TimerHandle_t)";
const EVENT: &str = "esp_event_handler_t, void (*)(void *, esp_event_base_t, int32_t, void *)";

/// The natives whose callback type is known (ESP-IDF v5 declarations;
/// argument positions as in vm/resources.rs and the `idf` hints).
pub const CALLBACK_ARGS: &[CallbackArg] = &[
    cb("xTaskCreatePinnedToCore", CallbackAt::Arg(0), TASK, &[I32]),
    cb("xTaskCreate", CallbackAt::Arg(0), TASK, &[I32]),
    cb("xTaskCreateStaticPinnedToCore", CallbackAt::Arg(0), TASK, &[I32]),
    cb("xTaskCreateStatic", CallbackAt::Arg(0), TASK, &[I32]),
    cb("xTimerCreate", CallbackAt::Arg(4), TIMER, &[I32]),
    cb("xTimerCreateStatic", CallbackAt::Arg(4), TIMER, &[I32]),
    cb("xTimerPendFunctionCall", CallbackAt::Arg(0), "PendedFunction_t, void (*)(void *, uint32_t)", &[I32, I32]),
    cb("esp_timer_create", CallbackAt::Field { arg: 0, offset: 0 }, "esp_timer_cb_t, void (*)(void *)", &[I32]),
    cb("gpio_isr_handler_add", CallbackAt::Arg(1), "gpio_isr_t, void (*)(void *)", &[I32]),
    cb("esp_event_handler_register", CallbackAt::Arg(2), EVENT, &[I32; 4]),
    cb("esp_event_handler_register_with", CallbackAt::Arg(3), EVENT, &[I32; 4]),
    cb("esp_event_handler_instance_register", CallbackAt::Arg(2), EVENT, &[I32; 4]),
    cb("esp_event_handler_instance_register_with", CallbackAt::Arg(3), EVENT, &[I32; 4]),
];

impl CallbackArg {
    /// Whether a function of type `ty` is what the native calls.
    pub fn accepts(&self, ty: &FuncType) -> bool {
        ty.params == self.params && ty.result == self.result && ty.variadic_fixed.is_none()
    }
}

/// A module function handed to a native that will call it with another
/// type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The callback.
    pub function: String,
    /// Its type, as the module has it: `void(i32, i32)`.
    pub actual: String,
    pub native: &'static str,
    pub at: CallbackAt,
    pub c_type: &'static str,
    /// The function that makes the call, and where in it.
    pub caller: String,
    /// `main.c:12` when the module has debug lines.
    pub line: Option<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` has type {}, but {} calls ", self.function, self.actual, self.native)?;
        match self.at {
            CallbackAt::Arg(n) => write!(f, "its argument {n}")?,
            CallbackAt::Field { arg, offset } => {
                write!(f, "the callback at byte {offset} of the struct argument {arg} points to")?
            }
        }
        write!(f, " as {} (call in `{}`", self.c_type, self.caller)?;
        if let Some(l) = &self.line {
            write!(f, " at {l}")?;
        }
        write!(f, "): give the function that type")
    }
}

/// `void(i32, i32)`.
pub fn type_text(ty: &FuncType) -> String {
    let name = |t: &ValType| match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
    };
    let params: Vec<&str> = ty.params.iter().map(name).collect();
    alloc::format!("{}({})", ty.result.as_ref().map_or("void", name), params.join(", "))
}

/// What a register is known to hold at a point of a block.
#[derive(Clone, Copy)]
enum Known {
    Func(u16),
    Data(u32),
}

/// Every statically visible callback of `m` passed where a native of
/// [`CALLBACK_ARGS`] will call it with another type.
pub fn check(m: &Module) -> Vec<Mismatch> {
    let mut out = Vec::new();
    // The rules of each import, found once.
    let rules: Vec<Vec<&CallbackArg>> =
        m.imports.iter().map(|i| CALLBACK_ARGS.iter().filter(|c| i.name() == Some(c.native)).collect()).collect();
    if rules.iter().all(Vec::is_empty) {
        return out;
    }
    for (fi, func) in m.functions.iter().enumerate() {
        let code = &func.code;
        let targets = branch_targets(code);
        let mut known: [Option<Known>; 256] = [None; 256];
        let mut pc = 0;
        while let Some((instr, next)) = Instr::decode(code, pc) {
            if targets.binary_search(&pc).is_ok() {
                known = [None; 256];
            }
            if let Instr::CallImport { i, args, .. } = instr {
                for rule in rules.get(usize::from(i)).into_iter().flatten() {
                    let (arg, field) = match rule.at {
                        CallbackAt::Arg(n) => (n, None),
                        CallbackAt::Field { arg, offset } => (arg, Some(offset)),
                    };
                    let reg = args.iter().nth(usize::from(arg));
                    let target = match (reg.and_then(|r| known[usize::from(r)]), field) {
                        (Some(Known::Func(f)), None) => Some(f),
                        (Some(Known::Data(off)), Some(field)) => m
                            .data
                            .relocs
                            .iter()
                            .find(|r| r.kind == RelocKind::Func && r.offset == off.wrapping_add(field))
                            .and_then(|r| u16::try_from(r.target).ok()),
                        _ => None,
                    };
                    let Some(f) = target else { continue };
                    let Some(ty) = m.functions.get(usize::from(f)).and_then(|g| m.types.get(usize::from(g.ty))) else {
                        continue;
                    };
                    if !rule.accepts(ty) {
                        out.push(Mismatch {
                            function: m.function_name(usize::from(f)).into_owned(),
                            actual: type_text(ty),
                            native: rule.native,
                            at: rule.at,
                            c_type: rule.c_type,
                            caller: m.function_name(fi).into_owned(),
                            line: m.source_line(fi, pc as u32).map(|(file, l)| alloc::format!("{file}:{l}")),
                        });
                    }
                }
            }
            // What the instruction writes.
            let known_now = match instr {
                Instr::FuncAddr { f, .. } => Some(Known::Func(f)),
                Instr::DataAddr { off, .. } => Some(Known::Data(off)),
                Instr::DataAddr16 { off, .. } => Some(Known::Data(u32::from(off))),
                _ => None,
            };
            if let Some((op, ops)) = operands(code, pc) {
                for ((_, kind), (_, v)) in op.operands().iter().zip(ops) {
                    match (kind, v) {
                        (OperandKind::Def, Operand::Reg(r)) => known[usize::from(r)] = known_now,
                        // A spill store names any register, a window one too.
                        (OperandKind::Def16, Operand::Reg16(r)) => {
                            if let Some(k) = known.get_mut(usize::from(r)) {
                                *k = None;
                            }
                        }
                        _ => {}
                    }
                }
                if matches!(op.flow(), Flow::Jump | Flow::Exit) {
                    known = [None; 256];
                }
            }
            pc = next;
        }
    }
    out
}

/// The sorted branch targets of a function body: where blocks join.
fn branch_targets(code: &[u8]) -> Vec<usize> {
    let mut t = Vec::new();
    let mut pc = 0;
    while let Some((_, next)) = Instr::decode(code, pc) {
        if let Some((_, ops)) = operands(code, pc) {
            for (_, v) in ops {
                match v {
                    Operand::Target(x) => t.push(usize::from(x)),
                    Operand::Targets(ts) => t.extend(ts.iter().map(usize::from)),
                    _ => {}
                }
            }
        }
        pc = next;
    }
    t.sort_unstable();
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Regs;
    use crate::module::{Data, Function, Import, ImportRef, Reloc};

    fn ty(params: usize) -> FuncType {
        FuncType { params: alloc::vec![I32; params], result: None, variadic_fixed: None }
    }

    /// Types 0 `()`, 1 `(i32)`, 2 `(i32, i32)`; imports 0
    /// `xTaskCreatePinnedToCore` (7 i32), 1 `esp_timer_create`; functions
    /// 0 = `code`, 1 `good(p)`, 2 `bad(a, b)`; data: an args struct at 16
    /// whose callback is `bad`.
    fn module(code: &[Instr<'_>]) -> Module {
        let mut bytes = Vec::new();
        for i in code {
            i.encode(&mut bytes);
        }
        let body = |ty| Function { ty, num_regs: 8, frame_size: 0, code: alloc::vec![0x00] };
        Module {
            types: alloc::vec![ty(0), ty(1), ty(2), ty(7)],
            imports: alloc::vec![
                Import::func(ImportRef::Name("xTaskCreatePinnedToCore".into()), 3),
                Import::func(ImportRef::Name("esp_timer_create".into()), 2),
            ],
            functions: alloc::vec![Function { ty: 0, num_regs: 8, frame_size: 0, code: bytes }, body(1), body(2)],
            data: Data {
                size: 32,
                align: 16,
                init: alloc::vec![0; 32],
                relocs: alloc::vec![Reloc { offset: 16, kind: RelocKind::Func, target: 2, addend: 0 }],
            },
            names: ["app_main", "good", "bad"].map(String::from).to_vec(),
            ..Module::default()
        }
    }

    const TASK: Instr<'static> = Instr::CallImport { i: 0, ty: 3, d: 7, args: Regs(&[0, 1, 1, 1, 1, 1, 1]) };

    #[test]
    fn a_callback_of_another_type_is_found_in_its_block_and_in_static_structs() {
        let m = module(&[Instr::FuncAddr { d: 0, f: 2 }, TASK, Instr::RetVoid {}]);
        let found = check(&m);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].function.as_str(), found[0].actual.as_str()), ("bad", "void(i32, i32)"));
        assert!(alloc::format!("{}", found[0]).contains("TaskFunction_t"), "{}", found[0]);
        assert!(check(&module(&[Instr::FuncAddr { d: 0, f: 1 }, TASK, Instr::RetVoid {}])).is_empty());
        // esp_timer_create(&static_args, ...): the relocation at the field.
        let timer = Instr::CallImport { i: 1, ty: 2, d: 7, args: Regs(&[0, 1]) };
        let m = module(&[Instr::DataAddr { d: 0, off: 16 }, timer, Instr::RetVoid {}]);
        assert_eq!(check(&m).len(), 1);
        // Overwritten before the call: not the callback any more.
        let m = module(&[Instr::FuncAddr { d: 0, f: 2 }, Instr::ConstI32 { d: 0, v: 0 }, TASK, Instr::RetVoid {}]);
        assert!(check(&m).is_empty());
    }

    #[test]
    fn a_value_from_another_path_is_not_guessed() {
        // r0 = bad; br L; ... L: call: L is a join, r0's value unknown there.
        let code = |l: u16| [Instr::FuncAddr { d: 0, f: 2 }, Instr::Br { t: l }, TASK, Instr::RetVoid {}];
        let mut probe = Vec::new();
        for i in &code(0)[..2] {
            i.encode(&mut probe);
        }
        let m = module(&code(probe.len() as u16));
        assert!(check(&m).is_empty(), "{:?}", check(&m));
    }
}

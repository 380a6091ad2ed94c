//! Call metadata per import ("hints"): which arguments of a native carry a
//! callback and the user data handed back to it, which are output pointers,
//! and whether the call may block the calling task. Pointers are native, so
//! nothing here changes how a call is made; a host uses it to know which
//! arguments are callbacks and to release its instance lock around blocking
//! calls. The `.hints` syntax (`name: cb 0, ctx 3, blocking`) and the
//! IMPORT_HINTS section (docs/format.md) both come from these types.

use core::fmt;

/// A set of argument indices below [`MAX_HINT_ARGS`], as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ArgSet(pub u64);

/// Argument indices a hint can name: `0..MAX_HINT_ARGS`.
pub const MAX_HINT_ARGS: u32 = 64;

impl ArgSet {
    pub const EMPTY: ArgSet = ArgSet(0);

    /// The set holding only `arg`; `None` when `arg >= MAX_HINT_ARGS`.
    pub const fn single(arg: u32) -> Option<ArgSet> {
        if arg < MAX_HINT_ARGS { Some(ArgSet(1 << arg)) } else { None }
    }

    pub const fn contains(self, arg: u32) -> bool {
        arg < MAX_HINT_ARGS && self.0 & (1 << arg) != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn union(self, other: ArgSet) -> ArgSet {
        ArgSet(self.0 | other.0)
    }

    pub const fn intersection(self, other: ArgSet) -> ArgSet {
        ArgSet(self.0 & other.0)
    }

    pub const fn without(self, other: ArgSet) -> ArgSet {
        ArgSet(self.0 & !other.0)
    }

    /// The lowest index in the set.
    pub const fn first(self) -> Option<u32> {
        if self.0 == 0 { None } else { Some(self.0.trailing_zeros()) }
    }

    /// The highest index in the set.
    pub const fn last(self) -> Option<u32> {
        if self.0 == 0 { None } else { Some(63 - self.0.leading_zeros()) }
    }

    /// The indices, ascending.
    pub fn iter(self) -> impl Iterator<Item = u32> {
        (0..MAX_HINT_ARGS).filter(move |&a| self.contains(a))
    }
}

/// What a hint says about one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgRole {
    /// An output pointer the native writes through.
    Out,
    /// A pointer the native reads and writes through.
    InOut,
    /// A function pointer the native may call back.
    Cb,
    /// The user-data pointer handed back to the callback.
    Ctx,
}

impl ArgRole {
    /// In the order of the section's flag bits and of [`CallHints`]' text.
    pub const ALL: [ArgRole; 4] = [ArgRole::Out, ArgRole::InOut, ArgRole::Cb, ArgRole::Ctx];

    /// The `.hints` keyword.
    pub const fn keyword(self) -> &'static str {
        match self {
            ArgRole::Out => "out",
            ArgRole::InOut => "inout",
            ArgRole::Cb => "cb",
            ArgRole::Ctx => "ctx",
        }
    }

    pub fn from_keyword(word: &str) -> Option<ArgRole> {
        ArgRole::ALL.into_iter().find(|r| r.keyword() == word)
    }
}

/// The `.hints` keyword of a blocking call.
pub const BLOCKING_KEYWORD: &str = "blocking";

/// Roles that can never name the same argument: a pointer is written or
/// read-written, never both; a callback is neither its own context nor a
/// data pointer.
pub const CONFLICTING_ROLES: [(ArgRole, ArgRole); 4] = [
    (ArgRole::Out, ArgRole::InOut),
    (ArgRole::Cb, ArgRole::Ctx),
    (ArgRole::Cb, ArgRole::Out),
    (ArgRole::Cb, ArgRole::InOut),
];

/// What the module knows about calls to one native.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallHints {
    /// The call may block the calling task (vTaskDelay, xQueueReceive...).
    pub blocking: bool,
    pub out: ArgSet,
    pub inout: ArgSet,
    pub cb: ArgSet,
    pub ctx: ArgSet,
}

impl CallHints {
    pub const fn args(&self, role: ArgRole) -> ArgSet {
        match role {
            ArgRole::Out => self.out,
            ArgRole::InOut => self.inout,
            ArgRole::Cb => self.cb,
            ArgRole::Ctx => self.ctx,
        }
    }

    pub fn args_mut(&mut self, role: ArgRole) -> &mut ArgSet {
        match role {
            ArgRole::Out => &mut self.out,
            ArgRole::InOut => &mut self.inout,
            ArgRole::Cb => &mut self.cb,
            ArgRole::Ctx => &mut self.ctx,
        }
    }

    /// Nothing to say.
    pub fn is_empty(&self) -> bool {
        !self.blocking && ArgRole::ALL.iter().all(|&r| self.args(r).is_empty())
    }

    /// Every argument any role names.
    pub fn all_args(&self) -> ArgSet {
        ArgRole::ALL.iter().fold(ArgSet::EMPTY, |s, &r| s.union(self.args(r)))
    }

    /// The first argument two roles of [`CONFLICTING_ROLES`] both name.
    pub fn conflict(&self) -> Option<(ArgRole, ArgRole, u32)> {
        CONFLICTING_ROLES.iter().find_map(|&(a, b)| self.args(a).intersection(self.args(b)).first().map(|n| (a, b, n)))
    }

    /// Adds `other`'s roles where they contradict none of `self`'s: what
    /// `self` says wins.
    pub fn merge_under(&mut self, other: &CallHints) {
        self.blocking |= other.blocking;
        for role in ArgRole::ALL {
            let mut taken = ArgSet::EMPTY;
            for &(a, b) in &CONFLICTING_ROLES {
                if a == role {
                    taken = taken.union(self.args(b));
                } else if b == role {
                    taken = taken.union(self.args(a));
                }
            }
            let add = other.args(role).without(taken);
            let set = self.args_mut(role);
            *set = set.union(add);
        }
    }
}

/// In `.hints` syntax: `cb 0, ctx 3, blocking` (roles in [`ArgRole::ALL`]
/// order, arguments ascending).
impl fmt::Display for CallHints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for role in ArgRole::ALL {
            for arg in self.args(role).iter() {
                write!(f, "{sep}{} {arg}", role.keyword())?;
                sep = ", ";
            }
        }
        if self.blocking {
            write!(f, "{sep}{BLOCKING_KEYWORD}")?;
        }
        Ok(())
    }
}

/// The hints of one import of a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportHints {
    /// Index into [`crate::Module::imports`].
    pub import: u16,
    pub hints: CallHints,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn text_and_merge() {
        let mut h = CallHints { cb: ArgSet(1), ctx: ArgSet(1 << 3), ..CallHints::default() };
        assert_eq!(h.to_string(), "cb 0, ctx 3");
        // Analysis says argument 3 is a callback and argument 4 too: 3 is
        // already the context, so only 4 is added.
        h.merge_under(&CallHints { cb: ArgSet(0b11000), blocking: true, ..CallHints::default() });
        assert_eq!(h.to_string(), "cb 0, cb 4, ctx 3, blocking");
        assert_eq!(h.conflict(), None);
        assert_eq!(
            CallHints { out: ArgSet(2), inout: ArgSet(3), ..CallHints::default() }.conflict(),
            Some((ArgRole::Out, ArgRole::InOut, 1))
        );
        assert_eq!(ArgSet(1 << 63).last(), Some(63));
        assert_eq!(ArgSet::single(64), None);
        assert!(CallHints::default().is_empty() && CallHints::default().to_string().is_empty());
        for r in ArgRole::ALL {
            assert_eq!(ArgRole::from_keyword(r.keyword()), Some(r));
        }
    }
}

//! The table hash: FNV-1a 32 over `"<index> <name>\n"` lines sorted by index
//! (`"<index> <name> <signature>\n"` for a slot with a C signature, its ABI
//! part: `Entry::hash_key`).
//!
//! Tombstones hash like the entry they replace (`"13 old_name\n"`): removing a
//! function turns its slot into a permanent NULL without changing what index
//! 13 means, so modules that do not import it keep loading. Headers, guards
//! and native symbol names are not hashed: one module fits every
//! configuration that provides its imports.

/// FNV-1a 32-bit offset basis.
pub const FNV_OFFSET: u32 = 0x811c_9dc5;
/// FNV-1a 32-bit prime.
pub const FNV_PRIME: u32 = 0x0100_0193;

/// Streaming FNV-1a 32.
#[derive(Clone, Copy, Debug)]
pub struct Fnv1a(u32);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(FNV_OFFSET)
    }
}

impl Fnv1a {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u32::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    /// Feed one table line, `"<index> <name>\n"`.
    pub fn line(&mut self, index: u32, name: &str) {
        self.update(index.to_string().as_bytes());
        self.update(b" ");
        self.update(name.as_bytes());
        self.update(b"\n");
    }

    pub fn finish(&self) -> u32 {
        self.0
    }
}

/// FNV-1a 32 of a byte string.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h = Fnv1a::new();
    h.update(bytes);
    h.finish()
}

/// Hashes of every prefix of a table: element `i` is the hash of lines
/// `0..=i`. `lines` must be sorted by index and contiguous from 0.
pub fn prefix_hashes<'a>(lines: impl IntoIterator<Item = (u32, &'a str)>) -> Vec<u32> {
    let mut h = Fnv1a::new();
    lines
        .into_iter()
        .map(|(i, name)| {
            h.line(i, name);
            h.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_reference_vectors() {
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn line_hash_is_text_hash() {
        let mut h = Fnv1a::new();
        h.line(0, "printf");
        h.line(1, "puts");
        assert_eq!(h.finish(), fnv1a32(b"0 printf\n1 puts\n"));
        assert_eq!(
            prefix_hashes([(0, "printf"), (1, "puts")]),
            vec![fnv1a32(b"0 printf\n"), fnv1a32(b"0 printf\n1 puts\n")]
        );
    }
}

//! Fuzzes the whole load path: header and section table, every section
//! decoder, the verifier, and (for whatever decodes) the disassembler and
//! re-encoding. Any panic, hang or huge allocation is a bug.
//!
//!     cargo +nightly fuzz run load            (from /work/main/fuzz)
//!
//! Three inputs in four get their CRC fixed up first, so mutations reach the
//! section parsers instead of stopping at the checksum.
#![no_main]

use espb_runtime::{disasm, format, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    if !data.len().is_multiple_of(4) {
        format::fix_checksum(&mut bytes);
    }
    let _ = load(&bytes);
    if let Ok(m) = format::decode(&bytes) {
        let _ = disasm::disassemble(&bytes);
        let re = format::encode(&m);
        assert_eq!(format::decode(&re).as_ref(), Ok(&m));
    }
});

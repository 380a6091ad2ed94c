//! The kernels: one C file each in `bench/c/`, one exported function
//! `unsigned bench_X(int n)` (n = size or repetitions), no libc, no
//! imports. Each returns a checksum of everything it computed, and each
//! engine's result must equal the native build's and the value recorded
//! here. The native build comes from build.rs (linked into this binary);
//! the sources are embedded here for the wasm and espb builds and for the
//! QEMU firmware.

/// An argument and the result the kernel must give for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Case {
    pub arg: i32,
    pub expect: u32,
}

/// Which input a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// The timed PC run (a few ms of native code).
    Pc,
    /// Instruction counting (callgrind, QEMU): about 1-3 M native
    /// instructions, so interpreters finish in seconds under emulation.
    Count,
    /// The correctness check CI runs: as small as still exercises the code.
    Small,
}

/// What a kernel mostly exercises (the table groups by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Int,
    Memory,
    Float,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Int => "int",
            Class::Memory => "mem",
            Class::Float => "float",
        }
    }
}

/// One benchmark kernel.
pub struct Kernel {
    /// Short name for the tables (and the firmware's kernel list).
    pub name: &'static str,
    /// File name in `bench/c/`.
    pub file: &'static str,
    /// The C source (embedded).
    pub source: &'static str,
    /// The exported C function.
    pub export: &'static str,
    pub class: Class,
    pub pc: Case,
    pub count: Case,
    pub small: Case,
    /// Print the result in hex (checksums).
    pub hex: bool,
    native: unsafe extern "C" fn(i32) -> u32,
}

impl Kernel {
    pub fn case(&self, size: Size) -> Case {
        match size {
            Size::Pc => self.pc,
            Size::Count => self.count,
            Size::Small => self.small,
        }
    }

    /// Calls the native (-O2) build. Result bits as u32.
    pub fn call_native(&self, n: i32) -> u32 {
        // SAFETY: every kernel takes an int, touches only its own static
        // arrays and has no preconditions (it clamps n where it must).
        unsafe { (self.native)(std::hint::black_box(n)) }
    }

    /// `fib(30)`-style label with the argument.
    pub fn label(&self, n: i32) -> String {
        format!("{}({n})", self.name)
    }

    pub fn format_result(&self, r: u32) -> String {
        if self.hex { format!("{r:#010x}") } else { r.to_string() }
    }

    pub fn by_name(name: &str) -> Option<&'static Kernel> {
        KERNELS.iter().find(|k| k.name == name)
    }
}

/// Declares the C functions and the table in one place, so a kernel is
/// named once.
macro_rules! kernels {
    ($( $name:ident: $class:ident, hex $hex:literal,
        pc ($pa:literal => $pe:literal), count ($ca:literal => $ce:literal), small ($sa:literal => $se:literal); )*) => {
        mod ffi {
            unsafe extern "C" {
                $(
                    #[link_name = concat!("bench_", stringify!($name))]
                    pub fn $name(n: i32) -> u32;
                )*
            }
        }
        pub static KERNELS: &[Kernel] = &[$(
            Kernel {
                name: stringify!($name),
                file: concat!(stringify!($name), ".c"),
                source: include_str!(concat!("../c/", stringify!($name), ".c")),
                export: concat!("bench_", stringify!($name)),
                class: Class::$class,
                pc: Case { arg: $pa, expect: $pe },
                count: Case { arg: $ca, expect: $ce },
                small: Case { arg: $sa, expect: $se },
                hex: $hex,
                native: ffi::$name,
            },
        )*];
    };
}

// Results recorded from the native build; every engine must give them.
kernels! {
    fib:        Int,    hex false, pc (30 => 832_040),        count (24 => 46_368),         small (15 => 610);
    coremark:   Int,    hex true,  pc (100 => 0x8984_d7ba),   count (20 => 0xdf87_7a3c),    small (2 => 0xb715_11ca);
    crc32:      Memory, hex true,  pc (50 => 0xac1d_32e6),    count (12 => 0x82cd_4562),    small (1 => 0x9bf8_6749);
    sieve:      Memory, hex false, pc (65536 => 6542),        count (65536 => 6542),        small (100 => 25);
    primecount: Int,    hex true,  pc (5000 => 0x1300_458f),  count (1000 => 0x05e4_9d1d),  small (10 => 0x0139_abb5);
    matmult:    Int,    hex true,  pc (400 => 0xe7b2_588d),   count (100 => 0x6e0e_702a),   small (2 => 0x552c_db10);
    edn:        Int,    hex true,  pc (400 => 0x8b4d_78b8),   count (100 => 0xda7f_f60f),   small (2 => 0xd833_9f62);
    aha_mont64: Int,    hex true,  pc (1500 => 0xaed2_3511),  count (300 => 0x8cc6_22a4),   small (3 => 0x439b_f10c);
    huffbench:  Memory, hex true,  pc (25 => 0x3b0a_b155),    count (6 => 0xb443_a266),     small (1 => 0x924d_121e);
    sort:       Memory, hex true,  pc (40 => 0x963d_ba10),    count (10 => 0xd165_9745),    small (1 => 0x000b_df05);
    nsichneu:   Int,    hex true,  pc (500 => 0x22db_c503),   count (120 => 0x945f_1093),   small (2 => 0x9737_40b3);
    nbody:      Float,  hex true,  pc (10000 => 0xe453_f7d5), count (200 => 0xf2e9_72b2),   small (10 => 0xa0b6_ba41);
    st:         Float,  hex true,  pc (1300 => 0x815c_1054),  count (30 => 0x656a_0257),    small (2 => 0x7acd_2620);
    minver:     Float,  hex true,  pc (1500 => 0xa085_efb3),  count (40 => 0x6930_ebcf),    small (2 => 0x1af7_0ef3);
    cubic:      Float,  hex true,  pc (80 => 0x5378_db42),    count (3 => 0x16a9_d513),     small (1 => 0x4da4_6a23);
}

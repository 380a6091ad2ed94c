// The scheduler's configuration, included by src/rtos/mod.rs and by
// build.rs (which gives the modules' `__espb_cfg_*` slots these values).

/// Ticks per second: ESP-IDF's default CONFIG_FREERTOS_HZ (portTICK_PERIOD_MS = 10).
pub const TICK_RATE_HZ: u32 = 100;
/// CONFIG_FREERTOS_MAX_TASK_NAME_LEN's default, with the NUL.
pub const MAX_TASK_NAME_LEN: usize = 16;
/// One hart: CONFIG_FREERTOS_NUMBER_OF_CORES.
pub const NUMBER_OF_CORES: u32 = 1;

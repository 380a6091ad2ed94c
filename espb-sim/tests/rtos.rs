//! The FreeRTOS and ESP-IDF natives in one task (the harness's thread is
//! the task "main"): what a call returns, what it writes, and how far the
//! virtual clock moves while it waits. Many tasks are tested with real
//! modules in tests/sim (the end-to-end suite).

use espb_sim::testing::{Harness, V};

fn p(a: u32) -> V {
    V::ptr(a)
}

fn call(h: &mut Harness, name: &str, args: &[V]) -> u32 {
    h.call(name, args).unwrap_or_else(|e| panic!("{name} trapped: {e}")) as u32
}

fn now_ms(h: &mut Harness) -> u32 {
    call(h, "esp_log_timestamp", &[])
}

#[test]
fn a_queue_keeps_order_and_a_wait_times_out_on_the_tick() {
    let mut h = Harness::new();
    let q = call(&mut h, "xQueueGenericCreate", &[V::I32(2), V::I32(4), V::I32(0)]);
    assert_ne!(q, 0);
    let item = h.alloc(4);
    for v in [11, 22] {
        h.mem.write_u32(item, v).unwrap();
        assert_eq!(call(&mut h, "xQueueGenericSend", &[p(q), p(item), V::I32(0), V::I32(0)]), 1);
    }
    // Full: a send waiting 5 ticks gives up after 50 ms.
    assert_eq!(call(&mut h, "xQueueGenericSend", &[p(q), p(item), V::I32(5), V::I32(0)]), 0);
    assert_eq!(now_ms(&mut h), 50);
    assert_eq!(call(&mut h, "uxQueueMessagesWaiting", &[p(q)]), 2);
    let out = h.alloc(4);
    for want in [11, 22] {
        assert_eq!(call(&mut h, "xQueueReceive", &[p(q), p(out), V::I32(0)]), 1);
        assert_eq!(h.mem.read_u32(out).unwrap(), want);
    }
    assert_eq!(call(&mut h, "xQueueReceive", &[p(q), p(out), V::I32(3)]), 0);
    assert_eq!(now_ms(&mut h), 80);
    // Sending to the front and overwriting.
    h.mem.write_u32(item, 1).unwrap();
    call(&mut h, "xQueueGenericSend", &[p(q), p(item), V::I32(0), V::I32(0)]);
    h.mem.write_u32(item, 2).unwrap();
    call(&mut h, "xQueueGenericSend", &[p(q), p(item), V::I32(0), V::I32(1)]);
    assert_eq!(call(&mut h, "xQueuePeek", &[p(q), p(out), V::I32(0)]), 1);
    assert_eq!(h.mem.read_u32(out).unwrap(), 2);
    // A handle of another kind is a trap naming the native.
    let e = h.call("xQueueReceive", &[p(0x1234), p(out), V::I32(0)]).unwrap_err();
    assert!(e.to_string().contains("xQueueReceive: 0x1234 is not a queue"), "{e}");
}

#[test]
fn semaphores_count_and_mutexes_belong_to_their_holder() {
    let mut h = Harness::new();
    let sem = call(&mut h, "xQueueCreateCountingSemaphore", &[V::I32(3), V::I32(1)]);
    assert_eq!(call(&mut h, "xQueueSemaphoreTake", &[p(sem), V::I32(0)]), 1);
    assert_eq!(call(&mut h, "xQueueSemaphoreTake", &[p(sem), V::I32(0)]), 0);
    for _ in 0..3 {
        assert_eq!(call(&mut h, "xQueueGenericSend", &[p(sem), p(0), V::I32(0), V::I32(0)]), 1);
    }
    assert_eq!(call(&mut h, "xQueueGenericSend", &[p(sem), p(0), V::I32(0), V::I32(0)]), 0, "at its maximum");
    assert_eq!(call(&mut h, "uxQueueMessagesWaiting", &[p(sem)]), 3);

    let me = call(&mut h, "xTaskGetCurrentTaskHandle", &[]);
    let m = call(&mut h, "xQueueCreateMutex", &[V::I32(4)]);
    assert_eq!(call(&mut h, "xQueueGetMutexHolder", &[p(m)]), 0);
    assert_eq!(call(&mut h, "xQueueTakeMutexRecursive", &[p(m), V::I32(0)]), 1);
    assert_eq!(call(&mut h, "xQueueTakeMutexRecursive", &[p(m), V::I32(0)]), 1);
    assert_eq!(call(&mut h, "xQueueGetMutexHolder", &[p(m)]), me);
    assert_eq!(call(&mut h, "xQueueGiveMutexRecursive", &[p(m)]), 1);
    assert_eq!(call(&mut h, "xQueueGetMutexHolder", &[p(m)]), me, "taken twice, given once");
    assert_eq!(call(&mut h, "xQueueGiveMutexRecursive", &[p(m)]), 1);
    assert_eq!(call(&mut h, "xQueueGetMutexHolder", &[p(m)]), 0);
    assert_eq!(call(&mut h, "xQueueGiveMutexRecursive", &[p(m)]), 0, "not the holder");
}

#[test]
fn notifications_and_event_groups_wait_with_timeouts() {
    let mut h = Harness::new();
    let me = call(&mut h, "xTaskGetCurrentTaskHandle", &[]);
    // Nothing pending: the take times out after 2 ticks.
    assert_eq!(call(&mut h, "ulTaskGenericNotifyTake", &[V::I32(0), V::I32(1), V::I32(2)]), 0);
    assert_eq!(now_ms(&mut h), 20);
    let prev = h.alloc(4);
    assert_eq!(call(&mut h, "xTaskGenericNotify", &[p(me), V::I32(0), V::I32(0x5), V::I32(1), p(prev)]), 1);
    assert_eq!(call(&mut h, "xTaskGenericNotify", &[p(me), V::I32(0), V::I32(0x30), V::I32(4), p(prev)]), 0);
    assert_eq!(h.mem.read_u32(prev).unwrap(), 0x5, "the value before");
    let value = h.alloc(4);
    assert_eq!(call(&mut h, "xTaskGenericNotifyWait", &[V::I32(0), V::I32(0), V::I32(0x1), p(value), V::I32(0)]), 1);
    assert_eq!(h.mem.read_u32(value).unwrap(), 0x5);
    assert_eq!(
        call(&mut h, "ulTaskGenericNotifyValueClear", &[p(me), V::I32(0), V::I32(0)]),
        0x4,
        "bit 0 cleared on exit"
    );

    let g = call(&mut h, "xEventGroupCreate", &[]);
    assert_eq!(call(&mut h, "xEventGroupSetBits", &[p(g), V::I32(0x3)]), 0x3);
    // Wait for all of 0x3 and clear them: met at once.
    assert_eq!(call(&mut h, "xEventGroupWaitBits", &[p(g), V::I32(0x3), V::I32(1), V::I32(1), V::I32(10)]), 0x3);
    assert_eq!(call(&mut h, "xEventGroupClearBits", &[p(g), V::I32(0)]), 0);
    // Not met: the bits at the timeout.
    call(&mut h, "xEventGroupSetBits", &[p(g), V::I32(0x4)]);
    let t0 = now_ms(&mut h);
    assert_eq!(call(&mut h, "xEventGroupWaitBits", &[p(g), V::I32(0x8), V::I32(0), V::I32(0), V::I32(7)]), 0x4);
    assert_eq!(now_ms(&mut h) - t0, 70);
}

#[test]
fn delay_until_keeps_a_period_without_drift() {
    let mut h = Harness::new();
    let last = h.alloc(4);
    let t0 = call(&mut h, "xTaskGetTickCount", &[]);
    h.mem.write_u32(last, t0).unwrap();
    for i in 1..=3 {
        // Work that takes 35 ms, then the rest of a 10-tick period.
        call(&mut h, "esp_rom_delay_us", &[V::I32(35_000)]);
        assert_eq!(call(&mut h, "xTaskDelayUntil", &[p(last), V::I32(10)]), 1);
        assert_eq!(now_ms(&mut h), 100 * i);
    }
    // Late: no delay, pdFALSE, and the wake time still moves on.
    call(&mut h, "esp_rom_delay_us", &[V::I32(250_000)]);
    assert_eq!(call(&mut h, "xTaskDelayUntil", &[p(last), V::I32(10)]), 0);
    assert_eq!(h.mem.read_u32(last).unwrap(), 40);
}

#[test]
fn gpio_outputs_are_logged_when_they_change() {
    let mut h = Harness::new();
    call(&mut h, "gpio_set_direction", &[V::I32(2), V::I32(2)]);
    for level in [1, 1, 0] {
        assert_eq!(call(&mut h, "gpio_set_level", &[V::I32(2), V::I32(level)]), 0);
    }
    assert_eq!(h.stdout(), "I (0) sim: GPIO2 = 1\nI (0) sim: GPIO2 = 0\n");
    assert_eq!(call(&mut h, "gpio_set_level", &[V::I32(40), V::I32(1)]), 0x102, "no such pin");
    // An input with a pull-up reads 1; an input-output pin reads its output.
    call(&mut h, "gpio_set_direction", &[V::I32(4), V::I32(1)]);
    call(&mut h, "gpio_pullup_en", &[V::I32(4)]);
    assert_eq!(call(&mut h, "gpio_get_level", &[V::I32(4)]), 1);
    call(&mut h, "gpio_set_direction", &[V::I32(2), V::I32(3)]);
    call(&mut h, "gpio_set_level", &[V::I32(2), V::I32(1)]);
    assert_eq!(call(&mut h, "gpio_get_level", &[V::I32(2)]), 1);
}

#[test]
fn nvs_values_are_typed_and_committed_to_the_file() {
    let dir = tempfile_dir();
    let file = dir.join("nvs.txt");
    std::fs::write(&file, "app boots u32 41\n").unwrap();
    let mut h = Harness::new();
    h.host.set_nvs_file(&file);
    assert_eq!(call(&mut h, "nvs_flash_init", &[]), 0);
    let (ns, key, other) = (h.cstr(b"app"), h.cstr(b"boots"), h.cstr(b"missing"));
    let handle = h.alloc(4);
    assert_eq!(call(&mut h, "nvs_open", &[p(ns), V::I32(1), p(handle)]), 0);
    let hd = V::I32(h.mem.read_u32(handle).unwrap() as i32);
    let out = h.alloc(8);
    assert_eq!(call(&mut h, "nvs_get_u32", &[hd, p(key), p(out)]), 0);
    assert_eq!(h.mem.read_u32(out).unwrap(), 41);
    assert_eq!(call(&mut h, "nvs_get_i8", &[hd, p(key), p(out)]), 0x1103, "type mismatch");
    assert_eq!(call(&mut h, "nvs_get_u32", &[hd, p(other), p(out)]), 0x1102, "not found");
    assert_eq!(call(&mut h, "nvs_set_u32", &[hd, p(key), V::I32(42)]), 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "app boots u32 41\n", "written at commit only");
    assert_eq!(call(&mut h, "nvs_commit", &[hd]), 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "app boots u32 42\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn config_values_come_from_the_firmware_s_sdkconfig() {
    use espb_runtime::{Host, HostCtx, Import, ImportRef};
    let mut h = Harness::new();
    let read = |h: &mut Harness, name: &str| {
        let import = Import::data(ImportRef::Name(name.to_string()));
        let mut ctx = HostCtx::new(&mut h.mem, &mut h.heap);
        let a = h.host.data_address(&import, &mut ctx).unwrap_or_else(|| panic!("no {name}"));
        h.mem.read_u32(a).unwrap()
    };
    assert_eq!(read(&mut h, "__espb_cfg_LOG_MAXIMUM_LEVEL"), 3);
    let mut h = Harness::new();
    let c = espb_sys::Sdkconfig::from_values([
        ("CONFIG_LOG_MAXIMUM_LEVEL", espb_sys::Value::Int(5)),
        ("CONFIG_FREERTOS_HZ", espb_sys::Value::Int(1000)),
    ]);
    h.host.set_sdkconfig(c);
    assert_eq!(read(&mut h, "__espb_cfg_LOG_MAXIMUM_LEVEL"), 5);
    assert_eq!(read(&mut h, "__espb_cfg_SOC_LEDC_SUPPORT_HS_MODE"), 0);
    // The tick rate is the kernel's, whatever the sdkconfig says.
    assert_eq!(read(&mut h, "__espb_cfg_FREERTOS_HZ"), 100);
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("espb-sim-rtos-{:?}", std::thread::current().id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

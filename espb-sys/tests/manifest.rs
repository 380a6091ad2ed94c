mod common;

use espb_sys::{Manifest, standard_idf_manifest};

#[test]
fn standard_manifest_is_large_and_well_formed() {
    let m = standard_idf_manifest();
    assert_eq!(m.name(), "idf");
    assert!(m.count() >= 150, "only {} entries", m.count());
    for (i, e) in m.entries().iter().enumerate() {
        assert_eq!(e.index as usize, i);
        let cfg = espb_sys::gen_c::config_option(&e.name).is_some();
        assert!(e.header.is_some() || e.removed || cfg, "{} has no header", e.name);
    }
    // FreeRTOS macros are listed under the functions they expand to.
    for macro_name in [
        "xTaskCreate",
        "xQueueSend",
        "xSemaphoreTake",
        "xSemaphoreGive",
        "xTimerStart",
        "ulTaskNotifyTake",
        "xTaskNotifyGive",
        "vTaskDelayUntil",
    ] {
        assert!(m.lookup(macro_name).is_none(), "{macro_name} is a macro");
    }
    for f in [
        "xTaskCreatePinnedToCore",
        "xQueueGenericSend",
        "xQueueSemaphoreTake",
        "ulTaskGenericNotifyTake",
        "xTaskGenericNotify",
        "xEventGroupSetBits",
        "esp_log_write",
        "esp_fill_random",
        "heap_caps_malloc",
        "gpio_isr_handler_add",
        "nvs_get_i32",
        "esp_event_handler_instance_register",
        "esp_netif_create_default_wifi_sta",
    ] {
        assert!(m.lookup(f).is_some_and(|e| e.is_live()), "{f} missing");
    }
    let e = m.lookup("ledc_set_duty").unwrap();
    assert_eq!(e.guard.as_deref(), Some("CONFIG_SOC_LEDC_SUPPORTED"));
    assert_eq!(e.header.as_deref(), Some("driver/ledc.h"));
    let e = m.lookup("xTimerGenericCommandFromTask").unwrap();
    assert_eq!(e.guard.as_deref(), Some("CONFIG_FREERTOS_SMP"));
    assert!(m.lookup("esp_wifi_init").unwrap().guard.is_some());
}

#[test]
fn hash_covers_index_and_name_only() {
    let a = Manifest::parse("0 printf stdio.h\n1 puts stdio.h\n", "t.espbsym").unwrap();
    let b = Manifest::parse(
        "# other layout, header and guard\n0 printf other.h if CONFIG_X\n\n1   puts  -  # c\n",
        "t.espbsym",
    )
    .unwrap();
    assert_eq!(a.hash(), b.hash());
    assert_eq!(a.hash(), espb_sys::hash::fnv1a32(b"0 printf\n1 puts\n"));
    let c = Manifest::parse("0 puts stdio.h\n1 printf stdio.h\n", "t.espbsym").unwrap();
    assert_ne!(a.hash(), c.hash());
    // Entries in any order; sorted by index.
    let d = Manifest::parse("1 puts stdio.h\n0 printf stdio.h\n", "t.espbsym").unwrap();
    assert_eq!(a.hash(), d.hash());
    // A tombstone hashes like the entry it replaces; appending changes the
    // hash but keeps the prefix hash.
    let e = Manifest::parse("0 printf stdio.h\n1 - removed:puts\n2 putchar stdio.h\n", "t.espbsym").unwrap();
    assert_eq!(e.prefix_hash(2), Some(a.hash()));
    assert_ne!(e.hash(), a.hash());
    assert_eq!(e.prefix_hashes().last().copied(), Some(e.hash()));
    assert_eq!(e.prefix_hash(4), None);
    let t = e.lookup("puts").unwrap();
    assert!(t.removed);
    assert_eq!(t.index, 1);
}

/// A data object's size is hashed (a module built against another size
/// must not load), its access and the result annotations are not.
#[test]
fn hash_covers_data_sizes_not_access() {
    let h = |text: &str| Manifest::parse(text, "t.espbsym").unwrap().hash();
    let ro = h("0 counter - data:4\n1 __errno errno.h ptr()\n");
    assert_eq!(ro, espb_sys::hash::fnv1a32(b"0 counter data:4\n1 __errno ptr()\n"));
    assert_eq!(ro, h("0 counter - data:4:rw\n1 __errno errno.h mem:4:rw()\n"), "access and result grants");
    assert_ne!(ro, h("0 counter - data:8\n1 __errno errno.h ptr()\n"), "another size");
    assert_ne!(ro, h("0 counter - data:4->16\n1 __errno errno.h ptr()\n"), "a pointee");
    assert_ne!(ro, h("0 counter -\n1 __errno errno.h ptr()\n"), "no size");
    let e = Manifest::parse("0 counter - data:0\n", "t.espbsym").unwrap_err().to_string();
    assert!(e.contains("data:SIZE"), "{e}");
}

#[test]
fn parse_details() {
    let m = Manifest::parse(
        "12 my_print=native_print - if CONFIG_A && !CONFIG_B && IDF>=5.2 # hi there\n",
        "dir/custom.espbsym",
    );
    // index 12 without 0..11 is a gap
    let err = m.unwrap_err().to_string();
    assert!(err.contains("dir/custom.espbsym:1:") && err.contains("index 0 is missing"), "{err}");

    let m = Manifest::parse(
        "0 my_print=native_print - if CONFIG_A && !CONFIG_B && IDF>=5.2 # hi there\n",
        "dir/custom.espbsym",
    )
    .unwrap();
    assert_eq!(m.name(), "custom");
    let e = m.get(0).unwrap();
    assert_eq!(e.name, "my_print");
    assert_eq!(e.native, "native_print");
    assert_eq!(e.header, None);
    assert_eq!(e.guard.as_deref(), Some("CONFIG_A && !CONFIG_B && IDF >= 5.2"));
    assert_eq!(e.comment.as_deref(), Some("hi there"));
    assert_eq!(e.guard_expr().unwrap().terms.len(), 3);
    // Canonical text parses back to the same manifest.
    let again = Manifest::parse(&m.to_text(), "dir/custom.espbsym").unwrap();
    assert_eq!(again.entries()[0].guard, e.guard);
    assert_eq!(again.hash(), m.hash());
}

#[test]
fn errors_name_file_line_and_fix() {
    let cases: &[(&str, &str)] = &[
        ("0 a x.h\n0 b x.h\n", "t.espbsym:2: index 0 is used twice: `b` here and `a` on line 1"),
        ("0 a x.h\n1 a y.h\n", "`a` is listed twice"),
        ("0 a\n", "t.espbsym:1: entry 0 `a` has no header"),
        ("zero a x.h\n", "expected an index"),
        ("0 a x.h if\n", "`if` without a guard"),
        ("0 a x.h if FOO\n", "is not a Kconfig option"),
        ("0 a x.h if CONFIG_A &&\n", "empty term"),
        ("0 a x.h if IDF = 5\n", "IDF >= 5.2"),
        ("0 a x.h when CONFIG_A\n", "a guard starts with `if`"),
        ("0 a-b x.h\n", "not a C identifier"),
        ("0 a <x.h>\n", "bare path"),
        ("0 - a\n", "expected `removed:NAME`"),
        ("0 -\n", "must name the removed entry"),
        ("0 a x.h\n2 b x.h\n", "t.espbsym:2: index 1 is missing"),
    ];
    for (text, want) in cases {
        let err = Manifest::parse(text, "t.espbsym").unwrap_err().to_string();
        assert!(err.contains(want), "for {text:?}: got `{err}`, want `{want}`");
    }
    let err = Manifest::parse("", "bad-name.espbsym").unwrap_err().to_string();
    assert!(err.contains("not a C identifier"), "{err}");
}

#[test]
fn load_sym_file() {
    let d = common::scratch("load-sym");
    let p = d.join("custom_fast.sym");
    std::fs::write(
        &p,
        "ESPB_SYM(\"my_custom_print\", (const void*)&my_custom_print)\n\
         ESPB_SYM_OPT(CONFIG_X, \"set_magic_number\", (const void*)&native_set_magic_number)\n",
    )
    .unwrap();
    let m = Manifest::load(&p).unwrap();
    assert_eq!(m.name(), "custom_fast");
    assert_eq!(m.count(), 2);
    assert_eq!(m.get(1).unwrap().native, "native_set_magic_number");
    assert_eq!(m.get(1).unwrap().guard.as_deref(), Some("CONFIG_X"));
    let missing = Manifest::load(d.join("nope.espbsym")).unwrap_err().to_string();
    assert!(missing.contains("nope.espbsym"), "{missing}");
}

/// The runtime knows its builtins (malloc, free, ..., exit) and the
/// heap_caps natives whose blocks it follows by their slot of the standard
/// table, not by the names modules give them: those slots must hold those
/// functions.
#[test]
fn runtime_builtin_slots_are_the_standard_table_s() {
    let m = standard_idf_manifest();
    let slots = espb_runtime::vm::IDF_BUILTIN_SLOTS.iter().chain(espb_runtime::vm::IDF_HEAP_CAPS_SLOTS);
    for &(index, name) in slots {
        let e = m.get(u32::from(index)).unwrap_or_else(|| panic!("no slot {index}"));
        assert_eq!((e.name.as_str(), e.removed), (name, false), "slot {index}");
    }
}

/// The hash covers each slot's signature (its ABI types): a module built
/// against other signatures does not match the firmware's table, while
/// refining which pointers are checked, or tombstoning, keeps the hash.
#[test]
fn the_hash_covers_signatures_but_not_their_memory_annotations() {
    let m = |t: &str| Manifest::parse_named("custom", t, "custom.espbsym").unwrap();
    let plain = m("0 fill - void(ptr,i32)\n1 say -\n");
    assert_eq!(plain.hash(), espb_sys::hash::fnv1a32(b"0 fill void(ptr,i32)\n1 say\n"));
    assert_ne!(plain.hash(), m("0 fill - void(ptr,i64)\n1 say -\n").hash(), "another type");
    assert_ne!(plain.hash(), m("0 fill -\n1 say -\n").hash(), "no signature");
    assert_eq!(plain.hash(), m("0 fill - void(buf:1?,i32)\n1 say -\n").hash(), "annotations are not hashed");
    assert_eq!(plain.hash(), m("0 - removed:fill void(ptr,i32)\n1 say -\n").hash(), "a tombstone keeps it");
    assert_eq!(plain.prefix_hashes().last().copied(), Some(plain.hash()));
    let err = Manifest::parse_named("custom", "0 fill - void(buf:5)\n", "custom.espbsym").unwrap_err().to_string();
    assert!(err.contains("custom.espbsym:1") && err.contains("RESULT(PARAM,...)"), "{err}");
}

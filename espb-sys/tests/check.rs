mod common;

use std::process::Command;

use espb_sys::Manifest;
use espb_sys::check::{Baseline, ViolationKind, check, lock_text, violations};

const V1: &str = "0 printf stdio.h\n1 puts stdio.h\n2 putchar stdio.h\n";

fn m(text: &str) -> Manifest {
    Manifest::parse(text, "t.espbsym").unwrap()
}

fn lock_of(text: &str) -> Baseline {
    Baseline::parse_lock(&lock_text(&m(text)), "t.lock").unwrap()
}

#[test]
fn appending_and_tombstoning_pass() {
    let base = lock_of(V1);
    let r = check(&m(V1), &base).unwrap();
    assert_eq!((r.kept, r.appended), (3, 0));
    let v2 = "0 printf stdio.h\n1 - removed:puts # gone\n2 putchar x.h if CONFIG_Y\n3 fputs stdio.h\n";
    let r = check(&m(v2), &base).unwrap();
    assert_eq!((r.kept, r.appended), (3, 1));
    assert_eq!(r.removed, vec!["puts".to_string()]);
    // The lock of v2 keeps the tombstone.
    let lock2 = lock_text(&m(v2));
    assert!(lock2.contains("1 - removed:puts\n"), "{lock2}");
    check(&m(v2), &Baseline::parse_lock(&lock2, "t.lock").unwrap()).unwrap();
}

#[test]
fn every_violation_is_named_with_both_lines() {
    let base = lock_of(V1);
    // Renamed index 1, renumbered putchar (2 -> 3), index 2 reused.
    let bad = "0 printf stdio.h\n1 fputs stdio.h\n2 fwrite stdio.h\n3 putchar stdio.h\n";
    let v = violations(&m(bad), &base);
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0].kind, ViolationKind::Renamed);
    assert_eq!(v[1].kind, ViolationKind::Renumbered { new_index: 3 });
    let err = check(&m(bad), &base).unwrap_err().to_string();
    assert!(err.contains("index 1: was `puts` (t.lock line 6), now `fputs` (line 2)"), "{err}");
    assert!(err.contains("index 2: `putchar` (t.lock line 7) moved to index 3 (line 4)"), "{err}");

    // Removed outright.
    let err = check(&m("0 printf stdio.h\n1 puts stdio.h\n"), &base).unwrap_err().to_string();
    assert!(err.contains("index 2: `putchar`") && err.contains("`2 - removed:putchar`"), "{err}");

    // Tombstone naming something else.
    let err = check(&m("0 printf stdio.h\n1 - removed:fputs\n2 putchar stdio.h\n"), &base).unwrap_err().to_string();
    assert!(err.contains("tombstone `removed:fputs` (line 2) but the slot held `puts`"), "{err}");

    // Reusing a tombstone.
    let base2 = lock_of("0 printf stdio.h\n1 - removed:puts\n");
    let err = check(&m("0 printf stdio.h\n1 puts stdio.h\n"), &base2).unwrap_err().to_string();
    assert!(err.contains("index 1: tombstone of `puts`") && err.contains("never reused"), "{err}");
}

#[test]
fn lock_file_errors() {
    let e = Baseline::parse_lock("0 a\n0 b\n", "x.lock").unwrap_err().to_string();
    assert!(e.contains("x.lock:2:") && e.contains("twice"), "{e}");
    let e = Baseline::parse_lock("0 a b c\n", "x.lock").unwrap_err().to_string();
    assert!(e.contains("x.lock:1:"), "{e}");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn against_git_revision() {
    let d = common::scratch("git");
    git(&d, &["init", "-q"]);
    let sub = d.join("symbols");
    std::fs::create_dir_all(&sub).unwrap();
    let p = sub.join("custom.espbsym");
    // Not committed yet: nothing to compare.
    std::fs::write(&p, V1).unwrap();
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "v1"]);
    assert!(Baseline::from_git(&p, "HEAD~1").is_err()); // no such revision
    let base = Baseline::from_git(&p, "HEAD").unwrap().unwrap();
    assert_eq!(base.entries.len(), 3);
    assert_eq!(base.source, format!("HEAD:{}", p.display()));
    std::fs::write(&p, format!("{V1}3 fputs stdio.h\n")).unwrap();
    check(&Manifest::load(&p).unwrap(), &base).unwrap();
    std::fs::write(&p, "0 printf stdio.h\n1 puts stdio.h\n2 fputs stdio.h\n").unwrap();
    let err = check(&Manifest::load(&p).unwrap(), &base).unwrap_err().to_string();
    assert!(err.contains("index 2: was `putchar` (HEAD:"), "{err}");
    // A file absent at the revision has no baseline.
    let other = sub.join("new.espbsym");
    std::fs::write(&other, V1).unwrap();
    assert!(Baseline::from_git(&other, "HEAD").unwrap().is_none());
}

//! Which serial port `flash`, `monitor` and `push` use, as espflash
//! chooses it, with the ports present and the terminal given: a named port
//! is used as is; one recognised board (espflash_ports.toml
//! `[[usb_device]]`, or a common dev-board bridge) is taken; otherwise the
//! user is asked, or without a terminal gets an error listing the ports.

use cargo_espb::flash::config::{EspflashConfig, UsbDevice, load_espflash, parse_espflash_toml};
use cargo_espb::flash::plan::Sourced;
use cargo_espb::flash::ports::{Candidate, Choice, PortArgs, Prompt, choose};
use cargo_espb::flash::{FlashError, ports};
use serialport::UsbPortInfo;

/// A terminal that answers from a list, and remembers the questions.
struct Answers {
    tty: bool,
    answers: Vec<&'static str>,
    asked: Vec<String>,
}

impl Prompt for Answers {
    fn interactive(&self) -> bool {
        self.tty
    }
    fn ask(&mut self, question: &str) -> Option<String> {
        self.asked.push(question.to_string());
        if self.answers.is_empty() { None } else { Some(self.answers.remove(0).to_string()) }
    }
}

fn tty(answers: &[&'static str]) -> Answers {
    Answers { tty: true, answers: answers.to_vec(), asked: vec![] }
}

fn no_tty() -> Answers {
    Answers { tty: false, answers: vec![], asked: vec![] }
}

fn usb(name: &str, vid: u16, pid: u16, product: &str) -> Candidate {
    Candidate {
        name: name.into(),
        usb: Some(UsbPortInfo { vid, pid, serial_number: None, manufacturer: None, product: Some(product.into()) }),
    }
}

/// An FTDI adapter, a CP2102 dev board, and a USB modem: one recognised.
fn three() -> Vec<Candidate> {
    vec![
        usb("/dev/ttyUSB0", 0x0403, 0x6001, "FT232R"),
        usb("/dev/ttyUSB1", 0x10c4, 0xea60, "CP2102"),
        usb("/dev/ttyACM0", 0x1234, 0x0001, "Modem"),
    ]
}

// The library's own error type, as `choose` returns it.
#[allow(clippy::result_large_err)]
fn pick(args: &PortArgs, cfg: &EspflashConfig, c: Vec<Candidate>, p: &mut Answers) -> Result<Choice, FlashError> {
    choose(args, None, cfg, c, p)
}

#[test]
fn a_named_port_is_used_as_given() {
    let named = Some(Sourced { value: "/dev/pts/7".to_string(), source: "--port".into() });
    let mut p = tty(&[]);
    let c = choose(&PortArgs::default(), named, &EspflashConfig::default(), three(), &mut p).unwrap();
    assert_eq!((c.name.as_str(), c.source.as_str()), ("/dev/pts/7", "--port"));
    assert!(p.asked.is_empty());
}

#[test]
fn one_recognised_board_is_taken_without_asking() {
    let mut p = tty(&[]);
    let c = pick(&PortArgs::default(), &EspflashConfig::default(), three(), &mut p).unwrap();
    assert_eq!(c.name, "/dev/ttyUSB1", "the CP2102 of a dev board");
    assert!(p.asked.is_empty());

    // A board named in espflash_ports.toml makes a second recognised one:
    // now the user is asked, recognised boards first.
    let cfg = EspflashConfig { usb_devices: vec![UsbDevice { vid: 0x1234, pid: 0x0001 }], ..Default::default() };
    let mut p = tty(&["2"]);
    let c = pick(&PortArgs::default(), &cfg, three(), &mut p).unwrap();
    let menu = &p.asked[0];
    let line = |n: &str| menu.lines().position(|l| l.contains(n)).unwrap();
    assert!(line("ttyUSB1") < line("ttyUSB0") && line("ttyACM0") < line("ttyUSB0"), "{menu}");
    assert!(menu.contains("1) /dev/ttyUSB1 (10c4:ea60 CP2102)  (recognised board)"), "{menu}");
    assert_eq!(c.name, "/dev/ttyACM0");

    // Only the configured one present.
    let cfg = EspflashConfig { usb_devices: vec![UsbDevice { vid: 0x0403, pid: 0x6001 }], ..Default::default() };
    let mut only_ftdi = three();
    only_ftdi.remove(1);
    let c = pick(&PortArgs::default(), &cfg, only_ftdi, &mut tty(&[])).unwrap();
    assert_eq!(c.name, "/dev/ttyUSB0");
}

#[test]
fn confirm_port_asks_even_for_a_recognised_board() {
    let args = PortArgs { confirm_port: true, ..Default::default() };
    let board = vec![three().remove(1)];
    let mut p = tty(&["y"]);
    assert_eq!(pick(&args, &EspflashConfig::default(), board.clone(), &mut p).unwrap().name, "/dev/ttyUSB1");
    assert!(p.asked[0].contains("Use serial port /dev/ttyUSB1 (10c4:ea60 CP2102)?"), "{:?}", p.asked);
    let e = pick(&args, &EspflashConfig::default(), board.clone(), &mut tty(&["n"])).unwrap_err();
    assert!(matches!(e, FlashError::PortDeclined { .. }) && e.to_string().contains("--port"), "{e}");
    let e = pick(&args, &EspflashConfig::default(), board, &mut no_tty()).unwrap_err();
    assert!(matches!(e, FlashError::ConfirmNeedsTerminal { .. }) && e.to_string().contains("--port"), "{e}");
}

#[test]
fn several_ports_without_a_terminal_is_an_error_that_lists_them() {
    let mut two = three();
    two.remove(1); // no recognised board left
    let e = pick(&PortArgs::default(), &EspflashConfig::default(), two.clone(), &mut no_tty()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, FlashError::SeveralPorts { .. }), "{msg}");
    for needle in ["/dev/ttyUSB0 (0403:6001 FT232R)", "/dev/ttyACM0 (1234:0001 Modem)", "--port", "[[usb_device]]"] {
        assert!(msg.contains(needle), "{needle} missing: {msg}");
    }
    // --non-interactive on a terminal: the same.
    let args = PortArgs { non_interactive: true, ..Default::default() };
    let mut p = tty(&["1"]);
    assert!(matches!(pick(&args, &EspflashConfig::default(), two, &mut p), Err(FlashError::SeveralPorts { .. })));
    assert!(p.asked.is_empty());
}

#[test]
fn the_prompt_takes_a_number_enter_or_q() {
    let mut two = three();
    two.remove(1);
    let cfg = EspflashConfig::default();
    assert_eq!(pick(&PortArgs::default(), &cfg, two.clone(), &mut tty(&[""])).unwrap().name, "/dev/ttyUSB0");
    let mut p = tty(&["7", "x", "2"]);
    assert_eq!(pick(&PortArgs::default(), &cfg, two.clone(), &mut p).unwrap().name, "/dev/ttyACM0");
    assert_eq!(p.asked.len(), 3);
    assert!(p.asked[1].contains("`7` is none of them"), "{:?}", p.asked);
    let e = pick(&PortArgs::default(), &cfg, two.clone(), &mut tty(&["q"])).unwrap_err();
    assert!(matches!(e, FlashError::PortCancelled), "{e}");
    let e = pick(&PortArgs::default(), &cfg, two, &mut tty(&[])).unwrap_err();
    assert!(matches!(e, FlashError::PortCancelled), "end of input: {e}");
}

#[test]
fn none_or_one_port() {
    let cfg = EspflashConfig::default();
    let e = pick(&PortArgs::default(), &cfg, vec![], &mut tty(&[])).unwrap_err();
    assert!(matches!(e, FlashError::NoDevice) && e.to_string().contains("--list-all-ports"), "{e}");
    // One unrecognised port: used as it is without a terminal, confirmed on one.
    let modem = vec![three().remove(2)];
    assert_eq!(pick(&PortArgs::default(), &cfg, modem.clone(), &mut no_tty()).unwrap().name, "/dev/ttyACM0");
    let mut p = tty(&[""]);
    assert_eq!(pick(&PortArgs::default(), &cfg, modem, &mut p).unwrap().name, "/dev/ttyACM0");
    assert_eq!(p.asked.len(), 1);
    // A port that is not USB (--list-all-ports offers such) has no ids.
    let pci = Candidate { name: "/dev/ttyS0".into(), usb: None };
    assert_eq!(pci.label(), "/dev/ttyS0");
    assert!(ports::KNOWN_DEVICES.iter().any(|d| (d.vid, d.pid) == (0x303a, 0x1001)));
}

#[test]
fn usb_devices_come_from_espflash_ports_toml_or_espflash_toml() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("espflash_ports.toml"),
        "[[usb_device]]\nvid = \"303a\"\npid = \"0x1001\"\n\n[[usb_device]]\nvid = \"10C4\"\npid = \"ea60\"\n",
    )
    .unwrap();
    let c = load_espflash(d.path(), None).unwrap();
    assert_eq!(c.usb_devices, [UsbDevice { vid: 0x303a, pid: 0x1001 }, UsbDevice { vid: 0x10c4, pid: 0xea60 }]);
    assert_eq!(c.port, None);

    // espflash 3 kept them in espflash.toml.
    let c = parse_espflash_toml("[[usb_device]]\nvid = \"1a86\"\npid = \"7523\"\n", "espflash.toml").unwrap();
    assert_eq!(c.usb_devices, [UsbDevice { vid: 0x1a86, pid: 0x7523 }]);

    std::fs::write(d.path().join("espflash_ports.toml"), "[[usb_device]]\nvid = \"esp\"\npid = \"1\"\n").unwrap();
    let e = load_espflash(d.path(), None).unwrap_err().to_string();
    assert!(e.contains("espflash_ports.toml") && e.contains("`esp` is not a 16-bit hex USB id"), "{e}");
}

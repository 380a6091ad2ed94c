//! Which serial port `flash`, `monitor` and `push` talk to, chosen as
//! espflash chooses it: a port named by `--port`, `ESPFLASH_PORT` or
//! espflash_ports.toml is used as given; otherwise the one connected board
//! espflash_ports.toml's `[[usb_device]]` entries (or a common dev-board
//! USB bridge) recognise is taken, and when that does not settle it the
//! user picks from a list, or, without a terminal to ask, gets an error
//! that lists the ports.
//!
//! The choice is pure ([`choose`]): the ports present and the terminal come
//! in, so it is tested without hardware.

use std::io::{BufRead, IsTerminal, Write};

use serialport::{SerialPortType, UsbPortInfo};

use super::FlashError;
use super::config::{self, EspflashConfig, UsbDevice};

/// How to pick the port, shared by `flash`, `monitor` and `push`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PortArgs {
    /// Serial port [default: ESPFLASH_PORT, espflash_ports.toml
    /// `[connection] serial`, else the connected board, asked when unclear].
    #[arg(short = 'p', long)]
    pub port: Option<String>,
    /// Offer every serial port, not only USB ones (as espflash).
    #[arg(long)]
    pub list_all_ports: bool,
    /// Ask before using the one recognised board (as espflash).
    #[arg(long)]
    pub confirm_port: bool,
    /// Never ask: fail when the port is not clear.
    #[arg(long)]
    pub non_interactive: bool,
}

/// USB serial bridges of common dev boards: one of them connected is taken
/// without asking, like espflash does.
pub const KNOWN_DEVICES: &[UsbDevice] = &[
    UsbDevice { vid: 0x10c4, pid: 0xea60 }, // Silicon Labs CP210x
    UsbDevice { vid: 0x1a86, pid: 0x7523 }, // QinHeng CH340
    UsbDevice { vid: 0x303a, pid: 0x1001 }, // Espressif USB-Serial/JTAG (C3, C6, S3, ...)
];

/// A serial port present on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// Its USB ids and product, when it is a USB port.
    pub usb: Option<UsbPortInfo>,
}

impl Candidate {
    /// `name (vid:pid product)`, as listed to the user.
    pub fn label(&self) -> String {
        match &self.usb {
            Some(i) => format!(
                "{} ({:04x}:{:04x}{})",
                self.name,
                i.vid,
                i.pid,
                i.product.as_deref().map(|p| format!(" {p}")).unwrap_or_default()
            ),
            None => self.name.clone(),
        }
    }

    fn is_known(&self, devices: &[UsbDevice]) -> bool {
        self.usb.as_ref().is_some_and(|i| devices.iter().chain(KNOWN_DEVICES).any(|d| d.vid == i.vid && d.pid == i.pid))
    }
}

/// The serial ports present: USB ones, or with `all` also PCI and unknown
/// ones (a USB bridge the system did not recognise as one).
pub fn detect(all: bool) -> Vec<Candidate> {
    serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p.port_type {
            SerialPortType::UsbPort(info) => Some(Candidate { name: p.port_name, usb: Some(info) }),
            SerialPortType::PciPort | SerialPortType::Unknown if all => {
                Some(Candidate { name: p.port_name, usb: None })
            }
            _ => None,
        })
        .collect()
}

/// Asks the user. [`Terminal`] is the real one; tests give answers.
pub trait Prompt {
    /// Whether there is someone to ask.
    fn interactive(&self) -> bool;
    /// Shows `question` and reads one line; `None` at end of input.
    fn ask(&mut self, question: &str) -> Option<String>;
}

/// stdin and stderr, when both are a terminal.
pub struct Terminal;

impl Prompt for Terminal {
    fn interactive(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }
    fn ask(&mut self, question: &str) -> Option<String> {
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_string()),
        }
    }
}

/// The port chosen, and why (for the report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub name: String,
    pub source: String,
}

/// Chooses the port. `named` is the port from `--port`, `ESPFLASH_PORT` or
/// espflash_ports.toml ([`config::resolve_port`]), used as given.
pub fn choose(
    args: &PortArgs,
    named: Option<super::plan::Sourced<String>>,
    cfg: &EspflashConfig,
    mut candidates: Vec<Candidate>,
    prompt: &mut dyn Prompt,
) -> Result<Choice, FlashError> {
    if let Some(p) = named {
        return Ok(Choice { name: p.value, source: p.source });
    }
    let interactive = !args.non_interactive && prompt.interactive();
    let known: Vec<&Candidate> = candidates.iter().filter(|c| c.is_known(&cfg.usb_devices)).collect();
    if let [one] = known[..]
        && !args.confirm_port
    {
        return Ok(Choice { name: one.name.clone(), source: "the one recognised board".into() });
    }
    match candidates.len() {
        0 => Err(FlashError::NoDevice),
        1 if !interactive && !args.confirm_port => {
            Ok(Choice { name: candidates.remove(0).name, source: "the only serial port".into() })
        }
        1 if !interactive => Err(FlashError::ConfirmNeedsTerminal { port: candidates[0].label() }),
        1 => {
            let c = &candidates[0];
            let answer = prompt.ask(&format!("Use serial port {}? [Y/n] ", c.label())).unwrap_or_default();
            if answer.is_empty() || answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes") {
                Ok(Choice { name: c.name.clone(), source: "confirmed".into() })
            } else {
                Err(FlashError::PortDeclined { port: c.name.clone() })
            }
        }
        _ if !interactive => Err(FlashError::SeveralPorts { ports: candidates.iter().map(Candidate::label).collect() }),
        _ => {
            // Recognised boards first, as espflash lists them.
            candidates.sort_by_key(|c| !c.is_known(&cfg.usb_devices));
            let mut menu = String::from("Several serial ports are present:\n");
            for (i, c) in candidates.iter().enumerate() {
                let mark = if c.is_known(&cfg.usb_devices) { "  (recognised board)" } else { "" };
                menu.push_str(&format!("  {}) {}{mark}\n", i + 1, c.label()));
            }
            let mut question = format!("{menu}Which one? [1-{}, Enter: 1, q: quit] ", candidates.len());
            loop {
                let Some(answer) = prompt.ask(&question) else { return Err(FlashError::PortCancelled) };
                if answer.eq_ignore_ascii_case("q") {
                    return Err(FlashError::PortCancelled);
                }
                let pick = if answer.is_empty() { Some(1) } else { answer.parse::<usize>().ok() };
                if let Some(c) = pick.and_then(|n| n.checked_sub(1)).and_then(|i| candidates.get(i)) {
                    return Ok(Choice { name: c.name.clone(), source: "chosen".into() });
                }
                question = format!("`{answer}` is none of them; a number from 1 to {}: ", candidates.len());
            }
        }
    }
}

/// The port for this command: [`choose`] over the ports present, with the
/// espflash configuration of the current directory and the real terminal.
pub fn resolve(args: &PortArgs, cfg: &EspflashConfig) -> Result<Choice, FlashError> {
    let env = |k: &str| std::env::var(k).ok();
    let named = config::resolve_port(args.port.as_deref(), &env, cfg);
    let candidates = if named.is_some() { Vec::new() } else { detect(args.list_all_ports) };
    choose(args, named, cfg, candidates, &mut Terminal)
}

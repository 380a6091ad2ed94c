//! `cargo espb monitor`: the device's serial output, with module trap
//! records told as `trap: ... in function f at src/main.c:42`.

use crate::error::CliError;
use crate::flash::{FlashError, config, device};
use crate::monitor::{decode_line, find_modules};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Print what the device prints; module traps are decoded with the
/// project's .espb files.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Serial port [default: ESPFLASH_PORT, espflash_ports.toml, else the
    /// only USB serial port].
    #[arg(short = 'p', long)]
    pub port: Option<String>,
    /// The console's baud rate.
    #[arg(short = 'B', long, default_value_t = 115_200)]
    pub baud: u32,
    /// Where to look for the modules' .espb files [default: .].
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Stop after this many seconds [default: run until interrupted].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        let env = |k: &str| std::env::var(k).ok();
        let cfg = config::load_espflash(&cwd, config::global_config_dir(&env).as_deref()).map_err(FlashError::from)?;
        let port_name = match config::resolve_port(self.port.as_deref(), &env, &cfg) {
            Some(p) => p.value,
            None => device::auto_port()?,
        };
        let modules = find_modules(self.project.as_deref().unwrap_or(&cwd));
        let mut port = device::open_port(&port_name)?;
        let _ = serialport::SerialPort::set_baud_rate(&mut port, self.baud);
        let _ = serialport::SerialPort::set_timeout(&mut port, Duration::from_millis(50));
        // Dev boards reset the chip through DTR/RTS: leave both released.
        let _ = serialport::SerialPort::write_data_terminal_ready(&mut port, false);
        let _ = serialport::SerialPort::write_request_to_send(&mut port, false);
        eprintln!("Monitoring {port_name} ({} modules of the project known); Ctrl-C ends", modules.len());
        let until = self.duration.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
        let mut line = Vec::new();
        let mut buf = [0u8; 256];
        let mut out = std::io::stdout();
        while until.is_none_or(|u| Instant::now() < u) {
            let n = match port.read(&mut buf) {
                Ok(n) => n,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted) => 0,
                Err(e) => {
                    return Err(FlashError::Device { port: port_name, message: format!("the port failed: {e}") }.into());
                }
            };
            for &b in &buf[..n] {
                let _ = out.write_all(&[b]);
                if b == b'\n' {
                    if let Some(told) = decode_line(&String::from_utf8_lossy(&line), &modules) {
                        let _ = writeln!(out, "{told}");
                    }
                    line.clear();
                } else {
                    line.push(b);
                }
            }
            let _ = out.flush();
        }
        Ok(())
    }
}

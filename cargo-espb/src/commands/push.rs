//! `cargo espb push`: the module into a running firmware over its serial
//! console, without a reset (docs/deploy.md).

use crate::error::CliError;
use crate::flash::ports::PortArgs;
use crate::flash::{FlashError, config, device};
use crate::push::{Outcome, Session, describe};
use espb_runtime::push::frame::slot_name;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Send the built module to the running firmware (its serial console): it
/// goes into the inactive slot of the module partition and replaces the
/// running module; one that traps in its trial is rolled back.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Module to push [default: espb.toml `[build] output`].
    pub module: Option<PathBuf>,
    #[command(flatten)]
    pub ports: PortArgs,
    /// The console's baud rate [default: 115200].
    #[arg(short = 'B', long, default_value_t = 115_200)]
    pub baud: u32,
    /// Module project directory (holds espb.toml) [default: .].
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Only print the loader's state (running slot, slot size).
    #[arg(long, conflicts_with = "abort")]
    pub status: bool,
    /// Tell the loader to forget a push that was cut off.
    #[arg(long)]
    pub abort: bool,
    /// After the push, print the device's output for this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub listen: f64,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        let module = if self.status || self.abort {
            None
        } else {
            let path = match &self.module {
                Some(p) => p.clone(),
                None => config::load_project(self.project.as_deref().unwrap_or(&cwd)).map_err(FlashError::from)?.module,
            };
            Some((super::read_module_bytes(&path)?, path))
        };
        let (port_name, port) = device::open_console(&self.ports, self.baud, Duration::from_millis(20))?;
        let mut session = Session::new(port, |text: &[u8]| {
            let mut out = std::io::stdout();
            let _ = out.write_all(text);
            let _ = out.flush();
        });
        let fail = |error| CliError::Push { port: port_name.clone(), error };
        if self.abort {
            session.abort().map_err(fail)?;
            eprintln!("The loader on {port_name} forgot any push in progress");
            return Ok(());
        }
        let status = session.status().map_err(fail)?;
        let running = status.slot.map_or("nothing".to_string(), |s| format!("slot {}", slot_name(s)));
        eprintln!("Loader on {port_name}: running {running}, {}; a slot holds {} bytes", status.text, status.capacity);
        let Some((bytes, path)) = module else { return Ok(()) };
        eprintln!("Pushing {} ({} bytes)", path.display(), bytes.len());
        let outcome = session
            .push(&bytes, &mut |sent, total| {
                if sent == total {
                    eprintln!("Sent {total} bytes; the device switches to the new module");
                }
            })
            .map_err(fail)?;
        match outcome {
            Outcome::Committed { .. } => eprintln!("Done: {}", describe(&outcome)),
            Outcome::RolledBack { slot, reason } => {
                return Err(CliError::PushRolledBack { port: port_name, slot: slot.map(slot_name), reason });
            }
        }
        if self.listen > 0.0 {
            session.listen(Duration::from_secs_f64(self.listen)).map_err(fail)?;
        }
        Ok(())
    }
}

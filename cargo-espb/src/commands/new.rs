//! `cargo espb new`: a module project, or the firmware that runs modules.

use crate::error::CliError;
use crate::project::{FirmwareKind, NewArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub project: NewArgs,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let a = &self.project;
        let root = crate::project::new_project(a)?;
        let what = match a.firmware {
            None => "module project",
            Some(FirmwareKind::Idf) => "ESP-IDF firmware project",
            Some(FirmwareKind::Rust) => "esp-idf-sys firmware project",
        };
        eprintln!("     Created {what} `{}` for {} in {}", a.name, a.chip, root.display());
        match a.firmware {
            None => eprintln!("        Next cd {} && cargo espb build", root.display()),
            Some(FirmwareKind::Idf) => match crate::project::new::espb_runtime_component() {
                Some(dir) => {
                    eprintln!(
                        "        Uses the espb_runtime component at {} (ESPB_RUNTIME_DIR overrides)",
                        dir.display()
                    );
                    eprintln!("        Next cd {} && idf.py set-target {} build", root.display(), a.chip);
                }
                None => eprintln!(
                    "        Next set ESPB_RUNTIME_DIR to espb-sys/component/espb_runtime of a cargo-espb checkout \
                     (or copy it to components/espb_runtime), then `idf.py set-target {} build`",
                    a.chip
                ),
            },
            Some(FirmwareKind::Rust) => eprintln!("        Next cd {} && cargo build", root.display()),
        }
        Ok(())
    }
}

//! The personalisation flags (`--hostname`, `--ssh-key`, `--wifi`, `--persist-files`), shared
//! by `flash`, `install` and `image build` (and flattened into `batch`): reading their files,
//! asking for Wi-Fi passphrases on the terminal, and the identity of a single card.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::Args;

use crate::flash::FlashError;
use crate::flash::Target;
use crate::flash::personalise::{read_key_file, read_persist_dir};
use crate::model::personalise::{Identity, Persona, Template, Wifi};

#[derive(Debug, Args, Clone, Default)]
pub struct PersonaliseArgs {
    /// Hostname written to the persist partition (skiff/hostname); a template with {n},
    /// {n:02} (zero-padded), {serial} and {slot}, e.g. 'robot-{n:02}'.
    #[arg(long, value_name = "TEMPLATE", help_heading = "Personalisation")]
    pub hostname: Option<String>,
    /// The number {n} stands for (default 1).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        help_heading = "Personalisation"
    )]
    pub number: u64,
    /// SSH public key file authorized for root (into skiff/keys/); repeatable.
    #[arg(long, value_name = "FILE", help_heading = "Personalisation")]
    pub ssh_key: Vec<PathBuf>,
    /// Wi-Fi network (SSID) to join, as a NetworkManager connection in skiff/connections/;
    /// repeatable.
    #[arg(long, value_name = "SSID", help_heading = "Personalisation")]
    pub wifi: Vec<String>,
    /// File holding the passphrase of the --wifi network of the same position (first line);
    /// without one, the passphrase is asked on the terminal.
    #[arg(long, value_name = "FILE", help_heading = "Personalisation")]
    pub wifi_psk_file: Vec<PathBuf>,
    /// Directory whose files are copied into the persist partition at the same paths
    /// (modes kept; symbolic links and special files are refused).
    #[arg(long, value_name = "DIR", help_heading = "Personalisation")]
    pub persist_files: Option<PathBuf>,
}

fn bad(detail: String) -> FlashError {
    FlashError::Personalise { detail }
}

impl PersonaliseArgs {
    pub fn is_empty(&self) -> bool {
        self.hostname.is_none()
            && self.ssh_key.is_empty()
            && self.wifi.is_empty()
            && self.persist_files.is_none()
    }

    /// Reads and checks every input. Passphrases missing a file are asked on the terminal
    /// (refused without one).
    pub fn load(&self) -> Result<Persona, FlashError> {
        self.load_with(&mut ask_passphrase)
    }

    /// [`Self::load`] with the passphrase prompt given (tests, the TUI).
    pub fn load_with(
        &self,
        ask: &mut dyn FnMut(&str) -> Result<String, FlashError>,
    ) -> Result<Persona, FlashError> {
        if self.wifi_psk_file.len() > self.wifi.len() {
            return Err(FlashError::Usage {
                detail: format!(
                    "{} --wifi-psk-file but {} --wifi; give one passphrase file per network, in the same order",
                    self.wifi_psk_file.len(),
                    self.wifi.len()
                ),
            });
        }
        let hostname = self.hostname.as_deref().map(Template::parse).transpose()?;
        let keys = self
            .ssh_key
            .iter()
            .map(|p| read_key_file(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut wifi = Vec::new();
        for (i, ssid) in self.wifi.iter().enumerate() {
            let psk = match self.wifi_psk_file.get(i) {
                Some(file) => read_psk(file)?,
                None => ask(ssid)?,
            };
            wifi.push(Wifi::new(ssid, &psk)?);
        }
        let files = match &self.persist_files {
            Some(dir) => read_persist_dir(dir)?,
            None => Vec::new(),
        };
        Ok(Persona {
            hostname,
            keys,
            wifi,
            files,
        })
    }

    /// What the placeholders stand for on a single card: {n} from --number, the device's
    /// serial and USB port path (an image file has neither).
    pub fn identity(&self, target: &Target) -> Identity {
        crate::flash::personalise::identity(self.number, target)
    }
}

fn read_psk(file: &std::path::Path) -> Result<String, FlashError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        bad(format!(
            "{}: cannot read the Wi-Fi passphrase: {e}",
            file.display()
        ))
    })?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

/// Asks for a passphrase on the terminal without echo (raw mode, restored afterwards).
fn ask_passphrase(ssid: &str) -> Result<String, FlashError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(bad(format!(
            "Wi-Fi `{ssid}`: no passphrase; give it with --wifi-psk-file FILE (no terminal to ask on)"
        )));
    }
    eprint!("Passphrase for Wi-Fi `{ssid}`: ");
    let _ = std::io::stderr().flush();
    crossterm::terminal::enable_raw_mode()
        .map_err(|e| FlashError::io("terminal", "turn off echo", e))?;
    let read = read_line_raw();
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    match read? {
        Some(psk) => Ok(psk),
        None => Err(FlashError::Cancelled),
    }
}

/// One line from stdin in raw mode; `None` on Ctrl-C or Ctrl-D.
fn read_line_raw() -> Result<Option<String>, FlashError> {
    let mut line = Vec::new();
    let mut stdin = std::io::stdin().lock();
    let mut byte = [0u8; 1];
    loop {
        let n = stdin
            .read(&mut byte)
            .map_err(|e| FlashError::io("terminal", "read the passphrase", e))?;
        match (n, byte[0]) {
            (0, _) | (_, 3) | (_, 4) => return Ok(None),
            (_, b'\r' | b'\n') => break,
            (_, 0x7f | 0x08) => {
                line.pop();
            }
            (_, b) => line.push(b),
        }
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_pair_with_networks() {
        let dir = tempfile::tempdir().unwrap();
        let psk = dir.path().join("psk");
        std::fs::write(&psk, "first pass\n").unwrap();
        let args = PersonaliseArgs {
            wifi: vec!["a".into(), "b".into()],
            wifi_psk_file: vec![psk.clone()],
            ..Default::default()
        };
        let mut asked = Vec::new();
        let p = args
            .load_with(&mut |ssid| {
                asked.push(ssid.to_string());
                Ok("second pass".into())
            })
            .unwrap();
        assert_eq!(asked, ["b"]);
        assert_eq!(p.wifi[0].psk, "first pass");
        assert_eq!(p.wifi[1].psk, "second pass");
        let args = PersonaliseArgs {
            wifi_psk_file: vec![psk],
            ..Default::default()
        };
        assert!(matches!(
            args.load_with(&mut |_| unreachable!()),
            Err(FlashError::Usage { .. })
        ));
    }
}

//! The SSH transport: the system's OpenSSH client (so ~/.ssh/config, agents and known_hosts
//! apply), one multiplexed master connection in a private temporary directory, commands and
//! file streams as sessions over it.

use std::ffi::OsString;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::event::{FailReason, PushError, PushPhase};

/// How often a waiting loop looks again (the master's socket, an upload's progress and end):
/// short, as each look is cheap and every wait for the next one is time added to the push.
const POLL: Duration = Duration::from_millis(5);

/// Where and how to connect.
#[derive(Debug, Clone, Default)]
pub struct SshTarget {
    /// `[user@]host`.
    pub destination: String,
    pub port: Option<u16>,
    pub identity: Option<PathBuf>,
    /// `-o` options, e.g. `StrictHostKeyChecking=accept-new`.
    pub options: Vec<String>,
    /// The ssh program (default `ssh`).
    pub program: Option<PathBuf>,
}

impl SshTarget {
    /// Refuses destinations ssh would read as an option or that hold spaces or control
    /// characters.
    pub fn check(&self) -> Result<(), String> {
        let d = &self.destination;
        if d.is_empty() {
            return Err("the destination is empty; give [USER@]HOST".into());
        }
        if d.starts_with('-') {
            return Err(format!("destination `{d}` starts with `-`"));
        }
        if d.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "destination `{d}` holds spaces or control characters"
            ));
        }
        if let Some(o) = self.options.iter().find(|o| !o.contains('=')) {
            return Err(format!("--ssh-option `{o}` is not KEY=VALUE"));
        }
        Ok(())
    }

    fn program(&self) -> OsString {
        self.program
            .clone()
            .map_or_else(|| "ssh".into(), PathBuf::into_os_string)
    }

    fn user_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(p) = self.port {
            args.push("-p".into());
            args.push(p.to_string().into());
        }
        if let Some(i) = &self.identity {
            args.push("-i".into());
            args.push(i.clone().into_os_string());
        }
        for o in &self.options {
            args.push("-o".into());
            args.push(o.into());
        }
        args
    }
}

/// Output of a command run on the device.
#[derive(Debug)]
pub struct Ran {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn ok(&self) -> bool {
        self.status == Some(0)
    }

    /// The last lines of stderr, for a message.
    pub fn why(&self) -> String {
        let text = self.stderr.trim();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(4)..].join("; ");
        if tail.is_empty() {
            format!("exit status {:?}", self.status)
        } else {
            tail
        }
    }
}

/// How an upload ended when it did not succeed.
#[derive(Debug)]
pub enum UploadFailure {
    /// The connection is gone (ssh exit 255 or the master died).
    Lost(String),
    /// The remote command failed (no space, permission...): why, and what it printed.
    Remote(String, String),
    /// Reading the local file failed.
    Local(String),
    Cancelled,
}

/// Reads a child's pipe to its end on a thread of its own (text, invalid UTF-8 replaced).
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// An open master connection. Dropping it closes the connection and its directory.
pub struct Connection {
    target: SshTarget,
    dir: tempfile::TempDir,
    master: Child,
}

fn connect_error(message: String) -> PushError {
    PushError::new(FailReason::Connect, PushPhase::Connect, message)
}

impl Connection {
    /// Starts the master (`ssh -M -N`) and waits until it accepts sessions.
    pub fn open(target: &SshTarget, timeout: Duration) -> Result<Connection, PushError> {
        let dir = tempfile::Builder::new()
            .prefix("skiff-ssh-")
            .tempdir()
            .map_err(|e| connect_error(format!("cannot create a temporary directory: {e}")))?;
        let log = dir.path().join("master.log");
        let log_file = std::fs::File::create(&log)
            .map_err(|e| connect_error(format!("cannot create {}: {e}", log.display())))?;
        let mut cmd = Command::new(target.program());
        cmd.arg("-M")
            .arg("-N")
            .arg("-S")
            .arg(dir.path().join("c"))
            .args(["-o", "ControlPersist=no"])
            .args(["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"])
            .args(["-o", "ConnectTimeout=15"])
            .args(target.user_args())
            .arg("--")
            .arg(&target.destination)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        let master = cmd.spawn().map_err(|e| {
            connect_error(format!(
                "cannot run {}: {e}; install the OpenSSH client",
                target.program().to_string_lossy()
            ))
        })?;
        let mut conn = Connection {
            target: target.clone(),
            dir,
            master,
        };
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = conn.master.try_wait() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(connect_error(format!(
                    "ssh to {} failed ({status}): {}",
                    target.destination,
                    text.trim()
                )));
            }
            // The master creates its control socket once it is logged in.
            if conn.control().exists() && conn.check() {
                return Ok(conn);
            }
            if start.elapsed() > timeout {
                return Err(connect_error(format!(
                    "ssh to {} did not connect within {} s",
                    target.destination,
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(POLL);
        }
    }

    fn control(&self) -> PathBuf {
        self.dir.path().join("c")
    }

    fn session(&self) -> Command {
        let mut cmd = Command::new(self.target.program());
        cmd.arg("-S")
            .arg(self.control())
            .args(["-o", "ControlMaster=no", "-o", "BatchMode=yes"])
            .args(self.target.user_args());
        cmd
    }

    /// True while the master accepts sessions.
    pub fn check(&self) -> bool {
        self.session()
            .args(["-O", "check", "--"])
            .arg(&self.target.destination)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// True while the master process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.master.try_wait(), Ok(None))
    }

    /// Ends the connection at once (used by the fault-injection hook and by cancel).
    pub fn kill(&mut self) {
        let _ = self.master.kill();
        let _ = self.master.wait();
    }

    fn remote(&self, command: &str) -> Command {
        let mut cmd = self.session();
        cmd.arg("--").arg(&self.target.destination).arg(command);
        cmd
    }

    /// `command` started with its stdin, stdout and stderr piped.
    fn spawn_piped(&self, command: &str) -> std::io::Result<Child> {
        self.remote(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
    }

    /// Runs `command` with the device's shell; `input` goes to its stdin.
    pub fn run(&self, command: &str, input: &[u8]) -> std::io::Result<Ran> {
        let mut child = self.spawn_piped(command)?;
        let mut stdin = child.stdin.take();
        let data = input.to_vec();
        let writer = std::thread::spawn(move || {
            if let Some(s) = stdin.as_mut() {
                let _ = s.write_all(&data);
            }
        });
        let out = child.wait_with_output()?;
        let _ = writer.join();
        Ok(Ran {
            status: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs `command` and talks to it once: when its stdout prints the line `marker`,
    /// `answer(everything printed before it)` gives the line written to its stdin, which is then
    /// closed. Returns what came before the marker (all of stdout when it never came) and the
    /// command's result with the rest of stdout.
    pub fn converse(
        &self,
        command: &str,
        marker: &str,
        answer: &mut dyn FnMut(&str) -> String,
    ) -> std::io::Result<(String, Ran)> {
        use std::io::BufRead;
        let mut child = self.spawn_piped(command)?;
        let err_reader = drain(child.stderr.take());
        let mut stdin = child.stdin.take();
        let (mut before, mut rest) = (Vec::new(), Vec::new());
        if let Some(out) = child.stdout.take() {
            let mut reader = std::io::BufReader::new(out);
            let mut line = Vec::new();
            loop {
                line.clear();
                if !matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                    break;
                }
                if line.strip_suffix(b"\n").unwrap_or(&line) == marker.as_bytes() {
                    let reply = answer(&String::from_utf8_lossy(&before));
                    if let Some(mut s) = stdin.take() {
                        let _ = s.write_all(format!("{reply}\n").as_bytes());
                    }
                    let _ = reader.read_to_end(&mut rest);
                    break;
                }
                before.extend_from_slice(&line);
            }
        }
        drop(stdin);
        let status = child.wait()?;
        Ok((
            String::from_utf8_lossy(&before).into_owned(),
            Ran {
                status: status.code(),
                stdout: String::from_utf8_lossy(&rest).into_owned(),
                stderr: err_reader.join().unwrap_or_default(),
            },
        ))
    }

    /// Runs `command` with `file` as its stdin (ssh reads the file itself, no copy through
    /// skiff). `progress(bytes_read_so_far, connection)` is called every few milliseconds with
    /// the shared file offset and stops the upload by returning false. Returns the command's
    /// stdout.
    pub fn upload(
        &mut self,
        command: &str,
        file: &Path,
        progress: &mut dyn FnMut(u64, &mut Connection) -> bool,
    ) -> Result<String, UploadFailure> {
        let src = std::fs::File::open(file)
            .map_err(|e| UploadFailure::Local(format!("{}: {e}", file.display())))?;
        // Same open file description as ssh's stdin: its offset is how far ssh has read.
        let mut offset = src
            .try_clone()
            .map_err(|e| UploadFailure::Local(format!("{}: {e}", file.display())))?;
        let mut child = self
            .remote(command)
            .stdin(Stdio::from(src))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| UploadFailure::Lost(format!("cannot run ssh: {e}")))?;
        let out_reader = drain(child.stdout.take());
        let err_reader = drain(child.stderr.take());
        let mut cancelled = false;
        let status = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break Some(status);
            }
            let done = offset.stream_position().unwrap_or(0);
            if !cancelled && !progress(done, self) {
                cancelled = true;
                let _ = child.kill();
            }
            std::thread::sleep(POLL);
        };
        let ran = Ran {
            status: status.and_then(|s| s.code()),
            stdout: out_reader.join().unwrap_or_default(),
            stderr: err_reader.join().unwrap_or_default(),
        };
        if cancelled {
            return Err(UploadFailure::Cancelled);
        }
        if ran.ok() {
            return Ok(ran.stdout);
        }
        if ran.status == Some(255) || ran.status.is_none() || !self.alive() {
            return Err(UploadFailure::Lost(ran.why()));
        }
        Err(UploadFailure::Remote(ran.why(), ran.stdout))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self
                .session()
                .args(["-O", "exit", "--"])
                .arg(&self.target.destination)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.master.kill();
        let _ = self.master.wait();
    }
}

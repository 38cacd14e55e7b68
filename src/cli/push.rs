//! `skiff push [USER@]HOST`: the command line of the over-the-air update (src/push), with a
//! progress bar on a terminal or JSON Lines on stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::Cli;
use crate::cli::flash::cancel_on_signals;
use crate::cli::flash::card::{BoardArgs, job_request};
use crate::flash::device::human_bytes;
use crate::push::device::{BuildInfo, board_of, parse_release};
use crate::push::plan::DeviceDirs;
use crate::push::script::Hasher;
use crate::push::ssh::SshTarget;
use crate::push::{
    Build, DeviceCommands, FailReason, Fault, Outcome, PushError, PushEvent, PushPhase,
    PushRequest, PushSink,
};

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The device: [USER@]HOST (anything ssh accepts, including a Host of ~/.ssh/config).
    pub destination: String,
    /// Swap the last pushed set back with the `.previous` files on the device.
    #[arg(long)]
    pub rollback: bool,
    /// SSH port.
    #[arg(short = 'p', long)]
    pub port: Option<u16>,
    /// SSH identity (private key) file.
    #[arg(short = 'i', long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Extra ssh option, KEY=VALUE (repeatable), e.g. StrictHostKeyChecking=accept-new.
    #[arg(long = "ssh-option", value_name = "KEY=VALUE")]
    pub ssh_options: Vec<String>,
    /// Where the device mounts its boot partition.
    #[arg(long, value_name = "DIR", default_value = "/mnt/boot")]
    pub boot_dir: String,
    /// Where the device mounts its root partition (rootfs_part, modules image).
    #[arg(long, value_name = "DIR", default_value = "/mnt/rootfs")]
    pub rootfs_dir: String,
    /// The build's images/ directory (default: workspaces/<workspace>/images).
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// List what would be sent (after comparing with the device) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Push even when the device's architecture or board differs from the build.
    #[arg(long)]
    pub force: bool,
    /// Reboot the device after the push and wait for it to answer again.
    #[arg(long)]
    pub reboot: bool,
    /// Seconds to wait for the device after --reboot.
    #[arg(long, value_name = "SECS", default_value_t = 180)]
    pub reboot_timeout: u64,
    /// SHA-256 tool on the device: auto (openssl when present, else sha256sum), sha256sum, openssl.
    #[arg(long, value_name = "TOOL", default_value = "auto")]
    pub remote_hash: String,
    /// Events as JSON Lines on stdout (the last line is `done` or `failed`).
    #[arg(long)]
    pub json: bool,
    /// The device's skiff-release (for the board check and --reboot's report).
    #[arg(long, hide = true, default_value = "/etc/skiff-release")]
    pub device_release_file: String,
    /// Replaces the boot-partition mount step (a command run by the device's shell).
    #[arg(long, hide = true)]
    pub device_mount_cmd: Option<String>,
    #[arg(long, hide = true)]
    pub device_remount_rw_cmd: Option<String>,
    #[arg(long, hide = true)]
    pub device_remount_ro_cmd: Option<String>,
    #[arg(long, hide = true)]
    pub device_reboot_cmd: Option<String>,
    /// Test hook: `corrupt:NAME` flips a byte of NAME on the device after it arrives;
    /// `drop:BYTES` kills the connection after BYTES were sent.
    #[arg(long, hide = true)]
    pub inject_fault: Option<String>,
}

fn usage(message: String) -> PushError {
    PushError::new(FailReason::Usage, PushPhase::Plan, message)
}

fn request(args: &PushArgs) -> Result<PushRequest, PushError> {
    let mut req = PushRequest::new(SshTarget {
        destination: args.destination.clone(),
        port: args.port,
        identity: args.identity.clone(),
        options: args.ssh_options.clone(),
        program: None,
    });
    for (flag, dir) in [
        ("--boot-dir", &args.boot_dir),
        ("--rootfs-dir", &args.rootfs_dir),
    ] {
        if !dir.starts_with('/') || dir.contains('\n') {
            return Err(usage(format!(
                "{flag} {dir}: give an absolute path on the device"
            )));
        }
    }
    req.dirs = DeviceDirs {
        boot: args.boot_dir.clone(),
        rootfs: args.rootfs_dir.clone(),
    };
    req.release_file = args.device_release_file.clone();
    req.commands = DeviceCommands {
        mount_boot: args.device_mount_cmd.clone(),
        remount_rw: args.device_remount_rw_cmd.clone(),
        remount_ro: args.device_remount_ro_cmd.clone(),
        reboot: args.device_reboot_cmd.clone(),
    };
    req.hasher = match args.remote_hash.as_str() {
        "auto" => None,
        "sha256sum" => Some(Hasher::Sha256sum),
        "openssl" => Some(Hasher::Openssl),
        other => {
            return Err(usage(format!(
                "--remote-hash {other}: use auto, sha256sum or openssl"
            )));
        }
    };
    req.dry_run = args.dry_run;
    req.force = args.force;
    req.reboot = args
        .reboot
        .then(|| Duration::from_secs(args.reboot_timeout));
    req.fault = match args.inject_fault.as_deref().map(|f| f.split_once(':')) {
        None => None,
        Some(Some(("corrupt", name))) => Some(Fault::Corrupt(name.to_string())),
        Some(Some(("drop", n))) => {
            Some(Fault::DropAfter(n.parse().map_err(|_| {
                usage(format!("--inject-fault drop:{n}: not a byte count"))
            })?))
        }
        Some(_) => return Err(usage("--inject-fault: corrupt:NAME or drop:BYTES".into())),
    };
    Ok(req)
}

fn build(cli: &Cli, args: &PushArgs) -> Result<Build, PushError> {
    let board_args = BoardArgs {
        images: args.images.clone(),
        size: None,
        arch: None,
        no_verify: false,
        dry_run: args.dry_run,
        json: args.json,
    };
    let no_build = |e: String| PushError::new(FailReason::NoBuild, PushPhase::Plan, e);
    // The same request the card commands plan from: layers, workspace, images, arch.
    let req = job_request(
        cli,
        None,
        &board_args,
        crate::flash::card::CardMode::Install,
    )
    .map_err(|e| no_build(format!("{e:#}")))?;
    let layout = crate::flash::job::layout_for(&req.layers, &req.stack)
        .map_err(|e| no_build(e.to_string()))?;
    let images = req
        .images
        .clone()
        .unwrap_or_else(|| req.workspace.join("images"));
    let images = std::path::absolute(&images).unwrap_or(images);
    let arch = req
        .arch
        .clone()
        .or_else(|| crate::flash::card::arch_from_config(&req.workspace.join(".config")))
        .unwrap_or_default();
    let release = std::fs::read_to_string(images.join("skiff-release")).unwrap_or_default();
    let board = parse_release(&release)
        .get("BUILD_CONFIG")
        .and_then(|s| board_of(s));
    Ok(Build {
        layout,
        images,
        info: BuildInfo {
            arch: (!arch.is_empty()).then_some(arch),
            board,
        },
    })
}

/// Progress on a terminal's stderr, or plain lines; the plan on stdout.
struct Human {
    bar: Option<ProgressBar>,
    terminal: bool,
}

impl Human {
    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

impl PushSink for Human {
    fn emit(&mut self, event: PushEvent) {
        match event {
            PushEvent::Device {
                arch,
                release,
                board,
            } => self.say(&format!(
                "skiff: the device runs {} on {arch}{}",
                release.as_deref().unwrap_or("an unknown release"),
                board.map(|b| format!(" ({b})")).unwrap_or_default()
            )),
            PushEvent::File(f) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(
                    out,
                    "{:<5} {:>10}  {}",
                    f.action,
                    human_bytes(f.size),
                    f.path
                );
            }
            PushEvent::PhaseStarted {
                phase: PushPhase::Upload,
            } if self.terminal => {
                let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "  upload [{bar:36}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {msg}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                self.bar = Some(bar);
            }
            PushEvent::PhaseStarted {
                phase: PushPhase::Swap,
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            PushEvent::Progress {
                bytes, total, file, ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(total);
                    bar.set_position(bytes);
                    bar.set_message(file);
                }
            }
            PushEvent::Warning { message } => self.say(&format!("skiff: warning: {message}")),
            PushEvent::Notice { message } => self.say(&format!("skiff: {message}")),
            PushEvent::Failed { .. } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

struct Json;

impl PushSink for Json {
    fn emit(&mut self, event: PushEvent) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", event.to_json_line());
        let _ = out.flush();
    }
}

fn summary(args: &PushArgs, o: &Outcome, secs: f64) -> String {
    let host = &args.destination;
    if args.rollback {
        return format!(
            "skiff: rolled back {} files on {host}; reboot to use them",
            o.sent
        );
    }
    if args.dry_run {
        return format!(
            "skiff: dry run: {} to send, {} already on {host}",
            o.sent, o.skipped
        );
    }
    if o.sent == 0 {
        return format!("skiff: {host} is up to date ({} files)", o.skipped);
    }
    let rate = o.bytes as f64 / secs.max(1e-6);
    let after = match &o.release {
        Some(r) => format!("; rebooted, now running {r}"),
        None if args.reboot => String::new(),
        None => "; effective at the next boot (--reboot to reboot now)".into(),
    };
    format!(
        "skiff: pushed {} files ({}, {}/s) to {host} in {secs:.1} s, {} unchanged{after}",
        o.sent,
        human_bytes(o.bytes),
        human_bytes(rate as u64),
        o.skipped
    )
}

pub fn run(cli: &Cli, args: &PushArgs) -> anyhow::Result<i32> {
    let mut sink: Box<dyn PushSink> = if args.json {
        Box::new(Json)
    } else {
        Box::new(Human {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
        })
    };
    let start = Instant::now();
    sink.emit(PushEvent::Started {
        target: args.destination.clone(),
        rollback: args.rollback,
    });
    let result = request(args).and_then(|mut req| {
        req.cancel = cancel_on_signals();
        if args.rollback {
            crate::push::rollback(&req, sink.as_mut())
        } else {
            let b = build(cli, args)?;
            crate::push::push(&req, &b, sink.as_mut())
        }
    });
    let secs = start.elapsed().as_secs_f64();
    match result {
        Ok(o) => {
            sink.emit(PushEvent::Done {
                target: args.destination.clone(),
                sent: o.sent,
                skipped: o.skipped,
                bytes: o.bytes,
                secs,
                dry_run: args.dry_run,
                release: o.release.clone(),
            });
            if !args.json {
                eprintln!("{}", summary(args, &o, secs));
            }
            Ok(0)
        }
        Err(e) => {
            sink.emit(PushEvent::failed(&args.destination, &e));
            if !args.json {
                eprintln!("skiff: error: {}", e.message);
            }
            Ok(e.reason.exit_code())
        }
    }
}

//! Command-line interface: argument parsing, one file per command family, output printing.

pub mod batch;
pub mod br;
pub mod build;
pub mod build_progress;
pub mod bundled;
pub mod check;
pub mod ci;
pub mod ci_github;
pub mod ci_report;
pub mod clean;
pub mod cmd;
pub mod completions;
pub mod config;
pub mod configure;
pub mod context;
pub mod core;
pub mod devices;
pub mod exit;
pub mod flash;
pub mod init;
pub mod layers;
pub mod layout;
pub mod legal_info;
pub mod printer;
pub mod push;
pub mod source;
pub mod stack;
pub mod tui;
pub mod workspaces;

use crate::model::host::HostEnv;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    user or validation error (unknown layer, bad file, bad flag)
  2    internal error
  3    device or permission error
  130  interrupted";

/// skiff: pick a board and a distro, merge the SkiffOS layers, build, and flash a card.
#[derive(Debug, Parser)]
#[command(name = "skiff", version = env!("SKIFF_VERSION_TEXT"), after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Root of the SkiffOS tree (holds configs/); default: SKIFF_ROOT, then the nearest
    /// ancestor with configs/, else the tree bundled with skiff.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Extra layer trees, colon-separated, searched before configs/ (default:
    /// SKIFF_EXTRA_CONFIGS_PATH, then what the workspace was configured with).
    #[arg(long, global = true, value_name = "PATHS")]
    pub extra_configs_path: Option<String>,
    /// Workspace name (default: SKIFF_WORKSPACE, then default).
    #[arg(short, long, global = true, value_name = "WS")]
    pub workspace: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The environment, read once by [`Cli::parse_with_env`]; nothing below reads it again.
    #[arg(skip)]
    pub host: HostEnv,
}

impl Cli {
    /// Parse the process arguments and read the environment once.
    pub fn parse_with_env() -> Cli {
        let mut cli = Cli::parse();
        cli.host = host_env();
        cli
    }
}

/// The process environment as a [`HostEnv`] (variables that are not UTF-8 are ignored).
pub fn host_env() -> HostEnv {
    HostEnv::from_vars(
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    )
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a project in DIR: configs/ for your own layers, overrides/ and workspaces/, on the bundled layers.
    #[command(after_help = EXIT_CODES_HELP)]
    Init(init::InitArgs),
    /// List layers in upstream's `make help` order with their descriptions.
    #[command(after_help = EXIT_CODES_HELP)]
    Layers(layers::LayersArgs),
    /// Show one layer: metadata, fragments, commands and README.
    #[command(after_help = EXIT_CODES_HELP)]
    Layer(layers::LayerArgs),
    /// Resolve a stack (SKIFF_CONFIG) into the ordered chain of layers.
    #[command(after_help = EXIT_CODES_HELP)]
    Stack(stack::StackArgs),
    /// Merge the stack and write the workspace's final config directory.
    #[command(after_help = EXIT_CODES_HELP)]
    Configure(configure::ConfigureArgs),
    /// Inspect merged configurations: values with provenance, blame, diff.
    #[command(after_help = EXIT_CODES_HELP)]
    Config(config::ConfigArgs),
    /// List workspaces with their stacks.
    #[command(after_help = EXIT_CODES_HELP)]
    Workspaces(workspaces::WorkspacesArgs),
    /// Run a layer's extension command: CATEGORY/NAME/COMMAND [ARGS...].
    #[command(after_help = EXIT_CODES_HELP)]
    Cmd(cmd::CmdArgs),
    /// Configure if needed, then build the workspace with Buildroot (upstream's compile).
    #[command(after_help = EXIT_CODES_HELP)]
    Build(build::BuildArgs),
    /// Run Buildroot targets in the workspace (menuconfig changes are saved as an override).
    #[command(after_help = EXIT_CODES_HELP)]
    Br(br::BrArgs),
    /// Download every source archive the stack needs (Buildroot's `make source`), for offline builds.
    #[command(after_help = EXIT_CODES_HELP)]
    Source(build::BuildArgs),
    /// Collect license and source information with Buildroot's legal-info.
    #[command(after_help = EXIT_CODES_HELP)]
    LegalInfo(legal_info::LegalInfoArgs),
    /// Evaluate the merged Buildroot config with Kconfig and list values that would be dropped.
    #[command(after_help = EXIT_CODES_HELP)]
    Check(check::CheckArgs),
    /// Delete the workspace's build output and final config (asks first).
    #[command(after_help = EXIT_CODES_HELP)]
    Clean(clean::CleanArgs),
    /// Show or check the card layout of a stack (layout.yaml of its last layer having one).
    #[command(after_help = EXIT_CODES_HELP)]
    Layout(layout::LayoutArgs),
    /// The skiff-core container config a stack installs (or a file): show it, check it.
    #[command(after_help = EXIT_CODES_HELP)]
    Core(core::CoreArgs),
    /// Open the interactive app (also what `skiff` alone does on a terminal).
    #[command(after_help = EXIT_CODES_HELP)]
    Tui(tui::TuiArgs),
    /// List disks with the safety verdict for each (writable, or refused and why).
    #[command(after_help = EXIT_CODES_HELP)]
    Devices(devices::DevicesArgs),
    /// Write an image (raw, .gz, .xz, .zst, .bz2; sparse and .bmap aware) to a disk or file, verified.
    #[command(after_help = EXIT_CODES_HELP)]
    Flash(flash::FlashArgs),
    /// Write one image onto many cards at once (`--to` repeated) or card after card as they
    /// are inserted (`--watch --reader PATTERN`), each verified and reported.
    #[command(after_help = EXIT_CODES_HELP)]
    Batch(batch::BatchArgs),
    /// Partition and format a card (or image file) with the stack's board layout.
    #[command(after_help = EXIT_CODES_HELP)]
    Format(flash::card::CardArgs),
    /// Install the build's images into a formatted card, keeping its persist partition.
    #[command(after_help = EXIT_CODES_HELP)]
    Install(flash::card::CardArgs),
    /// Card image files: `image build --out FILE.img[.zst]`.
    #[command(after_help = EXIT_CODES_HELP)]
    Image(flash::image::ImageArgs),
    /// Update a running device over SSH: changed boot and root files, verified, swapped in
    /// atomically; `--rollback` restores the previous set.
    #[command(after_help = EXIT_CODES_HELP)]
    Push(push::PushArgs),
    /// Continuous integration: `ci github STACK...` writes a GitHub Actions workflow.
    #[command(after_help = EXIT_CODES_HELP)]
    Ci(ci::CiArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(after_help = EXIT_CODES_HELP)]
    Completions(completions::CompletionsArgs),
    /// Write the manual pages (skiff.1, skiff-COMMAND.1, ...) into a directory.
    #[command(hide = true)]
    Manpages(completions::ManpagesArgs),
    /// The privileged writer (internal: plan on stdin, events on stdout).
    #[command(name = "__flash-helper", hide = true)]
    FlashHelper(flash::HelperArgs),
}

/// Run a parsed command line and return the process exit code.
pub fn run(cli: Cli) -> i32 {
    let Some(command) = &cli.command else {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
            return run(Cli {
                command: Some(Command::Tui(tui::TuiArgs::default())),
                ..cli
            });
        }
        use clap::CommandFactory;
        let _ = Cli::command().print_help();
        return exit::OK;
    };
    let result = match command {
        Command::Init(a) => init::run(a),
        Command::Layers(a) => layers::run_list(&cli, a),
        Command::Layer(a) => layers::run_show(&cli, a),
        Command::Stack(a) => stack::run(&cli, a),
        Command::Configure(a) => configure::run(&cli, a),
        Command::Config(a) => config::run(&cli, a),
        Command::Workspaces(a) => workspaces::run(&cli, a),
        Command::Cmd(a) => cmd::run(&cli, a),
        Command::Build(a) => build::run(&cli, a),
        Command::Br(a) => br::run(&cli, a),
        Command::LegalInfo(a) => legal_info::run(&cli, a),
        Command::Source(a) => source::run(&cli, a),
        Command::Check(a) => check::run(&cli, a),
        Command::Clean(a) => clean::run(&cli, a),
        Command::Layout(a) => layout::run(&cli, a),
        Command::Core(a) => core::run(&cli, a),
        Command::Tui(a) => tui::run(&cli, a),
        Command::Devices(a) => devices::run(a),
        Command::Flash(a) => flash::run_flash(a),
        Command::Batch(a) => batch::run(&cli, a),
        Command::Format(a) => flash::card::run_card(&cli, a, crate::flash::card::CardMode::Format),
        Command::Install(a) => {
            flash::card::run_card(&cli, a, crate::flash::card::CardMode::Install)
        }
        Command::Image(a) => flash::image::run_image(&cli, a),
        Command::Push(a) => push::run(&cli, a),
        Command::Ci(a) => ci::run(&cli, a),
        Command::Completions(a) => completions::run_completions(a),
        Command::Manpages(a) => completions::run_manpages(a),
        Command::FlashHelper(a) => flash::run_helper(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("skiff: error: {e:#}");
            exit::code_for(&e)
        }
    }
}

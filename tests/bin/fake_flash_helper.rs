//! Test-only stand-in for `skiff __flash-helper`: serves one plan exactly like the real helper
//! (the same `serve` entry point, every check again), but against the fake machine under the
//! directory named by its first argument instead of the host.
//!
//! This is the only way a helper sees a fake system: the real helper always checks the host,
//! whatever the environment says. The binary is built only with the `test-helper` feature,
//! which the crate's tests enable through a dev-dependency on itself, so release builds and
//! installs never contain it. Tests run it through a stand-in escalation script.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use skiff::flash::card::SystemTools;
use skiff::flash::engine::EngineConfig;
use skiff::flash::helper::{HELPER_COMMAND, serve};
use skiff::flash::system::default_properties;
use skiff::flash::{Environment, SystemView};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(HELPER_COMMAND)) = (args.first(), args.last().map(String::as_str)) else {
        eprintln!("usage: fake_flash_helper FAKE_ROOT [PROGRAM] {HELPER_COMMAND}");
        std::process::exit(2);
    };
    let view = SystemView::under(&PathBuf::from(root));
    let env = Environment {
        props: default_properties(&view),
        view,
        config: EngineConfig::default(),
        tools: Box::new(SystemTools),
    };
    let cancel = skiff::cli::flash::cancel_on_signals();
    let stdin = std::io::BufReader::new(std::io::stdin());
    std::process::exit(serve(stdin, std::io::stdout(), &env, cancel));
}

//! The `skiff` binary: parse the command line and hand over to the library.

#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = skiff::cli::Cli::parse();
    std::process::exit(skiff::cli::run(cli));
}

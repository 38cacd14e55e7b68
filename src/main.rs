//! The `skiff` binary: parse the command line and hand over to the library.

#![forbid(unsafe_code)]

fn main() {
    let cli = skiff::cli::Cli::parse_with_env();
    std::process::exit(skiff::cli::run(cli));
}

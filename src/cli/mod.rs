//! Command-line interface: argument parsing, one file per command family, output printing.

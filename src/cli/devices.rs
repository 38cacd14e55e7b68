//! `skiff devices`: the block devices of this machine with the safety verdict for each.

use anyhow::Result;
use clap::Args;

use super::printer;
use crate::flash::device::human_bytes;
use crate::flash::system::default_properties;
use crate::flash::{SystemView, discover};

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON on stdout (every field, partitions and the reasons of each verdict).
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &DevicesArgs) -> Result<i32> {
    let view = SystemView::from_env();
    let props = default_properties(&view);
    let devices = match discover(&view, props.as_ref()) {
        Ok(d) => d,
        Err(e) => return Ok(super::flash::report(&e, false, std::path::Path::new(""))),
    };
    if a.json {
        printer::json(&devices)?;
        return Ok(0);
    }
    if devices.is_empty() {
        println!("no disks found");
        return Ok(0);
    }
    println!(
        "{:<10} {:>10} {:<7} {:<28} {:<16} VERDICT",
        "NAME", "SIZE", "BUS", "MODEL", "SERIAL"
    );
    for d in &devices {
        let model = [d.vendor.as_deref(), d.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let verdict = if d.verdict.writable {
            "writable".to_string()
        } else {
            format!("refused: {}", d.verdict.describe())
        };
        println!(
            "{:<10} {:>10} {:<7} {:<28} {:<16} {verdict}",
            d.name,
            human_bytes(d.size),
            d.bus.as_str(),
            if model.is_empty() { "-" } else { &model },
            d.serial.as_deref().unwrap_or("-"),
        );
    }
    Ok(0)
}

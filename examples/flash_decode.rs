//! Times skiff's own decoder of a compressed image alone (no target, no checksums): what the
//! write of that source can reach at best. `cargo run --release --example flash_decode -- FILE`
//! prints the seconds and the decoded bytes; `benches/flash.sh` runs it beside `zstd -dc`.

use std::io::Read;
use std::time::Instant;

use skiff::flash::content::{decoder, recognise};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: flash_decode FILE");
        std::process::exit(2);
    };
    let path = std::path::Path::new(&path);
    let recognised = match recognise(path, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("flash_decode: {e}");
            std::process::exit(1);
        }
    };
    let started = Instant::now();
    let result = std::fs::File::open(path).and_then(|file| {
        let mut reader = decoder(file, recognised.compression, recognised.member.as_ref())?;
        // The same request size as the engine's chunks.
        let mut buf = vec![0u8; 4 << 20];
        let mut total = 0u64;
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => total += n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    });
    match result {
        Ok(total) => println!("{:.3} {total}", started.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!("flash_decode: {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

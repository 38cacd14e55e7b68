//! Build script: the version `--version` shows (`git describe`) and the bundled layers
//! (configs/ and configs-base/) compiled into the binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=build.rs");
    version(&manifest);
    bundle(&manifest, &out);
}

/// `git describe` of the checkout the crate is built from, else the crate version alone.
fn version(manifest: &Path) {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(manifest)
            .args(args)
            .output()
            .ok()?;
        let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !s.is_empty()).then_some(s)
    };
    let pkg = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    // Only this crate's own checkout counts, not a repository it happens to be vendored in.
    let own = git(&["rev-parse", "--show-toplevel"])
        .map(PathBuf::from)
        .and_then(|t| t.canonicalize().ok())
        == manifest.canonicalize().ok();
    let describe = own
        .then(|| git(&["describe", "--tags", "--always"]))
        .flatten();
    let text = match &describe {
        Some(d) => format!("{pkg} ({d})"),
        None => pkg,
    };
    println!("cargo:rustc-env=SKIFF_VERSION_TEXT={text}");
    if describe.is_some() {
        // Rebuild the text when HEAD moves: HEAD itself, the branch it points at, tags.
        let git_dir = git(&["rev-parse", "--git-dir"]).map(|d| manifest.join(d));
        let common = git(&["rev-parse", "--git-common-dir"]).map(|d| manifest.join(d));
        if let Some(g) = &git_dir {
            watch(&g.join("HEAD"));
        }
        if let Some(c) = &common {
            if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
                watch(&c.join(r));
            }
            watch(&c.join("packed-refs"));
            watch(&c.join("refs/tags"));
        }
    }
}

fn watch(p: &Path) {
    // A path that does not exist would make cargo rerun the script on every build.
    if p.exists() {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}

/// Write `bundled.rs`: every file (path, mode, bytes) and symbolic link of configs/ and
/// configs-base/, and a digest of all of it that names the unpacked copy.
fn bundle(manifest: &Path, out: &Path) {
    let mut files = Vec::new();
    let mut links = Vec::new();
    for top in ["configs", "configs-base"] {
        println!("cargo:rerun-if-changed={top}");
        walk(manifest, Path::new(top), &mut files, &mut links);
    }
    files.sort();
    links.sort();
    let mut digest = Fnv::new();
    let mut src = String::from("/// Files of the bundled layers: (path, mode, contents).\n");
    src.push_str("pub static FILES: &[(&str, u32, &[u8])] = &[\n");
    for (rel, mode) in &files {
        let abs = manifest.join(rel);
        let data = std::fs::read(&abs).unwrap_or_else(|e| panic!("{}: {e}", abs.display()));
        digest.add(rel.as_bytes());
        digest.add(&mode.to_le_bytes());
        digest.add(&data);
        writeln!(
            src,
            "    ({rel:?}, 0o{mode:o}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    src.push_str("];\n/// Symbolic links of the bundled layers: (path, target).\n");
    src.push_str("pub static LINKS: &[(&str, &str)] = &[\n");
    for (rel, target) in &links {
        digest.add(rel.as_bytes());
        digest.add(target.as_bytes());
        writeln!(src, "    ({rel:?}, {target:?}),").unwrap();
    }
    src.push_str("];\n/// Digest of the paths, modes, contents and links above.\n");
    writeln!(src, "pub const DIGEST: &str = \"{:016x}\";", digest.0).unwrap();
    std::fs::write(out.join("bundled.rs"), src).expect("write bundled.rs");
}

fn walk(
    manifest: &Path,
    rel: &Path,
    files: &mut Vec<(String, u32)>,
    links: &mut Vec<(String, String)>,
) {
    use std::os::unix::fs::PermissionsExt;
    let dir = manifest.join(rel);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in entries {
        let e = e.expect("directory entry");
        let rel = rel.join(e.file_name());
        let text = rel.to_str().expect("UTF-8 path in the layers").to_string();
        let meta = std::fs::symlink_metadata(e.path()).expect("metadata");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(e.path()).expect("link target");
            links.push((text, target.to_str().expect("UTF-8 link").to_string()));
        } else if meta.is_dir() {
            walk(manifest, &rel, files, links);
        } else {
            files.push((text, meta.permissions().mode() & 0o777));
        }
    }
}

/// 64-bit FNV-1a: enough to tell two bundles apart, and needs no crate.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

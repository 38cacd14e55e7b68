//! Reading Buildroot's output: ANSI stripping, `>>>` step lines and make's `***` error lines.

/// The text a terminal would show for a raw line: escape sequences removed and, when the
/// line rewrites itself with carriage returns, only the part after the last one.
pub fn plain(raw: &str) -> String {
    let visible = match raw.trim_end_matches('\r').rfind('\r') {
        Some(i) => &raw[i + 1..],
        None => raw,
    };
    let mut out = String::with_capacity(visible.len());
    let mut chars = visible.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            if c != '\r' {
                out.push(c);
            }
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates, then one final byte in @..~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ESC \.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A `>>>` line of Buildroot's package infrastructure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// `>>> <package> <version> <message>`; the version may be empty.
    Package {
        name: String,
        version: String,
        message: String,
    },
    /// `>>>   <message>`: a step not tied to a package (finalizing, filesystem images...).
    Global { message: String },
}

/// Recognise a `>>>` line in ANSI-free text.
pub fn marker(plain: &str) -> Option<Marker> {
    let rest = plain.strip_prefix(">>> ")?;
    if let Some(msg) = rest.strip_prefix("  ") {
        let message = msg.trim().to_string();
        return (!message.is_empty()).then_some(Marker::Global { message });
    }
    let (name, rest) = rest.split_once(' ')?;
    let (version, message) = rest.split_once(' ').unwrap_or((rest, ""));
    if name.is_empty() || message.trim().is_empty() {
        return None;
    }
    Some(Marker::Package {
        name: name.to_string(),
        version: version.to_string(),
        message: message.trim().to_string(),
    })
}

/// A `make: *** ...` (or `make[N]: *** ...`) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeError {
    /// The recursion level: `None` for the top-level make.
    pub level: Option<u32>,
    /// The target in brackets, without the `file:line:` prefix newer makes add.
    pub target: Option<String>,
    /// The package build directory and stamp step when the target is a stamp file.
    pub stamp: Option<Stamp>,
    pub text: String,
}

/// `<O>/build/<dir>/.stamp_<name>` split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub dir: String,
    pub name: String,
}

impl Stamp {
    /// The instrumentation step name of a stamp (`built` → `build`, ...).
    pub fn step(&self) -> String {
        match self.name.as_str() {
            "downloaded" | "actual_downloaded" => "download",
            "extracted" => "extract",
            "rsynced" => "rsync",
            "patched" => "patch",
            "configured" => "configure",
            "built" => "build",
            "host_installed" => "install-host",
            "staging_installed" => "install-staging",
            "images_installed" => "install-image",
            "target_installed" => "install-target",
            "installed" => "install",
            other => other,
        }
        .to_string()
    }
}

/// Recognise make's error line in ANSI-free text.
pub fn make_error(plain: &str) -> Option<MakeError> {
    let (prog, rest) = plain.split_once(": *** ")?;
    let prog = prog.trim();
    let (name, level) = match prog.strip_suffix(']') {
        Some(p) => {
            let (n, lvl) = p.rsplit_once('[')?;
            (n, Some(lvl.parse::<u32>().ok()?))
        }
        None => (prog, None),
    };
    if !name.rsplit('/').next().is_some_and(|n| n.ends_with("make")) {
        return None;
    }
    let target = rest
        .strip_prefix('[')
        .and_then(|r| r.rsplit_once(']'))
        .map(|(inside, _)| match inside.rsplit_once(": ") {
            Some((_, t)) => t.to_string(),
            None => inside.to_string(),
        });
    let stamp = target.as_deref().and_then(stamp_of);
    Some(MakeError {
        level,
        target,
        stamp,
        text: plain.to_string(),
    })
}

/// The stamp parts of a target path, if it is one.
pub fn stamp_of(target: &str) -> Option<Stamp> {
    let (dir_path, name) = target.rsplit_once("/.stamp_")?;
    let dir = dir_path.rsplit('/').next()?;
    (!dir.is_empty() && !name.is_empty() && !name.contains('/')).then(|| Stamp {
        dir: dir.to_string(),
        name: name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ansi_and_carriage_returns() {
        assert_eq!(
            plain("\x1b[7m>>> busybox 1.36.1 Building\x1b[27m"),
            ">>> busybox 1.36.1 Building"
        );
        assert_eq!(plain(" 10%\r 50%\r100% done\r"), "100% done");
        assert_eq!(plain("\x1b]0;title\x07text\x1b[1;31m!"), "text!");
        assert_eq!(plain("trailing esc \x1b"), "trailing esc ");
    }

    #[test]
    fn markers() {
        assert_eq!(
            marker(">>> host-skeleton  Extracting"),
            Some(Marker::Package {
                name: "host-skeleton".into(),
                version: String::new(),
                message: "Extracting".into()
            })
        );
        assert_eq!(
            marker(">>> linux 6.1.1 Installing to target"),
            Some(Marker::Package {
                name: "linux".into(),
                version: "6.1.1".into(),
                message: "Installing to target".into()
            })
        );
        assert_eq!(
            marker(">>>   Finalizing target directory"),
            Some(Marker::Global {
                message: "Finalizing target directory".into()
            })
        );
        assert_eq!(marker(">>>"), None);
        assert_eq!(marker(">>> x"), None);
        assert_eq!(marker("gcc -o x"), None);
    }

    #[test]
    fn make_errors() {
        let e = make_error(
            "make[1]: *** [package/pkg-generic.mk:273: /w/build/host-fail-0.1/.stamp_built] Error 2",
        )
        .unwrap();
        assert_eq!(e.level, Some(1));
        let s = e.stamp.unwrap();
        assert_eq!(
            (s.dir.as_str(), s.step().as_str()),
            ("host-fail-0.1", "build")
        );
        let e = make_error("make: *** [Makefile:23: _all] Error 2").unwrap();
        assert_eq!((e.level, e.target.as_deref()), (None, Some("_all")));
        assert!(e.stamp.is_none());
        let e = make_error("make: *** No rule to make target 'x'.  Stop.").unwrap();
        assert_eq!(e.target, None);
        let e = make_error("/usr/bin/make: *** [dependencies] Error 1").unwrap();
        assert_eq!(e.target.as_deref(), Some("dependencies"));
        assert!(make_error("cc1: *** something").is_none());
        assert!(make_error("make[x]: *** [a] Error 1").is_none());
    }
}

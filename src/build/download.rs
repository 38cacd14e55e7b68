//! Download failures: which package and URL failed, and how to build from a local mirror
//! or download directory when the machine has no network.

use super::event::Failure;

/// The URLs a failed download tried, in the order of make's output (the package's own
/// site first, then Buildroot's backup mirror), without duplicates.
pub fn urls(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in lines {
        for word in l.split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '‘' | '’'))
        {
            let is_url = ["http://", "https://", "ftp://"]
                .iter()
                .any(|p| word.starts_with(p));
            if is_url && !out.iter().any(|u| u == word) {
                out.push(word.to_string());
            }
        }
    }
    out
}

/// What to tell the user when a package's download failed; `None` for other failures.
pub fn hint(f: &Failure) -> Option<String> {
    if f.step.as_deref() != Some("download") {
        return None;
    }
    let package = f.package.as_deref().unwrap_or("a package");
    let tried = urls(&f.last_lines);
    let what = match tried.as_slice() {
        [] => format!("{package} could not be downloaded"),
        [one] => format!("{package} could not be downloaded from {one}"),
        [first, rest @ ..] => format!(
            "{package} could not be downloaded from {first} (also tried {})",
            rest.join(", ")
        ),
    };
    let file = tried
        .first()
        .and_then(|u| u.rsplit('/').next())
        .filter(|f| !f.is_empty())
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    Some(format!(
        "{what}. Without network, build from local copies: put the source archive{file} in a \
         download directory and pass it with `--dl-dir DIR` (sets BR2_DL_DIR; Buildroot's \
         default is dl/ in its tree), or point Buildroot at a mirror with \
         `BR2_PRIMARY_SITE=\"file:///path/to/mirror\"` (and `BR2_PRIMARY_SITE_ONLY=y`) in a \
         fragment under overrides/buildroot/. `skiff source --dl-dir DIR` on a connected \
         machine downloads every archive the stack needs into DIR."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_package_urls_and_the_offline_ways() {
        let f = Failure {
            package: Some("htop".into()),
            step: Some("download".into()),
            error_line: Some("make[1]: *** [...] Error 1".into()),
            last_lines: vec![
                ">>> htop 3.3.0 Downloading".into(),
                "--2026-12-04 10:00:00--  https://github.com/htop-dev/htop/releases/download/3.3.0/htop-3.3.0.tar.xz".into(),
                "wget: unable to resolve host address ‘github.com’".into(),
                "--2026-12-04 10:00:01--  http://sources.buildroot.net/htop/htop-3.3.0.tar.xz".into(),
                "--2026-12-04 10:00:00--  https://github.com/htop-dev/htop/releases/download/3.3.0/htop-3.3.0.tar.xz".into(),
            ],
            hint: None,
        };
        let h = hint(&f).unwrap();
        assert!(
            h.starts_with("htop could not be downloaded from https://github.com/htop-dev/htop/releases/download/3.3.0/htop-3.3.0.tar.xz (also tried http://sources.buildroot.net/htop/htop-3.3.0.tar.xz)."),
            "{h}"
        );
        for want in [
            "--dl-dir",
            "BR2_DL_DIR",
            "BR2_PRIMARY_SITE",
            "htop-3.3.0.tar.xz",
            "skiff source",
        ] {
            assert!(h.contains(want), "{want}: {h}");
        }
        let build = Failure {
            step: Some("build".into()),
            ..f
        };
        assert_eq!(hint(&build), None);
    }
}

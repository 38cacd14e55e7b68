//! `skiff ci report BUILD.jsonl`: GitHub workflow commands (`::error ...`) for a failed build
//! and a summary table for `$GITHUB_STEP_SUMMARY`, read from `skiff build --json` output.

use crate::build::event::duration_text;
use crate::model::ModelError;
use anyhow::Result;
use clap::Args;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The JSON Lines `skiff build --json` printed.
    pub build_json: PathBuf,
    /// Board (job) name for the summary heading.
    #[arg(long, default_value = "build")]
    pub board: String,
    /// Stack, shown in the summary.
    #[arg(long)]
    pub stack: Option<String>,
    /// Configuration hash, shown in the summary.
    #[arg(long)]
    pub hash: Option<String>,
    /// Append the summary table to this file (the workflow passes $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

/// What the build's last `finished` event said, if there was one.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BuildResult {
    pub status: Option<String>,
    pub elapsed_secs: f64,
    pub done: u64,
    pub total: Option<u64>,
    pub headline: Option<String>,
    pub error_line: Option<String>,
    pub last_lines: Vec<String>,
    pub log: Option<String>,
}

/// Read JSON Lines; lines that are not JSON objects are skipped.
pub fn parse(text: &str) -> BuildResult {
    let mut r = BuildResult::default();
    for v in text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
    {
        if v["event"] != "finished" {
            continue;
        }
        let p = &v["progress"];
        let f = &v["failure"];
        let s = |v: &Value| v.as_str().map(str::to_string);
        r = BuildResult {
            status: s(&v["status"]),
            elapsed_secs: p["elapsed_secs"].as_f64().unwrap_or(0.0),
            done: p["done"].as_u64().unwrap_or(0),
            total: p["total"].as_u64(),
            headline: match (s(&f["package"]), s(&f["step"])) {
                (Some(p), Some(st)) => Some(format!("package {p} failed at step {st}")),
                (Some(p), None) => Some(format!("package {p} failed")),
                (None, Some(st)) => Some(format!("make target {st} failed")),
                (None, None) => f.is_object().then(|| "make failed".to_string()),
            },
            error_line: s(&f["error_line"]),
            last_lines: f["last_lines"]
                .as_array()
                .map(|a| a.iter().filter_map(s).collect())
                .unwrap_or_default(),
            log: s(&v["log"]),
        };
    }
    r
}

/// Escape workflow-command data (`%`, CR, LF), and properties also `:` and `,`.
fn escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// A compiler diagnostic `FILE:LINE[:COL]: [fatal ]error: MESSAGE`, as (file, line, col, message).
fn diagnostic(line: &str) -> Option<(String, u64, Option<u64>, String)> {
    let (loc, msg) = line
        .split_once(": error: ")
        .or_else(|| line.split_once(": fatal error: "))?;
    let mut parts = loc.trim().rsplitn(3, ':');
    let (a, b, c) = (parts.next()?, parts.next(), parts.next());
    let (file, line_no, col) = match (b, c) {
        (Some(l), Some(f)) if l.parse::<u64>().is_ok() => (f, l.parse().ok()?, a.parse().ok()),
        (Some(f), None) => (f, a.parse().ok()?, None),
        _ => return None,
    };
    (!file.is_empty()).then(|| (file.to_string(), line_no, col, msg.trim().to_string()))
}

/// The workflow commands for GitHub: one error for the failure and one per compiler error.
pub fn annotations(r: &BuildResult, board: &str) -> Vec<String> {
    let title = escape(&format!("skiff build {board}"), true);
    match r.status.as_deref() {
        Some("succeeded") => vec![],
        None => vec![format!(
            "::error title={title}::{}",
            escape(
                "skiff build stopped before make finished (no `finished` event); see the Build step",
                false
            )
        )],
        Some(status) => {
            let mut body = vec![
                r.headline
                    .clone()
                    .unwrap_or_else(|| format!("build {status}")),
            ];
            body.extend(r.error_line.clone());
            body.extend(r.last_lines.iter().map(|l| format!("| {l}")));
            body.extend(r.log.as_ref().map(|l| format!("full log: {l}")));
            let mut out = vec![format!(
                "::error title={title}::{}",
                escape(&body.join("\n"), false)
            )];
            for (file, line, col, msg) in r.last_lines.iter().filter_map(|l| diagnostic(l)) {
                let col = col.map(|c| format!(",col={c}")).unwrap_or_default();
                out.push(format!(
                    "::error file={},line={line}{col},title={title}::{}",
                    escape(&file, true),
                    escape(&msg, false)
                ));
            }
            out
        }
    }
}

/// Markdown: a heading and a two-column table for one board.
pub fn summary(r: &BuildResult, a: &ReportArgs) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let result = match (r.status.as_deref(), &r.headline) {
        (Some("succeeded"), _) => "✅ succeeded".to_string(),
        (Some(_), Some(h)) => format!("❌ {}", cell(h)),
        (Some(s), None) => format!("❌ {s}"),
        (None, _) => "❌ stopped before make finished".to_string(),
    };
    let mut rows = vec![("result", result)];
    if let Some(s) = &a.stack {
        rows.push(("stack", format!("`{}`", cell(s))));
    }
    if let Some(h) = &a.hash {
        rows.push(("configuration hash", format!("`{}`", cell(h))));
    }
    if r.status.is_some() {
        rows.push(("build time", duration_text(r.elapsed_secs)));
        let total = r.total.map(|t| t.to_string()).unwrap_or_else(|| "?".into());
        rows.push(("packages", format!("{} of {total}", r.done)));
    }
    let mut md = format!("### {}\n\n| | |\n|---|---|\n", cell(&a.board));
    for (k, v) in rows {
        md.push_str(&format!("| {k} | {v} |\n"));
    }
    md
}

pub fn run(a: &ReportArgs) -> Result<i32> {
    let text =
        std::fs::read_to_string(&a.build_json).map_err(|e| ModelError::io(&a.build_json, e))?;
    let r = parse(&text);
    for line in annotations(&r, &a.board) {
        println!("{line}");
    }
    if let Some(path) = &a.summary {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| ModelError::io(path, e))?;
        // One write: the summary file is appended to by every step, never rewritten.
        f.write_all(summary(&r, a).as_bytes())
            .map_err(|e| ModelError::io(path, e))?;
    }
    Ok(super::exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: &str = r#"{"event":"phase","message":"configuring"}
not json
{"event":"finished","status":"failed","exit_code":2,"log":"workspaces/pi/logs/build.log","progress":{"total":120,"done":42,"current":[],"global":null,"elapsed_secs":754.0,"remaining_secs":null,"lines":9000},"failure":{"package":"busybox","step":"build","error_line":"make[1]: *** [package/pkg-generic.mk:283: .stamp_built] Error 2","last_lines":["libbb/xfuncs.c:12:5: error: 'x' undeclared, really","make[2]: *** [Makefile:1] Error 1"]}}
"#;

    fn args() -> ReportArgs {
        ReportArgs {
            build_json: PathBuf::new(),
            board: "pi-4".into(),
            stack: Some("pi/4,skiff/core".into()),
            hash: Some("0123abcd".into()),
            summary: None,
        }
    }

    #[test]
    fn a_failed_build_becomes_one_error_and_one_per_compiler_error() {
        let r = parse(FAILED);
        let got = annotations(&r, "pi-4");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].starts_with(
            "::error title=skiff build pi-4::package busybox failed at step build%0Amake[1]"
        ));
        assert!(got[0].contains("full log: workspaces/pi/logs/build.log"));
        assert_eq!(
            got[1],
            "::error file=libbb/xfuncs.c,line=12,col=5,title=skiff build pi-4::'x' undeclared, really"
        );
        let md = summary(&r, &args());
        assert!(
            md.contains("| result | ❌ package busybox failed at step build |"),
            "{md}"
        );
        assert!(md.contains("| packages | 42 of 120 |"));
        assert!(md.contains("| build time | 12m34s |"), "{md}");
    }

    #[test]
    fn success_has_no_annotation_and_a_missing_result_has_one() {
        let ok = r#"{"event":"finished","status":"succeeded","exit_code":0,"log":"l","progress":{"total":3,"done":3,"elapsed_secs":5.0}}"#;
        let r = parse(ok);
        assert!(annotations(&r, "b").is_empty());
        assert!(summary(&r, &args()).contains("✅ succeeded"));
        let none = parse("");
        assert_eq!(annotations(&none, "b").len(), 1);
        assert!(summary(&none, &args()).contains("stopped before make finished"));
    }

    #[test]
    fn diagnostics_and_escapes() {
        assert_eq!(
            diagnostic("a.c:3: fatal error: x.h: No such file"),
            Some(("a.c".into(), 3, None, "x.h: No such file".into()))
        );
        assert_eq!(diagnostic("make: *** error: nothing"), None);
        assert_eq!(escape("50%\nx:y,z", true), "50%25%0Ax%3Ay%2Cz");
    }
}

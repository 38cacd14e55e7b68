//! Drawing the skiff-core editor: the rows (image, users, mounts), the prompt, and the YAML
//! that a save would write with its problems.

use super::core_editor::{CoreEditor, PromptKind, areas};
use crate::model::core_config::{self, Via};
use crate::ui::core_edit::{Row, rows};
use crate::ui::shared::Shared;
use crate::ui::theme::Role;
use crate::ui::widgets::{fit, pad, pane, row};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

impl CoreEditor {
    pub fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        let t = &sh.theme;
        let (left, inner, right) = areas(area);
        let modified = if sh.core.dirty { " (modified)" } else { "" };
        frame.render_widget(
            pane(format!(" skiff-core config{modified} "), true, t),
            left,
        );
        let width = inner.width as usize;
        let core = &sh.core;
        let loaded = core.loaded.as_ref();
        if let Some(m) = message(sh) {
            frame.render_widget(
                Paragraph::new(m)
                    .style(t.style(Role::Dim))
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return self.render_yaml(sh, frame, right);
        }
        let head = head_lines(sh, width);
        let [head_area, list, prompt_area] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Min(1),
            Constraint::Length(u16::from(self.prompt.is_some())),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(head), head_area);
        if let Some(c) = &core.edit {
            let rs = rows(c);
            for (i, r) in self.cursor.window(rs.len(), list) {
                let style = if i == self.cursor.pos {
                    t.style(Role::Selection)
                } else {
                    t.style(Role::Text)
                };
                row(frame, r, row_line(c, rs[i], width, t), style);
            }
        } else {
            let lines: Vec<Line> = loaded
                .map(|l| {
                    l.problems
                        .iter()
                        .map(|p| Line::styled(p.clone(), t.style(Role::Error)))
                        .collect()
                })
                .unwrap_or_default();
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), list);
        }
        if let Some(p) = &self.prompt {
            let label = match p.kind {
                PromptKind::AddUser => "new user: ",
                PromptKind::Shell(_) => "shell: ",
                PromptKind::AddMount | PromptKind::EditMount(_) => "mount host:container[:ro]: ",
            };
            frame.render_widget(
                Line::from(vec![
                    Span::styled(label, t.style(Role::Key)),
                    Span::raw(format!("{}▏", p.text)),
                ]),
                prompt_area,
            );
        }
        self.render_yaml(sh, frame, right);
    }

    fn render_yaml(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        let t = &sh.theme;
        let mut lines = Vec::new();
        if let Some(c) = &sh.core.edit {
            for issue in core_config::check(c) {
                lines.push(Line::styled(
                    format!("✗ {}", issue.brief()),
                    t.style(Role::Error),
                ));
            }
            for l in core_config::to_yaml(c)
                .lines()
                .filter(|l| !l.starts_with('#'))
            {
                lines.push(Line::raw(l.to_string()));
            }
        }
        frame.render_widget(Paragraph::new(lines).block(pane(" YAML ", false, t)), area);
    }
}

fn row_line(
    c: &core_config::CoreConfig,
    r: Row,
    width: usize,
    t: &crate::ui::theme::Theme,
) -> Line<'static> {
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(pad(name, 12), t.style(Role::Dim)),
            Span::raw(fit(&value, width.saturating_sub(12))),
        ])
    };
    match r {
        Row::Image => {
            let image = c
                .containers
                .first()
                .and_then(|e| e.value.image.as_ref())
                .map_or("-".to_string(), |s| s.value.clone());
            field("image", image)
        }
        Row::User(i) => Line::styled(format!("user {}", c.users[i].name), t.style(Role::Title)),
        Row::UserContainer(i) => {
            let u = &c.users[i].value;
            let name = u.container.as_ref().map_or("-".into(), |s| s.value.clone());
            let inner = u.container_user.as_deref().unwrap_or("(image default)");
            field("  container", format!("{name} as {inner}"))
        }
        Row::UserShell(i) => {
            let shell = c.users[i].value.container_shell.join(" ");
            field(
                "  shell",
                if shell.is_empty() {
                    "(image default)".into()
                } else {
                    shell
                },
            )
        }
        Row::UserKeys(i) => {
            let on = c.users[i].value.copies_root_keys();
            field(
                "  root keys",
                if on {
                    "copied".into()
                } else {
                    "not copied".into()
                },
            )
        }
        Row::AddUser => Line::styled("+ add a user", t.style(Role::Dim)),
        Row::Mount(j) => field("mount", c.containers[0].value.mounts[j].value.clone()),
        Row::AddMount => Line::styled("+ add a mount", t.style(Role::Dim)),
    }
}

/// What the left pane says instead of the rows: loading, an error, no config in the stack.
fn message(sh: &Shared) -> Option<String> {
    let core = &sh.core;
    if CoreEditor::pending(sh) && !core.dirty {
        Some("Reading the skiff-core config of the stack…".to_string())
    } else if let Some(e) = &core.error {
        Some(e.clone())
    } else if core.loaded.as_ref().is_some_and(|l| l.winner.is_none()) {
        Some("No layer of the stack installs a skiff-core config: add skiff/core or a core/<distro> layer.".into())
    } else {
        None
    }
}

/// Where the config comes from and where `w` saves it, then a blank line.
fn head_lines(sh: &Shared, width: usize) -> Vec<Line<'static>> {
    let t = &sh.theme;
    let mut head = Vec::new();
    if let Some(l) = sh.core.loaded.as_ref() {
        if let Some(w) = &l.winner {
            let via = match &w.via {
                Via::Package { package, .. } => format!("package {package}"),
                Via::Overlay => "root overlay".into(),
            };
            head.push(Line::from(vec![
                Span::styled("from ", t.style(Role::Dim)),
                Span::raw(fit(
                    &format!("{} ({via})", w.layer),
                    width.saturating_sub(5),
                )),
            ]));
        }
        head.push(Line::from(vec![
            Span::styled("w saves ", t.style(Role::Dim)),
            Span::raw(fit(
                &format!("the override of workspace {}", sh.workspace),
                width.saturating_sub(8),
            )),
        ]));
    }
    head.push(Line::from(""));
    head
}

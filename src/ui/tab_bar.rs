//! The tab bar: screen tabs on the left; the status strip (board ✓ · distro ✓ · saved ✓ ·
//! built ✗ · card —) and the workspace label on the right, shortened step by step so the
//! workspace and its `unsaved` mark always show. Tabs keep their names, shortened, while
//! they fit; then only the active one is named; then numbers only.

use super::analysis::Level;
use super::app::App;
use super::screen_id::ScreenId;
use super::shared::Step;
use super::theme::Role;
use ratatui::text::{Line, Span};

/// One tab: screen index, label, x range, and a mark drawn after it (the stack's problems).
pub struct Tab {
    pub index: usize,
    pub label: String,
    pub x0: u16,
    pub x1: u16,
    pub mark: Option<(String, Role)>,
}

/// How much of the bar is spelled out.
#[derive(Clone, Copy)]
struct Fit {
    title: bool,
    /// 0: every tab named, 1: every tab with a short name, 2: the active tab named,
    /// 3: numbers only.
    tabs: u8,
    /// 0: long strip, 1: short strip, 2: none.
    strip: u8,
    long_workspace: bool,
}

const FITS: [Fit; 7] = [
    Fit {
        title: true,
        tabs: 0,
        strip: 0,
        long_workspace: true,
    },
    Fit {
        title: true,
        tabs: 0,
        strip: 1,
        long_workspace: true,
    },
    Fit {
        title: false,
        tabs: 0,
        strip: 1,
        long_workspace: false,
    },
    Fit {
        title: false,
        tabs: 1,
        strip: 1,
        long_workspace: false,
    },
    Fit {
        title: false,
        tabs: 2,
        strip: 1,
        long_workspace: false,
    },
    Fit {
        title: false,
        tabs: 3,
        strip: 1,
        long_workspace: false,
    },
    Fit {
        title: false,
        tabs: 3,
        strip: 2,
        long_workspace: false,
    },
];

const TITLE: &str = " skiff ";

/// A screen's title shortened for a narrow tab bar (a screen not listed keeps its title).
fn short_title(title: &str) -> &str {
    match title {
        "Layers" => "Lay",
        "Preview" => "Prev",
        "Workspaces" => "Work",
        other => other,
    }
}

impl App {
    /// The tabs as drawn at `width` columns, for the bar and for clicks on it.
    pub fn tabs(&self, width: u16) -> Vec<Tab> {
        self.tabs_for(self.fit(width))
    }

    fn tabs_for(&self, fit: Fit) -> Vec<Tab> {
        let mut x = if fit.title { TITLE.len() as u16 } else { 0 };
        let mut out = Vec::new();
        let active = self.active_tab();
        // The tabs are the first screens; the batch screen is shown under Flash.
        for (i, s) in self.screens.iter().enumerate().take(ScreenId::ALL.len()) {
            let label = match fit.tabs {
                0 => format!(" {} {} ", i + 1, s.id().title()),
                // Short names are set apart by the number alone: " 1 Lay 2 Stack 3 Prev".
                1 => format!(" {} {}", i + 1, short_title(s.id().title())),
                // Narrow: numbers set apart by one space, the active tab keeps its name.
                2 if i == active => format!(" {} {} ", i + 1, s.id().title()),
                _ => format!(" {}", i + 1),
            };
            let mark = (s.id() == ScreenId::Stack)
                .then(|| self.stack_mark())
                .flatten();
            let w = label.chars().count() as u16;
            let mw = mark.as_ref().map_or(0, |(m, _)| m.chars().count() as u16);
            out.push(Tab {
                index: i,
                label,
                x0: x,
                x1: x + w,
                mark,
            });
            x += w + mw;
        }
        out
    }

    fn stack_mark(&self) -> Option<(String, Role)> {
        let notes = &self.shared.stack.analysis.notes;
        let errors = notes.iter().filter(|n| n.level == Level::Error).count();
        if errors > 0 {
            Some((format!("✗{errors} "), Role::Error))
        } else if !notes.is_empty() {
            Some((format!("⚠{} ", notes.len()), Role::Warning))
        } else {
            None
        }
    }

    fn right_spans(&self, fit: Fit) -> Vec<Span<'static>> {
        let sh = &self.shared;
        let t = &sh.theme;
        let mut spans = Vec::new();
        if fit.strip < 2 {
            let steps = sh.progress();
            for (n, (name, step)) in steps.iter().enumerate() {
                let role = match step {
                    Step::Done => Role::Ok,
                    Step::Missing => Role::Warning,
                    Step::NotYet => Role::Dim,
                };
                let sep = match (n, fit.strip) {
                    (0, _) => "",
                    (_, 0) => " · ",
                    _ => " ",
                };
                spans.push(Span::styled(sep, t.style(Role::Dim)));
                let gap = if fit.strip == 0 { " " } else { "" };
                spans.push(Span::styled(format!("{name}{gap}"), t.style(Role::Text)));
                spans.push(Span::styled(step.mark(), t.style(role)));
            }
            spans.push(Span::styled("  ", t.style(Role::Text)));
        }
        let ws = if fit.long_workspace {
            format!("workspace {}", sh.workspace)
        } else {
            sh.workspace.clone()
        };
        spans.push(Span::styled(ws, t.style(Role::Text)));
        if sh.saving {
            spans.push(Span::styled(" · configuring…", t.style(Role::Warning)));
        } else if sh.workspaces.is_some() && sh.unsaved() && !sh.stack.typed.is_empty() {
            spans.push(Span::styled(" · unsaved", t.style(Role::Warning)));
        }
        spans.push(Span::styled(" ", t.style(Role::Text)));
        spans
    }

    fn fit(&self, width: u16) -> Fit {
        let need = |fit: Fit| {
            let tabs = self.tabs_for(fit);
            let left = tabs.last().map_or(0, |t| {
                t.x1 + t.mark.as_ref().map_or(0, |(m, _)| m.chars().count() as u16)
            });
            let right: usize = self.right_spans(fit).iter().map(|s| s.width()).sum();
            left as usize + right + 1
        };
        FITS.into_iter()
            .find(|f| need(*f) <= width as usize)
            .unwrap_or(FITS[FITS.len() - 1])
    }

    /// The tab bar at `width` columns.
    pub fn tab_line(&self, width: u16) -> Line<'static> {
        let t = &self.shared.theme;
        let fit = self.fit(width);
        let mut spans = Vec::new();
        if fit.title {
            spans.push(Span::styled(TITLE, t.style(Role::Title)));
        }
        for tab in self.tabs_for(fit) {
            let role = if tab.index == self.active_tab() {
                Role::TabActive
            } else {
                Role::Tab
            };
            spans.push(Span::styled(tab.label, t.style(role)));
            if let Some((m, r)) = tab.mark {
                spans.push(Span::styled(m, t.style(r)));
            }
        }
        let right = self.right_spans(fit);
        let left: usize = spans.iter().map(|s| s.width()).sum();
        let rw: usize = right.iter().map(|s| s.width()).sum();
        let gap = (width as usize).saturating_sub(left + rw);
        spans.push(Span::styled(" ".repeat(gap), t.style(Role::Text)));
        spans.extend(right);
        Line::from(spans)
    }
}

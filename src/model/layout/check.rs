//! The layout validator: overlapping partitions, raw writes over partitions or the partition table, misalignment, and whether a layout fits a card.

use std::fmt;

use serde::Serialize;

use super::geometry::{Placed, RegionKind};
use super::rules::part_field;
use super::units::{SECTOR, human};
use super::{Kind, Layout, PartSize, TableType};

/// How bad an issue is: errors make `layout check` fail, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding of the validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// The field at fault, e.g. `partitions[1] (rootfs).start`.
    pub field: String,
    pub message: String,
}

/// The validator's findings for one layout and card size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub origin: String,
    /// Card size the layout was checked against (bytes).
    pub card_size: u64,
    pub issues: Vec<Issue>,
}

impl Report {
    /// True when there is no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        !self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.issues {
            let sev = match i.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(f, "{sev}: {}: {}: {}", self.origin, i.field, i.message)?;
        }
        Ok(())
    }
}

struct Findings(Vec<Issue>);

impl Findings {
    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Issue {
            severity: Severity::Error,
            field: field.into(),
            message: message.into(),
        });
    }
    fn warn(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Issue {
            severity: Severity::Warning,
            field: field.into(),
            message: message.into(),
        });
    }
}

fn overlaps(a: (u64, u64), b: (u64, u64)) -> bool {
    a.0 < b.1 && b.0 < a.1 && a.0 < a.1 && b.0 < b.1
}

fn range(a: (u64, u64)) -> String {
    format!("{}..{}", human(a.0), human(a.1))
}

impl Layout {
    /// Validates the layout's geometry on a card of `card` bytes. Without a card size the
    /// layout is checked against `image_size` when it has one, else against its own minimum.
    pub fn check(&self, card: Option<u64>) -> Report {
        let size = card
            .or(self.image_size.map(|s| s.0))
            .unwrap_or_else(|| self.min_card_size());
        let mut f = Findings(Vec::new());
        if self.kind == Kind::Card {
            self.check_card(size, card.is_some(), &mut f);
        }
        Report {
            origin: self.origin.clone(),
            card_size: size,
            issues: f.0,
        }
    }

    fn check_card(&self, size: u64, explicit: bool, f: &mut Findings) {
        let need = self.min_card_size();
        if explicit && !size.is_multiple_of(SECTOR) {
            f.error(
                "card size",
                format!("{size} bytes is not a whole number of 512-byte sectors"),
            );
        }
        if let Some(img) = self.image_size
            && need > img.0
        {
            f.error(
                "image_size",
                format!(
                    "the layout needs at least {} but the image is {}",
                    human(need),
                    human(img.0)
                ),
            );
        }
        if need > size {
            f.error(
                "card size",
                format!(
                    "the layout needs at least {} ({need} bytes); the card has {}",
                    human(need),
                    human(size)
                ),
            );
        }
        if let Some(w) = self.wipe
            && w.0 > size
        {
            f.error(
                "wipe",
                format!("wipes {} but the card has only {}", human(w.0), human(size)),
            );
        }
        let placed = self.place(Some(size));
        self.check_partitions(&placed, size, f);
        self.check_raw(&placed, size, f);
    }

    fn check_partitions(&self, placed: &[Placed], size: u64, f: &mut Findings) {
        let align = self.alignment();
        let usable = self.usable_end(size);
        for pl in placed {
            let p = &self.partitions[pl.index];
            let field = part_field(pl.index, p);
            if pl.start < self.first_usable() {
                f.error(
                    &field,
                    format!("starts at {} inside the partition table", human(pl.start)),
                );
            }
            if pl.start % align != 0 {
                f.warn(
                    format!("{field}.start"),
                    format!("{} is not aligned to {}; cards are slower and wear faster off erase blocks", human(pl.start), human(align)),
                );
            }
            if pl.end > size {
                f.error(
                    &field,
                    format!(
                        "ends at {}, beyond the end of a {} card",
                        human(pl.end),
                        human(size)
                    ),
                );
            } else if pl.end > usable {
                f.error(
                    &field,
                    format!(
                        "ends at {}, inside the backup GPT (last 33 sectors)",
                        human(pl.end)
                    ),
                );
            }
            if p.size == Some(PartSize::Rest) {
                let min = p.min.map_or(super::geometry::DEFAULT_REST_MIN, |m| m.0);
                if pl.len() < min {
                    f.error(
                        format!("{field}.size"),
                        format!(
                            "only {} is left for it on a {} card; it needs at least {}",
                            human(pl.len()),
                            human(size),
                            human(min)
                        ),
                    );
                }
            }
            if self.table == Some(TableType::Mbr) && pl.end > (u64::from(u32::MAX) + 1) * SECTOR {
                f.error(
                    &field,
                    "an MBR table cannot address beyond 2 TiB; use `table: gpt`",
                );
            }
        }
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                if overlaps((a.start, a.end), (b.start, b.end)) {
                    f.error(
                        part_field(b.index, &self.partitions[b.index]),
                        format!(
                            "{} overlaps partition `{}` at {}",
                            range((b.start, b.end)),
                            self.partitions[a.index].name,
                            range((a.start, a.end))
                        ),
                    );
                }
            }
        }
    }

    fn check_raw(&self, placed: &[Placed], size: u64, f: &mut Findings) {
        let tables = self.table_regions(size);
        for (i, r) in self.raw.iter().enumerate() {
            let Some(span) = self.raw_span(i) else {
                continue;
            };
            let field = format!("raw[{i}] ({})", r.file);
            if span.1 > size {
                f.error(
                    &field,
                    format!(
                        "{} runs past the end of a {} card",
                        range(span),
                        human(size)
                    ),
                );
            }
            for t in &tables {
                if overlaps(span, (t.start, t.end)) {
                    let what = match t.kind {
                        RegionKind::BackupTable => "the backup GPT",
                        _ => "the partition table",
                    };
                    f.error(
                        &field,
                        format!(
                            "{} overlaps {what} at {}",
                            range(span),
                            range((t.start, t.end))
                        ),
                    );
                }
            }
            for pl in placed {
                if overlaps(span, (pl.start, pl.end)) {
                    f.error(
                        &field,
                        format!(
                            "{} overlaps partition `{}` at {}",
                            range(span),
                            self.partitions[pl.index].name,
                            range((pl.start, pl.end))
                        ),
                    );
                }
            }
            for (j, other) in self.raw.iter().enumerate().skip(i + 1) {
                if let Some(o) = self.raw_span(j)
                    && overlaps(span, o)
                {
                    f.error(
                        &field,
                        format!(
                            "{} overlaps raw write {} at {}",
                            range(span),
                            other.file,
                            range(o)
                        ),
                    );
                }
            }
        }
    }
}

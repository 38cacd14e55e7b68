//! Text drawing of a layout: a proportional bar of the card plus a legend with offsets and sizes.

use super::geometry::{Region, RegionKind};
use super::units::human;
use super::{Filesystem, Layout};

/// Glyph used for region `r` in the bar.
fn glyph(r: &Region) -> char {
    match r.kind {
        RegionKind::Table | RegionKind::BackupTable => '#',
        RegionKind::Raw(_) => '!',
        RegionKind::Partition(i) => {
            const DIGITS: &[u8] = b"123456789abcdefghijklmnopqrstuvwxyz";
            DIGITS.get(i).map_or('?', |b| char::from(*b))
        }
        RegionKind::Free => '.',
    }
}

/// Splits `width` columns among `lens` in proportion, every non-empty region getting at least
/// one column (so 512-byte tables stay visible next to 60 GB partitions).
pub fn proportional(lens: &[u64], width: usize) -> Vec<usize> {
    let total: u128 = lens.iter().map(|&l| u128::from(l)).sum();
    let mut cols: Vec<usize> = lens.iter().map(|&l| usize::from(l > 0)).collect();
    let fixed: usize = cols.iter().sum();
    if total == 0 || width <= fixed {
        return cols;
    }
    let spare = (width - fixed) as u128;
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(lens.len());
    let mut given = 0usize;
    for (i, &l) in lens.iter().enumerate() {
        let exact = u128::from(l) * spare;
        let whole = (exact / total) as usize;
        cols[i] += whole;
        given += whole;
        rems.push((exact % total, i));
    }
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems
        .into_iter()
        .take((spare as usize).saturating_sub(given))
    {
        cols[i] += 1;
    }
    cols
}

impl Layout {
    /// The bar alone: `|#!111222....|`, `width` columns between the bars.
    pub fn bar(&self, card: u64, width: usize) -> String {
        let regions = self.regions(card);
        let lens: Vec<u64> = regions
            .iter()
            .map(|r| r.end.saturating_sub(r.start))
            .collect();
        let cols = proportional(&lens, width);
        let mut s = String::with_capacity(width + 2);
        s.push('|');
        for (r, n) in regions.iter().zip(cols) {
            s.extend(std::iter::repeat_n(glyph(r), n));
        }
        s.push('|');
        s
    }

    /// A drawing for a terminal: a header line, the bar, and one legend line per region.
    /// Layouts without a card are described in words instead.
    pub fn render(&self, card: u64, width: usize) -> String {
        let mut out = String::new();
        if !self.has_card() {
            out.push_str(&format!("{} layout: {}\n", self.kind.as_str(), self.about));
            for p in &self.partitions {
                let n = p.number.map_or(String::new(), |n| format!("p{n} "));
                out.push_str(&format!(
                    "  {n}{} {}\n",
                    p.name,
                    fs_text(p.fs, p.label.as_deref())
                ));
            }
            for a in &self.produces {
                out.push_str(&format!("  produces {}: {}\n", a.file, a.about));
            }
            if let Some(w) = &self.flash_with {
                out.push_str(&format!("  flashed with: {w}\n"));
            }
            return out;
        }
        let table = self.table.map_or("no", |t| match t {
            super::TableType::Mbr => "MBR",
            super::TableType::Gpt => "GPT",
        });
        out.push_str(&format!(
            "{table} layout on {} ({card} bytes): {}\n",
            human(card),
            self.about
        ));
        out.push_str(&self.bar(card, width));
        out.push('\n');
        for r in self.regions(card) {
            let (name, what) = match r.kind {
                RegionKind::Table => ("table".to_string(), format!("{table} partition table")),
                RegionKind::BackupTable => ("table".to_string(), "backup GPT".to_string()),
                RegionKind::Raw(i) => ("raw".to_string(), self.raw[i].file.clone()),
                RegionKind::Partition(i) => {
                    let p = &self.partitions[i];
                    (p.name.clone(), fs_text(p.fs, p.label.as_deref()))
                }
                RegionKind::Free => ("free".to_string(), String::new()),
            };
            out.push_str(&format!(
                "  {} {:<9} {:>10} .. {:<10} {:>10}  {}\n",
                glyph(&r),
                name,
                human(r.start),
                human(r.end),
                human(r.end.saturating_sub(r.start)),
                what
            ));
        }
        out
    }
}

fn fs_text(fs: Option<Filesystem>, label: Option<&str>) -> String {
    let fs = match fs {
        Some(Filesystem::Vfat) => "vfat",
        Some(Filesystem::Ext4) => "ext4",
        None => "raw",
    };
    match label {
        Some(l) => format!("{fs} \"{l}\""),
        None => fs.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::proportional;

    #[test]
    fn columns_add_up_and_keep_small_regions() {
        let cols = proportional(&[512, 8192, 1 << 30, 15 << 30], 60);
        assert_eq!(cols.iter().sum::<usize>(), 60);
        assert!(cols.iter().all(|&c| c >= 1));
        assert!(cols[3] > cols[2] * 10);
        assert_eq!(proportional(&[0, 10], 5), vec![0, 5]);
        assert_eq!(proportional(&[1, 1, 1], 2), vec![1, 1, 1]);
    }
}

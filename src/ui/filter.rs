//! Fuzzy filtering of (name, description) pairs with the matched letters' positions.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Descriptions longer than this are matched on their start only, to bound keystroke cost.
const MAX_DESCRIPTION: usize = 400;
/// Added to the score of items whose name alone matches.
const NAME_BONUS: u32 = 1000;

/// One item that matched, with highlight positions (char indices) in name and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: u32,
    pub name_hits: Vec<usize>,
    pub description_hits: Vec<usize>,
}

/// A reusable matcher (it keeps scratch memory between keystrokes).
pub struct FuzzyFilter {
    matcher: Matcher,
    chars: Vec<char>,
    indices: Vec<u32>,
    haystack: String,
}

impl Default for FuzzyFilter {
    fn default() -> Self {
        FuzzyFilter {
            matcher: Matcher::new(Config::DEFAULT),
            chars: Vec::new(),
            indices: Vec::new(),
            haystack: String::new(),
        }
    }
}

impl std::fmt::Debug for FuzzyFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FuzzyFilter")
    }
}

impl FuzzyFilter {
    /// Match `query` (space-separated words, smart case) against name and description of
    /// each item; best score first, ties in input order.
    pub fn run<'a>(
        &mut self,
        query: &str,
        items: impl Iterator<Item = (usize, &'a str, &'a str)>,
    ) -> Vec<Hit> {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut hits = Vec::new();
        for (index, name, description) in items {
            // A match inside the name ranks above one that needs the description.
            self.indices.clear();
            let hay = Utf32Str::new(name, &mut self.chars);
            if let Some(score) = pattern.indices(hay, &mut self.matcher, &mut self.indices) {
                self.indices.sort_unstable();
                self.indices.dedup();
                hits.push(Hit {
                    index,
                    score: score + NAME_BONUS,
                    name_hits: self.indices.iter().map(|&i| i as usize).collect(),
                    description_hits: Vec::new(),
                });
                continue;
            }
            let desc = match description.char_indices().nth(MAX_DESCRIPTION) {
                Some((cut, _)) => &description[..cut],
                None => description,
            };
            self.haystack.clear();
            self.haystack.push_str(name);
            self.haystack.push_str("  ");
            self.haystack.push_str(desc);
            self.indices.clear();
            let hay = Utf32Str::new(&self.haystack, &mut self.chars);
            let Some(score) = pattern.indices(hay, &mut self.matcher, &mut self.indices) else {
                continue;
            };
            self.indices.sort_unstable();
            self.indices.dedup();
            let name_len = name.chars().count();
            let mut name_hits = Vec::new();
            let mut description_hits = Vec::new();
            for &i in &self.indices {
                let i = i as usize;
                if i < name_len {
                    name_hits.push(i);
                } else if i >= name_len + 2 {
                    description_hits.push(i - name_len - 2);
                }
            }
            hits.push(Hit {
                index,
                score,
                name_hits,
                description_hits,
            });
        }
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_names_and_descriptions_with_positions() {
        let items = [
            ("pi/4", "Raspberry Pi 4."),
            ("odroid/xu", "ODROID XU3/XU4."),
            ("core/fedora", "Fedora userland in a container."),
        ];
        let mut f = FuzzyFilter::default();
        let hits = f.run(
            "pi4",
            items.iter().enumerate().map(|(i, (n, d))| (i, *n, *d)),
        );
        assert_eq!(hits[0].index, 0);
        assert_eq!(hits[0].name_hits, [0, 1, 3]);
        let hits = f.run(
            "userland",
            items.iter().enumerate().map(|(i, (n, d))| (i, *n, *d)),
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].index, 2);
        assert_eq!(hits[0].description_hits, (7..15).collect::<Vec<_>>());
        let hits = f.run(
            "zzz",
            items.iter().enumerate().map(|(i, (n, d))| (i, *n, *d)),
        );
        assert!(hits.is_empty());
        let all = f.run("", items.iter().enumerate().map(|(i, (n, d))| (i, *n, *d)));
        assert_eq!(all.len(), 3);
    }
}

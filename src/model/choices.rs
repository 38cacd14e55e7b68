//! Buildroot's Kconfig choice groups (2026.02.3), to tell when a later choice member
//! supersedes an earlier one (`BR2_aarch64=y` after `BR2_x86_64=y`).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../buildroot-symbols/choices-2026.02.3.tsv");

/// One choice group: its prompt and members.
#[derive(Debug)]
pub struct Choice {
    pub id: &'static str,
    pub prompt: &'static str,
    pub members: Vec<&'static str>,
}

struct Index {
    choices: Vec<Choice>,
    by_member: HashMap<&'static str, usize>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut choices = Vec::new();
        let mut by_member = HashMap::new();
        for line in TABLE.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(id), Some(prompt), Some(members)) = (cols.first(), cols.get(2), cols.get(6))
            else {
                continue;
            };
            let members: Vec<&str> = members.split(',').filter(|m| !m.is_empty()).collect();
            for m in &members {
                by_member.insert(*m, choices.len());
            }
            choices.push(Choice {
                id,
                prompt,
                members,
            });
        }
        Index { choices, by_member }
    })
}

/// The choice group a Buildroot symbol belongs to, if any.
pub fn choice_of(symbol: &str) -> Option<&'static Choice> {
    let ix = index();
    ix.by_member.get(symbol).map(|&i| &ix.choices[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architecture_members_share_a_choice() {
        let a = choice_of("BR2_aarch64").expect("aarch64 is a choice member");
        let b = choice_of("BR2_x86_64").expect("x86_64 is a choice member");
        assert_eq!(a.id, b.id);
        assert_eq!(a.prompt, "Target Architecture");
        assert!(choice_of("BR2_PACKAGE_HTOP").is_none());
    }
}

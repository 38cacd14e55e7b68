//! Name rules of SkiffOS: layer names, their environment IDs, stack items and workspace names.

/// Characters upstream accepts in a discovered layer path (`category/name`).
pub fn is_valid_layer_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'_' || b == b'\\')
}

/// The ID used in `SKIFF_CONFIG_PATH_<ID>`: upper case, every `/` turned into `_`.
pub fn layer_id(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b == b'/' {
                '_'
            } else {
                b.to_ascii_uppercase() as char
            }
        })
        .collect()
}

/// A stack item or dependency must look like `category/...` with a 1-100 character
/// alphanumeric category.
pub fn is_well_formed_item(item: &str) -> bool {
    match item.split_once('/') {
        Some((cat, _)) => {
            (1..=100).contains(&cat.len()) && cat.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// Split a SKIFF_CONFIG-style list: commas and spaces (and any whitespace) separate items.
pub fn split_list(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Workspace names keep `A-Z a-z 0-9 . _ - [ ]`, are lower-cased, and default to `default`.
pub fn workspace_name(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if kept.is_empty() || kept == "." || kept == ".." {
        "default".to_string()
    } else {
        kept
    }
}

/// Byte-order sort key of upstream's help listing: the `SKIFF_CONFIG_PATH_<ID>=` env line.
pub fn help_sort_key(id: &str) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.push(b'=');
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_items() {
        assert_eq!(layer_id("pi/4x64"), "PI_4X64");
        assert!(is_well_formed_item("pi/4"));
        assert!(is_well_formed_item("pi/"));
        assert!(!is_well_formed_item("foo"));
        assert!(!is_well_formed_item("p-i/4"));
        assert!(!is_valid_layer_name("odroid/xu-4"));
        assert_eq!(split_list(" pi/1 ,, util/debug "), ["pi/1", "util/debug"]);
    }

    #[test]
    fn workspace_names() {
        assert_eq!(workspace_name("My WS!"), "myws");
        assert_eq!(workspace_name(""), "default");
        assert_eq!(workspace_name("a[1].b-c_d"), "a[1].b-c_d");
        assert_eq!(workspace_name(".."), "default");
    }

    #[test]
    fn help_order() {
        let mut ids = ["PI_4", "PINE64_BOOK", "PI_4X32", "PINE64_BOOK_A64"];
        ids.sort_by_key(|i| help_sort_key(i));
        assert_eq!(
            ids,
            ["PINE64_BOOK=", "PINE64_BOOK_A64", "PI_4", "PI_4X32"].map(|s| s.trim_end_matches('='))
        );
    }
}

//! The one way a value reaches a remote shell command: POSIX single-quoting.
//!
//! Every path, name or other value that goes into a command line run by the device's shell
//! passes through [`quote`]; nothing is interpolated any other way.

/// Quotes `value` as one word for a POSIX shell: `'...'`, each `'` written as `'\''`.
/// The shell reads the result back as exactly `value` (no expansion of any kind).
/// A NUL cannot be passed through a shell; it is dropped (no path or name skiff sends has one).
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '\0' => {}
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$(reboot)`x`;\n"), "'$(reboot)`x`;\n'");
    }
}

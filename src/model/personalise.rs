//! Personalisation of a card as data: the hostname template, SSH public keys, Wi-Fi networks
//! (NetworkManager keyfiles) and extra files, rendered into the files of a SkiffOS persist
//! partition (`skiff/hostname`, `skiff/keys/*.pub`, `skiff/connections/`, as `mount-all.sh`
//! reads them at boot). Pure: the callers read the files and write the result.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Where SkiffOS reads the hostname on the persist partition.
pub const HOSTNAME_PATH: &str = "/skiff/hostname";
/// Public keys (`*.pub`) authorized for root over SSH.
pub const KEYS_DIR: &str = "/skiff/keys";
/// The upper directory of NetworkManager's system-connections overlay.
pub const CONNECTIONS_DIR: &str = "/skiff/connections";

/// A personalisation input that cannot be used; the message names the input and the fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PersonaError(pub String);

fn fail<T>(message: String) -> Result<T, PersonaError> {
    Err(PersonaError(message))
}

/// One file for the persist partition: absolute path inside it, contents, permission bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub mode: u32,
}

/// What the template placeholders stand for on one card.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The card's number in a batch (1 for a single card).
    pub n: u64,
    /// The card's (or reader's) serial number, when known.
    pub serial: Option<String>,
    /// The reader's slot (its USB port path), when known.
    pub slot: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Number { width: usize },
    Serial,
    Slot,
}

/// A hostname template such as `robot-{n:02}`: literal letters, digits and `-`, and the
/// placeholders `{n}`, `{n:0W}` (the number padded with zeros to W digits, W from 1 to 9),
/// `{serial}` and `{slot}` (its `.` and `:` become `-`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, PersonaError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if c == '{' {
                let Some(end) = rest.find('}') else {
                    return fail(format!(
                        "hostname template `{text}`: `{{` opens a placeholder that is never closed (use {{n}}, {{n:02}}, {{serial}} or {{slot}})"
                    ));
                };
                if !literal.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                }
                parts.push(placeholder(text, &rest[1..end])?);
                rest = &rest[end + 1..];
                continue;
            }
            if !is_label_char(c) {
                return fail(format!(
                    "hostname template `{text}`: `{}` cannot be in a hostname (letters, digits and `-` only)",
                    c.escape_default()
                ));
            }
            literal.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        if parts.is_empty() {
            return fail("hostname template is empty".into());
        }
        Ok(Template {
            text: text.to_string(),
            parts,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the template has a placeholder (so every card gets its own name).
    pub fn varies(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Text(_)))
    }

    /// The hostname for one card, checked as an RFC 1123 label.
    pub fn expand(&self, id: &Identity) -> Result<String, PersonaError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Number { width } => {
                    out.push_str(&format!("{:0width$}", id.n, width = *width))
                }
                Part::Serial => out.push_str(self.value("serial", id.serial.as_deref())?),
                Part::Slot => {
                    let slot = self.value("slot", id.slot.as_deref())?;
                    out.push_str(&slot.replace(['.', ':'], "-"));
                }
            }
        }
        check_hostname(&self.text, &out)?;
        Ok(out)
    }

    fn value<'a>(&self, name: &str, v: Option<&'a str>) -> Result<&'a str, PersonaError> {
        match v {
            Some(v) if !v.is_empty() => Ok(v),
            _ => fail(format!(
                "hostname template `{}`: {{{name}}} is not known for this card (an image file has no {name}); use {{n}} instead",
                self.text
            )),
        }
    }
}

fn placeholder(text: &str, inner: &str) -> Result<Part, PersonaError> {
    match inner {
        "n" => return Ok(Part::Number { width: 0 }),
        "serial" => return Ok(Part::Serial),
        "slot" => return Ok(Part::Slot),
        _ => {}
    }
    if let Some(spec) = inner.strip_prefix("n:")
        && !spec.is_empty()
        && spec.len() == 2
        && spec.starts_with('0')
        && spec.bytes().all(|b| b.is_ascii_digit())
    {
        let width: usize = spec.parse().unwrap_or(0);
        return Ok(Part::Number { width });
    }
    fail(format!(
        "hostname template `{text}`: unknown placeholder `{{{inner}}}`; use {{n}}, {{n:02}} (zero-padded to 2 digits; 01 to 09), {{serial}} or {{slot}}"
    ))
}

/// An RFC 1123 label: 1-63 letters, digits and `-`, neither first nor last a `-`.
pub fn check_hostname(template: &str, name: &str) -> Result<(), PersonaError> {
    if let Some(c) = name.chars().find(|c| !is_label_char(*c)) {
        return fail(format!(
            "hostname template `{template}` gives `{name}`: `{}` cannot be in a hostname (letters, digits and `-` only)",
            c.escape_default()
        ));
    }
    if name.is_empty() || name.len() > 63 {
        return fail(format!(
            "hostname template `{template}` gives `{name}`: a hostname has 1 to 63 characters, not {}",
            name.len()
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return fail(format!(
            "hostname template `{template}` gives `{name}`: `-` cannot start or end a hostname"
        ));
    }
    Ok(())
}

/// Key types OpenSSH accepts in authorized_keys.
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let body = text.trim_end_matches('=');
    if bytes.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body.as_bytes() {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Checks one authorized_keys line: `TYPE BASE64 [COMMENT]`, with the blob naming TYPE.
fn check_key_line(origin: &str, number: usize, line: &str) -> Result<(), PersonaError> {
    let mut fields = line.split_whitespace();
    let kind = fields.next().unwrap_or_default();
    let at = format!("{origin}:{number}");
    if !KEY_TYPES.contains(&kind) {
        return fail(format!(
            "{at}: `{}` is not an SSH public key type (expected a line like `ssh-ed25519 AAAA... comment`)",
            kind.chars().take(40).collect::<String>()
        ));
    }
    let Some(blob) = fields.next().and_then(base64_decode) else {
        return fail(format!(
            "{at}: the {kind} key is not valid base64 (the second field of the line)"
        ));
    };
    let named = blob
        .get(..4)
        .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize)
        .and_then(|len| blob.get(4..4 + len));
    if named != Some(kind.as_bytes()) {
        return fail(format!(
            "{at}: the key data does not hold a {kind} key (a damaged or mismatched line)"
        ));
    }
    Ok(())
}

/// Checks a public key file's text (`origin` names it in messages) and returns its key lines.
/// Empty lines and `#` comments are dropped; a private key is refused.
pub fn parse_public_keys(origin: &str, text: &str) -> Result<Vec<String>, PersonaError> {
    if text.contains("PRIVATE KEY-----") {
        return fail(format!(
            "{origin}: this is a private key; give the public key instead (usually the same name with .pub), a private key never goes onto a card"
        ));
    }
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        check_key_line(origin, i + 1, line)?;
        lines.push(line.to_string());
    }
    if lines.is_empty() {
        return fail(format!("{origin}: no SSH public key in the file"));
    }
    Ok(lines)
}

/// One public key file for `skiff/keys/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFile {
    /// The file name on the card, ending in `.pub`.
    pub name: String,
    pub lines: Vec<String>,
}

impl KeyFile {
    /// `file_name` is the host file's name: kept (letters, digits, `.`, `_`, `-`; others become
    /// `_`), with `.pub` added when missing, since SkiffOS reads only `*.pub`.
    pub fn new(file_name: &str, origin: &str, text: &str) -> Result<KeyFile, PersonaError> {
        let lines = parse_public_keys(origin, text)?;
        let mut name = safe_name(file_name);
        if !name.ends_with(".pub") {
            name.push_str(".pub");
        }
        Ok(KeyFile { name, lines })
    }
}

fn safe_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match name.trim_start_matches('.') {
        "" => "key".to_string(),
        n => n.to_string(),
    }
}

/// A Wi-Fi network joined with WPA-PSK (WPA2/WPA3 personal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wifi {
    pub ssid: String,
    pub psk: String,
}

impl Wifi {
    /// Checks the SSID (1-32 bytes, no control characters) and the passphrase (8-63 printable
    /// ASCII characters, or 64 hex digits).
    pub fn new(ssid: &str, psk: &str) -> Result<Wifi, PersonaError> {
        if ssid.is_empty() || ssid.len() > 32 {
            return fail(format!(
                "Wi-Fi `{ssid}`: an SSID has 1 to 32 bytes, not {}",
                ssid.len()
            ));
        }
        if let Some(c) = ssid.chars().find(|c| c.is_control()) {
            return fail(format!(
                "Wi-Fi `{}`: the SSID has a control character `{}`",
                ssid.escape_default(),
                c.escape_default()
            ));
        }
        let psk = psk.trim_end_matches(['\n', '\r']);
        let hex = psk.len() == 64 && psk.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex && !(8..=63).contains(&psk.len()) {
            return fail(format!(
                "Wi-Fi `{ssid}`: a WPA passphrase has 8 to 63 characters (or 64 hex digits), this one has {}",
                psk.len()
            ));
        }
        if !psk.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return fail(format!(
                "Wi-Fi `{ssid}`: a WPA passphrase is printable ASCII only"
            ));
        }
        Ok(Wifi {
            ssid: ssid.to_string(),
            psk: psk.to_string(),
        })
    }

    /// A stable UUID derived from the SSID (SHA-256, RFC 9562 version 8), so writing the same
    /// network again replaces the same connection.
    pub fn uuid(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"skiff-wifi\0");
        h.update(self.ssid.as_bytes());
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// The connection's file name in `skiff/connections/`.
    pub fn file_name(&self) -> String {
        let safe: String = self
            .ssid
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if safe == self.ssid {
            format!("{safe}.nmconnection")
        } else {
            format!("{safe}-{}.nmconnection", &self.uuid()[..8])
        }
    }

    /// The NetworkManager keyfile (`man nm-settings-keyfile`).
    pub fn keyfile(&self) -> String {
        let plain = self.ssid.bytes().all(|b| (0x20..0x7f).contains(&b))
            && !self.ssid.contains([';', '\\'])
            && !self.ssid.bytes().all(|b| b.is_ascii_digit());
        let ssid = if plain {
            keyfile_value(&self.ssid)
        } else {
            self.ssid.bytes().map(|b| format!("{b};")).collect()
        };
        format!(
            "[connection]\nid={}\nuuid={}\ntype=wifi\nautoconnect=true\n\n\
             [wifi]\nmode=infrastructure\nssid={ssid}\n\n\
             [wifi-security]\nkey-mgmt=wpa-psk\npsk={}\n\n\
             [ipv4]\nmethod=auto\n\n[ipv6]\naddr-gen-mode=default\nmethod=auto\n",
            keyfile_value(&self.ssid),
            self.uuid(),
            keyfile_value(&self.psk),
        )
    }
}

/// GLib key file escaping of a value: `\\`, and a leading space as `\s`.
fn keyfile_value(v: &str) -> String {
    let escaped = v.replace('\\', "\\\\");
    match escaped.strip_prefix(' ') {
        Some(rest) => format!("\\s{rest}"),
        None => escaped,
    }
}

/// Everything to put on a card; the same for every card but the hostname's placeholders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Persona {
    pub hostname: Option<Template>,
    pub keys: Vec<KeyFile>,
    pub wifi: Vec<Wifi>,
    /// Files from `--persist-files`, at their paths in the persist partition.
    pub files: Vec<RenderedFile>,
}

impl Persona {
    pub fn is_empty(&self) -> bool {
        self.hostname.is_none()
            && self.keys.is_empty()
            && self.wifi.is_empty()
            && self.files.is_empty()
    }

    /// The files for one card: the directory's files first, then the hostname, keys and
    /// networks, which win over a file of the same path. Sorted by path, one entry a path.
    pub fn render(&self, id: &Identity) -> Result<Vec<RenderedFile>, PersonaError> {
        let mut out: BTreeMap<String, RenderedFile> = BTreeMap::new();
        let mut put = |path: String, bytes: Vec<u8>, mode: u32| {
            out.insert(path.clone(), RenderedFile { path, bytes, mode });
        };
        for f in &self.files {
            put(f.path.clone(), f.bytes.clone(), f.mode);
        }
        if let Some(t) = &self.hostname {
            put(
                HOSTNAME_PATH.into(),
                format!("{}\n", t.expand(id)?).into_bytes(),
                0o644,
            );
        }
        for k in &self.keys {
            let mut text = k.lines.join("\n");
            text.push('\n');
            put(format!("{KEYS_DIR}/{}", k.name), text.into_bytes(), 0o644);
        }
        for w in &self.wifi {
            put(
                format!("{CONNECTIONS_DIR}/{}", w.file_name()),
                w.keyfile().into_bytes(),
                0o600,
            );
        }
        Ok(out.into_values().collect())
    }
}

/// Fuzz body: parsing a template never panics, and a template that parses expands to a valid
/// hostname or to an error (never to an invalid name).
pub fn fuzz_one(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (template, rest) = text.split_once('\n').unwrap_or((&text, ""));
    if let Ok(t) = Template::parse(template) {
        let id = Identity {
            n: rest.len() as u64 * 7919,
            serial: Some(rest.chars().take(20).collect()),
            slot: Some(rest.chars().rev().take(12).collect()),
        };
        if let Ok(name) = t.expand(&id) {
            assert!(check_hostname(template, &name).is_ok(), "{name:?}");
        }
    }
    let _ = parse_public_keys("fuzz", &text);
    if let Some((ssid, psk)) = text.split_once('\0')
        && let Ok(w) = Wifi::new(ssid, psk)
    {
        assert!(w.keyfile().lines().count() > 10);
        assert_eq!(w.uuid().len(), 36);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> Identity {
        Identity {
            n,
            serial: Some("AB12cd".into()),
            slot: Some("1-2.3".into()),
        }
    }

    #[test]
    fn templates_expand() {
        let t = Template::parse("robot-{n:02}").unwrap();
        assert_eq!(t.expand(&id(3)).unwrap(), "robot-03");
        assert_eq!(t.expand(&id(123)).unwrap(), "robot-123");
        assert_eq!(
            Template::parse("r{n}").unwrap().expand(&id(7)).unwrap(),
            "r7"
        );
        assert_eq!(
            Template::parse("cam-{serial}-{slot}")
                .unwrap()
                .expand(&id(1))
                .unwrap(),
            "cam-AB12cd-1-2-3"
        );
        assert_eq!(
            Template::parse("n{n:04}").unwrap().expand(&id(4)).unwrap(),
            "n0004"
        );
        assert!(Template::parse("n{n:3}").is_err());
        assert!(!Template::parse("fixed").unwrap().varies());
        assert!(Template::parse("a{n}").unwrap().varies());
    }

    #[test]
    fn bad_templates_name_the_fault() {
        let e = Template::parse("robot_{n}").unwrap_err().0;
        assert!(e.contains("`robot_{n}`") && e.contains("`_`"), "{e}");
        let e = Template::parse("robot-{x}").unwrap_err().0;
        assert!(e.contains("unknown placeholder `{x}`"), "{e}");
        let e = Template::parse("robot-{n").unwrap_err().0;
        assert!(e.contains("never closed"), "{e}");
        assert!(Template::parse("").is_err());
        assert!(Template::parse("{n:}").is_err());
        assert!(Template::parse("{n:123}").is_err());
        let e = Template::parse("-{n}")
            .unwrap()
            .expand(&id(1))
            .unwrap_err()
            .0;
        assert!(e.contains("cannot start or end"), "{e}");
        let long = "a".repeat(62) + "{n:02}";
        assert!(Template::parse(&long).unwrap().expand(&id(1)).is_err());
        let t = Template::parse("x-{serial}").unwrap();
        let e = t
            .expand(&Identity {
                n: 1,
                serial: None,
                slot: None,
            })
            .unwrap_err()
            .0;
        assert!(e.contains("{serial} is not known"), "{e}");
        let e = t
            .expand(&Identity {
                n: 1,
                serial: Some("a_b".into()),
                slot: None,
            })
            .unwrap_err()
            .0;
        assert!(e.contains("`_`"), "{e}");
    }

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host";

    #[test]
    fn public_keys_are_checked() {
        let text = format!("# team\n\n{ED}\n");
        assert_eq!(parse_public_keys("k.pub", &text).unwrap(), [ED]);
        let e = parse_public_keys("id", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")
            .unwrap_err()
            .0;
        assert!(e.starts_with("id: this is a private key"), "{e}");
        let e = parse_public_keys("k.pub", "ssh-foo AAAA x").unwrap_err().0;
        assert!(e.starts_with("k.pub:1: `ssh-foo`"), "{e}");
        let e = parse_public_keys("k.pub", &format!("{ED}\nssh-ed25519 AAA*\n"))
            .unwrap_err()
            .0;
        assert!(e.starts_with("k.pub:2:") && e.contains("base64"), "{e}");
        let e = parse_public_keys(
            "k.pub",
            "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        )
        .unwrap_err()
        .0;
        assert!(e.contains("does not hold a ssh-rsa key"), "{e}");
        assert!(parse_public_keys("k.pub", "# nothing\n").is_err());
        let k = KeyFile::new("id_ed25519", "id_ed25519", ED).unwrap();
        assert_eq!(k.name, "id_ed25519.pub");
        assert_eq!(KeyFile::new(".x y.pub", "o", ED).unwrap().name, "x_y.pub");
    }

    #[test]
    fn wifi_keyfiles() {
        let w = Wifi::new("Lab Net", "correct horse\n").unwrap();
        assert_eq!(w.psk, "correct horse");
        assert_eq!(w.uuid(), Wifi::new("Lab Net", "other pass").unwrap().uuid());
        assert_ne!(
            w.uuid(),
            Wifi::new("Lab Net2", "other pass").unwrap().uuid()
        );
        assert_eq!(&w.uuid()[14..15], "8");
        let k = w.keyfile();
        assert!(
            k.contains("\nssid=Lab Net\n") && k.contains("\npsk=correct horse\n"),
            "{k}"
        );
        assert!(k.contains(&format!("uuid={}", w.uuid())));
        assert!(w.file_name().starts_with("Lab_Net-") && w.file_name().ends_with(".nmconnection"));
        assert_eq!(
            Wifi::new("lab", "12345678").unwrap().file_name(),
            "lab.nmconnection"
        );
        assert!(
            Wifi::new("a;b", "12345678")
                .unwrap()
                .keyfile()
                .contains("\nssid=97;59;98;\n")
        );
        assert!(
            Wifi::new("123", "12345678")
                .unwrap()
                .keyfile()
                .contains("\nssid=49;50;51;\n")
        );
        assert!(Wifi::new("", "12345678").is_err());
        assert!(Wifi::new("a\nb", "12345678").is_err());
        assert!(Wifi::new("lab", "short").is_err());
        assert!(Wifi::new("lab", &"a".repeat(64)).is_ok());
        assert!(Wifi::new("lab", &"g".repeat(64)).is_err());
        assert!(Wifi::new("lab", "pässwörd1").is_err());
    }

    #[test]
    fn render_puts_files_where_skiffos_reads_them() {
        let p = Persona {
            hostname: Some(Template::parse("robot-{n:02}").unwrap()),
            keys: vec![KeyFile::new("a.pub", "a.pub", ED).unwrap()],
            wifi: vec![Wifi::new("lab", "12345678").unwrap()],
            files: vec![
                RenderedFile {
                    path: "/skiff/hostname".into(),
                    bytes: b"old\n".to_vec(),
                    mode: 0o600,
                },
                RenderedFile {
                    path: "/skiff/etc/motd".into(),
                    bytes: b"hi\n".to_vec(),
                    mode: 0o644,
                },
            ],
        };
        let files = p.render(&id(5)).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/skiff/connections/lab.nmconnection",
                "/skiff/etc/motd",
                "/skiff/hostname",
                "/skiff/keys/a.pub"
            ]
        );
        assert_eq!(files[2].bytes, b"robot-05\n");
        assert_eq!(files[2].mode, 0o644);
        assert_eq!(files[0].mode, 0o600);
        assert!(Persona::default().is_empty());
    }

    #[test]
    fn base64_edges() {
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert!(base64_decode("aGk").is_none());
        assert!(base64_decode("a===").is_none());
        assert!(base64_decode("").is_none());
    }
}

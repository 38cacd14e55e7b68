//! Fuzz body: the hostname template parser and expander (a name that expands is a valid
//! RFC 1123 label), the SSH public key checker and the Wi-Fi keyfile renderer.

pub fn run(data: &[u8]) {
    skiff::model::personalise::fuzz_one(data);
}

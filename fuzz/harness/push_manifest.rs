//! Fuzz body: the push manifest read back from a device (a rendered manifest parses to the
//! same value; rollback twice is the identity) and the device probe parser.

pub fn run(data: &[u8]) {
    skiff::push::manifest::fuzz_one(data);
}

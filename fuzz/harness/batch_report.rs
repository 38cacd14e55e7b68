//! Fuzz body: the batch report `skiff batch --resume` reads back (what parses round-trips, and
//! the next card number is computed without a panic).

pub fn run(data: &[u8]) {
    skiff::flash::batch::report::fuzz_one(data);
}

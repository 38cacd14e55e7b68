//! Buffers whose start address is aligned for O_DIRECT, without unsafe code.

/// Alignment unit for direct I/O: offsets, lengths and buffer addresses are multiples of it.
pub const ALIGN: usize = 4096;

/// A heap buffer of `capacity` usable bytes starting at an `ALIGN`-aligned address.
pub struct AlignedBuf {
    storage: Vec<u8>,
    start: usize,
    capacity: usize,
}

impl AlignedBuf {
    /// Allocates a zeroed buffer. `capacity` is rounded up to a multiple of `ALIGN`.
    pub fn new(capacity: usize) -> AlignedBuf {
        let capacity = round_up(capacity as u64, ALIGN as u64) as usize;
        let storage = vec![0u8; capacity + ALIGN];
        let start = storage.as_ptr().align_offset(ALIGN);
        AlignedBuf {
            storage,
            start,
            capacity,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.capacity]
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.capacity]
    }
}

impl std::fmt::Debug for AlignedBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AlignedBuf({} bytes)", self.capacity)
    }
}

pub fn round_up(value: u64, unit: u64) -> u64 {
    value.div_ceil(unit) * unit
}

pub fn round_down(value: u64, unit: u64) -> u64 {
    value / unit * unit
}

/// True when a buffer, offset and length all satisfy direct-I/O alignment.
pub fn is_aligned(buf: &[u8], offset: u64) -> bool {
    (buf.as_ptr() as usize).is_multiple_of(ALIGN)
        && buf.len().is_multiple_of(ALIGN)
        && offset.is_multiple_of(ALIGN as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_aligned() {
        for size in [1, 4096, 5000, 1 << 20] {
            let buf = AlignedBuf::new(size);
            assert_eq!(buf.as_slice().as_ptr() as usize % ALIGN, 0);
            assert!(buf.capacity() >= size);
            assert!(is_aligned(buf.as_slice(), 8192));
        }
    }
}

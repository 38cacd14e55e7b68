//! Block-device discovery and safety, partition tables, filesystems, image writing and verify.

//! The tree's version as data: SKIFF_VERSION and SKIFF_VERSION_COMMIT. `build::version`
//! asks git for them, as upstream's skiff_version.sh does.

/// SKIFF_VERSION and SKIFF_VERSION_COMMIT of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: String,
    pub commit: String,
}

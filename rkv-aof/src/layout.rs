//! What a PATH given to the tool designates: a single (old-style) AOF
//! file, or a multi-part set described by a manifest — named directly or
//! found inside the append-only directory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::AofError;
use crate::manifest::{FileKind, Manifest, MANIFEST_SUFFIX};

/// The role of one file in the set, which decides how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// The base of a multi-part set: RDB or commands.
    Base,
    /// An incremental file of a multi-part set: commands only.
    Incr,
    /// An old-style single AOF: commands, possibly after an RDB preamble.
    Single,
}

impl FileRole {
    /// The word the tool prints for the role.
    pub fn label(self) -> &'static str {
        match self {
            FileRole::Base => "BASE",
            FileRole::Incr => "INCR",
            FileRole::Single => "AOF",
        }
    }

    /// Whether a file in this role may start with an RDB image.
    pub fn may_have_preamble(self) -> bool {
        matches!(self, FileRole::Base | FileRole::Single)
    }
}

/// One file to read, in load order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofPart {
    /// Where it is.
    pub path: PathBuf,
    /// Its name as the manifest lists it (or the path, for a single file).
    pub name: String,
    /// How it is read.
    pub role: FileRole,
}

/// The files a PATH designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AofLayout {
    /// A Redis 7 append-only directory with its manifest.
    MultiPart {
        /// The manifest file.
        manifest_path: PathBuf,
        /// Its contents.
        manifest: Manifest,
    },
    /// One old-style AOF file.
    Single {
        /// The file.
        path: PathBuf,
    },
}

impl AofLayout {
    /// Resolves `path`: a directory must hold exactly one `*.manifest` (or
    /// be the data directory holding `appendonlydir/` or a Redis 6
    /// `appendonly.aof`); a file is a manifest when its name ends in `.manifest` or its first
    /// non-comment line starts with `file `, else an AOF.
    pub fn resolve(path: &Path) -> Result<AofLayout, AofError> {
        let meta = fs::metadata(path).map_err(|e| AofError::io(path, e))?;
        let manifest_path = if meta.is_dir() {
            match find_manifest(path)? {
                Some(manifest) => manifest,
                None => return resolve_data_dir(path),
            }
        } else if is_manifest(path)? {
            path.to_path_buf()
        } else {
            return Ok(AofLayout::Single {
                path: path.to_path_buf(),
            });
        };
        let manifest = Manifest::load(&manifest_path)?;
        Ok(AofLayout::MultiPart {
            manifest_path,
            manifest,
        })
    }

    /// The files to read, in load order: base then incremental files
    /// (history files are not part of the data set).
    pub fn parts(&self) -> Vec<AofPart> {
        match self {
            AofLayout::Single { path } => vec![AofPart {
                path: path.clone(),
                name: path.display().to_string(),
                role: FileRole::Single,
            }],
            AofLayout::MultiPart {
                manifest_path,
                manifest,
            } => {
                let dir = manifest_path.parent().unwrap_or(Path::new("."));
                manifest
                    .files_to_load()
                    .map(|info| AofPart {
                        path: dir.join(&info.name),
                        name: info.name.clone(),
                        role: if info.kind == FileKind::Base {
                            FileRole::Base
                        } else {
                            FileRole::Incr
                        },
                    })
                    .collect()
            }
        }
    }
}

/// A directory without a manifest may be the server's data directory
/// (`dir`): the set is then in its `appendonlydir/`, or it is a Redis 6
/// style `appendonly.aof`.
fn resolve_data_dir(dir: &Path) -> Result<AofLayout, AofError> {
    let nested = dir.join("appendonlydir");
    if nested.is_dir() {
        if let Some(manifest_path) = find_manifest(&nested)? {
            let manifest = Manifest::load(&manifest_path)?;
            return Ok(AofLayout::MultiPart {
                manifest_path,
                manifest,
            });
        }
    }
    let single = dir.join("appendonly.aof");
    if single.is_file() {
        return Ok(AofLayout::Single { path: single });
    }
    Err(AofError::Layout {
        path: dir.to_path_buf(),
        reason: "no *.manifest file here or in appendonlydir/, and no appendonly.aof".into(),
    })
}

fn find_manifest(dir: &Path) -> Result<Option<PathBuf>, AofError> {
    let entries = fs::read_dir(dir).map_err(|e| AofError::io(dir, e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| AofError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(MANIFEST_SUFFIX) && !name.starts_with("temp-") {
            found.push(entry.path());
        }
    }
    match found.len() {
        1 => Ok(Some(found.remove(0))),
        0 => Ok(None),
        _ => {
            found.sort();
            let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
            Err(AofError::Layout {
                path: dir.to_path_buf(),
                reason: format!("several manifests, name one: {}", names.join(", ")),
            })
        }
    }
}

fn is_manifest(path: &Path) -> Result<bool, AofError> {
    if path.to_string_lossy().ends_with(MANIFEST_SUFFIX) {
        return Ok(true);
    }
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|e| AofError::io(path, e))?;
    let first_line = head
        .split(|&b| b == b'\n')
        .find(|line| !line.starts_with(b"#"));
    Ok(first_line.is_some_and(|line| line.starts_with(b"file ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rkv-aof-layout-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn resolves_directories_manifests_and_single_files() {
        let dir = temp_dir("resolve");
        fs::write(
            dir.join("appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
        )
        .unwrap();
        fs::write(dir.join("plain.aof"), "*1\r\n$4\r\nPING\r\n").unwrap();
        let from_dir = AofLayout::resolve(&dir).unwrap();
        let from_manifest = AofLayout::resolve(&dir.join("appendonly.aof.manifest")).unwrap();
        assert_eq!(from_dir, from_manifest);
        let parts = from_dir.parts();
        assert_eq!(parts[0].role, FileRole::Base);
        assert_eq!(parts[1].path, dir.join("appendonly.aof.1.incr.aof"));
        let single = AofLayout::resolve(&dir.join("plain.aof")).unwrap();
        assert_eq!(single.parts()[0].role, FileRole::Single);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_without_a_manifest_is_an_error() {
        let dir = temp_dir("empty");
        let err = AofLayout::resolve(&dir).unwrap_err();
        assert!(err.to_string().contains("no *.manifest"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_data_directory_leads_to_its_append_only_files() {
        let dir = temp_dir("data");
        fs::write(dir.join("appendonly.aof"), "*1\r\n$4\r\nPING\r\n").unwrap();
        let single = AofLayout::resolve(&dir).unwrap();
        assert_eq!(single.parts()[0].path, dir.join("appendonly.aof"));
        fs::create_dir_all(dir.join("appendonlydir")).unwrap();
        fs::write(
            dir.join("appendonlydir/appendonly.aof.manifest"),
            "file appendonly.aof.1.incr.aof seq 1 type i\n",
        )
        .unwrap();
        let nested = AofLayout::resolve(&dir).unwrap();
        assert_eq!(
            nested.parts()[0].path,
            dir.join("appendonlydir/appendonly.aof.1.incr.aof")
        );
        fs::write(dir.join("appendonlydir/other.manifest"), "").unwrap();
        let err = AofLayout::resolve(&dir).unwrap_err();
        assert!(err.to_string().contains("several manifests"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}

//! The year's files on disk: read as stored (BOM and line endings kept), fingerprinted, and
//! written back atomically.
//!
//! A version of a year is its report.yaml and report.md as stored; its hash (SHA-1 of both,
//! hex) is what the form was loaded from. A save compares it with the files on disk before it
//! writes anything, under one lock per server, so two saves never interleave and a file changed
//! by another program meanwhile is never overwritten (409).
//!
//! Writing: a temporary file in the same folder (tempfile: a fresh name, removed if anything
//! fails), the old file's permissions, flushed to disk, then renamed over the file, and the
//! folder flushed — the file is the old one or the new one, never half of each. A file that is a
//! link (inside the site) is written where it points, so the link stays a link.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::load::{self, REPORT_MD, REPORT_YAML};

/// One version of a year's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// report.yaml as stored, if the year has one.
    pub yaml: Option<String>,
    /// report.md as stored, if the year has one.
    pub md: Option<String>,
    /// The fingerprint of both.
    pub hash: String,
}

impl Version {
    /// A version of these texts.
    pub fn new(yaml: Option<String>, md: Option<String>) -> Version {
        let hash = hash(yaml.as_deref(), md.as_deref());
        Version { yaml, md, hash }
    }
}

/// The SHA-1 of both files, in hex. Each file is prefixed by whether it exists and its length,
/// so no two versions share the bytes hashed.
pub fn hash(yaml: Option<&str>, md: Option<&str>) -> String {
    let mut h = Sha1::new();
    for text in [yaml, md] {
        match text {
            Some(t) => {
                h.update([1u8]);
                h.update((t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
            None => h.update([0u8]),
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The paths of a year's two files under a body's folder.
pub fn year_files(body_root: &Path, year: u16) -> (PathBuf, PathBuf) {
    let dir = body_root.join("content").join(year.to_string());
    (dir.join(REPORT_YAML), dir.join(REPORT_MD))
}

/// Read the year's files as stored.
pub fn read_version(body_root: &Path, year: u16) -> Result<Version, String> {
    let (yaml, md) = year_files(body_root, year);
    Ok(Version::new(
        read_raw(body_root, &yaml, load::MAX_YAML)?,
        read_raw(body_root, &md, load::MAX_MARKDOWN)?,
    ))
}

/// A text file as stored, `None` when it does not exist; refused (with the loader's message)
/// when it is a link out of the site, too large or not UTF-8.
fn read_raw(root: &Path, path: &Path, limit: u64) -> Result<Option<String>, String> {
    let name = load::read::rel_name(root, path);
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("无法读取 {name}：{}", load::read::io_reason(&e))),
        Ok(_) => {}
    }
    load::read::inside_root(root, path).map_err(|d| d.message)?;
    let meta = fs::metadata(path)
        .map_err(|e| format!("无法读取 {name}：{}", load::read::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(format!("{name} 不是普通文件"));
    }
    if meta.len() > limit {
        return Err(format!(
            "{name} 过大（{}）",
            load::read::human_size(meta.len())
        ));
    }
    let bytes =
        fs::read(path).map_err(|e| format!("无法读取 {name}：{}", load::read::io_reason(&e)))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{name} 不是 UTF-8 编码，请先用文本编辑器另存为 UTF-8"))
}

/// A file prepared for writing: its new text is on disk under a temporary name beside it.
pub struct Prepared {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

/// Write `text` to a temporary file beside `path` (or beside the file a link at `path` points
/// to), with the permissions of the file it replaces, flushed to disk.
pub fn prepare(path: &Path, text: &str) -> io::Result<Prepared> {
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = target
        .parent()
        .ok_or_else(|| io::Error::other("no folder"))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A dot name: the loader and the preview's watcher pass over it.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".gongkai-tmp")
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    match fs::metadata(&target) {
        Ok(meta) => fs::set_permissions(temp.path(), meta.permissions())?,
        // A new file (report.md written for the first time): readable as the folder is, not
        // the temporary file's private mode.
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            let folder = fs::metadata(dir)?.permissions().mode();
            fs::set_permissions(temp.path(), fs::Permissions::from_mode(folder & 0o666))?;
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    temp.as_file().sync_all()?;
    Ok(Prepared { temp, target })
}

impl Prepared {
    /// Put the new file in place of the old one in one rename, then flush the folder.
    pub fn commit(self) -> io::Result<()> {
        let dir = self.target.parent().map(Path::to_path_buf);
        self.temp.persist(&self.target).map_err(|e| e.error)?;
        if let Some(dir) = dir
            && let Ok(d) = fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_tell_versions_apart() {
        assert_ne!(hash(Some("a"), None), hash(None, Some("a")));
        assert_ne!(hash(Some("ab"), Some("")), hash(Some("a"), Some("b")));
        assert_eq!(hash(Some("x"), Some("y")), hash(Some("x"), Some("y")));
        assert_eq!(hash(None, None).len(), 40);
    }

    #[cfg(unix)]
    #[test]
    fn a_write_replaces_the_file_keeps_its_mode_and_a_link_stays_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("report.yaml");
        std::os::unix::fs::symlink("real.yaml", &link).unwrap();
        prepare(&link, "new").unwrap().commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // Nothing is left beside it.
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // A new file gets the folder's read and write bits, not the temporary file's 0600.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let fresh = dir.path().join("report.md");
        prepare(&fresh, "new").unwrap().commit().unwrap();
        assert_eq!(
            fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::remove_file(&fresh).unwrap();
        // A prepared file that is never committed leaves the old file and nothing else.
        drop(prepare(&real, "abandoned").unwrap());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}

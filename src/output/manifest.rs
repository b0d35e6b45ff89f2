//! What the writer knows of its two folders' files, so that a rebuild recognises an unchanged
//! file by its `lstat` instead of reading it back.
//!
//! The writer keeps two versions of the site, the output and the staging folder, and writes each
//! build into the one that holds the version before last. For each folder this file records, per
//! file, a 128-bit hash (XXH3) of the bytes the build gave it and the `lstat` the file had then
//! (length, modification and change times, inode). A later build that produces the same bytes
//! for a path whose `lstat` is still the recorded one does not open the file; anything else —
//! no record, another hash, another `lstat`, a folder that is not the recorded one — is compared
//! byte for byte as before.
//!
//! The same holds for the folders: the manifest records each folder's `lstat` and the entries a
//! build found in it, and the next build into that folder trusts the record of every folder
//! whose `lstat` is unchanged instead of reading the folder again (it looks for files that are
//! no longer produced). Adding, removing or renaming an entry sets a folder's change time, and
//! the `lstat` is taken before the folder is read: a change after it, the build's own included,
//! makes the record disagree next time. Folders settle like files (below).
//!
//! Why an `lstat` is enough: every change to a file's content sets its change time (`ctime`) to
//! the current time, and no program can set it back. A record is only kept for files whose
//! change time lies [`SETTLED`] before the record is written; a later change then gives a later
//! change time even on a file system whose clock ticks coarsely (the "racily clean" case of
//! Git's index, solved the same way). Files written by the build itself are therefore compared
//! once more by the next build that reuses their folder, and recorded then.
//!
//! One file per folder, beside the output (`.<name>.gongkai-manifest-<inode of the folder>`),
//! never inside a folder that is published; binary (about 90 bytes a file, 60 a folder and its
//! entries' names), and rewritten only when its records changed — an unchanged rebuild reads one
//! and writes none. A lost, damaged or foreign manifest costs only the reading it saves. Unix only
//! (elsewhere the change time is not what it is here): other systems compare every file and read
//! every folder.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How old a file's change time must be when its record is written.
pub(crate) const SETTLED: std::time::Duration = std::time::Duration::from_secs(3);

/// The start of the file.
const MAGIC: &[u8; 20] = b"gongkai manifest 3\n\0";

/// A file's identity and dates from `lstat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    mtime: i128,
    ctime: i128,
    ino: u64,
}

impl Stamp {
    /// The stamp of `meta`, where the system has one.
    #[cfg(unix)]
    pub(crate) fn of(meta: &fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            mtime: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            ino: meta.ino(),
        })
    }

    /// No stamps on this system: every file is compared.
    #[cfg(not(unix))]
    pub(crate) fn of(_meta: &fs::Metadata) -> Option<Stamp> {
        None
    }
}

/// Now less `settle`, in nanoseconds since 1970 (0 where files have no stamps).
fn settled_before(settle: std::time::Duration) -> i128 {
    #[cfg(unix)]
    {
        std::time::SystemTime::now()
            .checked_sub(settle)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128)
    }
    #[cfg(not(unix))]
    {
        let _ = settle;
        0
    }
}

/// The hash recorded for a file's bytes.
pub(crate) fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// A folder's identity: device and inode (kept by the renames that swap the two folders).
pub(crate) type FolderId = (u64, u64);

pub(crate) fn folder_id(path: &Path) -> Option<FolderId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(path).ok()?;
        meta.is_dir().then(|| (meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// One file's record: the hash of its bytes and its stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub hash: u128,
    pub stamp: Stamp,
}

/// The records of one folder, by path relative to it (with `/`).
type Records = rustc_hash::FxHashMap<String, Record>;

/// A folder's entries as a build found them: name, and whether it is a folder.
pub(crate) type Entries = Vec<(Box<str>, bool)>;

/// What a build found in a folder: its stamp (taken before it was read) and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FolderRecord {
    pub stamp: Stamp,
    pub entries: Entries,
}

/// The records of the folders in a folder, by path relative to it (with `/`; not the folder
/// itself, which every build changes).
pub(crate) type Folders = rustc_hash::FxHashMap<String, FolderRecord>;

/// The manifest of the staging folder a build writes into.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    /// The folder where the output and its siblings are, and the output's name.
    parent: PathBuf,
    name: String,
    /// The staging folder and the output folder.
    staging: Option<FolderId>,
    output: Option<FolderId>,
    /// What the staging folder's manifest says of its files.
    known: Records,
    /// And of its folders (shared with the thread that lists the staging folder).
    folders: std::sync::Arc<Folders>,
    /// Files whose change time is before this (nanoseconds since 1970) are settled.
    settled_before: i128,
    /// The manifests found beside the output when the build began (see [`Leftovers`]).
    found: Vec<PathBuf>,
}

/// What the start of a build finds beside the output folder of a manifest's making, from one
/// listing of that folder: manifests, and manifests a killed build did not finish writing.
#[derive(Debug, Default)]
pub(crate) struct Leftovers {
    /// Complete manifests (the staging folder's, the output's, and any of folders now gone).
    pub manifests: Vec<PathBuf>,
    /// Manifests left half-written.
    pub unfinished: Vec<PathBuf>,
}

impl Leftovers {
    /// Sort the entry `file_name` of the output's folder (the output being `name`) in, when it
    /// is a manifest's.
    pub(crate) fn sort_in(&mut self, name: &str, file_name: &str, path: PathBuf) {
        let Some(rest) = file_name.strip_prefix(&format!(".{name}{INFIX}")) else {
            return;
        };
        if rest.ends_with(TEMPORARY) {
            self.unfinished.push(path);
        } else {
            self.manifests.push(path);
        }
    }
}

/// Between the output's name and the folder's inode in a manifest's name.
const INFIX: &str = ".gongkai-manifest-";
/// The end of a manifest's name while it is written.
const TEMPORARY: &str = "-tmp";

impl Manifest {
    /// The manifest of `staging`, beside the output folder `out` named `name` (`reused`: a
    /// folder of earlier builds, not one just made); files settle after `settle`.
    pub(crate) fn load(
        parent: &Path,
        name: &str,
        out: &Path,
        staging: &Path,
        reused: bool,
        settle: std::time::Duration,
        found: Vec<PathBuf>,
    ) -> Manifest {
        let staging_id = folder_id(staging);
        let (known, folders) = staging_id
            .filter(|_| reused)
            .and_then(|id| {
                let bytes = fs::read(path(parent, name, id)).ok()?;
                decode(&bytes, id)
            })
            .unwrap_or_default();
        Manifest {
            parent: parent.to_path_buf(),
            name: name.to_string(),
            staging: staging_id,
            output: folder_id(out),
            known,
            folders: std::sync::Arc::new(folders),
            settled_before: settled_before(settle),
            found,
        }
    }

    /// Whether a file with `stamp` is settled: changed long enough before this build began that
    /// any later change shows in its change time.
    pub(crate) fn settled(&self, stamp: &Stamp) -> bool {
        stamp.ctime < self.settled_before
    }

    /// The hash of what the file at `rel` holds, when its `lstat` now is the one recorded.
    pub(crate) fn known(&self, rel: &str, stamp: Stamp) -> Option<u128> {
        self.known
            .get(rel)
            .filter(|r| r.stamp == stamp)
            .map(|r| r.hash)
    }

    /// What the staging folder's manifest says of its folders.
    pub(crate) fn folders(&self) -> std::sync::Arc<Folders> {
        self.folders.clone()
    }

    /// Record `records` and `folders` (settled ones only) as the staging folder's manifest,
    /// unless they are what it says already, and remove the manifests of folders that are gone.
    /// Failures are ignored: the files only save work.
    pub(crate) fn save(
        &self,
        records: Vec<(String, Record)>,
        folders: Vec<(String, FolderRecord)>,
    ) {
        let Some(staging) = self.staging else {
            return;
        };
        let fits = |name: &str| u16::try_from(name.len()).is_ok();
        let mut records: Vec<(String, Record)> = records
            .into_iter()
            .filter(|(rel, r)| self.settled(&r.stamp) && fits(rel))
            .collect();
        let mut folders: Vec<(String, FolderRecord)> = folders
            .into_iter()
            .filter(|(rel, f)| {
                self.settled(&f.stamp)
                    && fits(rel)
                    && u32::try_from(f.entries.len()).is_ok()
                    && f.entries.iter().all(|(name, _)| fits(name))
            })
            .collect();
        let same = records.len() == self.known.len()
            && records
                .iter()
                .all(|(rel, r)| self.known.get(rel) == Some(r))
            && folders.len() == self.folders.len()
            && folders
                .iter()
                .all(|(rel, f)| self.folders.get(rel) == Some(f));
        if same {
            return;
        }
        records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        folders.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let target = path(&self.parent, &self.name, staging);
        let tmp = temporary(&target);
        let written = fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&encode(&records, &folders, staging)))
            .and_then(|()| fs::rename(&tmp, &target));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        // Manifests of folders that are neither of the two now.
        let keep = |id: Option<FolderId>| id.map(|id| path(&self.parent, &self.name, id));
        let (a, b) = (keep(Some(staging)), keep(self.output));
        for p in &self.found {
            if Some(p) != a.as_ref() && Some(p) != b.as_ref() {
                let _ = fs::remove_file(p);
            }
        }
    }
}

/// The manifest of the folder `id` beside the output folder `name` in `parent`.
pub(crate) fn path(parent: &Path, name: &str, id: FolderId) -> PathBuf {
    parent.join(format!(".{name}{INFIX}{}", id.1))
}

/// The name a manifest is written under before it is renamed into place.
fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(TEMPORARY);
    path.with_file_name(name)
}

/// The bytes of a folder's manifest: the magic, the folder, the count of files, then per file
/// its hash, stamp (length, modification and change times in nanoseconds, inode) and path; then
/// the count of folders, and per folder its stamp, path, the count of its entries and per entry
/// whether it is a folder (one byte) and its name. Integers little-endian, each path and name
/// after its length in two bytes.
fn encode(
    records: &[(String, Record)],
    folders: &[(String, FolderRecord)],
    id: FolderId,
) -> Vec<u8> {
    fn stamp(out: &mut Vec<u8>, s: &Stamp) {
        out.extend_from_slice(&s.len.to_le_bytes());
        out.extend_from_slice(&s.mtime.to_le_bytes());
        out.extend_from_slice(&s.ctime.to_le_bytes());
        out.extend_from_slice(&s.ino.to_le_bytes());
    }
    fn text(out: &mut Vec<u8>, t: &str) {
        out.extend_from_slice(&(t.len() as u16).to_le_bytes());
        out.extend_from_slice(t.as_bytes());
    }
    let size = 48
        + records.iter().map(|(p, _)| 74 + p.len()).sum::<usize>()
        + folders
            .iter()
            .map(|(p, f)| 60 + p.len() + f.entries.iter().map(|(n, _)| 3 + n.len()).sum::<usize>())
            .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&id.0.to_le_bytes());
    out.extend_from_slice(&id.1.to_le_bytes());
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for (rel, r) in records {
        out.extend_from_slice(&r.hash.to_le_bytes());
        stamp(&mut out, &r.stamp);
        text(&mut out, rel);
    }
    out.extend_from_slice(&(folders.len() as u64).to_le_bytes());
    for (rel, f) in folders {
        stamp(&mut out, &f.stamp);
        text(&mut out, rel);
        out.extend_from_slice(&(f.entries.len() as u32).to_le_bytes());
        for (name, is_dir) in &f.entries {
            out.push(u8::from(*is_dir));
            text(&mut out, name);
        }
    }
    out
}

/// The records of a folder's manifest; `None` when it is not one this version wrote for `id`.
fn decode(bytes: &[u8], id: FolderId) -> Option<(Records, Folders)> {
    struct Reader<'a>(&'a [u8]);
    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let (head, rest) = self.0.split_at_checked(n)?;
            self.0 = rest;
            Some(head)
        }
        fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
            self.take(N)?.try_into().ok()
        }
        fn stamp(&mut self) -> Option<Stamp> {
            Some(Stamp {
                len: u64::from_le_bytes(self.array()?),
                mtime: i128::from_le_bytes(self.array()?),
                ctime: i128::from_le_bytes(self.array()?),
                ino: u64::from_le_bytes(self.array()?),
            })
        }
        fn text(&mut self) -> Option<&'a str> {
            let len = u16::from_le_bytes(self.array()?);
            std::str::from_utf8(self.take(usize::from(len))?).ok()
        }
        /// A count of items each at least `least` bytes long: one the rest cannot hold is
        /// damage.
        fn count(&mut self, least: usize) -> Option<usize> {
            let count = usize::try_from(u64::from_le_bytes(self.array()?)).ok()?;
            (count <= self.0.len() / least).then_some(count)
        }
    }
    let mut r = Reader(bytes);
    if r.take(MAGIC.len())? != MAGIC
        || u64::from_le_bytes(r.array()?) != id.0
        || u64::from_le_bytes(r.array()?) != id.1
    {
        return None;
    }
    let count = r.count(74)?;
    let mut records = Records::with_capacity_and_hasher(count, Default::default());
    for _ in 0..count {
        let hash = u128::from_le_bytes(r.array()?);
        let stamp = r.stamp()?;
        let rel = r.text()?;
        records.insert(rel.to_string(), Record { hash, stamp });
    }
    let count = r.count(54)?;
    let mut folders = Folders::with_capacity_and_hasher(count, Default::default());
    for _ in 0..count {
        let stamp = r.stamp()?;
        let rel = r.text()?;
        let n = u32::from_le_bytes(r.array()?) as usize;
        if n > r.0.len() / 3 {
            return None;
        }
        let mut entries = Entries::with_capacity(n);
        for _ in 0..n {
            let is_dir = match r.array::<1>()? {
                [0] => false,
                [1] => true,
                _ => return None,
            };
            entries.push((r.text()?.into(), is_dir));
        }
        folders.insert(rel.to_string(), FolderRecord { stamp, entries });
    }
    r.0.is_empty().then_some((records, folders))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reads_what_encode_writes_and_refuses_anything_else() {
        let stamp = Stamp {
            len: 3,
            mtime: -4,
            ctime: 5_000_000_000_123,
            ino: 6,
        };
        let records = vec![
            (
                "a b/c.html".to_string(),
                Record {
                    hash: u128::MAX - 7,
                    stamp,
                },
            ),
            ("搜索/1.js".to_string(), Record { hash: 0, stamp }),
        ];
        let folders = vec![
            (
                "a b".to_string(),
                FolderRecord {
                    stamp,
                    entries: vec![("c.html".into(), false), ("子".into(), true)],
                },
            ),
            (
                "空".to_string(),
                FolderRecord {
                    stamp,
                    entries: Vec::new(),
                },
            ),
        ];
        let bytes = encode(&records, &folders, (1, 2));
        let (back, back_folders) = decode(&bytes, (1, 2)).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back["a b/c.html"], records[0].1);
        assert_eq!(back["搜索/1.js"], records[1].1);
        assert_eq!(back_folders.len(), 2);
        assert_eq!(back_folders["a b"], folders[0].1);
        assert_eq!(back_folders["空"], folders[1].1);
        // An entry that is neither a file nor a folder.
        let mut odd = bytes.clone();
        // The last folder (stamp, path, no entries), then the last entry before it.
        let at = bytes.len() - (48 + 2 + "空".len() + 4) - (1 + 2 + "子".len());
        assert_eq!(odd[at], 1);
        odd[at] = 2;
        assert!(decode(&odd, (1, 2)).is_none());
        // Another folder's, cut short, with bytes after the end, another version, a lying count.
        assert!(decode(&bytes, (1, 3)).is_none());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], (1, 2)).is_none(), "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, (1, 2)).is_none());
        let mut other = bytes.clone();
        other[17] = b'1';
        assert!(decode(&other, (1, 2)).is_none());
        let mut lying = bytes.clone();
        lying[MAGIC.len() + 16..MAGIC.len() + 24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode(&lying, (1, 2)).is_none());
    }
}

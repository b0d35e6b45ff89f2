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
//! Why an `lstat` is enough: every change to a file's content sets its change time (`ctime`) to
//! the current time, and no program can set it back. A record is only kept for files whose
//! change time lies [`SETTLED`] before the record is written; a later change then gives a later
//! change time even on a file system whose clock ticks coarsely (the "racily clean" case of
//! Git's index, solved the same way). Files written by the build itself are therefore compared
//! once more by the next build that reuses their folder, and recorded then.
//!
//! The file lives beside the output (`.<name>.gongkai-manifest`), never inside a folder that is
//! published. A lost, damaged or foreign manifest costs only the reading it saves. Unix only
//! (elsewhere the change time is not what it is here): other systems compare every file.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How old a file's change time must be when its record is written.
pub(crate) const SETTLED: std::time::Duration = std::time::Duration::from_secs(3);

/// The first line of the file.
const HEADER: &str = "gongkai manifest 1";

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
type FolderId = (u64, u64);

fn folder_id(path: &Path) -> Option<FolderId> {
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
type Records = HashMap<String, Record>;

/// The manifest of an output folder and its staging folder, as a build uses it.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    /// Where it is kept.
    path: PathBuf,
    /// The staging folder the build writes into, and what the file says of it.
    staging: Option<FolderId>,
    known: Records,
    /// The output folder (the next build's staging folder) and what the file says of it, kept
    /// as it is.
    output: Option<(FolderId, Records)>,
    /// Files whose change time is before this (nanoseconds since 1970) are settled.
    settled_before: i128,
}

impl Manifest {
    /// The manifest beside the output folder `out` (named `name`), for a build into `staging`
    /// (`reused`: a folder of earlier builds, not one just made).
    pub(crate) fn load(
        parent: &Path,
        name: &str,
        out: &Path,
        staging: &Path,
        reused: bool,
        settle: std::time::Duration,
    ) -> Manifest {
        let path = path(parent, name);
        let staging_id = folder_id(staging);
        let out_id = folder_id(out);
        let mut sections = fs::read_to_string(&path)
            .ok()
            .and_then(|text| parse(&text))
            .unwrap_or_default();
        let mut take = |id: Option<FolderId>| {
            id.and_then(|id| sections.iter().position(|(f, _)| *f == id))
                .map(|i| sections.swap_remove(i).1)
        };
        let known = take(staging_id.filter(|_| reused)).unwrap_or_default();
        let output = out_id.zip(take(out_id));
        Manifest {
            path,
            staging: staging_id,
            known,
            output,
            settled_before: settled_before(settle),
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

    /// Write the manifest: `records` for the staging folder (settled files only), and the output
    /// folder's as they were. Failures are ignored: the file only saves work.
    pub(crate) fn save(&self, records: Vec<(String, Record)>) {
        let _ = self.try_save(records);
    }

    fn try_save(&self, records: Vec<(String, Record)>) -> std::io::Result<()> {
        let Some(staging) = self.staging else {
            return Ok(());
        };
        let settled = |r: &Record| self.settled(&r.stamp);
        let mut text = String::with_capacity(64 + records.len() * 96);
        text.push_str(HEADER);
        text.push('\n');
        let mut section = |id: FolderId, entries: &mut dyn Iterator<Item = (&String, &Record)>| {
            text.push_str(&format!("folder {} {}\n", id.0, id.1));
            for (rel, r) in entries {
                // A name with a line break is not recorded (it is compared instead).
                if rel.contains(['\n', '\r']) {
                    continue;
                }
                let s = r.stamp;
                text.push_str(&format!(
                    "{:032x} {} {} {} {} {rel}\n",
                    r.hash, s.len, s.mtime, s.ctime, s.ino
                ));
            }
        };
        let mut sorted: Vec<&(String, Record)> =
            records.iter().filter(|(_, r)| settled(r)).collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        section(staging, &mut sorted.iter().map(|(p, r)| (p, r)));
        if let Some((id, output)) = &self.output
            && *id != staging
        {
            let mut kept: Vec<(&String, &Record)> = output.iter().collect();
            kept.sort_by(|a, b| a.0.cmp(b.0));
            section(*id, &mut kept.into_iter());
        }
        // The build holds the output's lock: no other writes this name.
        let tmp = temporary(&self.path);
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            drop(file);
            fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// The name the manifest is written under before it is renamed into place.
pub(crate) fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push("-tmp");
    path.with_file_name(name)
}

/// The manifest's path for the output folder `name` in `parent`.
pub(crate) fn path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.gongkai-manifest"))
}

/// The sections of a manifest's text; `None` when it is not one this version wrote.
fn parse(text: &str) -> Option<Vec<(FolderId, Records)>> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut sections: Vec<(FolderId, Records)> = Vec::new();
    for line in lines {
        if let Some(rest) = line.strip_prefix("folder ") {
            let (dev, ino) = rest.split_once(' ')?;
            sections.push(((dev.parse().ok()?, ino.parse().ok()?), Records::new()));
            continue;
        }
        let mut fields = line.splitn(6, ' ');
        let mut next = || fields.next();
        let hash = u128::from_str_radix(next()?, 16).ok()?;
        let stamp = Stamp {
            len: next()?.parse().ok()?,
            mtime: next()?.parse().ok()?,
            ctime: next()?.parse().ok()?,
            ino: next()?.parse().ok()?,
        };
        let rel = next()?;
        sections
            .last_mut()?
            .1
            .insert(rel.to_string(), Record { hash, stamp });
    }
    Some(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_what_save_writes_and_refuses_anything_else() {
        let text = format!(
            "{HEADER}\nfolder 1 2\n{:032x} 3 4 5 6 a b/c.html\nfolder 7 8\n",
            0xabcu128
        );
        let sections = parse(&text).unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].0, (1, 2));
        let r = sections[0].1["a b/c.html"];
        assert_eq!(r.hash, 0xabc);
        assert_eq!(
            r.stamp,
            Stamp {
                len: 3,
                mtime: 4,
                ctime: 5,
                ino: 6
            }
        );
        assert!(sections[1].1.is_empty());
        for bad in [
            "",
            "gongkai manifest 2\n",
            &format!("{HEADER}\n{:032x} 3 4 5 6 a\n", 1),
            &format!("{HEADER}\nfolder 1 2\nzz 3 4 5 6 a\n"),
            &format!("{HEADER}\nfolder 1 2\n{:032x} 3 4 5\n", 1),
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }
}

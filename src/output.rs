//! Writing the site: one function, atomic.
//!
//! Files are streamed into a sibling folder (`.<name>.gongkai-tmp-<pid>`), which then takes the
//! place of the output folder in one step (`renameat2(RENAME_EXCHANGE)` on Linux; elsewhere two
//! renames). The previous site is complete until the moment of the swap, so a failed or killed
//! build leaves it untouched; leftovers of killed builds are removed by the next one. Nothing
//! outside the output folder and its temporary siblings is ever deleted, and folders that must
//! not be replaced — the site root, a folder holding `content/`, `/`, an ancestor of the site, a
//! non-empty folder gongkai did not write — are refused.

use std::collections::HashMap;

use rustc_hash::FxHashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::render::OutputFile;

mod manifest;
use manifest::{Entries, FolderRecord, Folders, Manifest, Record, Stamp};

/// Marker file in every output folder gongkai writes.
pub const MARKER: &str = ".gongkai-output";

/// Why the output could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The folder must not be replaced.
    Refused(PathBuf, String),
    /// An I/O error.
    Io(PathBuf, io::Error),
    /// A rendered path that would escape the output folder.
    BadPath(String),
    /// Two files for one path.
    Duplicate(String),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Refused(p, why) => write!(f, "不能把网站生成到 {}：{why}", p.display()),
            OutputError::Io(p, e) => write!(f, "写入 {} 失败：{e}", p.display()),
            OutputError::BadPath(p) => write!(f, "生成的文件路径无效：{p}"),
            OutputError::Duplicate(p) => write!(f, "两个文件都要生成到 {p}"),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    /// Files.
    pub files: usize,
    /// Bytes.
    pub bytes: u64,
}

/// Lexically normalised absolute path (no symlink resolution for the leaf, which may not exist).
fn absolute(p: &Path) -> io::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    // Resolve symlinks in the existing parent, so that comparisons with the site root hold.
    if let (Some(parent), Some(name)) = (out.parent(), out.file_name())
        && let Ok(real) = fs::canonicalize(parent)
    {
        return Ok(real.join(name));
    }
    Ok(out)
}

/// Check that `out` may be replaced by a build of the site at `site_root`.
pub fn check_target(out: &Path, site_root: &Path) -> Result<PathBuf, OutputError> {
    let out_abs = absolute(out).map_err(|e| OutputError::Io(out.to_path_buf(), e))?;
    let root_abs =
        fs::canonicalize(site_root).map_err(|e| OutputError::Io(site_root.to_path_buf(), e))?;
    let refuse = |why: &str| Err(OutputError::Refused(out_abs.clone(), why.to_string()));
    if out_abs.parent().is_none() {
        return refuse("这是根目录 /");
    }
    if out_abs == root_abs {
        return refuse("这是站点目录本身");
    }
    if root_abs.starts_with(&out_abs) {
        return refuse("它包含站点目录，替换它会删除站点");
    }
    if out_abs.join("content").exists() || out_abs.join("site.toml").exists() {
        return refuse("里面有 content 文件夹或 site.toml，像是一个站点目录");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && out_abs == home
    {
        return refuse("这是用户主目录");
    }
    if let Ok(meta) = fs::symlink_metadata(&out_abs) {
        if meta.file_type().is_symlink() {
            return refuse("它是一个符号链接；请指定实际的文件夹");
        }
        if !meta.is_dir() {
            return refuse("同名的文件已存在，不是文件夹");
        }
        let empty = fs::read_dir(&out_abs)
            .map_err(|e| OutputError::Io(out_abs.clone(), e))?
            .next()
            .is_none();
        if !empty && !out_abs.join(MARKER).exists() {
            return refuse(
                "文件夹不是空的，也不是 gongkai 生成的（没有 .gongkai-output 标记）；请换一个文件夹，或确认后手动清空它",
            );
        }
    }
    Ok(out_abs)
}

/// A sink that streams files into the staging folder beside the output; [`DiskSink::commit`]
/// swaps it in.
///
/// The staging folder (`.<name>.gongkai-prev`) holds the version before the current one: after a
/// swap the previous site lands there and is reused by the next build. A file whose bytes are
/// unchanged is not rewritten, files that are no longer produced are removed before the swap,
/// and a build only ever touches the staging folder until the single exchange — so the current
/// site is complete at every moment, a killed build leaves it untouched, unchanged files keep
/// their dates (uploads that sync by date send only what changed), and mass delete-and-create of
/// thousands of files is avoided. A lock file keeps two builds from sharing the staging folder.
pub struct DiskSink {
    out: PathBuf,
    tmp: PathBuf,
    _lock: fs::File,
    seen: std::sync::Mutex<FxHashSet<String>>,
    dirs: std::sync::Mutex<FxHashSet<PathBuf>>,
    /// Folders of the staging folder looked at this build and found (or made) to be folders:
    /// each is looked at once, not once per folder below it.
    verified: std::sync::Mutex<FxHashSet<PathBuf>>,
    files: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicU64,
    /// What the staging folder held when the build began, listed by a thread of its own while
    /// pages render (the list is only needed at commit, to remove what is no longer produced).
    before: std::sync::Mutex<Option<std::thread::JoinHandle<io::Result<Listing>>>>,
    /// Folders read while listing (the others were known by their stamp); set at commit.
    read: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// What the last builds recorded of the two folders' files (see `manifest.rs`).
    manifest: Manifest,
    /// This build's records of the staging folder's files, for the next build into it.
    records: std::sync::Mutex<Vec<(String, Record)>>,
    /// Files read back and compared (not known by their stamp).
    compared: std::sync::atomic::AtomicUsize,
}

/// One entry of the staging folder: its path relative to the folder (with `/`) and whether it is
/// a folder.
type Listed = (String, bool);

/// Whether an error means the entry is no longer there as listed: removed, or a folder on its
/// path replaced by a file (the build changes the site's shape while the list is taken).
fn gone(kind: io::ErrorKind) -> bool {
    matches!(kind, io::ErrorKind::NotFound | io::ErrorKind::NotADirectory)
}

/// What [`list_tree`] found.
#[derive(Debug, Default)]
struct Listing {
    /// Every file and folder.
    entries: Vec<Listed>,
    /// Each folder below the top with its stamp and entries, for the manifest.
    folders: Vec<(String, FolderRecord)>,
    /// Folders read (not known by their stamp).
    read: usize,
}

/// Every file and folder under `dir`, relative, without following links. A folder whose
/// `lstat` is the one `known` records has the entries recorded (see `manifest.rs`); any other
/// is read. The `lstat` comes first: a change after it makes the record disagree next time.
/// Entries that vanish while the list is taken (a build replacing a folder by a file) are
/// skipped.
fn list_tree(dir: &Path, known: &Folders) -> io::Result<Listing> {
    let mut listing = Listing::default();
    let mut todo = vec![String::new()];
    while let Some(rel) = todo.pop() {
        let path = if rel.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(&rel)
        };
        let stamp = match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => Stamp::of(&m),
            Ok(_) => continue,
            Err(e) if gone(e.kind()) => continue,
            Err(e) => return Err(e),
        };
        let recorded = known
            .get(&rel)
            .filter(|k| stamp.as_ref() == Some(&k.stamp) && !rel.is_empty());
        let entries = match recorded {
            Some(k) => k.entries.clone(),
            None => {
                listing.read += 1;
                match read_folder(&path) {
                    Ok(entries) => entries,
                    Err(e) if gone(e.kind()) => continue,
                    Err(e) => return Err(e),
                }
            }
        };
        for (name, is_dir) in &entries {
            let child = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            if *is_dir {
                todo.push(child.clone());
            }
            listing.entries.push((child, *is_dir));
        }
        if let Some(stamp) = stamp.filter(|_| !rel.is_empty()) {
            listing.folders.push((rel, FolderRecord { stamp, entries }));
        }
    }
    Ok(listing)
}

/// The entries of one folder (a link is no folder).
fn read_folder(path: &Path) -> io::Result<Entries> {
    let mut entries = Entries::new();
    for entry in fs::read_dir(path)? {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if gone(e.kind()) => continue,
            Err(e) => return Err(e),
        };
        let is_dir = match entry.file_type() {
            Ok(t) => t.is_dir(),
            Err(e) if gone(e.kind()) => continue,
            Err(e) => return Err(e),
        };
        entries.push((entry.file_name().to_string_lossy().into(), is_dir));
    }
    Ok(entries)
}

thread_local! {
    /// [`same_content`]'s read buffer, one per thread: zeroed once, not for every file (a
    /// buffer on the stack is zeroed at each call, 32 KB for a page of 15 KB on average).
    static READ_BUFFER: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0u8; 32 * 1024].into_boxed_slice());
}

/// Whether the file at `path`, already known to be `bytes.len()` long, holds exactly `bytes`:
/// read in pieces and compared as they come (no buffer the size of the file to allocate and
/// zero; a difference stops the reading).
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    READ_BUFFER.with_borrow_mut(|buf| same_as_read(file, bytes, buf))
}

/// [`same_content`] on an open file, reading into `buf` (whatever it held before is never
/// looked at: only the bytes each read returns are compared).
fn same_as_read(mut file: fs::File, bytes: &[u8], buf: &mut [u8]) -> bool {
    use std::io::Read;
    let mut rest = bytes;
    while !rest.is_empty() {
        let want = rest.len().min(buf.len());
        match file.read(&mut buf[..want]) {
            Ok(n) if n > 0 && buf[..n] == rest[..n] => rest = &rest[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Shorter than its `lstat` said, or different.
            _ => return false,
        }
    }
    // A file that grew since its `lstat` differs: nothing may follow.
    loop {
        match file.read(&mut buf[..1]) {
            Ok(n) => return n == 0,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Create one folder; another thread may have just made it (rendering is parallel).
fn create_folder(path: &Path) -> io::Result<()> {
    match fs::create_dir(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => Ok(()),
            _ => Err(e),
        },
        other => other,
    }
}

/// Name of the staging folder of an output folder `name`.
pub fn staging_name(name: &str) -> String {
    format!(".{name}.gongkai-prev")
}

impl DiskSink {
    /// Start writing a new version of `out` (already checked by [`check_target`]).
    pub fn begin(out: &Path) -> Result<DiskSink, OutputError> {
        DiskSink::begin_settling(out, manifest::SETTLED)
    }

    /// [`DiskSink::begin`], with files counting as settled (see `manifest.rs`) once unchanged
    /// for `settle`.
    fn begin_settling(out: &Path, settle: std::time::Duration) -> Result<DiskSink, OutputError> {
        let parent = out
            .parent()
            .ok_or_else(|| OutputError::Refused(out.to_path_buf(), "没有上级目录".into()))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| OutputError::Refused(out.to_path_buf(), "没有文件夹名".into()))?;
        fs::create_dir_all(parent).map_err(|e| OutputError::Io(parent.to_path_buf(), e))?;
        let lock = lock(parent, &name)?;
        let manifests = clean_leftovers(parent, &name);
        let tmp = parent.join(staging_name(&name));
        match fs::symlink_metadata(&tmp) {
            // Reuse a staging folder gongkai made; anything else in its place is replaced.
            Ok(m) if m.is_dir() && tmp.join(MARKER).is_file() => {}
            Ok(m) if m.is_dir() => {
                fs::remove_dir_all(&tmp).map_err(|e| OutputError::Io(tmp.clone(), e))?
            }
            Ok(_) => fs::remove_file(&tmp).map_err(|e| OutputError::Io(tmp.clone(), e))?,
            Err(_) => {}
        }
        let reused = tmp.exists();
        if !reused {
            fs::create_dir(&tmp).map_err(|e| OutputError::Io(tmp.clone(), e))?;
        }
        let manifest = Manifest::load(parent, &name, out, &tmp, reused, settle, manifests);
        // The marker goes only when the folder is complete again (commit).
        let _ = fs::remove_file(tmp.join(MARKER));
        let before = {
            let tmp = tmp.clone();
            let known = manifest.folders();
            std::thread::spawn(move || list_tree(&tmp, &known))
        };
        Ok(DiskSink {
            out: out.to_path_buf(),
            tmp,
            _lock: lock,
            seen: Default::default(),
            dirs: Default::default(),
            verified: Default::default(),
            files: Default::default(),
            bytes: Default::default(),
            before: std::sync::Mutex::new(Some(before)),
            read: Default::default(),
            manifest,
            records: Default::default(),
            compared: Default::default(),
        })
    }

    /// Write one file into the new version.
    pub fn write(&self, f: &OutputFile) -> Result<(), OutputError> {
        use std::sync::atomic::Ordering;
        let rel = safe_relative(&f.path)?;
        if f.path == MARKER {
            return Err(OutputError::BadPath(f.path.clone()));
        }
        {
            let mut seen = self
                .seen
                .lock()
                .map_err(|_| OutputError::BadPath(f.path.clone()))?;
            if !seen.insert(f.path.clone()) {
                return Err(OutputError::Duplicate(f.path.clone()));
            }
        }
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent()
            && dir != self.tmp
        {
            let known = self.dirs.lock().map(|d| d.contains(dir)).unwrap_or(false);
            if !known {
                self.make_folder(dir)?;
                if let Ok(mut d) = self.dirs.lock() {
                    d.insert(dir.to_path_buf());
                }
            }
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes
            .fetch_add(f.bytes.len() as u64, Ordering::Relaxed);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() && m.len() == f.bytes.len() as u64 => {
                // A file unchanged since a build recorded it is known by its stamp; any other is
                // read and compared. Only files that will be settled when the manifest is written
                // are hashed and recorded (what this build writes is compared next time).
                match Stamp::of(&m).filter(|s| self.manifest.settled(s)) {
                    Some(stamp) => {
                        let hash = manifest::hash(&f.bytes);
                        let same = match self.manifest.known(&f.path, stamp) {
                            // The file holds what was recorded: its hash says all.
                            Some(old) => old == hash,
                            None => self.same_content(&path, &f.bytes),
                        };
                        if same {
                            if let Ok(mut r) = self.records.lock() {
                                r.push((f.path.clone(), Record { hash, stamp }));
                            }
                            return Ok(());
                        }
                    }
                    None if self.same_content(&path, &f.bytes) => return Ok(()),
                    None => {}
                }
            }
            Ok(m) if m.is_dir() => {
                fs::remove_dir_all(&path).map_err(|e| OutputError::Io(path.clone(), e))?
            }
            _ => {}
        }
        let mut file = fs::File::create(&path).map_err(|e| OutputError::Io(path.clone(), e))?;
        file.write_all(&f.bytes)
            .map_err(|e| OutputError::Io(path.clone(), e))?;
        Ok(())
    }

    /// [`same_content`], counted.
    fn same_content(&self, path: &Path, bytes: &[u8]) -> bool {
        self.compared
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        same_content(path, bytes)
    }

    /// Make `dir` (inside the staging folder) a folder: each folder on the way that this build
    /// has not looked at yet is kept when it is one, made when missing, and replaced when it is
    /// a file or a link (the site's shape changed) — top down, one `lstat` each per build.
    fn make_folder(&self, dir: &Path) -> Result<(), OutputError> {
        let verified = |p: &Path| {
            p == self.tmp || self.verified.lock().map(|v| v.contains(p)).unwrap_or(false)
        };
        let mut chain = Vec::new();
        let mut at = dir.to_path_buf();
        while !verified(&at) {
            chain.push(at.clone());
            if !at.pop() || !at.starts_with(&self.tmp) {
                break;
            }
        }
        for folder in chain.into_iter().rev() {
            let io = |e| OutputError::Io(folder.clone(), e);
            match fs::symlink_metadata(&folder) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    match fs::remove_file(&folder) {
                        // Another thread replaced it first.
                        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io(e)),
                        _ => {}
                    }
                    create_folder(&folder).map_err(io)?;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    create_folder(&folder).map_err(io)?
                }
                Err(e) => return Err(io(e)),
            }
            if let Ok(mut v) = self.verified.lock() {
                v.insert(folder);
            }
        }
        Ok(())
    }

    /// Remove what the new version no longer has, then swap it in.
    pub fn commit(self) -> Result<Written, OutputError> {
        use std::sync::atomic::Ordering;
        let folders = self.remove_stale()?;
        fs::write(self.tmp.join(MARKER), "gongkai\n")
            .map_err(|e| OutputError::Io(self.tmp.join(MARKER), e))?;
        let records = self
            .records
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        self.manifest.save(records, folders);
        swap_in(&self.tmp, &self.out)?;
        Ok(Written {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
        })
    }

    /// Remove what the staging folder held and this build did not write; the folders as
    /// listed, for the manifest.
    fn remove_stale(&self) -> Result<Vec<(String, FolderRecord)>, OutputError> {
        let poisoned = || OutputError::BadPath(String::new());
        let listing = self.before.lock().map_err(|_| poisoned())?.take();
        let listing = match listing.map(|h| h.join()) {
            Some(Ok(listed)) => listed.map_err(|e| OutputError::Io(self.tmp.clone(), e))?,
            // The listing thread panicked (it does not): list again here.
            Some(Err(_)) | None => list_tree(&self.tmp, &Folders::default())
                .map_err(|e| OutputError::Io(self.tmp.clone(), e))?,
        };
        self.read
            .store(listing.read, std::sync::atomic::Ordering::Relaxed);
        let before = listing.entries;
        let seen = self.seen.lock().map_err(|_| poisoned())?;
        let written_into = self.dirs.lock().map_err(|_| poisoned())?;
        // Written names by their lower-case spelling, made when first needed: on a disk that
        // ignores case (macOS, Windows) a name the build wrote in a new case is still listed in
        // the old one, and that entry is the written file, not a stale one.
        let mut folded: Option<HashMap<String, String>> = None;
        let fold = |folded: &mut Option<HashMap<String, String>>, rel: &str| {
            folded
                .get_or_insert_with(|| {
                    let mut map = HashMap::new();
                    for rel in seen.iter() {
                        map.insert(rel.to_lowercase(), rel.clone());
                    }
                    for dir in written_into.iter() {
                        if let Ok(rel) = dir.strip_prefix(&self.tmp) {
                            let rel = rel.to_string_lossy().replace('\\', "/");
                            map.insert(rel.to_lowercase(), rel);
                        }
                    }
                    map
                })
                .get(&rel.to_lowercase())
                .cloned()
        };
        let mut dirs = Vec::new();
        for (rel, is_dir) in before {
            // A file the new version wrote is settled by name (most of the listing).
            if !is_dir && seen.contains(&rel) {
                continue;
            }
            let path = self.tmp.join(&rel);
            if is_dir {
                // A folder the new version wrote a file into stays; only the others may have
                // been left empty.
                if !written_into.contains(&path) {
                    dirs.push((rel, path));
                }
                continue;
            }
            // What the build did to this name since it was listed decides: gone, or now a
            // folder, it is left alone.
            match fs::symlink_metadata(&path) {
                Ok(m) if !m.is_dir() => {}
                _ => continue,
            }
            if let Some(written) = fold(&mut folded, &rel)
                && respell(&path, &self.tmp.join(written))
                    .map_err(|e| OutputError::Io(path.clone(), e))?
            {
                continue;
            }
            match fs::remove_file(&path) {
                Err(e) if !gone(e.kind()) => return Err(OutputError::Io(path, e)),
                _ => {}
            }
        }
        // Deepest first: folders left empty go too; a folder the build wrote into under
        // another case takes the new spelling.
        dirs.sort_by_key(|(_, d)| std::cmp::Reverse(d.components().count()));
        // Folders above a folder written into, by that spelling (made when first needed).
        let mut above: Option<FxHashSet<&Path>> = None;
        for (rel, d) in dirs {
            if fs::remove_dir(&d).is_ok() {
                continue;
            }
            // Not empty because the build wrote below it under this very name: nothing to
            // respell (and no need for the map of every written name).
            let holds_written = above
                .get_or_insert_with(|| {
                    written_into
                        .iter()
                        .flat_map(|w| w.ancestors().skip(1).take_while(|a| *a != self.tmp))
                        .collect()
                })
                .contains(d.as_path());
            if holds_written {
                continue;
            }
            if let Some(written) = fold(&mut folded, &rel) {
                respell(&d, &self.tmp.join(written)).map_err(|e| OutputError::Io(d.clone(), e))?;
            }
        }
        Ok(listing.folders)
    }
}

/// When `listed` and `written` are two spellings of one entry (a disk that ignores case), give
/// it the written spelling and say so; otherwise leave both alone and return false.
///
/// Two renames through a temporary name: a case-only rename is refused or ignored by some
/// systems, and where the two names are separate links to one file (as on Linux with a hard
/// link) the second rename leaves the temporary name behind, which is then removed.
fn respell(listed: &Path, written: &Path) -> io::Result<bool> {
    if listed == written || !same_file::is_same_file(listed, written).unwrap_or(false) {
        return Ok(false);
    }
    let Some(name) = listed.file_name() else {
        return Ok(false);
    };
    let mut temporary = name.to_os_string();
    temporary.push(".gongkai-respell");
    let temporary = listed.with_file_name(temporary);
    fs::rename(listed, &temporary)?;
    fs::rename(&temporary, written)?;
    match fs::symlink_metadata(&temporary) {
        Ok(m) if m.is_dir() => fs::remove_dir(&temporary)?,
        Ok(_) => fs::remove_file(&temporary)?,
        Err(_) => {}
    }
    Ok(true)
}

impl crate::render::Sink for DiskSink {
    fn put(&self, file: OutputFile) -> Result<(), crate::diagnostic::Diagnostic> {
        self.write(&file).map_err(|e| match e {
            OutputError::Duplicate(p) => crate::render::duplicate(&p),
            other => crate::diagnostic::Diagnostic::error("F1", other.to_string()),
        })
    }
}

/// Hold the output's lock file for the whole build; released when the process ends, however it
/// ends.
fn lock(parent: &Path, name: &str) -> Result<fs::File, OutputError> {
    let path = parent.join(format!(".{name}.gongkai-lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| OutputError::Io(path.clone(), e))?;
    // An exclusive lock without waiting (flock on Unix, LockFileEx on Windows).
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(OutputError::Refused(
            parent.join(name),
            "另一个 gongkai build 正在写入这个文件夹，请等它完成".into(),
        )),
        Err(fs::TryLockError::Error(e)) => Err(OutputError::Io(path, e)),
    }
}

/// Write `files` as the new content of `out` (already checked by [`check_target`]).
#[cfg(test)]
pub(crate) fn write_site<I>(out: &Path, files: I) -> Result<Written, OutputError>
where
    I: IntoIterator<Item = OutputFile>,
{
    let sink = DiskSink::begin(out)?;
    for f in files {
        sink.write(&f)?;
    }
    sink.commit()
}

/// A rendered path as a relative path that stays inside the output.
fn safe_relative(p: &str) -> Result<PathBuf, OutputError> {
    let path = Path::new(p);
    if p.is_empty()
        || path.is_absolute()
        || path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(OutputError::BadPath(p.to_string()));
    }
    Ok(path.to_path_buf())
}

/// Put `tmp` in the place of `out`; afterwards the old site (if any) is deleted.
fn swap_in(tmp: &Path, out: &Path) -> Result<(), OutputError> {
    if !out.exists() {
        return fs::rename(tmp, out).map_err(|e| OutputError::Io(out.to_path_buf(), e));
    }
    if exchange(tmp, out).is_ok() {
        // `tmp` now holds the previous site: the next build's staging folder.
        return Ok(());
    }
    // No atomic exchange on this system: move the old site aside, then the new one in.
    let old = tmp.with_extension("old");
    let _ = fs::remove_dir_all(&old);
    fs::rename(out, &old).map_err(|e| OutputError::Io(out.to_path_buf(), e))?;
    if let Err(e) = fs::rename(tmp, out) {
        let _ = fs::rename(&old, out);
        return Err(OutputError::Io(out.to_path_buf(), e));
    }
    let _ = fs::rename(&old, tmp);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call; renameat2 only
    // reads them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

/// Remove temporary folders left by killed builds of earlier versions (`.<name>.gongkai-tmp-*`)
/// and by an interrupted two-step swap (`.<name>.gongkai-prev.old`), and manifests a killed
/// build did not finish writing; say which manifests are there (the build keeps its two
/// folders' and removes the others'). Called while holding the output's lock, so no other
/// build is using them.
fn clean_leftovers(parent: &Path, name: &str) -> Vec<PathBuf> {
    let tmp_prefix = format!(".{name}.gongkai-tmp-");
    let old = format!("{}.old", staging_name(name));
    let mut found = manifest::Leftovers::default();
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with(&tmp_prefix) || file_name == old {
            let _ = fs::remove_dir_all(entry.path());
        } else {
            found.sort_in(name, &file_name, entry.path());
        }
    }
    for p in found.unfinished {
        let _ = fs::remove_file(p);
    }
    found.manifests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    /// Write `files` into `out` with files settled after `settle`; how many were compared.
    fn build_settling(out: &Path, files: &[OutputFile], settle: std::time::Duration) -> usize {
        let sink = DiskSink::begin_settling(out, settle).unwrap();
        for f in files {
            sink.write(f).unwrap();
        }
        let compared = sink.compared.load(std::sync::atomic::Ordering::Relaxed);
        sink.commit().unwrap();
        compared
    }

    /// Let the clock move past the last change (file systems stamp changes with a coarse clock).
    fn tick() {
        std::thread::sleep(std::time::Duration::from_millis(30));
    }

    #[test]
    fn unchanged_files_are_known_by_their_stamp_and_any_change_is_still_seen() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(site.join("content")).unwrap();
        let out = check_target(&site.join("public"), &site).unwrap();
        let staging = site.join(staging_name("public"));
        let v1 = vec![
            file("index.html", "one"),
            file("a/b.html", "bee"),
            file("c", ""),
        ];
        // Everything settles at once here (in real builds after three seconds).
        let now = std::time::Duration::ZERO;
        // Two builds fill both folders; the next two compare every file (nothing recorded yet:
        // what a build writes is never recorded) and record them; from then on nothing is read.
        for expected in [0, 0, 3, 3, 0, 0] {
            tick();
            assert_eq!(build_settling(&out, &v1, now), expected);
        }
        if cfg!(not(unix)) {
            return;
        }
        // A change behind the writer's back, same length, in the folder the next build reuses.
        tick();
        fs::write(staging.join("a/b.html"), "BEE").unwrap();
        tick();
        assert_eq!(build_settling(&out, &v1, now), 1);
        assert_eq!(fs::read_to_string(out.join("a/b.html")).unwrap(), "bee");
        // A changed page is known to differ by its recorded hash and written without reading
        // it; the file written in the last build is compared once.
        let v2 = vec![
            file("index.html", "two"),
            file("a/b.html", "bee"),
            file("c", ""),
        ];
        tick();
        assert_eq!(build_settling(&out, &v2, now), 0);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        tick();
        assert_eq!(build_settling(&out, &v2, now), 1);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        // A staging folder replaced by another of the same name is not the recorded one.
        fs::remove_dir_all(&staging).unwrap();
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join(MARKER), "gongkai\n").unwrap();
        fs::create_dir(staging.join("a")).unwrap();
        fs::write(staging.join("a/b.html"), "BEE").unwrap();
        tick();
        build_settling(&out, &v2, now);
        assert_eq!(fs::read_to_string(out.join("a/b.html")).unwrap(), "bee");
        // A damaged manifest is no manifest.
        let id = manifest::folder_id(&staging).unwrap();
        let damaged = manifest::path(&site, "public", id);
        let mut bytes = fs::read(&damaged).unwrap();
        bytes.truncate(bytes.len() - 1);
        fs::write(&damaged, bytes).unwrap();
        tick();
        assert_eq!(build_settling(&out, &v2, now), 3);
    }

    /// Write `files` into `out`; how many folders were read. What changed before the last
    /// [`tick`] is settled; what the build changes is not (a file system stamps changes with a
    /// clock that may lag the system's by a few milliseconds).
    fn build_reading(out: &Path, files: &[OutputFile]) -> usize {
        let sink = DiskSink::begin_settling(out, std::time::Duration::from_millis(15)).unwrap();
        for f in files {
            sink.write(f).unwrap();
        }
        let read = sink.read.clone();
        sink.commit().unwrap();
        read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every path under `dir`, relative, sorted (folders end in `/`).
    fn tree(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
                let rel = rel.replace('\\', "/");
                if e.file_type().is_dir() {
                    rel + "/"
                } else {
                    rel
                }
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn unchanged_folders_are_known_by_their_stamp_and_any_change_is_still_seen() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(site.join("content")).unwrap();
        let out = check_target(&site.join("public"), &site).unwrap();
        let staging = site.join(staging_name("public"));
        let v1 = vec![
            file("index.html", "one"),
            file("a/b.html", "bee"),
            file("a/c/d.html", "dee"),
            file("e/f.html", "eff"),
        ];
        // Two builds fill both folders (what a build changes is not recorded; how much of it
        // the listing sees depends on the moment it runs); the next two read every folder once
        // more and record them; from then on only the top is read (where there are stamps).
        let known = if cfg!(unix) { 1 } else { 4 };
        for expected in [None, None, Some(4), Some(4), Some(known), Some(known)] {
            tick();
            let read = build_reading(&out, &v1);
            assert!(expected.is_none_or(|e| e == read), "{read} {expected:?}");
        }
        let expected_tree = tree(&out);
        if cfg!(not(unix)) {
            return;
        }
        // Files and a folder added behind the writer's back, in the folder the next build
        // reuses, deep down and at the top: the changed folders are read and the additions go.
        tick();
        fs::write(staging.join("a/c/stray.html"), "x").unwrap();
        fs::create_dir_all(staging.join("e/new/deeper")).unwrap();
        fs::write(staging.join("e/new/deeper/g.html"), "x").unwrap();
        tick();
        // The top, a/c and e, and the two new folders (a and the others are as recorded).
        assert_eq!(build_reading(&out, &v1), 5);
        assert_eq!(tree(&out), expected_tree);
        // A file removed behind the writer's back is written again.
        tick();
        fs::remove_file(staging.join("a/b.html")).unwrap();
        tick();
        build_reading(&out, &v1);
        assert_eq!(tree(&out), expected_tree);
        assert_eq!(fs::read_to_string(out.join("a/b.html")).unwrap(), "bee");
        // A page no longer produced goes, with the folder it leaves empty, in both folders.
        let v2: Vec<OutputFile> = v1
            .iter()
            .filter(|f| f.path != "a/c/d.html")
            .cloned()
            .collect();
        for _ in 0..4 {
            tick();
            build_reading(&out, &v2);
            assert!(!out.join("a/c").exists());
        }
        // And comes back, and goes again.
        for _ in 0..4 {
            tick();
            build_reading(&out, &v1);
            assert_eq!(tree(&out), expected_tree);
        }
        for _ in 0..2 {
            tick();
            build_reading(&out, &v2);
            assert!(!out.join("a/c").exists());
        }
        // A folder replaced by a file of the same name (and back) behind the writer's back.
        tick();
        fs::remove_dir_all(staging.join("e")).unwrap();
        fs::write(staging.join("e"), "x").unwrap();
        tick();
        build_reading(&out, &v1);
        assert_eq!(tree(&out), expected_tree);
    }

    #[test]
    fn files_are_not_recorded_before_they_settle() {
        // With the real delay, builds in quick succession never trust a stamp: every file whose
        // length matches is read and compared, as without a manifest.
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(site.join("content")).unwrap();
        let out = check_target(&site.join("public"), &site).unwrap();
        let v1 = vec![file("index.html", "one"), file("a/b.html", "bee")];
        for expected in [0, 0, 2, 2, 2] {
            assert_eq!(build_settling(&out, &v1, manifest::SETTLED), expected);
        }
    }

    #[test]
    fn same_content_compares_every_byte_and_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        // Sizes around the read buffer's, with a difference in each place a piece can end.
        for len in [
            0usize,
            1,
            100,
            32 * 1024 - 1,
            32 * 1024,
            32 * 1024 + 1,
            100_000,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            fs::write(&path, &bytes).unwrap();
            assert!(same_content(&path, &bytes), "{len}");
            for at in [0, len / 2, 32 * 1024, len.saturating_sub(1)] {
                if at < len {
                    let mut other = bytes.clone();
                    other[at] ^= 1;
                    assert!(!same_content(&path, &other), "{len} at {at}");
                }
            }
            // The file longer or shorter than the bytes.
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(!same_content(&path, &longer), "{len} longer");
            if len > 0 {
                assert!(!same_content(&path, &bytes[..len - 1]), "{len} shorter");
            }
        }
        assert!(!same_content(&dir.path().join("missing"), b""));
    }

    #[test]
    fn replaces_the_previous_site_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(site.join("content")).unwrap();
        let out = check_target(&site.join("public"), &site).unwrap();
        write_site(&out, vec![file("index.html", "one"), file("a/b.html", "b")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
        write_site(&out, vec![file("index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("a").exists(), "stale files are gone");
        // (No manifest yet: files are recorded once they settle, see the manifest's tests.)
        let mut siblings: Vec<String> = fs::read_dir(&site)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        siblings.sort();
        assert_eq!(
            siblings,
            [
                ".public.gongkai-lock",
                ".public.gongkai-prev",
                "content",
                "public"
            ]
        );
        // The staging folder holds the previous version, complete, for the next build to reuse.
        assert_eq!(
            fs::read_to_string(site.join(".public.gongkai-prev/index.html")).unwrap(),
            "one"
        );
        write_site(
            &out,
            vec![file("index.html", "three"), file("c/d.html", "d")],
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        assert!(out.join("c/d.html").is_file() && !out.join("a").exists());
    }

    #[test]
    fn a_failed_write_keeps_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("index.html", "old")]).unwrap();
        let err = write_site(
            &out,
            vec![file("x.html", "new"), file("../escape.html", "bad")],
        );
        assert!(matches!(err, Err(OutputError::BadPath(_))));
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!dir.path().join("escape.html").exists());
    }

    #[test]
    fn dangerous_targets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(site.join("content")).unwrap();
        for bad in [
            site.clone(),
            dir.path().to_path_buf(),
            PathBuf::from("/"),
            site.join("content/.."),
        ] {
            assert!(
                matches!(check_target(&bad, &site), Err(OutputError::Refused(..))),
                "{}",
                bad.display()
            );
        }
        let docs = dir.path().join("docs");
        fs::create_dir_all(&docs).unwrap();
        fs::write(docs.join("thesis.doc"), "x").unwrap();
        assert!(matches!(
            check_target(&docs, &site),
            Err(OutputError::Refused(..))
        ));
        assert!(check_target(&dir.path().join("public"), &site).is_ok());
    }

    #[test]
    fn unchanged_files_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("a.html", "same"), file("b.html", "old")]).unwrap();
        write_site(&out, vec![file("a.html", "same"), file("b.html", "old")]).unwrap();
        let staged = dir.path().join(".public.gongkai-prev/a.html");
        let before = fs::metadata(&staged).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_site(&out, vec![file("a.html", "same"), file("b.html", "new")]).unwrap();
        assert_eq!(
            fs::metadata(out.join("a.html"))
                .unwrap()
                .modified()
                .unwrap(),
            before
        );
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "new");
    }

    #[test]
    fn a_folder_becoming_a_file_and_back_builds() {
        // The staging folder holds the build before last: each shape change below meets the
        // other shape there.
        for (first, second) in [("a/x.html", "a"), ("a", "a/x.html")] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("public");
            write_site(&out, vec![file(first, "1")]).unwrap();
            write_site(&out, vec![file("b", "2")]).unwrap();
            // The staging folder is listed before the write changes its shape.
            let sink = DiskSink::begin(&out).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(100));
            sink.write(&file(second, "3")).unwrap();
            sink.commit().unwrap();
            assert_eq!(fs::read_to_string(out.join(second)).unwrap(), "3");
            assert!(!out.join("b").exists());
            write_site(&out, vec![file(first, "4")]).unwrap();
            assert_eq!(fs::read_to_string(out.join(first)).unwrap(), "4");
        }
    }

    #[test]
    fn two_spellings_of_one_file_keep_the_written_one() {
        // A disk that ignores case shows one file under two spellings; a hard link does the
        // same on Linux.
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("Photo.JPG");
        let new = dir.path().join("photo.jpg");
        fs::write(&old, "jpeg").unwrap();
        fs::hard_link(&old, &new).unwrap();
        assert!(super::respell(&old, &new).unwrap());
        assert!(!old.exists());
        assert_eq!(fs::read_to_string(&new).unwrap(), "jpeg");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary name is left");
        // Two different files are left alone.
        let other = dir.path().join("PHOTO.jpg");
        fs::write(&other, "other").unwrap();
        assert!(!super::respell(&other, &new).unwrap());
        assert!(other.exists() && new.exists());
    }

    #[test]
    fn a_second_build_of_the_same_output_waits_its_turn() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = DiskSink::begin(&out).unwrap();
        assert!(matches!(
            DiskSink::begin(&out),
            Err(OutputError::Refused(..))
        ));
        first.commit().unwrap();
        assert!(DiskSink::begin(&out).is_ok());
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".public.gongkai-tmp-999999999");
        fs::create_dir_all(&dead).unwrap();
        fs::write(dead.join("index.html"), "half").unwrap();
        write_site(&dir.path().join("public"), vec![file("index.html", "ok")]).unwrap();
        assert!(!dead.exists());
    }
}

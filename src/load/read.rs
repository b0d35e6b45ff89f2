//! Reading a site's files: every text file comes through [`read_source`], which refuses what
//! could hurt or mislead — files outside the site through symlinks, symlink loops, huge files,
//! text that is not UTF-8 — with a located Chinese message.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// A short Chinese reason for an I/O error.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "文件不存在".into(),
        io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        _ => format!("{e}"),
    }
}

/// Path relative to the root, with `/`.
pub fn rel_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Entries of a site found to be no links on the way from its root to a file (see
/// [`plainly_inside`]): the many files of one load share a few folders, each then checked once.
#[derive(Debug, Default)]
pub struct Plain(std::cell::RefCell<rustc_hash::FxHashSet<PathBuf>>);

/// A symlink must resolve inside the site root.
pub(crate) fn inside_root(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    inside_root_in(root, path, &Plain::default())
}

/// [`inside_root`], with the entries this load has checked already in `plain`.
fn inside_root_in(root: &Path, path: &Path, plain: &Plain) -> Result<(), Diagnostic> {
    if plainly_inside(root, path, plain) {
        return Ok(());
    }
    let rel = rel_name(root, path);
    let target = fs::canonicalize(path).map_err(|e| {
        let why = if e.raw_os_error() == Some(40) {
            "链接形成了循环".to_string()
        } else {
            format!("链接无法解析（{}）", io_reason(&e))
        };
        Diagnostic::error("F1", format!("「{rel}」{why}")).hint("请删除这个链接，直接放入文件。")
    })?;
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !target.starts_with(&root) {
        return Err(
            Diagnostic::error("F2", format!("「{rel}」是指向站点之外的链接"))
                .hint("为安全起见，gongkai 不读取站点文件夹之外的文件；请把文件复制到站点中。"),
        );
    }
    Ok(())
}

/// Whether `path` lies under `root` through plain names only, none of them a link: then it is
/// inside whatever the root resolves to, without resolving anything (a few `lstat`s instead of
/// two `realpath`s per file read). Entries in `plain` are known to be no links already; those
/// found here are added.
fn plainly_inside(root: &Path, path: &Path, plain: &Plain) -> bool {
    use std::path::Component;
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut at = root.to_path_buf();
    for part in rel.components() {
        let Component::Normal(name) = part else {
            return false;
        };
        at.push(name);
        if plain.0.borrow().contains(&at) {
            continue;
        }
        match fs::symlink_metadata(&at) {
            Ok(m) if !m.file_type().is_symlink() => {
                plain.0.borrow_mut().insert(at.clone());
            }
            _ => return false,
        }
    }
    true
}

/// Read a text file of the site: size-limited, symlinks kept inside the site, UTF-8 (a BOM is
/// dropped), line endings normalised to `\n` (which keeps every line and column).
pub fn read_source(root: &Path, path: &Path, limit: u64) -> Result<SourceFile, Diagnostic> {
    read_source_in(root, path, limit, &Plain::default())
}

/// [`read_source`] for one of many files of a load, which share `plain`.
pub(crate) fn read_source_in(
    root: &Path,
    path: &Path,
    limit: u64,
    plain: &Plain,
) -> Result<SourceFile, Diagnostic> {
    let name = rel_name(root, path);
    let unreadable = |e: &io::Error| {
        Diagnostic::error("F1", format!("无法读取 {name}：{}", io_reason(e))).with_file_name(&name)
    };
    let own = fs::symlink_metadata(path).map_err(|e| unreadable(&e))?;
    let is_link = own.file_type().is_symlink();
    // The file itself or a folder above it may be a link: where it really is must be inside
    // (a file that is not a link is where its folder is).
    let located = match path.parent() {
        Some(folder) if !is_link && folder.starts_with(root) => folder,
        _ => path,
    };
    inside_root_in(root, located, plain).map_err(|d| d.with_file_name(&name))?;
    // A file that is not a link is described by its own lstat.
    let meta = if is_link {
        fs::metadata(path).map_err(|e| unreadable(&e))?
    } else {
        own
    };
    if !meta.is_file() {
        return Err(Diagnostic::error("F2", format!("{name} 不是普通文件"))
            .hint("这里应是一个文本文件，而不是文件夹、管道或设备。")
            .with_file_name(&name));
    }
    let too_large = |len: u64| {
        Diagnostic::error("F2", format!("{name} 过大（{}）", human_size(len)))
            .in_file(&SourceFile::new(name.clone(), ""))
            .hint(format!(
                "这个文件不应超过 {}；请检查是否误存了其他内容。",
                human_size(limit)
            ))
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    // Read at most one byte past the limit, in case the file grew since it was measured.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    open_checked(path, is_link)
        .and_then(|f| io::Read::read_to_end(&mut io::Read::take(f, limit + 1), &mut bytes))
        .map_err(|e| unreadable(&e).hint("请检查文件权限。"))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    decode(&name, bytes)
}

/// Open a file for reading. One that was not a link when checked is opened without following
/// links, so it cannot be swapped for one (pointing outside the site) in between.
fn open_checked(path: &Path, is_link: bool) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if !is_link {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = is_link;
    options.open(path)
}

/// Decode file bytes as UTF-8 text with normalised line endings.
pub fn decode(name: &str, mut bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        bytes.drain(..3);
    }
    // Validated with simdutf8 (SIMD; std's check goes byte by byte through Chinese text, which
    // was 3% of a platform build).
    let text = match simdutf8::compat::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just checked that `bytes` is valid UTF-8.
        Ok(_) => unsafe { String::from_utf8_unchecked(bytes) },
        Err(e) => {
            let valid = e.valid_up_to();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let line = prefix.matches('\n').count() + 1;
            let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let shown = SourceFile::new(name.to_string(), prefix.clone() + "�");
            return Err(Diagnostic::error("F2", format!("{name} 不是 UTF-8 编码（第 {line} 行第 {col} 列起）"))
                .at(&shown, prefix.len()..prefix.len() + "�".len())
                .label("无法识别的字节")
                .hint("请用 UTF-8 编码保存这个文件（记事本：「另存为」→ 编码选「UTF-8」；WPS/Word 导出的文本常为 GBK）。"));
        }
    };
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok(SourceFile::new(name.to_string(), text))
}

/// `1.2 MB`, `300 KB`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} 字节")
    }
}

//! Reading an input file: its encoding and whether it is an HTML page.
//!
//! Reports arrive as UTF-8 (with or without a BOM), as GB18030/GBK text saved by Word, WPS or
//! Notepad on Chinese Windows, as UTF-16 (Notepad's "Unicode"), or as saved web pages. UTF-8 is
//! tried first because it is self-validating; GB18030 decodes any byte sequence, so it is only
//! accepted when it decodes without a single replacement character.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

/// The text of an input file.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, line endings normalised to `\n`.
    pub text: String,
    /// The encoding the bytes were in (`UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`).
    pub encoding: &'static str,
    /// Whether a byte-order mark was dropped.
    pub bom: bool,
    /// Whether the file is an HTML page.
    pub html: bool,
}

/// Why a file cannot be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Neither UTF-8, UTF-16 nor GB18030.
    UnknownEncoding,
    /// A binary file (PDF, Word, image).
    Binary(&'static str),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownEncoding => write!(
                f,
                "无法识别文件编码（不是 UTF-8，也不是 GB18030/GBK）。请用记事本「另存为」UTF-8 后再导入。"
            ),
            DecodeError::Binary(kind) => write!(
                f,
                "这是{kind}文件，不是文本或网页。请先在{kind}阅读器中全选复制正文，粘贴到记事本保存为 .txt 后再导入。"
            ),
        }
    }
}

/// Decode a file. `name` is used only to recognise `.html`/`.htm`.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.starts_with(b"%PDF") {
        return Err(DecodeError::Binary("PDF"));
    }
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) || bytes.starts_with(b"PK\x03\x04") {
        return Err(DecodeError::Binary("Word/WPS"));
    }
    let (text, encoding, bom) = if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        match std::str::from_utf8(rest) {
            Ok(t) => (t.to_string(), "UTF-8", true),
            Err(_) => return Err(DecodeError::UnknownEncoding),
        }
    } else if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        let enc = if bytes[0] == 0xff { UTF_16LE } else { UTF_16BE };
        let (t, had_errors) = enc.decode_with_bom_removal(&bytes[2..]);
        if had_errors {
            return Err(DecodeError::UnknownEncoding);
        }
        (t.into_owned(), enc.name(), true)
    } else if let Ok(t) = std::str::from_utf8(bytes) {
        (t.to_string(), "UTF-8", false)
    } else {
        let (t, had_errors) = GB18030.decode_without_bom_handling(bytes);
        if had_errors || t.contains('\u{fffd}') {
            return Err(DecodeError::UnknownEncoding);
        }
        (t.into_owned(), "GB18030", false)
    };
    if text.contains('\0') {
        return Err(DecodeError::UnknownEncoding);
    }
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    let html = is_html(name, &text);
    Ok(Decoded {
        text,
        encoding,
        bom,
        html,
    })
}

/// An HTML page: by extension, or by its first tag.
fn is_html(name: &str, text: &str) -> bool {
    let lower = name.to_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".shtml") {
        return true;
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(200)
        .collect::<String>()
        .to_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with("<?xml") && head.contains("<html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_gb18030_utf16() {
        let d = decode("a.txt", "一、总体情况\r\n".as_bytes()).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.bom, d.html),
            ("一、总体情况\n", "UTF-8", false, false)
        );
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice("规章".as_bytes());
        assert_eq!(decode("a.txt", &bom).unwrap().text, "规章");
        let (gb, _, _) = GB18030.encode("第二十条第（一）项　规章");
        let d = decode("a.txt", &gb).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("第二十条第（一）项　规章", "GB18030")
        );
        let mut u16 = vec![0xff, 0xfe];
        for unit in "规章".encode_utf16() {
            u16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode("a.txt", &u16).unwrap().text, "规章");
        assert!(decode("page.htm", b"<p>x</p>").unwrap().html);
        assert!(decode("page.txt", b"<!DOCTYPE html><p>x</p>").unwrap().html);
        assert_eq!(
            decode("a.pdf", b"%PDF-1.4").unwrap_err(),
            DecodeError::Binary("PDF")
        );
    }
}

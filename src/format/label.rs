//! Label normalisation: how two spellings of one official label are recognised as the same.
//!
//! Real reports and hand-edited YAML write the same label with full- or half-width brackets,
//! stray spaces, `\` for `/` and straight or curly quotes (FORMAT.md §6). Normalising both sides
//! before comparing keeps the definitions exact and the matching tolerant, without accepting a
//! different word.

/// Fold a label to its comparison form: no whitespace, full-width ASCII folded to ASCII, ASCII
/// brackets and punctuation folded to the full-width forms the format prints, `\` to `/`, all
/// quotes to `"`.
pub fn normalize(label: &str) -> String {
    normalize_cow(label).into_owned()
}

/// [`normalize`], borrowing the label when it is already in its comparison form (as most are).
pub fn normalize_cow(label: &str) -> std::borrow::Cow<'_, str> {
    if label.chars().all(kept) {
        std::borrow::Cow::Borrowed(label)
    } else {
        std::borrow::Cow::Owned(fold(label))
    }
}

/// Whether `normalize` keeps this character as it is. The full-width （ ） ， ： ；and the
/// 〔 〕 that the format prints are their own comparison form, so labels holding them are not
/// rebuilt.
fn kept(c: char) -> bool {
    // The unified ideographs, ASCII letters and digits: most of every label, at once.
    if ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_ascii_alphanumeric() {
        return true;
    }
    !(c.is_whitespace()
        || (('\u{ff01}'..='\u{ff5e}').contains(&c)
            && !matches!(c, '（' | '）' | '，' | '：' | '；'))
        || matches!(
            c,
            '\u{feff}'
                | '\u{200b}'
                | '('
                | ')'
                | ','
                | ':'
                | ';'
                | '\\'
                | '“'
                | '”'
                | '„'
                | '‟'
                | '‘'
                | '’'
                | '['
                | ']'
        ))
}

/// The comparison form, character by character.
fn fold(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}' {
            continue;
        }
        // Full-width ASCII variants (！ … ～) to ASCII, so that digits and letters compare.
        let c = if ('\u{ff01}'..='\u{ff5e}').contains(&c) {
            char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
        } else {
            c
        };
        let c = match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ':' => '：',
            ';' => '；',
            '\\' => '/',
            '“' | '”' | '„' | '‟' | '＂' => '"',
            '‘' | '’' => '\'',
            '〔' | '[' | '［' => '〔',
            '〕' | ']' | '］' => '〕',
            other => other,
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{fold, kept, normalize};

    /// The shortcut keeps exactly the characters that folding would leave as they are.
    #[test]
    fn kept_characters_fold_to_themselves() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(kept(c), fold(&text) == text, "{c:?}");
        }
    }

    #[test]
    fn brackets_spaces_and_slashes_fold() {
        assert_eq!(
            normalize("第二十条第(一)项"),
            normalize("第二十条第（一）项")
        );
        assert_eq!(normalize("本年增\\减"), normalize("本年增/减"));
        assert_eq!(normalize("商业 企业"), "商业企业");
        assert_eq!(normalize("其他结\n果"), "其他结果");
        assert_eq!(
            normalize("3.危及\"三安全一稳定\""),
            normalize("3.危及“三安全一稳定”")
        );
        assert_eq!(normalize("１．属于国家秘密"), normalize("1．属于国家秘密"));
    }

    #[test]
    fn different_words_stay_different() {
        assert_ne!(normalize("规范性文件"), normalize("行政规范性文件"));
        assert_ne!(normalize("本年新公开数量"), normalize("本年新制作数量"));
    }
}

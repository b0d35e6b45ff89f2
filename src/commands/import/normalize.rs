//! Normalising what published reports print, before anything is matched or written.
//!
//! Two kinds of text are normalised here:
//!
//! - **labels** ([`fold`]): full- and half-width punctuation, spaces and line breaks inside a
//!   label, `\` for `/`, traditional characters (mirror sites convert whole pages), a year
//!   inserted into a label (`本年(2023)制发件数`), `1、` for `1.`;
//! - **numeric cells** ([`parse_value`]): padding with full-width or no-break spaces,
//!   full-width digits, `无`/`—`/blank, units written into the cell (`251000元`, `12件`),
//!   thousands separators and signed changes (`+3`, `-8`, `−8`, `－8`).
//!
//! Every change is reported as a [`Fix`], so the import summary can list each normalisation with
//! its source line. Nothing here invents a number: text that is not a number is reported as such.

use crate::format::normalize_label;

/// Traditional → simplified, for the characters of the format's labels and part headings (and
/// a few more that mirror sites put into the surrounding words). Not a general converter: the
/// narrative is kept as published; only labels are folded for matching.
const TRADITIONAL: &[(char, char)] = &[
    ('萬', '万'),
    ('與', '与'),
    ('業', '业'),
    ('為', '为'),
    ('舉', '举'),
    ('於', '于'),
    ('會', '会'),
    ('體', '体'),
    ('關', '关'),
    ('內', '内'),
    ('寫', '写'),
    ('決', '决'),
    ('況', '况'),
    ('減', '减'),
    ('製', '制'),
    ('辦', '办'),
    ('務', '务'),
    ('動', '动'),
    ('區', '区'),
    ('華', '华'),
    ('單', '单'),
    ('發', '发'),
    ('號', '号'),
    ('後', '后'),
    ('國', '国'),
    ('處', '处'),
    ('復', '复'),
    ('複', '复'),
    ('審', '审'),
    ('對', '对'),
    ('屬', '属'),
    ('應', '应'),
    ('廢', '废'),
    ('開', '开'),
    ('強', '强'),
    ('當', '当'),
    ('總', '总'),
    ('執', '执'),
    ('護', '护'),
    ('報', '报'),
    ('據', '据'),
    ('數', '数'),
    ('無', '无'),
    ('權', '权'),
    ('條', '条'),
    ('構', '构'),
    ('沒', '没'),
    ('現', '现'),
    ('確', '确'),
    ('稱', '称'),
    ('穩', '稳'),
    ('類', '类'),
    ('糾', '纠'),
    ('納', '纳'),
    ('組', '组'),
    ('織', '织'),
    ('經', '经'),
    ('結', '结'),
    ('繼', '继'),
    ('續', '续'),
    ('維', '维'),
    ('繳', '缴'),
    ('罰', '罚'),
    ('範', '范'),
    ('獲', '获'),
    ('銜', '衔'),
    ('補', '补'),
    ('規', '规'),
    ('計', '计'),
    ('認', '认'),
    ('議', '议'),
    ('許', '许'),
    ('訟', '讼'),
    ('訪', '访'),
    ('訴', '诉'),
    ('試', '试'),
    ('詢', '询'),
    ('請', '请'),
    ('負', '负'),
    ('購', '购'),
    ('費', '费'),
    ('轉', '转'),
    ('過', '过'),
    ('這', '这'),
    ('進', '进'),
    ('門', '门'),
    ('問', '问'),
    ('項', '项'),
    ('題', '题'),
    ('額', '额'),
    ('採', '采'),
    ('義', '义'),
    ('險', '险'),
    ('產', '产'),
    ('資', '资'),
    ('實', '实'),
    ('書', '书'),
    ('統', '统'),
    ('級', '级'),
    ('鎮', '镇'),
    ('鄉', '乡'),
    ('長', '长'),
    ('東', '东'),
    ('監', '监'),
    ('評', '评'),
    ('責', '责'),
    ('劃', '划'),
    ('態', '态'),
    ('眾', '众'),
    ('個', '个'),
    ('價', '价'),
    ('傳', '传'),
    ('縣', '县'),
    ('參', '参'),
    ('變', '变'),
    ('員', '员'),
    ('團', '团'),
    ('圖', '图'),
    ('場', '场'),
    ('層', '层'),
    ('師', '师'),
    ('錄', '录'),
    ('徵', '征'),
    ('擴', '扩'),
    ('時', '时'),
    ('機', '机'),
    ('標', '标'),
    ('檢', '检'),
    ('氣', '气'),
    ('滿', '满'),
    ('點', '点'),
    ('狀', '状'),
    ('環', '环'),
    ('電', '电'),
    ('離', '离'),
    ('種', '种'),
    ('積', '积'),
    ('簡', '简'),
    ('緊', '紧'),
    ('約', '约'),
    ('紀', '纪'),
    ('線', '线'),
    ('細', '细'),
    ('終', '终'),
    ('網', '网'),
    ('職', '职'),
    ('聯', '联'),
    ('節', '节'),
    ('見', '见'),
    ('觀', '观'),
    ('視', '视'),
    ('覽', '览'),
    ('記', '记'),
    ('設', '设'),
    ('證', '证'),
    ('識', '识'),
    ('說', '说'),
    ('調', '调'),
    ('財', '财'),
    ('質', '质'),
    ('車', '车'),
    ('載', '载'),
    ('較', '较'),
    ('輸', '输'),
    ('達', '达'),
    ('運', '运'),
    ('還', '还'),
    ('違', '违'),
    ('連', '连'),
    ('選', '选'),
    ('郵', '邮'),
    ('間', '间'),
    ('閱', '阅'),
    ('際', '际'),
    ('難', '难'),
    ('領', '领'),
    ('風', '风'),
    ('驗', '验'),
    ('準', '准'),
    ('臺', '台'),
    ('祕', '秘'),
    ('係', '系'),
    ('繫', '系'),
    ('啟', '启'),
    ('屆', '届'),
    ('訂', '订'),
    ('討', '讨'),
    ('訊', '讯'),
    ('該', '该'),
    ('詳', '详'),
    ('語', '语'),
    ('貼', '贴'),
    ('貨', '货'),
    ('賦', '赋'),
    ('輔', '辅'),
    ('遞', '递'),
    ('鏈', '链'),
    ('銷', '销'),
    ('錯', '错'),
    ('陽', '阳'),
    ('隊', '队'),
    ('階', '阶'),
    ('陸', '陆'),
    ('隨', '随'),
    ('隱', '隐'),
    ('頻', '频'),
    ('飛', '飞'),
    ('館', '馆'),
    ('龍', '龙'),
    ('覆', '复'),
    ('來', '来'),
    ('雲', '云'),
    ('兩', '两'),
    ('註', '注'),
    ('冊', '册'),
];

/// The simplified form of a traditional character, or the character itself.
pub fn simplify_char(c: char) -> char {
    if (c as u32) < 0x4e00 {
        return c;
    }
    TRADITIONAL
        .iter()
        .find(|(t, _)| *t == c)
        .map_or(c, |(_, s)| *s)
}

/// Text with the traditional characters of `TRADITIONAL` simplified, and the Taiwan-style word
/// 資訊 (which converters put for 信息) folded back.
pub fn simplify(text: &str) -> String {
    let s: String = text.chars().map(simplify_char).collect();
    s.replace("资讯", "信息")
}

/// Whether `text` contains characters [`simplify`] changes.
pub fn has_traditional(text: &str) -> bool {
    text.chars().any(|c| simplify_char(c) != c) || text.contains("資訊")
}

/// Whitespace as published reports use it: ASCII, full-width `　`, no-break `\u{a0}`, and the
/// zero-width characters Word leaves behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{a0}' | '\u{3000}' | '\u{feff}' | '\u{200b}' | '\u{2002}' | '\u{2003}'
        )
}

/// Trim [`is_space`] characters at both ends.
pub fn trim(text: &str) -> &str {
    text.trim_matches(is_space)
}

/// The comparison form of a label: traditional characters simplified, then
/// [`crate::format::normalize_label`] (width, spaces, `\`, quotes), then a year inserted in
/// brackets removed (`本年（2023）制发件数`) and `1、` read as `1.` at the start.
pub fn fold(label: &str) -> String {
    let s = normalize_label(&simplify(label));
    let s = strip_year_brackets(&s);
    // `1、属于国家秘密` → `1.属于国家秘密`.
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(d), Some('、')) if d.is_ascii_digit() => format!("{d}.{}", chars.as_str()),
        _ => s,
    }
}

/// Remove `（2023）` / `（2023年）` / `（2023年度）` from a folded label.
fn strip_year_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('（') {
        out.push_str(&rest[..i]);
        let after = &rest[i + '（'.len_utf8()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() == 4 {
            let tail = &after[4..];
            let tail = tail
                .strip_prefix("年度")
                .or_else(|| tail.strip_prefix('年'))
                .unwrap_or(tail);
            if let Some(t) = tail.strip_prefix('）') {
                rest = t;
                continue;
            }
        }
        out.push('（');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether the label was written with a year in brackets.
pub fn has_year_brackets(label: &str) -> bool {
    let s = normalize_label(&simplify(label));
    strip_year_brackets(&s) != s
}

/// One normalisation applied to a piece of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Padding with full-width or no-break spaces around a number.
    Padding,
    /// Full-width digits or signs.
    FullWidth,
    /// A count unit (`件`, `条`, `项`) written after the number, dropped.
    CountUnit,
    /// A leading `+`, dropped.
    PlusSign,
    /// A minus sign written as `−` or `－`.
    MinusSign,
    /// Thousands separators removed.
    Thousands,
}

impl Fix {
    /// Stable id used in `--format json`.
    pub fn id(self) -> &'static str {
        match self {
            Fix::Padding => "padding",
            Fix::FullWidth => "full_width",
            Fix::CountUnit => "count_unit",
            Fix::PlusSign => "plus_sign",
            Fix::MinusSign => "minus_sign",
            Fix::Thousands => "thousands_separator",
        }
    }
}

/// A numeric cell as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellText {
    /// Nothing in the cell (or only spaces).
    Blank,
    /// `无` — none.
    Wu,
    /// A dash standing for none.
    Dash,
    /// A number: canonical ASCII digits with an optional `-`, optional decimals, and the money
    /// unit written in the cell, if any.
    Number {
        /// `169844`, `-8`, `1646.5`.
        digits: String,
        /// `元` or `万元` when written into the cell.
        unit: Option<String>,
    },
}

impl CellText {
    /// Whether the cell holds anything at all (a number, 无 or a dash).
    pub fn is_filled(&self) -> bool {
        !matches!(self, CellText::Blank)
    }
}

/// Read a cell as a number, if it is one. `None` means the text is not numeric (a label, prose,
/// noise); the fixes say how the text was normalised to get the number.
pub fn parse_value(raw: &str) -> Option<(CellText, Vec<Fix>)> {
    let mut fixes = Vec::new();
    let trimmed = trim(raw);
    if trimmed.is_empty() {
        return Some((CellText::Blank, fixes));
    }
    if raw.contains(['\u{3000}', '\u{a0}']) {
        fixes.push(Fix::Padding);
    }
    // Inner spaces never belong to a number ("1 234" is two cells in a PDF line).
    if trimmed.chars().any(is_space) {
        return None;
    }
    // Full-width digits and signs to ASCII.
    let mut ascii = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        let folded = match c {
            '０'..='９' | '＋' | '．' | '，' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            other => other,
        };
        if folded != c && !fixes.contains(&Fix::FullWidth) {
            fixes.push(Fix::FullWidth);
        }
        ascii.push(folded);
    }
    match ascii.as_str() {
        "无" | "無" => return Some((CellText::Wu, fixes)),
        "—" | "——" | "-" | "--" | "－" | "/" | "／" | "－－" | "―" | "─" => {
            return Some((CellText::Dash, fixes));
        }
        _ => {}
    }
    // Sign.
    let mut rest = ascii.as_str();
    let mut negative = false;
    if let Some(r) = rest.strip_prefix('+') {
        fixes.push(Fix::PlusSign);
        rest = r;
    } else if let Some(r) = rest.strip_prefix('-') {
        negative = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix(['−', '－', '–']) {
        fixes.push(Fix::MinusSign);
        negative = true;
        rest = r;
    }
    // Unit after the number.
    let mut unit = None;
    for u in ["万元", "元"] {
        if let Some(r) = rest.strip_suffix(u) {
            unit = Some(u.to_string());
            rest = r;
            break;
        }
    }
    if unit.is_none() {
        for u in ['件', '条', '项', '个', '次', '起', '宗'] {
            if let Some(r) = rest.strip_suffix(u) {
                fixes.push(Fix::CountUnit);
                rest = r;
                break;
            }
        }
    }
    let rest = trim(rest);
    // Thousands separators: 1,234 or 12,345,678.
    let mut digits = rest.to_string();
    if rest.contains(',') {
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let groups: Vec<&str> = int.split(',').collect();
        let well_formed = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3);
        if !well_formed {
            return None;
        }
        digits = groups.concat();
        if !frac.is_empty() || rest.contains('.') {
            digits.push('.');
            digits.push_str(frac);
        }
        fixes.push(Fix::Thousands);
    }
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
        || int.len() > 15
    {
        return None;
    }
    let digits = if negative {
        format!("-{digits}")
    } else {
        digits
    };
    Some((CellText::Number { digits, unit }, fixes))
}

/// Whether a piece of text looks like something a mirror site injected (advertising, links,
/// contact handles) rather than a table label. Such text is skipped without breaking the table.
pub fn looks_like_noise(text: &str) -> bool {
    if parse_value(text).is_some() {
        return false;
    }
    let t = text.to_lowercase();
    const MARKERS: &[&str] = &[
        "http",
        "www.",
        ".com",
        ".net",
        ".cn",
        ".org",
        "qq",
        "@",
        "微信号",
        "加微",
        "客服",
        "彩票",
        "博彩",
        "娱乐",
        "赌",
        "棋牌",
        "百家乐",
        "六合彩",
        "时时彩",
        "快三",
        "开户",
        "代开",
        "发票",
        "贷款",
        "葡京",
        "威尼斯人",
        "真人",
        "注册送",
        "首存",
        "下载app",
        "扫码",
    ];
    if MARKERS.iter().any(|m| t.contains(m)) {
        return true;
    }
    // Six or more digits in a row inside text (phone numbers, account ids).
    let mut run = 0;
    for c in t.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 6 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> (String, Option<String>, Vec<Fix>) {
        match parse_value(raw) {
            Some((CellText::Number { digits, unit }, fixes)) => (digits, unit, fixes),
            other => panic!("{raw:?} → {other:?}"),
        }
    }

    #[test]
    fn numbers_as_published() {
        assert_eq!(
            number("\u{3000}14"),
            ("14".into(), None, vec![Fix::Padding])
        );
        assert_eq!(number("0\u{3000}").0, "0");
        assert_eq!(number("\u{a0}0").2, vec![Fix::Padding]);
        assert_eq!(number("１２").0, "12");
        assert_eq!(number("+3"), ("3".into(), None, vec![Fix::PlusSign]));
        assert_eq!(number("-8").0, "-8");
        assert_eq!(number("−8"), ("-8".into(), None, vec![Fix::MinusSign]));
        assert_eq!(number("－8").0, "-8");
        assert_eq!(
            number("251000元"),
            ("251000".into(), Some("元".into()), vec![])
        );
        assert_eq!(number("1646.5万元").1.as_deref(), Some("万元"));
        assert_eq!(number("12件"), ("12".into(), None, vec![Fix::CountUnit]));
        assert_eq!(number("1,234"), ("1234".into(), None, vec![Fix::Thousands]));
        assert_eq!(number("190.457379").0, "190.457379");
    }

    #[test]
    fn none_and_text() {
        assert_eq!(parse_value("\t\u{a0}").map(|v| v.0), Some(CellText::Blank));
        assert_eq!(parse_value("无\u{a0}").map(|v| v.0), Some(CellText::Wu));
        assert_eq!(parse_value("—").map(|v| v.0), Some(CellText::Dash));
        assert_eq!(parse_value("规章"), None);
        assert_eq!(parse_value("0 0"), None);
        assert_eq!(parse_value("1,23"), None);
        assert_eq!(parse_value("2019年"), None);
        assert_eq!(parse_value("3.危及"), None);
    }

    #[test]
    fn labels_fold() {
        assert_eq!(fold("本年(2023)制发件数"), fold("本年制发件数"));
        assert_eq!(fold("1、属于国家秘密"), fold("1.属于国家秘密"));
        assert_eq!(fold("（三）不予公開"), fold("（三）不予公开"));
        assert_eq!(
            fold("收到和處理政府資訊公開申請情況"),
            fold("收到和处理政府信息公开申请情况")
        );
        assert_eq!(fold("本年增\\減"), fold("本年增/减"));
        assert_ne!(fold("规范性文件"), fold("行政规范性文件"));
        assert!(has_year_brackets("本年(2023)处理决定数量"));
        assert!(!has_year_brackets("本年收费金额（单位：万元）"));
    }

    /// The table never maps a character that the format's labels use as a simplified one.
    #[test]
    fn traditional_table_keys_are_not_label_characters() {
        let formats = crate::format::builtin();
        let mut labels = String::new();
        for e in formats.editions() {
            for p in &e.parts {
                labels.push_str(&p.title);
                labels.extend(p.variants.iter().map(String::as_str));
            }
            for t in &e.tables {
                labels.extend(t.caption.iter().map(String::as_str));
                labels.extend(t.corner.iter().map(String::as_str));
                for c in &t.leaf_columns {
                    labels.extend(c.path.iter().map(String::as_str));
                }
                for r in &t.leaf_rows {
                    labels.extend(r.path.iter().map(String::as_str));
                }
            }
        }
        for (t, s) in TRADITIONAL {
            assert!(!labels.contains(*t), "{t} is used in a label");
            assert_ne!(t, s);
        }
        // Every label written in traditional characters folds back.
        assert_eq!(
            fold("（二）部分公開（區分處理的，只計這一情形，不計其他情形）"),
            fold("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
        );
        assert_eq!(fold("行政複議"), fold("行政复议"));
        assert_eq!(fold("結果維持"), fold("结果维持"));
        assert_eq!(fold("尚未審結"), fold("尚未审结"));
        assert_eq!(
            fold("本年收費金額（單位：萬元）"),
            fold("本年收费金额（单位：万元）")
        );
        assert_eq!(
            fold("5.要求行政機關確認或重新出具已獲取信息"),
            fold("5.要求行政机关确认或重新出具已获取信息")
        );
        assert_eq!(
            fold("四、結轉下年度繼續辦理"),
            fold("四、结转下年度继续办理")
        );
    }
}

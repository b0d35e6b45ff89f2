//! `gongkai init [DIR] [--name 机关全称] [--kind 类别] [--year 年度]`: a new site in one command.
//!
//! It writes `site.toml` (every setting of the body and every website detail 《政府网站发展指引》
//! asks for, each with a comment saying what goes there), the scaffold of the report due now
//! (`gongkai new`, by default for the last complete year), `content/pages/guide.md` — a 政府信息
//! 公开指南 to adapt — and a `.gitignore` for the output. In a terminal, what the flags do not
//! give (the name and the kind) is asked for ([`ask`], which reads and writes any streams, so
//! that it is tested with piped answers and through a real pseudo-terminal). It never
//! overwrites: a folder that already has `site.toml`, `platform.toml` or `content/` is refused.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use crate::commands::new::{self, NewError};
use crate::format;
use crate::load::config::{BODY_KINDS, PLATFORM_TOML, SITE_TOML};

/// The body a new site is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// 机关全称.
    pub name: String,
    /// 机关类别, one of [`BODY_KINDS`].
    pub kind: String,
}

/// Why `init` refused or failed.
#[derive(Debug)]
pub enum InitError {
    /// The folder already holds a site (the file or folder found).
    Exists(PathBuf),
    /// Not in a terminal, and the flags do not say everything.
    NeedAnswers,
    /// The kind is not one `check` knows.
    Kind(String),
    /// The name is empty or more than one line.
    Name,
    /// No edition applies to the year.
    Year(u16),
    /// Writing failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Exists(p) => write!(
                f,
                "{} 已存在：这个文件夹已经是 gongkai 站点，init 不会覆盖。要新建站点，请换一个空文件夹，如 gongkai init 新站点；要新建年度，请用 gongkai new <年度>。",
                p.display()
            ),
            InitError::NeedAnswers => write!(
                f,
                "请用 --name 和 --kind 指定机关全称和类别，如 gongkai init --name 某某街道办事处 --kind 街道办事处（在终端中直接运行 gongkai init 时会逐项询问）。"
            ),
            InitError::Kind(k) => write!(
                f,
                "机关类别「{k}」不在可选范围内。可选：{}。",
                BODY_KINDS.join("、")
            ),
            InitError::Name => write!(f, "机关全称不能为空，也不能分行。"),
            InitError::Year(y) => write!(
                f,
                "{y}年度没有适用的报告格式：gongkai 支持 {} 年度起的报告。",
                format::builtin().editions()[0].first_year
            ),
            InitError::Io(p, e) => write!(
                f,
                "无法写入 {}：{}",
                p.display(),
                crate::load::read::io_reason(e)
            ),
        }
    }
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Created {
    /// The files, relative to the folder.
    pub files: Vec<String>,
    /// The year scaffolded.
    pub year: u16,
    /// Its edition, e.g. `2021版（国办公开办函〔2021〕30号）`.
    pub edition: String,
    /// Notes (an existing .gitignore left alone).
    pub notes: Vec<String>,
}

/// The year whose report is due now: the last complete year, in China's time (UTC+8), so that
/// on the morning of 1 January the new year counts already.
pub fn due_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    year_of(secs + 8 * 3600).saturating_sub(1)
}

/// The (proleptic Gregorian) year of a count of seconds since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn year_of(secs: u64) -> u16 {
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    u16::try_from(year).unwrap_or(u16::MAX)
}

/// Refuse a folder that already holds a site.
pub fn refuse_existing(dir: &Path) -> Result<(), InitError> {
    for name in [SITE_TOML, PLATFORM_TOML, "content"] {
        let p = dir.join(name);
        if fs::symlink_metadata(&p).is_ok() {
            return Err(InitError::Exists(p));
        }
    }
    Ok(())
}

/// Check a kind as written (a number from the list, or a kind's name).
pub fn parse_kind(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if let Ok(n) = t.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| BODY_KINDS.get(i)).copied();
    }
    BODY_KINDS.iter().find(|k| **k == t).copied()
}

/// Ask on `output`, read from `input`, what the flags did not give: the full name (until it is
/// not empty) and the kind (a number from the list or a name, until it is one). `None` when
/// the input ends first.
pub fn ask(
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    name: Option<String>,
    kind: Option<String>,
) -> io::Result<Option<Answers>> {
    let mut line = String::new();
    let mut read = |output: &mut dyn Write, prompt: &str| -> io::Result<Option<String>> {
        write!(output, "{prompt}")?;
        output.flush()?;
        line.clear();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Ok(None);
        }
        Ok(Some(line.trim().to_string()))
    };
    let name = match name {
        Some(n) => n,
        None => loop {
            match read(output, "机关全称（如 宁波市鄞州区东柳街道办事处）：")?
            {
                None => return Ok(None),
                Some(n) if !n.is_empty() => break n,
                Some(_) => writeln!(output, "请填写机关全称。")?,
            }
        },
    };
    let kind = match kind {
        Some(k) => k,
        None => {
            writeln!(
                output,
                "机关类别（gongkai check 据此检查，如街道办事处没有规章制定权）："
            )?;
            for (i, k) in BODY_KINDS.iter().enumerate() {
                writeln!(output, "  {:>2}. {k}", i + 1)?;
            }
            loop {
                match read(output, "请输入序号或名称：")? {
                    None => return Ok(None),
                    Some(k) => match parse_kind(&k) {
                        Some(kind) => break kind.to_string(),
                        None => writeln!(
                            output,
                            "「{k}」不在列表中，请输入 1 到 {} 之间的序号。",
                            BODY_KINDS.len()
                        )?,
                    },
                }
            }
        }
    };
    Ok(Some(Answers { name, kind }))
}

/// A TOML string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// site.toml for a new site.
pub fn site_toml(a: &Answers) -> String {
    format!(
        r#"# gongkai 站点设置（site.toml），由 gongkai init 生成。
# 文字要用英文双引号括起来；以 # 开头的是说明，不影响生成。改好后运行 gongkai check 检查。

# 页面语言（目前只支持 zh-CN）
language = "zh-CN"
# 主题：themes/ 下的文件夹名；default 为内置主题
theme = "default"
# 栏目名称（页面标签 ColumnName），即报告在本单位网站上所在的栏目
column = "政府信息公开年报"
# 网站正式地址（报告所在栏目的网址），可选。填写后会生成 sitemap.xml 和 Atom 订阅；
# 页面内的链接始终是相对地址，上传到哪个栏目都能用。
# base_url = "https://www.example.gov.cn/xxgk/ndbg/"
# 每个年度页提供「下载 Word 版」（公文格式的 Word 文件，与 gongkai export 生成的相同）；
# 不需要时写 word = false。
# word = true
# 站内搜索（每页顶部的搜索框和搜索页）；不需要时写 search = false。
# search = true
# 压缩网页（minify-html）。内置主题生成的网页已经很紧凑，自己的主题写得松散时可以打开。
# minify = false

# 发布报告的机关
[body]
# 机关全称，显示在每个页面的页头、页脚和报告中
name = {name}
# 机关简称，用于报告标题，如「东柳街道政府信息公开工作2025年度报告」；不写则用全称
# short_name = "东柳街道"
# 机关类别，gongkai check 据此检查（如街道办事处、乡镇人民政府没有规章制定权，「规章」一栏应为 0）。
# 可填：{kinds}
kind = {kind}
# 负责政府信息公开工作的科室，如「党政综合办公室」
office = ""
# 办公地址
address = ""
# 邮政编码
postcode = ""
# 联系电话
phone = ""
# 传真
fax = ""
# 电子邮箱
email = ""

# 网站信息：《政府网站发展指引》要求在每个页面的页脚展示。
# 请按本单位网站的实际备案信息填写；空着的项目不在页脚显示，gongkai build 会提示还缺哪些。
[website]
# 网站名称（页面标签 SiteName），不写则用机关全称
# name = "某某区人民政府门户网站"
# 网站域名（页面标签 SiteDomain），不写则取 base_url 中的域名
# domain = "www.example.gov.cn"
# 主办单位（网站的主办机关）
host = {name}
# 承办单位（负责网站运行维护的单位）
organizer = ""
# 网站标识码（10 位，由全国政府网站信息报送系统分配）
site_code = ""
# ICP备案编号，如「浙ICP备xxxxxxxx号」
icp = ""
# 公安机关备案号，如「浙公网安备 xxxxxxxxxxxxxx号」
police_record = ""
# 党政机关网站标识的核验链接（开办单位取得标识后填写，以 https:// 开头）
# party_gov_mark_url = "https://bszs.conac.cn/sitename?method=show&id=..."

# 门户网站文章的信息项（gongkai export 写入 metadata.json），由门户网站编号，可选。
# [portal]
# 索引号
# index_number = ""
# 主题分类
# topic = ""
"#,
        name = toml_string(&a.name),
        kind = toml_string(&a.kind),
        kinds = BODY_KINDS.join("、"),
    )
}

/// The 政府信息公开指南 a new site starts from.
pub fn guide(a: &Answers) -> String {
    format!(
        "# {name}政府信息公开指南\n\n\
<!-- 这是 gongkai init 生成的模板：请按本机关的实际情况修改括号中的内容，改好后删去本行。不需要这个页面时，删除本文件即可。 -->\n\n\
为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。本指南根据情况变化及时更新。\n\n\
## 一、主动公开\n\n\
### （一）公开范围\n\n\
本机关主动公开的政府信息包括机构职能、规范性文件、政府信息公开工作年度报告等，详见本机关政府信息公开目录。\n\n\
### （二）公开方式\n\n\
通过（本机关网站名称）、政务新媒体和（公共查阅点名称）公开。\n\n\
### （三）公开时限\n\n\
属于主动公开范围的政府信息，自形成或者变更之日起 20 个工作日内予以公开。\n\n\
## 二、依申请公开\n\n\
### （一）受理机构\n\n\
| 项目 | 内容 |\n\
|---|---|\n\
| 受理机构 | （科室名称） |\n\
| 办公地址 | （地址） |\n\
| 办公时间 | （如 工作日 9:00—17:00） |\n\
| 联系电话 | （电话） |\n\
| 邮政编码 | （邮编） |\n\n\
### （二）申请方式\n\n\
申请人可以当面提交、邮寄或通过网上申请系统提交政府信息公开申请。\n\n\
### （三）处理期限\n\n\
能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起 20 个工作日内予以答复；需要延长答复期限的，经负责人同意并告知申请人，延长的期限最长不超过 20 个工作日。\n\n\
## 三、监督和救济\n\n\
公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。\n",
        name = a.name
    )
}

/// The `.gitignore` of a new site: the output and the build's own files beside it.
pub const GITIGNORE: &str = "# gongkai build 生成的网站和它的临时文件\n/public/\n/.public.gongkai-prev/\n/.public.gongkai-lock\n/.public.gongkai-manifest-*\n# gongkai export 生成的发布材料\n/export/\n";

fn write_new(path: &Path, text: &str) -> Result<(), InitError> {
    let io = |e| InitError::Io(path.to_path_buf(), e);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Create a site in `dir` (made if missing) for the body `a`, with the report of `year`.
pub fn init(dir: &Path, a: &Answers, year: u16) -> Result<Created, InitError> {
    if a.name.trim().is_empty() || a.name.contains(['\n', '\r']) {
        return Err(InitError::Name);
    }
    if !BODY_KINDS.contains(&a.kind.as_str()) {
        return Err(InitError::Kind(a.kind.clone()));
    }
    let edition = format::builtin()
        .for_year(year)
        .ok_or(InitError::Year(year))?;
    refuse_existing(dir)?;
    fs::create_dir_all(dir).map_err(|e| InitError::Io(dir.to_path_buf(), e))?;
    let a = Answers {
        name: a.name.trim().to_string(),
        kind: a.kind.clone(),
    };
    write_new(&dir.join(SITE_TOML), &site_toml(&a))?;
    let mut files = vec![SITE_TOML.to_string()];
    let created = new::new_year(dir, year).map_err(|e| match e {
        NewError::Io(p, e) => InitError::Io(p, e),
        NewError::Exists(p) | NewError::NotASite(p) => InitError::Exists(p),
        NewError::NoEdition(y) => InitError::Year(y),
    })?;
    files.extend(
        created
            .files
            .iter()
            .map(|f| crate::load::read::rel_name(dir, f)),
    );
    let pages = dir.join("content").join(crate::load::PAGES_DIR);
    fs::create_dir_all(&pages).map_err(|e| InitError::Io(pages.clone(), e))?;
    write_new(&pages.join("guide.md"), &guide(&a))?;
    files.push("content/pages/guide.md".into());
    let mut notes = Vec::new();
    let gitignore = dir.join(".gitignore");
    if gitignore.exists() {
        notes.push(format!(
            ".gitignore 已存在，未改动；如用 git 管理站点，请在其中加上：{}",
            GITIGNORE
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    } else {
        write_new(&gitignore, GITIGNORE)?;
        files.push(".gitignore".into());
    }
    Ok(Created {
        files,
        year,
        edition: format!("{}（{}）", edition.name, edition.notice),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_year_is_the_last_complete_one_in_china() {
        // 2026-01-01 00:00 UTC and 2025-12-31 16:00 UTC (= 2026-01-01 00:00 in Beijing).
        assert_eq!(year_of(1_767_225_600), 2026);
        assert_eq!(year_of(1_767_196_800 - 1), 2025);
        assert_eq!(year_of(1_767_196_800 - 1 + 8 * 3600), 2025);
        assert_eq!(year_of(1_767_196_800 + 8 * 3600), 2026);
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(951_782_400), 2000); // 2000-02-29
        assert!(due_year() >= 2025);
    }

    #[test]
    fn answers_are_asked_until_they_are_usable() {
        let mut input = io::Cursor::new("\n  示例街道办事处 \n99\n乡镇\n1\n");
        let mut out = Vec::new();
        let a = ask(&mut input, &mut out, None, None).unwrap().unwrap();
        assert_eq!(
            a,
            Answers {
                name: "示例街道办事处".into(),
                kind: "街道办事处".into()
            }
        );
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("机关全称（").count(), 2, "{out}");
        assert!(out.contains("请填写机关全称。"));
        assert!(out.contains("「99」不在列表中"));
        assert!(out.contains("「乡镇」不在列表中"));
        assert!(out.contains(" 2. 乡镇人民政府"));
        // Given flags are not asked; a closed input gives nothing.
        let mut out = Vec::new();
        let a = ask(
            &mut io::Cursor::new("区县部门\n"),
            &mut out,
            Some("某局".into()),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(a.kind, "区县部门");
        assert!(!String::from_utf8(out).unwrap().contains("机关全称"));
        assert_eq!(
            ask(&mut io::Cursor::new(""), &mut Vec::new(), None, None).unwrap(),
            None
        );
    }

    #[test]
    fn site_toml_is_a_valid_site_with_every_website_detail() {
        let a = Answers {
            name: "某\"区\"街道办事处\\".into(),
            kind: "街道办事处".into(),
        };
        let text = site_toml(&a);
        let file = crate::source::SourceFile::new("site.toml", text.as_str());
        let c = crate::load::config::SiteConfig::parse(&file).unwrap();
        assert_eq!(c.body.name, a.name);
        assert_eq!(c.body.kind, "街道办事处");
        for key in [
            "name =",
            "domain =",
            "host =",
            "organizer =",
            "site_code =",
            "icp =",
            "police_record =",
            "party_gov_mark_url =",
            "base_url =",
        ] {
            assert!(text.contains(key), "{key}");
        }
        assert_eq!(
            c.missing_website_details(),
            vec!["网站标识码", "ICP备案编号", "公安机关备案号"]
        );
    }
}

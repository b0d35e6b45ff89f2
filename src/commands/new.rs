//! `gongkai new <YEAR>`: a new year's folder in the edition that applies to it.
//!
//! report.yaml lists every value of every table under its official label, in the order the
//! format prints them, all `0`; values that carry over from the previous year are filled from
//! it. Which values carry over is not written here: every cross-year `eq` rule of the edition
//! whose left side is one cell of this year says how to compute it (二、上年结转 = last year's
//! 四、结转下年度继续办理; 上一年项目数量 = last year's 上一年项目数量 + 本年增/减; …), and the
//! scaffold evaluates it with this year's other values at 0.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::format::{self, Edition, Op, RuleKind};
use crate::load::config::SiteConfig;
use crate::load::report::writer::{Header, Written, write_yaml};
use crate::load::report::{self, Report};
use crate::load::{self, REPORT_MD, REPORT_YAML};
use crate::number::Decimal;

/// What `new` did.
#[derive(Debug)]
pub struct Created {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// The edition used.
    pub edition: &'static Edition,
    /// Values carried from the previous year: (label path, value).
    pub carried: Vec<(String, String)>,
    /// Notes for the user (e.g. the previous year could not be read).
    pub notes: Vec<String>,
}

/// Why `new` refused.
#[derive(Debug)]
pub enum NewError {
    /// Not a site.
    NotASite(PathBuf),
    /// The year exists.
    Exists(PathBuf),
    /// No edition applies.
    NoEdition(u16),
    /// Writing failed.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for NewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewError::NotASite(p) => write!(
                f,
                "{} 不是 gongkai 站点：找不到 site.toml。请在站点目录中运行，或用 --root 指定站点目录。",
                p.display()
            ),
            NewError::Exists(p) => write!(
                f,
                "{} 已存在，不会覆盖。如要重新生成，请先把它移走。",
                p.display()
            ),
            NewError::NoEdition(y) => write!(
                f,
                "{y}年度没有适用的报告格式：gongkai 支持 {} 年度起的报告。",
                format::builtin().editions()[0].first_year
            ),
            NewError::Io(p, e) => {
                write!(f, "无法写入 {}：{}", p.display(), load::read::io_reason(e))
            }
        }
    }
}

/// Create `content/<year>/` under `root`.
pub fn new_year(root: &Path, year: u16) -> Result<Created, NewError> {
    let formats = format::builtin();
    if !root.join("site.toml").is_file() {
        return Err(NewError::NotASite(root.to_path_buf()));
    }
    let edition = formats.for_year(year).ok_or(NewError::NoEdition(year))?;
    let dir = root.join("content").join(year.to_string());
    if dir.exists() {
        return Err(NewError::Exists(dir));
    }
    let config = load::read::read_source(root, &root.join("site.toml"), load::MAX_CONFIG)
        .ok()
        .and_then(|f| SiteConfig::parse(&f).ok());
    let short_name = config
        .as_ref()
        .map_or("本机关".to_string(), |c| c.short_name().to_string());

    let mut notes = Vec::new();
    let prev_path = root
        .join("content")
        .join((year - 1).to_string())
        .join(REPORT_YAML);
    let previous: Option<Report> = if prev_path.is_file() {
        match load::read::read_source(root, &prev_path, load::MAX_YAML) {
            Ok(file) => {
                let (r, diags) = report::load(formats, &file, year - 1);
                if diags.iter().any(|d| d.is_error()) {
                    notes.push(format!(
                        "{}年度报告有错误（可运行 `gongkai check` 查看），能读到的数字照常结转，其余按 0 填写。",
                        year - 1
                    ));
                }
                r
            }
            Err(d) => {
                notes.push(format!(
                    "无法读取{}年度报告，未结转：{}",
                    year - 1,
                    d.message
                ));
                None
            }
        }
    } else {
        None
    };

    let values = carried_values(edition, previous.as_ref());
    let carried: Vec<(String, String)> = values
        .iter()
        .filter(|(_, _, _, v, _)| !v.is_zero())
        .map(|(t, r, c, v, _)| {
            (
                edition.tables[*t].label_path(edition, *r, *c),
                v.to_string(),
            )
        })
        .collect();
    let yaml = render_yaml(edition, year, &short_name, &values, previous.as_ref());
    let md = render_markdown(edition, year);

    fs::create_dir_all(&dir).map_err(|e| NewError::Io(dir.clone(), e))?;
    let mut files = Vec::new();
    for (name, text) in [(REPORT_YAML, yaml), (REPORT_MD, md)] {
        let path = dir.join(name);
        write_new(&path, &text).map_err(|e| NewError::Io(path.clone(), e))?;
        files.push(path);
    }
    Ok(Created {
        files,
        edition,
        carried,
        notes,
    })
}

/// Write a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// (table, row, col, value, rule id) of every cell the previous year determines.
type Carried = Vec<(usize, usize, usize, Decimal, String)>;

fn carried_values(edition: &Edition, previous: Option<&Report>) -> Carried {
    let mut out = Vec::new();
    let Some(prev) = previous else {
        return out;
    };
    for rule in &edition.rules {
        if !rule.is_cross_year()
            || rule.kind != RuleKind::Compare
            || rule.op != Op::Eq
            || !rule.previous_editions.contains(&prev.edition.id)
        {
            continue;
        }
        for inst in &rule.instances {
            let [target] = inst.left.as_slice() else {
                continue;
            };
            let [(row, col)] = target.cells.as_slice() else {
                continue;
            };
            if target.previous {
                continue;
            }
            // This year's other terms are 0 in a new report; only the previous year counts.
            let mut sum = Some(Decimal::ZERO);
            for t in inst.right.iter().filter(|t| t.previous) {
                for &(r, c) in &t.cells {
                    // The previous report may be in another edition: find the same labels there.
                    let v = prev.cell_like(edition, t.table, r, c).map(|c| c.value);
                    sum = match (sum, v) {
                        (Some(s), Some(v)) => Some(s.plus(v.times(t.sign))),
                        _ => None,
                    };
                }
            }
            if let Some(v) = sum {
                out.push((target.table, *row, *col, v, rule.id.clone()));
            }
        }
    }
    out
}

/// report.yaml for a new year.
pub fn render_yaml(
    edition: &Edition,
    year: u16,
    short_name: &str,
    carried: &Carried,
    previous: Option<&Report>,
) -> String {
    let header = Header {
        comments: vec![
            format!("{short_name}政府信息公开工作{year}年度报告 — 表格数据"),
            format!("格式：《{}》（{}）", edition.title, edition.notice),
            "栏目名称与格式中的表格一一对应，请不要改动，只改冒号后面的数字。".into(),
            "没有的填 0；「本年增/减」减少用负数（如 -8）；金额写明单位（如 169844元 或 16.98万元）。".into(),
            "总计可以删去，由系统自动计算；写了的，系统会核对。填好后运行 gongkai check 检查。".into(),
        ],
        year,
        title: format!("{short_name}政府信息公开工作{year}年度报告"),
        published: None,
        published_note: Some(format!("发布日期: {}-01-31  # 发布后填写，页面和网页标签会用到", year + 1)),
    };
    let value = |t: usize, r: usize, c: usize| {
        let carried = carried
            .iter()
            .find(|(ct, cr, cc, _, _)| (*ct, *cr, *cc) == (t, r, c));
        Some(match (carried, previous) {
            (Some(x), Some(p)) => Written {
                text: x.3.to_string(),
                comment: Some(format!("由{}年度报告结转", p.year)),
            },
            _ => Written {
                text: "0".into(),
                comment: None,
            },
        })
    };
    write_yaml(edition, &header, &value)
}

/// report.md for a new year: the six headings, a lead-in and guidance comments.
pub fn render_markdown(edition: &Edition, year: u16) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "本报告根据《中华人民共和国政府信息公开条例》和《{}》（{}）编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。\n",
        edition.title, edition.notice
    );
    for part in &edition.parts {
        let _ = writeln!(m, "## {}\n", part.heading);
        let guide = match part.number.as_str() {
            "一" => {
                "<!-- 请写明：主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障等情况（条例第五十条）。写好后删去本行。 -->"
            }
            "二" | "三" | "四" => {
                "<!-- 表格由 report.yaml 自动生成；如需在表格前说明，请写在这里。写好后删去本行。 -->"
            }
            "五" => "<!-- 请写明存在的主要问题及改进情况。写好后删去本行。 -->",
            _ => {
                "<!-- 请写明其他需要报告的事项（如收取信息处理费情况）；没有的写「无其他需要报告的事项。」写好后删去本行。 -->"
            }
        };
        let _ = writeln!(m, "{guide}\n");
    }
    m
}

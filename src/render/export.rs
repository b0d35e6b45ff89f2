//! What a clerk needs to publish a year's report where reports actually go (PUBLISHING.md): the
//! portal article (`article.html`, and `preview.html` to look at it), the Word document as filed
//! (`<标题>.docx`), the per-table CSV files and `metadata.json` for the CMS's metadata fields.
//! `gongkai export` writes the package; `build` writes the Word document into each year's
//! folder when the settings ask for it ([`year_docx`]).

use serde::Serialize;

use crate::load::Site;

use super::document::{self, ReportDoc};
use super::view::WordLink;
use super::{article, docx, size_text};

/// `metadata.json`: the article's metadata fields, in the order portals show them.
#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    /// 标题.
    #[serde(rename = "标题")]
    pub title: String,
    /// 发布机构.
    #[serde(rename = "发布机构")]
    pub body: String,
    /// 发布日期 (`YYYY-MM-DD`), null when report.yaml does not give it.
    #[serde(rename = "发布日期")]
    pub published: Option<String>,
    /// 统计期限.
    #[serde(rename = "统计期限")]
    pub period: String,
    /// 格式: the edition and its notice.
    #[serde(rename = "格式")]
    pub edition: Edition,
    /// 索引号, when site.toml gives it.
    #[serde(rename = "索引号", skip_serializing_if = "Option::is_none")]
    pub index_number: Option<String>,
    /// 主题分类, when site.toml gives it.
    #[serde(rename = "主题分类", skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// 附件: the files to attach to the article.
    #[serde(rename = "附件")]
    pub attachments: Vec<String>,
}

/// The edition in `metadata.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Edition {
    /// `2019版`.
    #[serde(rename = "名称")]
    pub name: String,
    /// `国办公开办函〔2019〕60号`.
    #[serde(rename = "文号")]
    pub notice: String,
}

/// A year's publishing package: file names and bytes, in a fixed order.
#[derive(Debug, Clone)]
pub struct Package {
    /// The report's title.
    pub title: String,
    /// The Word document's file name.
    pub docx_name: String,
    /// The files.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A file name from a title: characters that Windows, macOS or a URL cannot carry in a name
/// become `_`; never empty.
pub fn file_stem(title: &str) -> String {
    let stem: String = title
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|#%".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = stem.trim_matches(['.', ' ']).to_string();
    if stem.is_empty() {
        "报告".to_string()
    } else {
        stem
    }
}

/// The Word document of year `index` of `site` for the year page: its link and its bytes.
pub(crate) fn year_docx(site: &Site, index: usize) -> (WordLink, Vec<u8>) {
    let doc = document::report_doc(site, index);
    let bytes = docx::docx(&doc);
    let link = WordLink {
        url: "report.docx".to_string(),
        name: format!("{}.docx", file_stem(&doc.title)),
        text: format!("下载 Word 版（DOCX 格式，{}）", size_text(bytes.len())),
    };
    (link, bytes)
}

/// The publishing package of year `index` of `site`.
pub fn package(site: &Site, index: usize) -> Package {
    let doc: ReportDoc = document::report_doc(site, index);
    let fragment = article::fragment(&doc);
    let preview = article::preview(&doc, &fragment);
    let docx_name = format!("{}.docx", file_stem(&doc.title));
    let mut files = vec![
        ("article.html".to_string(), fragment.into_bytes()),
        ("preview.html".to_string(), preview.into_bytes()),
        (docx_name.clone(), docx::docx(&doc)),
    ];
    let report = &site.years[index].report;
    for printed in super::table::printed_csvs(report, &super::table::layouts(report.edition)) {
        files.push((
            format!("{}年度表{}.csv", report.year, printed.number),
            printed.csv.into_bytes(),
        ));
    }
    let portal = &site.config.portal;
    let metadata = Metadata {
        title: doc.title.clone(),
        body: doc.body_name.clone(),
        published: doc.published.clone(),
        period: doc.period.clone(),
        edition: Edition {
            name: doc.edition.0.clone(),
            notice: doc.edition.1.clone(),
        },
        index_number: portal.index_number.clone().filter(|s| !s.trim().is_empty()),
        topic: portal.topic.clone().filter(|s| !s.trim().is_empty()),
        attachments: vec![docx_name.clone()],
    };
    let json = serde_json::to_string_pretty(&metadata).unwrap_or_default() + "\n";
    files.push(("metadata.json".to_string(), json.into_bytes()));
    Package {
        title: doc.title,
        docx_name,
        files,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_stems() {
        assert_eq!(
            super::file_stem("东柳街道政府信息公开工作2020年度报告"),
            "东柳街道政府信息公开工作2020年度报告"
        );
        assert_eq!(super::file_stem(" a/b:c?.docx "), "a_b_c_.docx");
        assert_eq!(super::file_stem("..."), "报告");
    }
}

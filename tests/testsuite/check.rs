//! `gongkai check` and `gongkai new` end to end: the bundled site, exit statuses, JSON output,
//! the scaffold's carry-overs, and the promise that no single wrong count in parts 三 or 四
//! passes.

use std::fs;

use crate::common::*;

#[test]
fn bundled_site_passes_with_exactly_the_warnings_it_deserves() {
    let (code, diags) = check_json(&repo());
    assert_eq!(code, 0);
    let got: Vec<(String, String, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, u64)> = [
        // 一 says 383 items, the channels in 二 add up to 172 + 210 = 382.
        ("R3.7", "content/2020/report.md", 7),
        // The part-四 heading lacks "四、"; part 五 says 改进措施.
        ("M2", "content/2020/report.md", 27),
        ("M2", "content/2020/report.md", 31),
        // 行政处罚 14 | 10 | 4: 14 − 10 = 4, an unsigned decrease?
        ("R2.5", "content/2020/report.yaml", 38),
        // 采购总金额 169844 without a unit.
        ("S6", "content/2020/report.yaml", 51),
    ]
    .iter()
    .map(|(r, f, l)| (r.to_string(), f.to_string(), *l))
    .collect();
    assert_eq!(got, want);
    assert!(diags.iter().all(|d| d["severity"] == "warning"));
}

#[test]
fn bundled_site_messages_snapshot() {
    let (code, stderr) = check_human(&repo());
    assert_eq!(code, 0);
    insta::assert_snapshot!("bundled_check", stderr);
}

#[test]
fn json_diagnostics_carry_the_required_fields() {
    let (_, diags) = check_json(&repo());
    for d in &diags {
        for key in ["file", "line", "column", "severity", "rule", "message"] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
    let r37 = &diags[0];
    assert_eq!(r37["column"], 79);
    assert_eq!(r37["message"], "主动公开信息总数与分渠道发布数之和不一致");
}

#[test]
fn exit_status_two_for_a_folder_that_is_not_a_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = gongkai(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("不是 gongkai 站点：找不到 site.toml"), "{err}");
    let out = gongkai(&["check", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn new_2021_after_2020_carries_over_and_passes_in_the_2021_edition() {
    let site = temp_site("bundled");
    let root = site.path().to_str().unwrap();
    let out = gongkai(&["new", "2021", "--root", root]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("2021版，国办公开办函〔2021〕30号"),
        "{stdout}"
    );
    let yaml = fs::read_to_string(site.path().join("content/2021/report.yaml")).unwrap();
    assert!(yaml.contains("格式: 2021版"));
    assert!(yaml.contains("本年制发件数: 0"));
    assert!(!yaml.contains("本年新制作数量"));
    let (code, diags) = check_json(site.path());
    assert_eq!(code, 0, "{diags:#?}");
    assert!(diags.iter().all(|d| d["severity"] == "warning"));
    // Refuses to overwrite.
    let out = gongkai(&["new", "2021", "--root", root]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("已存在，不会覆盖")
    );
}

#[test]
fn new_carries_every_carry_over_from_the_previous_year() {
    let site = temp_site("multi-year");
    let root = site.path();
    // Drop 2022 and regenerate it from 2021.
    fs::remove_dir_all(root.join("content/2022")).unwrap();
    let out = gongkai(&["new", "2022", "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let file = root.join("content/2022/report.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let value = |keys: &[&str]| {
        let line = line_of(&file, keys);
        let l = text.lines().nth(line - 1).unwrap();
        l.split(':')
            .nth(1)
            .unwrap()
            .split('#')
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    // 二、上年结转 = 2021's 四、结转下年度继续办理 (自然人 2).
    assert_eq!(
        value(&[P3, "二、上年结转政府信息公开申请数量", "自然人"]),
        "2"
    );
    assert_eq!(
        value(&[P3, "二、上年结转政府信息公开申请数量", "总计"]),
        "2"
    );
    // 现行有效件数 carried from 2021 (R-X4 with nothing issued or repealed yet).
    assert_eq!(
        value(&[P2, "第二十条第（一）项", "行政规范性文件", "现行有效件数"]),
        "9"
    );
    // And within the 2019 edition, 上一年项目数量 = last year's + 本年增/减 (R-X2).
    fs::remove_dir_all(root.join("content/2021")).unwrap();
    fs::remove_dir_all(root.join("content/2022")).unwrap();
    fs::remove_dir_all(root.join("content/2020")).unwrap();
    let out = gongkai(&["new", "2020", "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let file = root.join("content/2020/report.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let value = |keys: &[&str]| {
        let line = line_of(&file, keys);
        let l = text.lines().nth(line - 1).unwrap();
        l.split(':')
            .nth(1)
            .unwrap()
            .split('#')
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(
        value(&[P2, "第二十条第（五）项", "行政许可", "上一年项目数量"]),
        "22"
    );
    assert_eq!(
        value(&[
            P2,
            "第二十条第（五）项",
            "其他对外管理服务事项",
            "上一年项目数量"
        ]),
        "14"
    );
    assert_eq!(
        value(&[P2, "第二十条第（一）项", "规范性文件", "对外公开总数量"]),
        "12"
    );
    assert_eq!(
        value(&[P3, "二、上年结转政府信息公开申请数量", "商业企业"]),
        "1"
    );
}

/// Every count in parts 三 and 四 of every year of the valid fixture: one more, and check fails.
#[test]
fn changing_any_single_count_in_parts_three_or_four_fails() {
    let site = temp_site("multi-year");
    let mut tried = 0;
    let mut passed = Vec::new();
    for year in [2019, 2020, 2021, 2022] {
        let file = site.path().join(format!("content/{year}/report.yaml"));
        let original = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = original.split('\n').collect();
        let mut in_scope = false;
        for (i, line) in lines.iter().enumerate() {
            if !line.starts_with(' ') && !line.starts_with('#') && !line.is_empty() {
                in_scope = line.starts_with("三、") || line.starts_with("四、");
                continue;
            }
            let Some((key, rest)) = line.split_once(": ") else {
                continue;
            };
            let value = rest.split('#').next().unwrap().trim();
            let Ok(n) = value.parse::<i64>() else {
                continue;
            };
            if !in_scope {
                continue;
            }
            let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            changed[i] = format!("{key}: {}", n + 1);
            fs::write(&file, changed.join("\n")).unwrap();
            let checked = gongkai::pipeline::check(site.path()).unwrap();
            tried += 1;
            if checked.counts().0 == 0 {
                passed.push(format!("{year}:{}: {}", i + 1, line.trim()));
            }
        }
        fs::write(&file, &original).unwrap();
    }
    assert!(tried > 700, "only {tried} counts tried");
    assert!(
        passed.is_empty(),
        "these changes passed check:\n{}",
        passed.join("\n")
    );
}

/// A report with many kinds of mistakes: all are reported at once, each located, in Chinese.
#[test]
fn every_problem_is_reported_at_once_snapshot() {
    let (code, stderr) = check_human(&fixture("errors"));
    assert_eq!(code, 1);
    insta::assert_snapshot!("errors_check", stderr);
    let (_, diags) = check_json(&fixture("errors"));
    let rules: Vec<&str> = diags.iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["M3", "M1", "S3", "S1", "S5", "S4", "S4", "S3", "R3.3"]
    );
}

/// `gongkai schema | head`, `gongkai check --format json | head`: when the reader has gone away
/// (a closed pipe, EPIPE), the output is dropped quietly; no panic, the command's own status.
#[test]
fn a_closed_stdout_is_not_a_crash() {
    let site = fixture("multi-year");
    let platform = fixture("platform");
    for (args, status) in [
        (vec!["schema"], 0),
        (
            vec![
                "check",
                "--root",
                site.to_str().unwrap(),
                "--format",
                "json",
            ],
            0,
        ),
        (
            vec![
                "check",
                "--root",
                platform.to_str().unwrap(),
                "--format",
                "json",
            ],
            1, // one of its bodies has errors on purpose
        ),
    ] {
        // A pipe whose reading end is closed before gongkai starts: every write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(&args)
            .env("NO_COLOR", "1")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(status), "{args:?}: {stderr}");
    }
}

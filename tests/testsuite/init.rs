//! `gongkai init`: a site in one command, asked for in a terminal, never over an existing one.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn init_with_flags_makes_a_site_that_checks_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("新站点");
    let out = gongkai(&[
        "init",
        root.to_str().unwrap(),
        "--name",
        "示例市示例区示例镇人民政府",
        "--kind",
        "乡镇人民政府",
        "--year",
        "2025",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("/edit/") && stdout.contains("2021版"),
        "{stdout}"
    );
    let files: Vec<String> = snapshot(&root).into_keys().collect();
    assert_eq!(
        files,
        [
            ".gitignore",
            "content/2025/report.md",
            "content/2025/report.yaml",
            "content/pages/guide.md",
            "site.toml"
        ]
    );
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    assert!(
        toml.contains("name = \"示例市示例区示例镇人民政府\"")
            && toml.contains("kind = \"乡镇人民政府\"")
    );
    for detail in [
        "主办单位",
        "承办单位",
        "网站标识码",
        "ICP备案编号",
        "公安机关备案号",
        "党政机关网站标识",
        "网站名称",
        "网站域名",
    ] {
        assert!(toml.contains(detail), "site.toml explains {detail}");
    }
    let yaml = fs::read_to_string(root.join("content/2025/report.yaml")).unwrap();
    assert!(
        yaml.contains("格式: 2021版")
            && yaml.contains("标题: 示例市示例区示例镇人民政府政府信息公开工作2025年度报告")
    );
    assert!(
        fs::read_to_string(root.join("content/pages/guide.md"))
            .unwrap()
            .starts_with("# 示例市示例区示例镇人民政府政府信息公开指南")
    );
    assert!(
        fs::read_to_string(root.join(".gitignore"))
            .unwrap()
            .contains("/public/")
    );
    // Only warnings (the narrative is still to be written): it checks and builds.
    let (code, diags) = check_json(&root);
    assert_eq!(code, 0, "{diags:?}");
    let out = gongkai(&["build", "--root", root.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        root.join("public/pages/guide/index.html").is_file()
            || root.join("public/pages/guide.html").is_file()
    );
}

#[test]
fn init_never_overwrites_and_says_why() {
    for existing in ["site.toml", "content", "platform.toml"] {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(existing);
        if existing == "content" {
            fs::create_dir(&p).unwrap();
        } else {
            fs::write(&p, "# 已有\n").unwrap();
        }
        let before = snapshot(dir.path());
        let out = gongkai(&[
            "init",
            dir.path().to_str().unwrap(),
            "--name",
            "某局",
            "--kind",
            "区县部门",
        ]);
        assert_eq!(out.status.code(), Some(2), "{existing}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("已存在") && err.contains("不会覆盖"), "{err}");
        assert_eq!(snapshot(dir.path()), before, "{existing}: nothing written");
    }
    // A folder with other things in it (a README, .git) is fine; an existing .gitignore is kept.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(".gitignore"), "target/\n").unwrap();
    let out = gongkai(&[
        "init",
        dir.path().to_str().unwrap(),
        "--name",
        "某局",
        "--kind",
        "区县部门",
        "--year",
        "2024",
    ]);
    assert!(out.status.success());
    assert_eq!(
        fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        "target/\n"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(".gitignore 已存在"));
}

#[test]
fn init_without_a_terminal_needs_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["init", dir.path().to_str().unwrap()])
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--name"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    let out = gongkai(&[
        "init",
        dir.path().to_str().unwrap(),
        "--name",
        "某局",
        "--kind",
        "局",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("街道办事处、乡镇人民政府"));
    let out = gongkai(&[
        "init",
        dir.path().to_str().unwrap(),
        "--name",
        "某局",
        "--kind",
        "区县部门",
        "--year",
        "2010",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// In a real terminal (a pseudo-terminal), `init` asks for the name and the kind.
#[test]
fn init_in_a_terminal_asks_for_the_name_and_the_kind() {
    let dir = tempfile::tempdir().unwrap();
    let (mut master, slave) = pty();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["init", dir.path().to_str().unwrap(), "--year", "2025"])
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap();
    // A watchdog: a prompt that never comes must not hang the test suite.
    let pid = child.id() as libc::pid_t;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watching = done.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        if !watching.load(std::sync::atomic::Ordering::SeqCst) {
            // SAFETY: kill() on the pid of this test's own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let mut seen = String::new();
    let read_until = |master: &mut fs::File, what: &str, seen: &mut String| {
        let end = Instant::now() + Duration::from_secs(20);
        let mut buf = [0u8; 4096];
        while !seen.contains(what) {
            assert!(Instant::now() < end, "no «{what}» in {seen}");
            match master.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    };
    read_until(&mut master, "机关全称", &mut seen);
    master.write_all("测试街道办事处\n".as_bytes()).unwrap();
    read_until(&mut master, "请输入序号或名称", &mut seen);
    master.write_all(b"0\n").unwrap();
    read_until(&mut master, "不在列表中", &mut seen);
    master.write_all(b"1\n").unwrap();
    read_until(&mut master, "下一步", &mut seen);
    let status = child.wait().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(status.success(), "{seen}");
    assert!(seen.contains(" 1. 街道办事处"), "{seen}");
    let toml = fs::read_to_string(dir.path().join("site.toml")).unwrap();
    assert!(
        toml.contains("name = \"测试街道办事处\"") && toml.contains("kind = \"街道办事处\""),
        "{toml}"
    );
}

/// A pseudo-terminal: the master side (to type into and read from) and the slave side (the
/// child's terminal).
fn pty() -> (fs::File, fs::File) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the integers given; the other arguments
    // may be null (no name, default settings and size).
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and are owned by nothing else.
    unsafe {
        (
            fs::File::from(OwnedFd::from_raw_fd(master)),
            fs::File::from(OwnedFd::from_raw_fd(slave)),
        )
    }
}

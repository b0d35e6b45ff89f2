//! Command-line interface: parses arguments, runs a command, prints, returns the exit status.
//!
//! Exit status: 0 — done (warnings allowed); 1 — the content has errors; 2 — usage or I/O
//! problems (not a site, unreadable files, refused output folder).

pub mod export;
pub mod import;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod serve;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic;
use crate::pipeline;

/// gongkai（公开）— 政府信息公开工作年度报告网站生成器
#[derive(Debug, Parser)]
#[command(name = "gongkai", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 检查各年度报告是否符合格式及勾稽关系
    Check {
        /// 站点目录（含 site.toml 的文件夹）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出格式
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// 生成网站（先检查；有错误时不生成）
    Build {
        /// 站点目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录（默认为站点目录下的 public/）
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// 本地预览：生成网站并在浏览器中实时刷新
    Serve {
        /// 站点目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 端口（0 表示任选一个空闲端口）
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// 监听地址；默认只允许本机访问
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// 轮询文件变化（WSL2、网络驱动器、容器中使用）
        #[arg(long)]
        poll: bool,
    },
    /// 输出 report.yaml 的 JSON Schema（供编辑器校验和补全）
    Schema,
    /// 导入已发布的年度报告（文本或网页），写成 content/<年度>/ 并检查
    Import {
        /// 报告文件：.txt（UTF-8 或 GB18030）或保存的网页 .html/.htm，可以多个
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 站点目录（含 site.toml 的文件夹）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 覆盖已有年度的 report.yaml 和 report.md
        #[arg(long)]
        force: bool,
        /// 输出格式
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// 导出某一年度的发布材料：门户网站文章（article.html、preview.html）、报送备案的 Word 文件、
    /// 各表 CSV 和 metadata.json，写入 export/<年度>/
    Export {
        /// 报告年度
        year: u16,
        /// 站点或平台文件夹
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出文件夹（默认为 <站点>/export/<年度>）
        #[arg(long)]
        output: Option<PathBuf>,
        /// 平台：机关的文件夹名（默认为全部机关）
        #[arg(long)]
        body: Option<String>,
    },
    /// 新建站点：site.toml、当年报告模板、政府信息公开指南模板（不覆盖已有站点）
    Init {
        /// 站点文件夹（默认为当前文件夹；不存在时新建）
        dir: Option<PathBuf>,
        /// 机关全称，如 宁波市鄞州区东柳街道办事处（不写时在终端中询问）
        #[arg(long)]
        name: Option<String>,
        /// 机关类别，如 街道办事处、乡镇人民政府、区县部门（不写时在终端中询问）
        #[arg(long)]
        kind: Option<String>,
        /// 报告年度（默认为上一年，即现在要编写的年度报告）
        #[arg(long)]
        year: Option<u16>,
    },
    /// 生成一个新年度的报告模板（content/<年度>/）
    New {
        /// 年度，如 2021
        year: u16,
        /// 站点目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// How `check` prints diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// rustc-style messages with source snippets
    Human,
    /// a JSON array of {file, line, column, severity, rule, message}
    Json,
}

/// Run with the given arguments.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check { root, format } => check(root, format),
        Command::New { year, root } => new_year(root, year),
        Command::Export {
            year,
            root,
            output,
            body,
        } => export::cli(&root, year, output.as_deref(), body.as_deref(), color()),
        Command::Init {
            dir,
            name,
            kind,
            year,
        } => init(dir.unwrap_or_else(|| PathBuf::from(".")), name, kind, year),
        Command::Build { root, output } => build(root, output),
        Command::Serve {
            root,
            port,
            bind,
            poll,
        } => ExitCode::from(crate::commands::serve::run(
            crate::commands::serve::ServeOptions {
                root,
                bind,
                port,
                poll,
            },
        )),
        Command::Schema => {
            print_stdout(&crate::format::schema::schema_json());
            ExitCode::SUCCESS
        }
        Command::Import {
            files,
            root,
            force,
            format,
        } => crate::commands::import::cli(
            &root,
            &files,
            force,
            format == OutputFormat::Json,
            color(),
        ),
    }
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn check(root: PathBuf, format: OutputFormat) -> ExitCode {
    let checked = match pipeline::check(&root) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    match format {
        OutputFormat::Json => {
            let all: Vec<diagnostic::Diagnostic> = checked.diagnostics().cloned().collect();
            print_stdout(&format!("{}\n", diagnostic::to_json(&all)));
        }
        OutputFormat::Human => {
            let _ = write!(std::io::stderr().lock(), "{}", checked.report(color()));
        }
    }
    if checked.has_io_problem() {
        ExitCode::from(2)
    } else if checked.counts().0 > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn new_year(root: PathBuf, year: u16) -> ExitCode {
    match new::new_year(&root, year) {
        Ok(created) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "已生成 {year} 年度报告模板（{}，{}）：",
                created.edition.name, created.edition.notice
            );
            for f in &created.files {
                let _ = writeln!(out, "  {}", f.display());
            }
            if !created.carried.is_empty() {
                let _ = writeln!(out, "已从 {} 年度报告结转：", year - 1);
                for (label, value) in &created.carried {
                    let _ = writeln!(out, "  {label}：{value}");
                }
            }
            for n in &created.notes {
                let _ = writeln!(out, "注意：{n}");
            }
            let _ = writeln!(
                out,
                "下一步：在 report.yaml 中填写数字，在 report.md 中写正文，然后运行 gongkai check。"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}

fn init(dir: PathBuf, name: Option<String>, kind: Option<String>, year: Option<u16>) -> ExitCode {
    use init::{Answers, InitError};
    // Refused before anything is asked.
    if let Err(e) = init::refuse_existing(&dir) {
        return usage_error(&e);
    }
    let answers = match (name, kind) {
        (Some(name), Some(kind)) => Answers { name, kind },
        (name, kind) if std::io::stdin().is_terminal() => {
            let mut input = std::io::stdin().lock();
            match init::ask(&mut input, &mut std::io::stdout(), name, kind) {
                Ok(Some(a)) => a,
                Ok(None) => {
                    eprintln!("已取消，没有创建任何文件。");
                    return ExitCode::from(2);
                }
                Err(e) => return usage_error(&e),
            }
        }
        _ => return usage_error(&InitError::NeedAnswers),
    };
    let year = year.unwrap_or_else(init::due_year);
    match init::init(&dir, &answers, year) {
        Ok(created) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "已在 {} 创建站点（{}）：", dir.display(), answers.name);
            for f in &created.files {
                let _ = writeln!(out, "  {f}");
            }
            let _ = writeln!(out, "{} 年度报告按{}生成。", created.year, created.edition);
            for n in &created.notes {
                let _ = writeln!(out, "注意：{n}");
            }
            let _ = writeln!(out, "下一步：");
            if dir != std::path::Path::new(".") {
                let _ = writeln!(out, "  cd {}", dir.display());
            }
            let _ = writeln!(
                out,
                "  gongkai serve    然后在浏览器中打开 http://127.0.0.1:8080/edit/ 填写报告；"
            );
            let _ = writeln!(
                out,
                "  site.toml 中的联系方式和网站备案信息请用文本编辑器补全，content/pages/guide.md 请按本机关实际修改。"
            );
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(&e),
    }
}

fn build(root: PathBuf, output: Option<PathBuf>) -> ExitCode {
    let started = std::time::Instant::now();
    match pipeline::build(&root, output.as_deref()) {
        Ok(built) => {
            let mut err = std::io::stderr().lock();
            for line in built.notes() {
                let _ = writeln!(err, "{line}");
            }
            print_summary(&built.output, built.pages, built.written, started);
            ExitCode::SUCCESS
        }
        Err(pipeline::BuildError::Load(e)) => usage_error(&e),
        Err(pipeline::BuildError::Invalid(diags)) => {
            let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).cloned().collect();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{}", diagnostic::render_all(&errors, color()));
            let _ = writeln!(
                err,
                "有 {} 个错误，未生成网站；原有的输出文件夹保持不变。",
                errors.len()
            );
            if errors.iter().any(|d| d.rule == "F1") {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
        Err(pipeline::BuildError::Output(e)) => usage_error(&e),
    }
}

/// The one line `build` prints.
fn print_summary(
    output: &std::path::Path,
    pages: usize,
    written: crate::output::Written,
    started: std::time::Instant,
) {
    let _ = writeln!(
        std::io::stdout().lock(),
        "已生成 {}：{} 个页面，{} 个文件，{}，用时 {} 毫秒。",
        output.display(),
        pages,
        written.files,
        crate::render::size_text(written.bytes as usize),
        started.elapsed().as_millis()
    );
}

/// Write `text` to standard output. A reader that has gone away (`gongkai schema | head`: the
/// pipe is closed, EPIPE) is not an error of gongkai's: the rest is dropped quietly, where
/// `print!` would panic.
pub(crate) fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A usage or I/O problem: one line, exit status 2.
fn usage_error(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("错误：{e}");
    ExitCode::from(2)
}

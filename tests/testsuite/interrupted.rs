//! Builds killed with SIGKILL at random moments, 100 times: `public/` is always either the
//! complete old site or the complete new one, and the next build cleans up after the killed one.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn build(root: &Path) -> bool {
    gongkai(&["build", "--root", root.to_str().unwrap()])
        .status
        .success()
}

/// A small deterministic generator (no clock): the kill moments are reproducible.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
#[ignore = "endurance: 100 killed builds; .ci/run runs it"]
fn killed_builds_never_leave_a_half_written_site() {
    let site = temp_site("platform");
    let root = site.path();
    let out = root.join("public");
    let md = root.join("shili-jiedao/content/2022/report.md");
    let text = fs::read_to_string(&md).unwrap();
    let changed = text.replace("本年度未收取信息处理费", "本年度未收取任何信息处理费");
    assert_ne!(text, changed);

    // The two versions of the site, and how long a build takes.
    assert!(build(root));
    let old = snapshot(&out);
    fs::write(&md, &changed).unwrap();
    let started = Instant::now();
    assert!(build(root));
    let build_time = started.elapsed();
    let new = snapshot(&out);
    assert_ne!(old, new);

    let mut rng = Lcg(20261126);
    let (mut saw_old, mut saw_new) = (0, 0);
    let trials = 100;
    for trial in 0..trials {
        // Start from the old site, then build the new one and kill it somewhere inside.
        fs::write(&md, &text).unwrap();
        assert!(build(root), "trial {trial}: rebuilding the old site");
        fs::write(&md, &changed).unwrap();
        let delay =
            Duration::from_micros(rng.next() % (build_time.as_micros() as u64 * 12 / 10 + 1));
        let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["build", "--root", root.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = snapshot(&out);
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!(
                "trial {trial} (killed after {delay:?}): public/ is neither the old nor the new site"
            );
        }
    }
    eprintln!(
        "{trials} killed builds: {saw_old} left the old site, {saw_new} the new one (a build takes {build_time:?})"
    );
    assert_eq!(saw_old + saw_new, trials);
    assert!(
        saw_old > 0,
        "no build was killed before its swap; the trial is not testing anything"
    );

    // The next build completes and leaves no temporary folders (only the reusable staging folder
    // and the lock file beside public/).
    assert!(build(root));
    assert_eq!(snapshot(&out), new);
    let mut siblings: Vec<String> = fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("gongkai"))
        // The writer's manifests (one per folder, once files settle) are no leftovers.
        .filter(|n| !n.starts_with(".public.gongkai-manifest-") || n.ends_with("-tmp"))
        .collect();
    siblings.sort();
    assert_eq!(siblings, [".public.gongkai-lock", ".public.gongkai-prev"]);
}

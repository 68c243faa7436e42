//! File-test harness: runs the real `riirc` binary on every input under `tests/filetests/{parse,verify,errors}/`
//! and compares what it printed with the `.expect` file beside the input. Re-bless with `RIIR_BLESS=1`.
//!
//! The first line of each input names what to run: `// test: parse` (`riirc fmt FILE`, and the printed form
//! must print to itself again), `// test: verify` or `// test: check` (`riirc check FILE`). Hostile inputs too
//! large to commit (200,000-deep nesting, a 2 MB line, binary data, truncations) are generated here and fed on
//! standard input; their goldens are `errors/generated-<name>.expect`. Every example under `examples/` must
//! check (exit 0) and be a fixed point of printing after one `fmt`. Any golden containing "panicked" fails,
//! and every run has a time limit, so a hang fails too.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CATEGORIES: &[&str] = &["parse", "verify", "errors"];
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// One named check; `Err` carries what to show when it fails.
type Case = Box<dyn Fn() -> Result<(), String>>;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let bless = std::env::var_os("RIIR_BLESS").is_some();
    let mut cases: Vec<(String, Case)> = Vec::new();

    for cat in CATEGORIES {
        let dir = root.join("tests/filetests").join(cat);
        for input in riir_files(&dir) {
            let rel = input.strip_prefix(&root).expect("under root").to_path_buf();
            let root = root.clone();
            cases.push((
                format!("{}", rel.display()),
                Box::new(move || file_case(&root, &rel, bless)),
            ));
        }
    }
    for (name, bytes) in generated_inputs(&root) {
        let root = root.clone();
        cases.push((
            format!("generated/{name}"),
            Box::new(move || generated_case(&root, name, &bytes, bless)),
        ));
    }
    {
        let root = root.clone();
        cases.push(("generated/truncations".into(), Box::new(move || truncations(&root))));
    }
    for example in riir_files(&root.join("examples")) {
        let rel = example.strip_prefix(&root).expect("under root").to_path_buf();
        let root = root.clone();
        cases.push((
            format!("{}", rel.display()),
            Box::new(move || example_case(&root, &rel)),
        ));
    }

    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, case) in &cases {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        match case() {
            Ok(()) => println!("test {name} ... ok"),
            Err(e) => {
                println!("test {name} ... FAILED\n{e}\n");
                failed.push(name.clone());
            }
        }
    }
    println!(
        "\nfiletests: {} passed; {} failed; {} filtered out",
        ran - failed.len(),
        failed.len(),
        cases.len() - ran
    );
    if !failed.is_empty() {
        println!("failed:\n  {}", failed.join("\n  "));
        println!("(re-bless intended changes with RIIR_BLESS=1 and review the diff)");
        std::process::exit(1);
    }
}

fn riir_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "riir"));
    files.sort();
    files
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    /// What a golden records: the exit code, then stdout and stderr when not empty.
    fn transcript(&self) -> String {
        let mut s = format!("exit: {}\n", self.code);
        if !self.stdout.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&String::from_utf8_lossy(&self.stdout));
        }
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&String::from_utf8_lossy(&self.stderr));
        }
        s
    }
}

/// Runs `riirc args…` in the workspace root, feeding `stdin`, killing it after [`TIME_LIMIT`].
fn riirc(root: &Path, args: &[&str], stdin: &[u8]) -> Result<Run, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_riirc"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run riirc: {e}"))?;
    let mut input = child.stdin.take().expect("piped");
    let stdin = stdin.to_vec();
    // Feed and drain on threads so a large input or output cannot deadlock on a full pipe.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("riirc {} did not finish within {TIME_LIMIT:?}", args.join(" ")));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    let run = Run {
        // A signal (stack overflow, abort) has no code: record it as one no golden will ever hold.
        code: status.code().unwrap_or(-1),
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    };
    if run.code == 101 || run.code == -1 || String::from_utf8_lossy(&run.stderr).contains("panicked") {
        return Err(format!("riirc crashed:\n{}", run.transcript()));
    }
    Ok(run)
}

fn compare(expect_path: &Path, actual: &str, bless: bool) -> Result<(), String> {
    if actual.contains("panicked") {
        return Err(format!("output mentions a panic:\n{actual}"));
    }
    if bless {
        std::fs::write(expect_path, actual).map_err(|e| format!("cannot bless {}: {e}", expect_path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(expect_path)
        .map_err(|e| format!("missing golden {} ({e}); run with RIIR_BLESS=1", expect_path.display()))?;
    if expected.contains("panicked") {
        return Err(format!("golden {} records a panic", expect_path.display()));
    }
    if expected != actual {
        return Err(format!(
            "output differs from {}\n--- expected\n{expected}--- actual\n{actual}",
            expect_path.display()
        ));
    }
    Ok(())
}

fn file_case(root: &Path, rel: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read(root.join(rel)).map_err(|e| e.to_string())?;
    let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let kind = String::from_utf8_lossy(first)
        .strip_prefix("// test: ")
        .map(|k| k.trim().to_string())
        .ok_or_else(|| format!("{} must start with `// test: parse|verify|check`", rel.display()))?;
    let path = rel.to_str().ok_or("non-UTF-8 path")?;
    let run = match kind.as_str() {
        "parse" => {
            let run = riirc(root, &["fmt", path], b"")?;
            if run.code == 0 {
                let again = riirc(root, &["fmt", "-"], &run.stdout)?;
                if again.stdout != run.stdout {
                    return Err(format!(
                        "printing is not a fixed point:\n--- first\n{}--- second\n{}",
                        String::from_utf8_lossy(&run.stdout),
                        String::from_utf8_lossy(&again.stdout)
                    ));
                }
            }
            run
        }
        "verify" | "check" => riirc(root, &["check", path], b"")?,
        other => return Err(format!("unknown test kind `{other}`")),
    };
    compare(&root.join(rel).with_extension("expect"), &run.transcript(), bless)
}

fn generated_case(root: &Path, name: &str, bytes: &[u8], bless: bool) -> Result<(), String> {
    let run = riirc(root, &["check", "-"], bytes)?;
    if run.code != 1 {
        return Err(format!("expected exit 1, got:\n{}", run.transcript()));
    }
    let expect = root.join(format!("tests/filetests/errors/generated-{name}.expect"));
    compare(&expect, &run.transcript(), bless)
}

/// The seed example cut at many points: each prefix is either valid (exit 0) or an error with a position.
fn truncations(root: &Path) -> Result<(), String> {
    let seed = std::fs::read(root.join("examples/decode_layer18.riir")).map_err(|e| e.to_string())?;
    for cut in (0..seed.len()).step_by(7) {
        let run = riirc(root, &["check", "-"], &seed[..cut])?;
        let err = String::from_utf8_lossy(&run.stderr);
        let ok = match run.code {
            0 => true,
            1 => err.contains("--> <stdin>:"),
            _ => false,
        };
        if !ok {
            return Err(format!("cut at byte {cut}:\n{}", run.transcript()));
        }
    }
    Ok(())
}

fn example_case(root: &Path, rel: &Path) -> Result<(), String> {
    let path = rel.to_str().ok_or("non-UTF-8 path")?;
    let check = riirc(root, &["check", path], b"")?;
    if check.code != 0 {
        return Err(format!("example does not check:\n{}", check.transcript()));
    }
    let once = riirc(root, &["fmt", path], b"")?;
    let twice = riirc(root, &["fmt", "-"], &once.stdout)?;
    if once.code != 0 || twice.stdout != once.stdout {
        return Err(format!(
            "print → parse → print is not the identity:\n{}\n{}",
            once.transcript(),
            twice.transcript()
        ));
    }
    Ok(())
}

/// Inputs built here because they are too large (or too unreadable) to commit.
fn generated_inputs(root: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let seed = std::fs::read(root.join("examples/decode_layer18.riir")).unwrap_or_default();
    let mut v: Vec<(&'static str, Vec<u8>)> = Vec::new();
    v.push(("deep-list-nesting", "[".repeat(200_000).into_bytes()));
    let op = format!(
        "func @f() {{\n  riir.op \"a\" {{memory = {{prefetch = {}}}}}\n}}\n",
        "[".repeat(200_000)
    );
    v.push(("deep-nesting-in-op", op.into_bytes()));
    v.push(("deep-dict-nesting", "{a = ".repeat(100_000).into_bytes()));
    // A 2 MB line: a prefetch list of 2 MB that ends in a number where a value name belongs.
    let mut line = String::from("func @f(%a: !kv.block) {\n  riir.op \"a\" {memory = {prefetch = [");
    while line.len() < 2 << 20 {
        line.push_str("%a, ");
    }
    line.push_str("7]}}\n}\n");
    v.push(("two-megabyte-line", line.into_bytes()));
    // Deterministic pseudo-random bytes (xorshift), including NUL and invalid UTF-8.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let binary: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    v.push(("binary-data", binary));
    let mut late = seed.clone();
    let at = late.len() / 2;
    late[at] = 0xC3; // a lead byte followed by ASCII: invalid UTF-8 in the middle of the file
    v.push(("invalid-utf8-midfile", late));
    v.push(("larger-than-64-mib", vec![b'\n'; (64 << 20) + 10]));
    v.push(("nul-bytes", b"func @f() {\0\0\0}".to_vec()));
    v.push((
        "unterminated-string-at-eof",
        b"func @f() {\n  riir.op \"attention".to_vec(),
    ));
    v
}

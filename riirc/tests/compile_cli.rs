//! End-to-end tests of `riirc compile`: outputs and their contents, the annotated RIIR passing `riirc check`,
//! 720 points per op with reasons, thread-count independence, the binary table read back by the runtime's
//! decoder, cache statistics, and errors (unknown op name, bad SKU, bad flags) that leave no file behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use runtime_stub::table::FrontierTable;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn riirc_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riirc"));
    c.args(args).current_dir(root());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("riirc runs")
}

fn riirc(args: &[&str]) -> Output {
    riirc_env(args, &[])
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "riirc failed: {}\n{}",
        text(&o.stderr),
        text(&o.stdout)
    );
}

fn seed_example() -> String {
    root().join("examples/decode_layer18.riir").display().to_string()
}

/// Lowers Llama-3-8B at batch 64, ctx 4096, tp 8 into `dir/step.riir` (ops with kernel blocks).
fn lowered_step(dir: &Path) -> String {
    let out = dir.join("step.riir");
    let model = root().join("examples/models/llama-3-8b.json");
    let args = [
        "lower",
        "--model",
        model.to_str().unwrap(),
        "--batch",
        "64",
        "--ctx",
        "4096",
        "--tp",
        "8",
        "-o",
        out.to_str().unwrap(),
    ];
    ok(&riirc(&args));
    out.display().to_string()
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn compiles_the_source_example_into_four_outputs_that_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let points = dir.path().join("points.csv");
    let o = riirc(&[
        "compile",
        &seed_example(),
        "--sku",
        "h100",
        "-o",
        out.to_str().unwrap(),
        "--dump-points",
        points.to_str().unwrap(),
    ]);
    ok(&o);
    let err = text(&o.stderr);
    assert!(
        err.contains("note: ops without a kernel block are priced as ops of a decoder layer of"),
        "{err}"
    );
    assert!(err.contains("llama-3-70b.json (batch 64, ctx 4096, tp 8)"), "{err}");
    let stdout = text(&o.stdout);
    assert!(stdout.contains("plan A") && stdout.contains("J/token"), "{stdout}");
    for ext in ["riir", "frontier.json", "frontier.bin", "frontier.h"] {
        assert!(out.join(format!("decode_layer18.{ext}")).is_file(), "{ext} written");
    }
    // The annotated RIIR is accepted by `riirc check`, and carries the search's plans.
    let annotated = out.join("decode_layer18.riir");
    ok(&riirc(&["check", annotated.to_str().unwrap()]));
    let riir = std::fs::read_to_string(&annotated).unwrap();
    assert!(
        riir.contains("memory = reuse_low_bytes") || riir.contains("memory = prefetch"),
        "{riir}"
    );
    assert!(riir.contains("fallback = {action = recompute_kv"), "{riir}");

    let j = read_json(&out.join("decode_layer18.frontier.json"));
    assert_eq!(j["sku"], "h100-sxm");
    let op = &j["ops"][0];
    assert_eq!(op["id"], "attention");
    assert_eq!(op["points_enumerated"], 720);
    // fp4 has no units on Hopper: 180 of the 720 points are infeasible for that reason alone.
    assert!(op["points_feasible"].as_u64().unwrap() <= 540);
    let frontier = op["frontier"].as_array().unwrap();
    assert!(!frontier.is_empty() && frontier.len() <= 14);
    let jpt: Vec<f64> = frontier.iter().map(|p| p["est_jpt"].as_f64().unwrap()).collect();
    assert!(
        jpt.windows(2).all(|w| w[0] >= w[1]),
        "sorted by decreasing energy: {jpt:?}"
    );
    for (i, p) in frontier.iter().enumerate() {
        assert_eq!(p["id"], ((b'A' + i as u8) as char).to_string());
        for key in [
            "precision",
            "sm_mhz",
            "hbm_bw_tbps",
            "link",
            "memory",
            "est_jpt",
            "est_lat_ms",
        ] {
            assert!(!p[key].is_null(), "{key}");
        }
        let lat = p["est_lat_ms"].as_f64().unwrap();
        assert!(
            lat <= op["slo_ms"].as_f64().unwrap() * 1.2
                || frontier.iter().filter(|q| q["precision"] == p["precision"]).count() == 1
        );
    }
    assert_eq!(op["fallback"]["id"], "recompute_kv");
    assert_eq!(op["fallback"]["memory"], "recompute");

    let csv = std::fs::read_to_string(&points).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "op,precision,sm_mhz,hbm_bw_tbps,link,memory,feasible,reason,est_jpt,est_lat_ms"
    );
    assert_eq!(rows.len(), 1 + 720);
    let fp4: Vec<&&str> = rows.iter().filter(|r| r.starts_with("attention,fp4,")).collect();
    assert_eq!(fp4.len(), 180);
    assert!(
        fp4.iter().all(|r| r.contains(",false,sku has no fp4 units,,")),
        "{}",
        fp4[0]
    );
}

#[test]
fn output_is_byte_identical_with_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let step = lowered_step(dir.path());
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        let points = out.join("points.csv");
        let args = [
            "compile",
            &step,
            "--sku",
            "gb200",
            "-o",
            out.to_str().unwrap(),
            "--dump-points",
            points.to_str().unwrap(),
        ];
        ok(&riirc_env(&args, &[("RAYON_NUM_THREADS", threads)]));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        assert_eq!(files.len(), 5);
        outputs.push(files);
    }
    assert!(outputs[0] == outputs[1], "outputs differ between 1 and 2 threads");
}

#[test]
fn the_runtime_decoder_reads_back_the_plans_of_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let step = lowered_step(dir.path());
    let out = dir.path().join("out");
    ok(&riirc(&[
        "compile",
        &step,
        "--sku",
        "h200",
        "-o",
        out.to_str().unwrap(),
    ]));
    let bin = std::fs::read(out.join("step.frontier.bin")).unwrap();
    let j = read_json(&out.join("step.frontier.json"));
    let table = FrontierTable::decode(&bin, "h200-sxm").expect("the table decodes");
    assert_eq!(
        format!("{:#018x}", table.model_hash()),
        j["model_hash"].as_str().unwrap()
    );
    let ops = j["ops"].as_array().unwrap();
    assert_eq!(table.op_count(), ops.len());
    for (i, (view, op)) in table.ops().zip(ops).enumerate() {
        assert_eq!(view.op_id() as usize, i);
        let id = op["id"].as_str().unwrap();
        assert!(id.starts_with(view.name()), "{id} vs {}", view.name());
        let plans = op["frontier"].as_array().unwrap();
        assert_eq!(view.plan_count(), plans.len(), "{id}");
        for (p, q) in view.plans().zip(plans) {
            assert_eq!((p.id as char).to_string(), q["id"].as_str().unwrap());
            assert_eq!(p.precision.name(), q["precision"].as_str().unwrap());
            assert_eq!(p.link.name(), q["link"].as_str().unwrap());
            assert_eq!(p.memory.name(), q["memory"].as_str().unwrap());
            assert_eq!(u64::from(p.sm_mhz), q["sm_mhz"].as_u64().unwrap());
            assert_eq!(p.est_jpt, q["est_jpt"].as_f64().unwrap() as f32);
            assert_eq!(p.est_lat_ms, q["est_lat_ms"].as_f64().unwrap() as f32);
        }
        let fb = view.fallback();
        assert_eq!(fb.est_jpt, op["fallback"]["est_jpt"].as_f64().unwrap() as f32);
        assert_eq!(fb.est_lat_ms, op["fallback"]["est_lat_ms"].as_f64().unwrap() as f32);
    }
    // The wrong SKU is rejected by the decoder.
    assert!(FrontierTable::decode(&bin, "h100-sxm").is_err());
    // The C header carries the same bytes' SKU.
    let h = std::fs::read_to_string(out.join("step.frontier.h")).unwrap();
    assert!(
        h.contains("h200-sxm") && h.contains("static const"),
        "{}",
        &h[..200.min(h.len())]
    );
}

#[test]
fn stats_show_cache_hits_for_repeated_layers() {
    let dir = tempfile::tempdir().unwrap();
    let step = lowered_step(dir.path());
    let out = dir.path().join("out");
    let o = riirc(&[
        "compile",
        &step,
        "--sku",
        "mi300x",
        "-o",
        out.to_str().unwrap(),
        "--stats",
        "--emit",
        "frontier-json",
    ]);
    ok(&o);
    let s = text(&o.stdout);
    let line = s
        .lines()
        .find(|l| l.starts_with("frontier cache:"))
        .expect("stats line");
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let j = read_json(&out.join("step.frontier.json"));
    let ops = j["ops"].as_array().unwrap().len() as u64;
    let kernels = j["kernels"].as_array().unwrap().len() as u64;
    // Frontier lookups: one per op; a miss per distinct kernel, hits for the repeats of 32 layers.
    assert_eq!(nums[0] + nums[1], ops, "{line}");
    assert_eq!(nums[1], kernels, "{line}");
    assert!(nums[0] > 0, "{line}");
    // Only the requested output was written.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn an_op_that_cannot_be_priced_names_the_known_ops_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.riir");
    std::fs::write(&input, "func @f() {\n  riir.op \"softmaxx\" {}\n}\n").unwrap();
    let out = dir.path().join("out");
    let o = riirc(&[
        "compile",
        input.to_str().unwrap(),
        "--sku",
        "h100",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("op `softmaxx` has no kernel block"), "{err}");
    assert!(err.contains("bad.riir:2:11"), "{err}");
    assert!(
        err.contains("known op names") && err.contains("attention") && err.contains("qkv_proj"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn bad_inputs_and_flags_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = riirc(&[
        "compile",
        &seed_example(),
        "--sku",
        "nonesuch",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("nonesuch"));
    let o = riirc(&[
        "compile",
        &seed_example(),
        "--sku",
        "h100",
        "-o",
        out.to_str().unwrap(),
        "--slo-ms",
        "-3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = riirc(&[
        "compile",
        &seed_example(),
        "--sku",
        "h100",
        "-o",
        out.to_str().unwrap(),
        "--emit",
        "pdf",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let bad = dir.path().join("bad.riir");
    std::fs::write(&bad, "func @f( {").unwrap();
    let o = riirc(&[
        "compile",
        bad.to_str().unwrap(),
        "--sku",
        "h100",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("bad.riir:1:"), "{}", text(&o.stderr));
    assert!(!out.exists());
}

#[test]
fn another_model_context_and_a_sku_path_work_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = riirc(&[
        "compile",
        &seed_example(),
        "--sku",
        &root().join("examples/skus/h200.toml").display().to_string(),
        "--model",
        "llama-3-8b",
        "--batch",
        "32",
        "--ctx",
        "2048",
        "--tp",
        "2",
        "--emit",
        "frontier-json",
        "-o",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    assert!(text(&o.stderr).contains("llama-3-8b.json (batch 32, ctx 2048, tp 2)"));
    let j = read_json(&out.join("decode_layer18.frontier.json"));
    assert_eq!(j["model_form"], "physical");
    assert_eq!(j["sku"], "h200-sxm");
}

#[test]
fn committed_frontiers_match_a_fresh_regeneration() {
    // What `cargo xtask frontiers` writes: every examples/*.riir × every examples/skus/*.toml.
    let sorted = |dir: PathBuf, ext: &str| {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
            .collect();
        v.sort();
        v
    };
    let examples = sorted(root().join("examples"), "riir");
    let skus = sorted(root().join("examples/skus"), "toml");
    assert!(
        !examples.is_empty() && skus.len() >= 4,
        "examples and the four shipped SKUs (plus calibrated ones)"
    );
    let dir = tempfile::tempdir().unwrap();
    for sku in &skus {
        let name = sku.file_stem().unwrap().to_str().unwrap();
        let out = dir.path().join(name);
        for example in &examples {
            let rel = example.strip_prefix(root()).unwrap();
            ok(&riirc(&[
                "compile",
                rel.to_str().unwrap(),
                "--sku",
                name,
                "-o",
                out.to_str().unwrap(),
            ]));
        }
        let committed = root().join("examples/frontiers").join(name);
        for file in std::fs::read_dir(&out).unwrap() {
            let file = file.unwrap();
            let fresh = std::fs::read(file.path()).unwrap();
            let old = std::fs::read(committed.join(file.file_name())).unwrap_or_default();
            assert!(
                fresh == old,
                "examples/frontiers/{name}/{} differs from a fresh regeneration: run `cargo xtask frontiers`",
                file.file_name().to_string_lossy()
            );
        }
    }
}

#[test]
fn plot_frontier_draws_every_feasible_point_and_labels_the_plans() {
    let dir = tempfile::tempdir().unwrap();
    let json = root().join("examples/frontiers/h100/decode_layer18.frontier.json");
    let svg_path = dir.path().join("f.svg");
    let o = riirc(&[
        "plot-frontier",
        json.to_str().unwrap(),
        "--op",
        "attention",
        "-o",
        svg_path.to_str().unwrap(),
    ]);
    ok(&o);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg"), "an SVG");
    assert!(
        svg.contains("latency (ms)") && svg.contains("energy (J/token)"),
        "axes with units"
    );
    let j = read_json(&json);
    let op = &j["ops"][0];
    let feasible = j["kernels"][0]["feasible"].as_array().unwrap().len();
    assert_eq!(feasible as u64, op["points_feasible"].as_u64().unwrap());
    // Grey points (plus the legend's sample) are circles filled #AAAAAA.
    assert_eq!(svg.matches("fill=\"#AAAAAA\"").count(), feasible + 1);
    for plan in op["frontier"].as_array().unwrap() {
        let id = plan["id"].as_str().unwrap();
        assert!(svg.contains(&format!(">\n{id}\n</text>")), "plan {id} labelled");
    }
    assert!(svg.contains("fallback"));

    let o = riirc(&[
        "plot-frontier",
        json.to_str().unwrap(),
        "--op",
        "nope",
        "-o",
        svg_path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no op with id `nope`; ops: attention"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn emit_mlir_writes_the_annotated_module_as_riir_dialect_mlir() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&riirc(&[
        "compile",
        &seed_example(),
        "--sku",
        "h200",
        "--emit",
        "mlir",
        "-o",
        out.to_str().unwrap(),
    ]));
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["decode_layer18.mlir".to_string()]);
    let mlir = std::fs::read_to_string(out.join("decode_layer18.mlir")).unwrap();
    assert!(
        mlir.contains("\"riir.op\"") && mlir.contains("alternatives = [") && mlir.contains("id = \"A\""),
        "{mlir}"
    );
    assert!(mlir.contains("recompute_kv"), "the fallback is there: {mlir}");
}

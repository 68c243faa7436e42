//! `riirc compile INPUT.riir --sku SKU -o DIR`: verify the input, search every op's 720-point space on the SKU,
//! and write the annotated RIIR, the frontier JSON, the binary frontier table and its C header.
//!
//! An op without a `kernel = {…}` block is priced as that op of a decoder layer of the model context
//! (`--model/--batch/--ctx/--tp`, default Llama-3-70B at batch 64, context 4096, tp 8), and the SLO shares are
//! then taken over that model's whole decode step; a note says which context was used. With kernel blocks on
//! every op, the module itself is the step. `--batch` and `--tp` also turn one GPU's joules into joules per
//! token (× tp / batch).
//!
//! SKU and model names: `--sku h100` means `examples/skus/h100.toml`, looked up in the current directory,
//! then in the workspace riirc was built from; anything else is a path. `--model` works the same way with
//! `examples/models/NAME.json`.

use std::path::{Path, PathBuf};

use codegen::{frontier_json, outputs, points_csv, table, CompileOptions, KernelSource, OpKernel};
use energy_model::{ModelForm, Sku};
use pareto_search::{FrontierCache, VariantParams};
use riir_dialect::{Diagnostic, Module};
use riir_frontend::lower::{self, LowerOptions, KNOWN_OP_NAMES};

use crate::cmd::lower::{load_config, lower_error};
use crate::exit::{CliError, CliResult};
use crate::{input, render};

/// The source document's running case: Llama-3-70B decode, batch 64, context 4096, tensor parallel 8.
const DEFAULT_MODEL: &str = "llama-3-70b";
const DEFAULT_BATCH: u64 = 64;
const DEFAULT_CTX: u64 = 4096;
const DEFAULT_TP: u64 = 8;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// `S.riir`: the input with every op's alternatives and fallback filled (accepted by `riirc check`).
    Riir,
    /// `S.frontier.json`: per op its frontier, fallback, SLO share and point counts.
    FrontierJson,
    /// `S.frontier.bin`: the runtime's binary frontier table.
    FrontierBin,
    /// `S.frontier.h`: the same table as `static const` C data.
    CHeader,
    /// `S.mlir`: the annotated module as `riir` dialect MLIR (generic form; `riirc verify-mlir` checks it).
    Mlir,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The RIIR file to compile.
    #[arg(value_name = "INPUT.riir")]
    pub input: PathBuf,

    /// SKU: a name from examples/skus (h100, h200, gb200, mi300x) or a path to a SKU file.
    #[arg(long, value_name = "SKU")]
    pub sku: String,

    /// Decode-step (per-token) latency SLO, ms. Each op gets a share in proportion to its fastest feasible
    /// latency; points slower than 1.2 × the share are pruned.
    #[arg(long, value_name = "MS", default_value_t = 20.0, value_parser = crate::cmd::lower::parse_positive)]
    pub slo_ms: f64,

    /// What to write, comma-separated (`mlir` is not written unless asked for).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "riir,frontier-json,frontier-bin,c-header"
    )]
    pub emit: Vec<Emit>,

    /// Also write every evaluated point (720 rows per op, with the reason when infeasible) to this CSV.
    #[arg(long, value_name = "points.csv")]
    pub dump_points: Option<PathBuf>,

    /// Output directory (created when missing). Files are named after the input's stem S.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: PathBuf,

    /// Model context for ops without a kernel block: a name from examples/models or a config path.
    #[arg(long, value_name = "CONFIG", default_value = DEFAULT_MODEL)]
    pub model: String,

    /// Sequences per decode step (tokens per step for joules per token).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH,
          value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_BATCH))]
    pub batch: u64,

    /// Context length of the model context.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CTX,
          value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_CTX))]
    pub ctx: u64,

    /// Tensor-parallel degree (GPUs per step for joules per token).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TP,
          value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_TP))]
    pub tp: u64,

    /// Energy model form: `physical` (default) or `seed`.
    #[arg(long, value_name = "FORM", default_value = "physical", value_parser = parse_form)]
    pub energy_model: ModelForm,

    /// Print frontier-cache hits and misses.
    #[arg(long)]
    pub stats: bool,
}

fn parse_form(s: &str) -> Result<ModelForm, String> {
    ModelForm::from_name(s).ok_or_else(|| format!("unknown model form `{s}`: expected physical or seed"))
}

/// `examples/<dir>/<name>.<ext>` from the current directory, else from the workspace riirc was built from;
/// a string that is not a bare name (or names an existing file) is a path.
pub fn resolve_example(arg: &str, dir: &str, ext: &str) -> PathBuf {
    let given = Path::new(arg);
    let bare = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if given.exists() || !bare {
        return given.to_path_buf();
    }
    let rel = Path::new("examples").join(dir).join(format!("{arg}.{ext}"));
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(&rel);
    if !rel.exists() && built.exists() {
        built
    } else {
        rel
    }
}

pub fn load_sku(arg: &str) -> CliResult<Sku> {
    Sku::load(&resolve_example(arg, "skus", "toml")).map_err(|e| CliError::Input(e.to_string()))
}

pub fn run(args: Args) -> CliResult {
    let (name, bytes) = input::read(&args.input)?;
    let source = render::Source::new(name.clone(), &bytes);
    let color = render::stderr_wants_color();
    let checked = riir_frontend::check_bytes(&bytes);
    if !checked.diagnostics.is_empty() {
        eprint!("{}", render::render(&source, &checked.diagnostics, color));
    }
    let Some(module) = checked.module else {
        return Err(CliError::Reported);
    };
    let sku = load_sku(&args.sku)?;
    let model = sku.model(args.energy_model);
    let stem = args
        .input
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && *s != "-")
        .unwrap_or("stdin")
        .to_string();

    // Kernels: the op's own block, else that op of the model context.
    let opts = LowerOptions::new(args.batch, args.ctx, args.tp, riir_dialect::Precision::Bf16);
    let mut context: Option<(PathBuf, lower::ModelConfig)> = None;
    let mut kernels = Vec::new();
    let mut unknown = Vec::new();
    for op in module.ops_in_order() {
        let o = &module.ops[op];
        if let Some(k) = &o.kernel {
            kernels.push(OpKernel {
                op,
                kernel: k.clone(),
                source: KernelSource::Block,
            });
            continue;
        }
        if context.is_none() {
            let path = resolve_example(&args.model, "models", "json");
            context = Some((path.clone(), load_config(&path)?));
        }
        let (_, config) = context.as_ref().expect("loaded above");
        match lower::kernel_for_op_name(config, &opts, &o.name.value).map_err(lower_error)? {
            Some(k) => kernels.push(OpKernel {
                op,
                kernel: k,
                source: KernelSource::Context,
            }),
            None => unknown.push(
                Diagnostic::error(
                    format!(
                        "op `{}` has no kernel block and is not an op of a decoder layer",
                        o.name.value
                    ),
                    o.name.span,
                    "cannot price this op",
                )
                .with_note(format!(
                    "known op names (optionally prefixed `layerN.`): {}",
                    KNOWN_OP_NAMES.join(", ")
                ))
                .with_note("or give the op a `kernel = {class = …, shape = {…}, bytes_hbm = …, flops = …}` block"),
            ),
        }
    }
    if !unknown.is_empty() {
        eprint!("{}", render::render(&source, &unknown, color));
        return Err(CliError::Reported);
    }
    let step: Option<Module> = match &context {
        None => None,
        Some((path, config)) => {
            eprintln!(
                "note: ops without a kernel block are priced as ops of a decoder layer of {} (batch {}, ctx {}, \
                 tp {}); SLO shares are taken over its whole decode step",
                path.display(),
                args.batch,
                args.ctx,
                args.tp
            );
            Some(lower::lower_model(config, &opts).map_err(lower_error)?)
        }
    };

    let hand_written = module
        .ops
        .values()
        .filter(|o| {
            o.power
                .as_ref()
                .is_some_and(|p| p.alternatives.is_some() || p.fallback.is_some())
        })
        .count();
    if hand_written > 0 {
        eprintln!(
            "note: {hand_written} op(s) had hand-written alternatives or fallback; the search's frontier replaces them"
        );
    }
    let cache = FrontierCache::new();
    let compile_opts = CompileOptions {
        slo_ms: args.slo_ms,
        tokens_per_step: args.batch as f64,
        gpus: args.tp as f64,
        params: VariantParams::default(),
    };
    let compiled = codegen::compile(&module, &sku, &model, &kernels, step.as_ref(), &compile_opts, &cache)
        .map_err(|e| CliError::Input(format!("{name}: {e}")))?;

    // Produce every output in memory first: an error here writes nothing.
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let bin = table::to_bin(&compiled).map_err(CliError::Input)?;
    for emit in dedup(&args.emit) {
        match emit {
            Emit::Riir => files.push((
                format!("{stem}.riir"),
                riir_dialect::print_module(&compiled.annotated).into_bytes(),
            )),
            Emit::FrontierJson => files.push((format!("{stem}.frontier.json"), frontier_json::to_json(&compiled))),
            Emit::FrontierBin => files.push((format!("{stem}.frontier.bin"), bin.clone())),
            Emit::CHeader => {
                let symbol = table::c_symbol(&stem, &compiled.sku_id);
                files.push((
                    format!("{stem}.frontier.h"),
                    table::to_c_header(&bin, &symbol).map_err(CliError::Input)?,
                ))
            }
            Emit::Mlir => files.push((
                format!("{stem}.mlir"),
                riir_dialect::mlir::print_mlir(&compiled.annotated).into_bytes(),
            )),
        }
    }
    let points = args.dump_points.as_ref().map(|p| (p, points_csv::to_csv(&compiled)));
    let written = outputs::write_atomically(&args.out_dir, &files).map_err(CliError::Input)?;
    if let Some((path, csv)) = points {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .ok_or_else(|| CliError::Usage(format!("--dump-points {}: not a file name", path.display())))?;
        outputs::write_atomically(dir, &[(file.to_string(), csv)]).map_err(CliError::Input)?;
    }

    let sizes: Vec<usize> = compiled.ops.iter().map(|o| o.search.frontier.plans.len()).collect();
    println!(
        "compiled {} ops ({} distinct kernels) for {} with the {} model (hash {:#018x}); frontier sizes {}..{}",
        compiled.ops.len(),
        compiled.kernels.len(),
        compiled.sku_id,
        compiled.model_form,
        compiled.model_hash,
        sizes.iter().min().unwrap_or(&0),
        sizes.iter().max().unwrap_or(&0),
    );
    println!("step totals over the module's ops (an op without a plan class counts its last plan):");
    for t in frontier_json::step_totals(&compiled) {
        println!("  plan {:<2} {:>12} J/token {:>12} ms", t.plan, t.est_jpt, t.est_lat_ms);
    }
    for path in &written {
        println!("wrote {}", path.display());
    }
    if let Some(p) = &args.dump_points {
        println!("wrote {}", p.display());
    }
    if args.stats {
        let s = cache.stats();
        println!(
            "frontier cache: {} hits, {} misses; priced-points cache: {} hits, {} misses",
            s.frontier_hits, s.frontier_misses, s.point_hits, s.point_misses
        );
    }
    Ok(())
}

fn dedup(emits: &[Emit]) -> Vec<Emit> {
    let mut out = Vec::new();
    for &e in emits {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

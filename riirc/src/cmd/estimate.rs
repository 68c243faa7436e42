//! `riirc estimate (INPUT.riir | --model CONFIG.json --batch N --ctx N [--tp N]) --sku SKU`: joules and latency
//! of one decode step at one fixed operating point (no search), per op and in total, as JSON.
//!
//! Each op's `kernel = {…}` block becomes the energy model's `KernelWork` (class, precision: the run's for ops
//! that multiply by weights, 16-bit for the others, bytes_hbm, flops, and link-active time = link_bytes /
//! link bandwidth); the operating point is the SKU's
//! maximum (or `--sm-mhz`) clock, its full HBM bandwidth and its default link state. Ops run one after the
//! other on one GPU, so the step's latency is the sum of the ops' latencies and its energy the sum of theirs;
//! joules per token = step joules × tp / batch (every one of the tp GPUs spends the same, for batch tokens).
//! `joules` is board plus links; `board_joules` (what NVML measures on the GPU) and `link_joules` (the optics,
//! outside the board) split it, per op and in total.

use std::io::Write;
use std::path::{Path, PathBuf};

use energy_model::{EnergyModel, Infeasible, KernelWork, ModelForm, OperatingPoint, Sku};
use riir_dialect::{KernelClass, KernelInfo, Module, Named, Precision};
use riir_frontend::lower::{self, LowerOptions, Role};
use serde::Serialize;

use crate::cmd::lower::{load_config, lower_error, parse_positive, parse_precision};
use crate::exit::{CliError, CliResult};
use crate::{input, render};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A RIIR file whose ops carry `kernel = {…}` blocks (e.g. written by `riirc lower`). Give either this or
    /// --model.
    #[arg(
        value_name = "INPUT.riir",
        conflicts_with = "model",
        required_unless_present = "model"
    )]
    pub input: Option<PathBuf>,

    /// Lower this model config first (as `riirc lower` does) and estimate the result; needs --batch and --ctx.
    #[arg(long, value_name = "CONFIG.json")]
    pub model: Option<PathBuf>,

    /// Sequences decoded together. With --model: required. With INPUT: overrides the batch read from the
    /// kernels' shapes (used only for joules per token).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_BATCH))]
    pub batch: Option<u64>,

    /// Tokens in each sequence's KV cache (with --model only).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_CTX))]
    pub ctx: Option<u64>,

    /// Tensor-parallel degree (default 1 with --model; with INPUT, read from the all-reduce shapes unless given).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_TP))]
    pub tp: Option<u64>,

    /// SKU file (e.g. examples/skus/h100.toml), or a bare name looked up as examples/skus/NAME.toml from the
    /// current directory. Its calibrated coefficients are used when present, else datasheet defaults.
    #[arg(long, value_name = "SKU")]
    pub sku: String,

    /// Precision the weight-multiplying kernels (linear, gemm, router) run at (bf16, fp16, fp8, fp4); the
    /// others (attention, norms, elementwise, copies, all-reduces) run on 16-bit activations: fp16 in an fp16
    /// run, else bf16. With --model it is also the weight precision of the lowering; with INPUT, give the
    /// precision the file was lowered at (its bytes are taken as written).
    #[arg(long, value_name = "P", default_value = "bf16", value_parser = parse_precision)]
    pub precision: Precision,

    /// SM clock in MHz (default: the SKU's maximum).
    #[arg(long, value_name = "F", value_parser = parse_positive)]
    pub sm_mhz: Option<f64>,

    /// Leave out the embedding, the final norm, the lm_head and every all-reduce: the transformer layers
    /// alone on one GPU, to compare with a measurement of just those.
    #[arg(long)]
    pub layers_only: bool,

    /// Per-GPU scale-out link bandwidth, GB/s, turning an all-reduce's link_bytes into link-active time.
    /// Default 800: 8 links of 800 Gb/s per GPU, as the shipped SKU files' link power assumes.
    #[arg(long, value_name = "GBPS", default_value_t = 800.0, value_parser = parse_positive)]
    pub link_bw_gbs: f64,

    /// Energy model form: `physical` (default) or `seed` (the source document's formula, as a baseline).
    #[arg(long, value_name = "FORM", default_value = "physical", value_parser = parse_form)]
    pub energy_model: ModelForm,
}

fn parse_form(s: &str) -> Result<ModelForm, String> {
    ModelForm::from_name(s).ok_or_else(|| format!("unknown energy model `{s}`: expected physical or seed"))
}

pub fn run(args: Args) -> CliResult {
    // Checked here rather than with clap's `requires`, which does not fire next to a positional INPUT.
    if args.model.is_none() && args.ctx.is_some() {
        return Err(CliError::Usage(
            "--ctx applies only with --model (a RIIR file's kernels already fix the context)".into(),
        ));
    }
    let sku = load_sku(&args.sku)?;
    let precision = energy_model::Precision::from_name(args.precision.name())
        .ok_or_else(|| CliError::Input(format!("the energy model has no precision {}", args.precision)))?;
    sku.precision_feasible(precision)
        .map_err(|e| CliError::Input(format!("{}: {e}", sku.path.display())))?;
    let (module, batch, tp) = match (&args.input, &args.model) {
        (_, Some(config)) => from_model(&args, config)?,
        (Some(path), None) => from_riir(&args, path)?,
        (None, None) => return Err(CliError::Usage("give INPUT.riir or --model CONFIG.json".into())),
    };
    let point = OperatingPoint {
        sm_mhz: args.sm_mhz.unwrap_or(sku.max_sm_mhz),
        hbm_bw_tbps: sku.hbm_bandwidth_tbps,
        link: sku.default_link,
    };
    if !(point.sm_mhz > 0.0 && point.sm_mhz <= sku.max_sm_mhz) {
        return Err(CliError::Input(format!(
            "--sm-mhz {} is outside (0, {}] MHz of {}",
            point.sm_mhz, sku.max_sm_mhz, sku.id
        )));
    }
    let model = sku.model(args.energy_model);
    let link_bytes_per_us = args.link_bw_gbs * 1e9 / 1e6;

    let mut ops = Vec::new();
    let (mut joules, mut link_joules, mut latency_s) = (0.0, 0.0, 0.0);
    for id in module.ops_in_order() {
        let op = &module.ops[id];
        let name = &op.name.value;
        let Some(kernel) = &op.kernel else {
            return Err(CliError::Input(format!(
                "op `{name}` has no `kernel = {{…}}` block: estimate needs its bytes_hbm and flops \
                 (lower a model config with `riirc lower`, or estimate with --model)"
            )));
        };
        if args.layers_only && !in_layers(name, kernel) {
            continue;
        }
        let work = KernelWork {
            class: pareto_search::energy_class(kernel.class.value),
            precision: op_precision(kernel.class.value, precision),
            bytes_hbm: kernel.bytes_hbm.value,
            flops: kernel.flops.value,
            link_active_us: kernel.link_bytes.as_ref().map_or(0.0, |b| b.value / link_bytes_per_us),
            footprint_bytes: 0.0,
        };
        let p = match model.predict(&sku, &work, &point) {
            Ok(p) => p,
            // Over the board limit the firmware would throttle: report the unthrottled estimate and say so.
            Err(Infeasible::OverPowerLimit { predicted_w, limit_w }) => {
                eprintln!(
                    "warning: op `{name}`: predicted {predicted_w:.0} W exceeds the {limit_w:.0} W board limit; \
                     firmware would throttle, so its latency is optimistic"
                );
                model.estimate(&sku, &work, &point)
            }
            Err(e) => return Err(CliError::Input(format!("op `{name}` cannot run on {}: {e}", sku.id))),
        };
        joules += p.joules;
        link_joules += p.link_joules;
        latency_s += p.latency_s;
        ops.push(OpEstimate {
            id: id.to_string(),
            name: name.clone(),
            joules: p.joules,
            board_joules: p.joules - p.link_joules,
            link_joules: p.link_joules,
            latency_ms: p.latency_s * 1e3,
        });
    }
    let out = Estimate {
        config: RunConfig {
            sku: sku.id.clone(),
            energy_model: args.energy_model.name(),
            precision: args.precision.name(),
            sm_mhz: point.sm_mhz,
            hbm_bw_tbps: point.hbm_bw_tbps,
            link: point.link.name(),
            link_bw_gbs: args.link_bw_gbs,
            batch,
            tp,
            layers_only: args.layers_only,
        },
        ops,
        total: Total {
            joules,
            board_joules: joules - link_joules,
            link_joules,
            latency_ms: latency_s * 1e3,
            joules_per_token: joules * tp as f64 / batch as f64,
        },
    };
    let mut text = serde_json::to_string_pretty(&out).expect("JSON values serialize");
    text.push('\n');
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| CliError::Input(format!("cannot write to standard output: {e}")))
}

/// The JSON printed: the operating point, each op in execution order, and the step's totals.
#[derive(Serialize)]
struct Estimate {
    config: RunConfig,
    ops: Vec<OpEstimate>,
    total: Total,
}

#[derive(Serialize)]
struct RunConfig {
    sku: String,
    energy_model: &'static str,
    precision: &'static str,
    sm_mhz: f64,
    hbm_bw_tbps: f64,
    link: &'static str,
    link_bw_gbs: f64,
    batch: u64,
    tp: u64,
    layers_only: bool,
}

#[derive(Serialize)]
struct OpEstimate {
    /// The op's handle (`op3`): its position in the module.
    id: String,
    name: String,
    /// Board plus scale-out links.
    joules: f64,
    /// The GPU board's share (what NVML measures): `joules − link_joules`.
    board_joules: f64,
    /// The scale-out optics' share, outside the board: their power at the op's link state over its latency.
    link_joules: f64,
    latency_ms: f64,
}

#[derive(Serialize)]
struct Total {
    /// One GPU's energy for the step: its board plus its scale-out links.
    joules: f64,
    /// The board's share, comparable with an NVML board-energy measurement.
    board_joules: f64,
    /// The links' share (the SKU's default link state is powered for the whole step, busy or not).
    link_joules: f64,
    latency_ms: f64,
    /// `joules · tp / batch`: all tp GPUs' energy per generated token.
    joules_per_token: f64,
}

/// A SKU file path, or a bare name resolved as `examples/skus/NAME.toml`.
fn load_sku(arg: &str) -> CliResult<Sku> {
    let given = Path::new(arg);
    let bare = !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let path = if !given.exists() && bare {
        PathBuf::from("examples/skus").join(format!("{arg}.toml"))
    } else {
        given.to_path_buf()
    };
    Sku::load(&path).map_err(|e| CliError::Input(e.to_string()))
}

/// Lowers `--model` with `--batch`, `--ctx`, `--tp`, `--precision`.
fn from_model(args: &Args, config: &Path) -> CliResult<(Module, u64, u64)> {
    let (Some(batch), Some(ctx)) = (args.batch, args.ctx) else {
        return Err(CliError::Usage("--model needs --batch and --ctx".into()));
    };
    let tp = args.tp.unwrap_or(1);
    let config = load_config(config)?;
    let module =
        lower::lower_model(&config, &LowerOptions::new(batch, ctx, tp, args.precision)).map_err(lower_error)?;
    Ok((module, batch, tp))
}

/// Parses and verifies INPUT; batch and tp come from the flags, else from the kernels' shapes.
fn from_riir(args: &Args, path: &Path) -> CliResult<(Module, u64, u64)> {
    let (name, bytes) = input::read(path)?;
    let checked = riir_frontend::check_bytes(&bytes);
    if !checked.diagnostics.is_empty() {
        let source = render::Source::new(name.clone(), &bytes);
        eprint!(
            "{}",
            render::render(&source, &checked.diagnostics, render::stderr_wants_color())
        );
    }
    let Some(module) = checked.module else {
        return Err(CliError::Reported);
    };
    let module = module.into_inner();
    let dim = |class: Option<KernelClass>, key: &str| {
        module.ops.values().filter_map(|op| op.kernel.as_ref()).find_map(|k| {
            let class_ok = class.is_none_or(|c| k.class.value == c);
            k.shape
                .iter()
                .find(|(n, _)| class_ok && n.value == key)
                .and_then(|(_, v)| u64::try_from(v.value).ok())
        })
    };
    let batch = match args.batch.or_else(|| dim(None, "batch")) {
        Some(b) => b,
        None => {
            return Err(CliError::Usage(format!(
                "cannot tell the batch of {name} from its kernel shapes: pass --batch"
            )))
        }
    };
    let tp = args.tp.or_else(|| dim(Some(KernelClass::Allreduce), "tp")).unwrap_or(1);
    Ok((module, batch, tp))
}

/// Whether an op is part of the transformer layers proper (kept by `--layers-only`): not the embedding, the
/// final norm, the lm_head or an all-reduce, by name (as lowering names them) or by kernel class.
fn in_layers(name: &str, kernel: &KernelInfo) -> bool {
    if matches!(kernel.class.value, KernelClass::Allreduce | KernelClass::Embedding) {
        return false;
    }
    match lower::role_for_op_name(name) {
        Some(role) => role.in_layer() && !role.is_allreduce() && !matches!(role, Role::Embed),
        None => true,
    }
}

/// The precision an op's arithmetic runs at: the run's for the ops that multiply by weights (linear, gemm,
/// router) or gather them (embedding); 16-bit for the rest, whose inputs are activations and the KV cache,
/// which stay 16-bit at every weight precision (see `riir_frontend::lower`): fp16 in an fp16 run, else bf16.
fn op_precision(class: KernelClass, run: energy_model::Precision) -> energy_model::Precision {
    use energy_model::Precision as P;
    match class {
        KernelClass::Linear | KernelClass::Gemm | KernelClass::Router | KernelClass::Embedding => run,
        _ if run == P::Fp16 => P::Fp16,
        _ => P::Bf16,
    }
}

//! `riirc lower --model CONFIG.json --batch N --ctx N [--tp N] [--precision P] [-o OUT.riir] [--summary]`:
//! one decode step of a Hugging Face–style model config as RIIR (`@decode_step`), or its per-GPU totals.

use std::io::Write;
use std::path::{Path, PathBuf};

use riir_dialect::{Named, Precision};
use riir_frontend::lower::{self, LowerError, LowerOptions, ModelConfig, PowerTargets};

use crate::exit::{CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Hugging Face–style config.json of the model (hidden_size, num_hidden_layers, num_attention_heads,
    /// num_key_value_heads, intermediate_size, vocab_size; head_dim, num_local_experts and
    /// num_experts_per_tok when present). See examples/models/.
    #[arg(long, value_name = "CONFIG.json")]
    pub model: PathBuf,

    /// Sequences decoded together in one step.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_BATCH))]
    pub batch: u64,

    /// Tokens already in each sequence's KV cache (the attention reads all of them and the new token's K, V).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_CTX))]
    pub ctx: u64,

    /// Tensor-parallel degree: the step is sharded over this many GPUs; bytes and flops are for one of them.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=lower::cost::MAX_TP))]
    pub tp: u64,

    /// Weight precision: bf16 or fp16 (2 bytes per weight), fp8 (1), fp4 (½). The KV cache and activations
    /// stay 16-bit.
    #[arg(long, value_name = "P", default_value = "bf16", value_parser = parse_precision)]
    pub precision: Precision,

    /// Write the RIIR to this file (atomically: a temporary file beside it, then renamed). Without -o and
    /// without --summary, the RIIR goes to standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT.riir")]
    pub output: Option<PathBuf>,

    /// Print per-step totals for one GPU as JSON on standard output: ops, weight_bytes, kv_bytes,
    /// activation_bytes, bytes_hbm, link_bytes, flops.
    #[arg(long)]
    pub summary: bool,

    /// Joules-per-token target of the whole step, written into every op's power intent.
    #[arg(long, value_name = "J", value_parser = parse_positive)]
    pub target_jpt: Option<f64>,

    /// Largest HBM temperature rise (°C per 100 ms) any op may cause, written into every op's power intent.
    #[arg(long = "max-temp-delta", value_name = "C", value_parser = parse_positive)]
    pub max_temp_delta_100ms: Option<f64>,

    /// Link energy budget in picojoules per bit, written into the power intent of the all-reduce ops.
    #[arg(long = "link-budget-pjb", value_name = "PJ", value_parser = parse_positive)]
    pub link_budget_pj_per_bit: Option<f64>,
}

pub fn run(args: Args) -> CliResult {
    let config = load_config(&args.model)?;
    let options = LowerOptions {
        batch: args.batch,
        ctx: args.ctx,
        tp: args.tp,
        precision: args.precision,
        power: PowerTargets {
            target_jpt: args.target_jpt,
            max_temp_delta_100ms: args.max_temp_delta_100ms,
            link_budget_pj_per_bit: args.link_budget_pj_per_bit,
        },
    };
    let module = lower::lower_model(&config, &options).map_err(lower_error)?;
    // Nothing unverified is emitted: a rejection here is a lowering bug, reported rather than written.
    let module = riir_dialect::verify_owned(module).map_err(|diags| {
        let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        CliError::Input(format!(
            "internal error: lowering {} produced IR the verifier rejects: {}",
            args.model.display(),
            messages.join("; ")
        ))
    })?;
    let text = riir_dialect::print_module(&module);
    if let Some(path) = &args.output {
        write_atomically(path, text.as_bytes())?;
    }
    let stdout = if args.summary {
        lower::summary(&config, &options).map_err(lower_error)?.to_json()
    } else if args.output.is_none() {
        text
    } else {
        return Ok(());
    };
    std::io::stdout()
        .lock()
        .write_all(stdout.as_bytes())
        .map_err(|e| CliError::Input(format!("cannot write to standard output: {e}")))
}

/// Reads and validates a model config; errors name the file and the field (exit 1).
pub fn load_config(path: &Path) -> CliResult<ModelConfig> {
    ModelConfig::load(path).map_err(lower_error)
}

/// Bad options are usage errors (exit 2); everything about the model is an input error (exit 1).
pub fn lower_error(e: LowerError) -> CliError {
    match e {
        LowerError::Option { .. } => CliError::Usage(e.to_string()),
        _ => CliError::Input(e.to_string()),
    }
}

/// `bf16`, `fp16`, `fp8` or `fp4`.
pub fn parse_precision(s: &str) -> Result<Precision, String> {
    Precision::from_name(s).ok_or_else(|| {
        format!(
            "unknown precision `{s}`: expected one of {}",
            Precision::expected_list()
        )
    })
}

/// A finite number greater than zero.
pub fn parse_positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("expected a positive number, got `{s}`")),
    }
}

/// Writes `bytes` to a temporary file in `path`'s directory, then renames it over `path`, so a reader never
/// sees a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> CliResult {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let fail = |e: &dyn std::fmt::Display| CliError::Input(format!("cannot write `{}`: {e}", path.display()));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    tmp.write_all(bytes).map_err(|e| fail(&e))?;
    tmp.as_file().sync_all().map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

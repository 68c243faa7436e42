//! `riirc plot-frontier S.frontier.json --op ID -o frontier.svg`: one op's priced points as an SVG scatter plot
//! (plotters): every feasible point in grey, the frontier highlighted, joined in latency order and labelled
//! with its plan ids, the fallback marked; axes are latency (ms) and energy (J/token).

use std::path::{Path, PathBuf};

use codegen::frontier_json::{self, FrontierFile, OpEntry};
use plotters::prelude::*;

use crate::exit::{CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A frontier JSON written by `riirc compile`.
    #[arg(value_name = "S.frontier.json")]
    pub input: PathBuf,

    /// The op to plot: its `id` in the JSON (the op name when unique in the module).
    #[arg(long, value_name = "ID")]
    pub op: String,

    /// The SVG file to write (atomically).
    #[arg(short = 'o', long = "output", value_name = "frontier.svg")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> CliResult {
    let name = args.input.display().to_string();
    let text =
        std::fs::read_to_string(&args.input).map_err(|e| CliError::Input(format!("cannot read `{name}`: {e}")))?;
    let file = frontier_json::read(&text).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
    let Some(op) = file.ops.iter().find(|o| o.id == args.op) else {
        let ids: Vec<&str> = file.ops.iter().take(20).map(|o| o.id.as_str()).collect();
        let more = if file.ops.len() > ids.len() { ", …" } else { "" };
        return Err(CliError::Input(format!(
            "{name}: no op with id `{}`; ops: {}{more}",
            args.op,
            ids.join(", ")
        )));
    };
    let svg = render(&file, op).map_err(|e| CliError::Input(format!("cannot draw the plot: {e}")))?;
    let dir = args
        .output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = args
        .output
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(|| CliError::Usage(format!("-o {}: not a file name", args.output.display())))?;
    codegen::outputs::write_atomically(dir, &[(base.to_string(), svg.into_bytes())]).map_err(CliError::Input)?;
    println!("wrote {}", args.output.display());
    Ok(())
}

/// Pads a range by 8 % on each side (and widens a single value) so no point sits on an axis.
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = if hi > lo { hi - lo } else { lo.abs().max(1e-9) };
    (lo - 0.08 * span)..(hi + 0.08 * span)
}

/// The SVG text of the plot.
pub fn render(file: &FrontierFile, op: &OpEntry) -> Result<String, Box<dyn std::error::Error>> {
    let kernel = file
        .kernels
        .get(op.kernel)
        .ok_or("the op's kernel index is out of range")?;
    let grey: Vec<(f64, f64)> = kernel.feasible.iter().map(|&(_, j, l)| (l, j)).collect();
    let plans: Vec<(f64, f64, &str)> = op
        .frontier
        .iter()
        .map(|p| (p.est_lat_ms, p.est_jpt, p.id.as_str()))
        .collect();
    let fb = (op.fallback.est_lat_ms, op.fallback.est_jpt);
    let all = || {
        grey.iter()
            .copied()
            .chain(plans.iter().map(|&(l, j, _)| (l, j)))
            .chain([fb])
    };
    let (x_lo, x_hi) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (x, _)| {
        (a.min(x), b.max(x))
    });
    let (y_lo, y_hi) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, y)| {
        (a.min(y), b.max(y))
    });

    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
        area.fill(&WHITE)?;
        let title = format!(
            "{} on {}: {} of {} points feasible, {} plans (SLO share {} ms)",
            op.id,
            file.sku,
            op.points_feasible,
            op.points_enumerated,
            op.frontier.len(),
            op.slo_ms
        );
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 18))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(padded(x_lo, x_hi), padded(y_lo, y_hi))?;
        chart
            .configure_mesh()
            .x_desc("latency (ms)")
            .y_desc("energy (J/token)")
            .x_label_formatter(&|x| format!("{x:.4}"))
            .y_label_formatter(&|y| format!("{y:.5}"))
            .draw()?;
        let light = RGBColor(170, 170, 170);
        chart
            .draw_series(grey.iter().map(|&p| Circle::new(p, 3, light.filled())))?
            .label("feasible points")
            .legend(move |(x, y)| Circle::new((x, y), 3, light.filled()));
        let mut line: Vec<(f64, f64)> = plans.iter().map(|&(l, j, _)| (l, j)).collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        chart.draw_series(LineSeries::new(line, BLUE.stroke_width(2)))?;
        chart
            .draw_series(plans.iter().map(|&(l, j, id)| {
                EmptyElement::at((l, j))
                    + Circle::new((0, 0), 6, BLUE.filled())
                    + Text::new(id.to_string(), (8, -16), ("sans-serif", 16).into_font())
            }))?
            .label("frontier plans")
            .legend(|(x, y)| Circle::new((x, y), 6, BLUE.filled()));
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(fb)
                    + TriangleMarker::new((0, 0), 8, RED.filled())
                    + Text::new("fallback", (10, 4), ("sans-serif", 14).into_font()),
            ))?
            .label("fallback (recompute_kv)")
            .legend(|(x, y)| TriangleMarker::new((x, y), 6, RED.filled()));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        area.present()?;
    }
    Ok(svg)
}

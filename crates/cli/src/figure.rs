//! `gradscape figure`: optimizers' paths over contour lines, one panel per optimizer, drawn with
//! plotters (its SVG backend for `.svg`, its bitmap backend for `.png`), such as the book's
//! Figure 6-8.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use gradscape_core::optim::OptimizerConfig;
use gradscape_core::params;
use gradscape_core::render::{contour_levels, viridis, Grid};
use gradscape_core::surface::{Function, ViewBox};
use gradscape_core::trajectory::Trajectory;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// The font for PNG figures, shipped in the binary so a figure looks the same on every machine
/// (DejaVu Sans, Bitstream Vera licence: see assets/DejaVuSans-LICENSE.txt). SVG figures name the
/// font and leave drawing it to the viewer; plotters still measures their labels with this one.
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The largest figure, in pixels per side.
const MAX_SIDE: u32 = 8000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// The book's Figure 6-8: SGD, Momentum, AdaGrad and Adam on x²/20 + y² from (−7, 2).
    #[value(name = "book-6-8")]
    Book68,
}

#[derive(Args, Debug)]
pub struct FigureArgs {
    /// Start from a ready-made figure; the other flags change it.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// A surface id or an expression in x and y. Default: the preset's, or elongated.
    #[arg(long, allow_hyphen_values = true)]
    function: Option<String>,
    /// Optimizers, one panel each: 'sgd(lr=0.95),momentum(lr=0.1),adagrad(lr=1.5),adam(lr=0.3)';
    /// each may name its own schedule, like 'sgd(lr=0.95,schedule=inv:0.1)'.
    #[arg(long)]
    optimizers: Option<String>,
    #[command(flatten)]
    schedule: crate::ScheduleArg,
    /// Start points, separated by ';': '-7,2' or '-7,2;3,4'. Default: the surface's suggested start.
    #[arg(long, allow_hyphen_values = true, value_name = "X,Y[;X,Y...]")]
    start: Option<String>,
    /// Updates per path, 1 to 100,000. Default: the preset's, or 30.
    #[arg(long, allow_negative_numbers = true)]
    steps: Option<usize>,
    /// The region shown: xmin,xmax,ymin,ymax. Default: the surface's view.
    #[arg(long, allow_hyphen_values = true, value_name = "XMIN,XMAX,YMIN,YMAX")]
    view: Option<String>,
    /// The file to write: FILE.svg or FILE.png.
    #[arg(long)]
    out: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 800, allow_negative_numbers = true)]
    height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Svg,
    Png,
}

/// Everything a figure needs, resolved from the flags.
struct Figure {
    function: Function,
    optimizers: Vec<OptimizerConfig>,
    starts: Vec<[f64; 2]>,
    steps: usize,
    view: ViewBox,
    levels: Vec<f64>,
}

/// The most updates a figure draws per path: more points than pixels help nobody.
const MAX_FIGURE_STEPS: usize = 100_000;

fn resolve(args: &FigureArgs) -> Result<Figure, String> {
    let book = args.preset == Some(Preset::Book68);
    let function_text = args.function.as_deref().unwrap_or("elongated");
    let function = Function::parse(function_text)
        .map_err(|e| format!("--function '{}': {e}", function_text.trim()))?;
    let optimizers_text = match (&args.optimizers, book) {
        (Some(text), _) => text.as_str(),
        (None, true) => "sgd(lr=0.95),momentum(lr=0.1),adagrad(lr=1.5),adam(lr=0.3)",
        (None, false) => "sgd(lr=0.1),momentum(lr=0.1),adam(lr=0.3)",
    };
    let mut optimizers =
        params::parse_optimizers(optimizers_text).map_err(|e| format!("--optimizers: {e}"))?;
    args.schedule
        .apply_to_list(optimizers_text, &mut optimizers)?;
    let starts = match &args.start {
        Some(text) => params::parse_points(text).map_err(|e| format!("--start: {e}"))?,
        None if book => vec![[-7.0, 2.0]],
        None => vec![function.start()],
    };
    // The book records the point before each of its 30 updates: 30 points, 29 steps between them.
    let steps = args.steps.unwrap_or(if book { 29 } else { 30 });
    if steps == 0 || steps > MAX_FIGURE_STEPS {
        return Err(format!(
            "--steps must be between 1 and {MAX_FIGURE_STEPS} for a figure (got {steps})"
        ));
    }
    let view = match &args.view {
        Some(text) => params::parse_view(text).map_err(|e| format!("--view: {e}"))?,
        None if book => ViewBox::new(-10.0, 10.0, -10.0, 10.0)?,
        None => function.view(),
    };
    // The book's contour plot masks f > 7, leaving lines at 1, 2, ..., 6 on this surface.
    let levels = if book && args.function.is_none() && args.view.is_none() {
        (1..=6).map(f64::from).collect()
    } else {
        let grid = Grid::sample(&function, view, 200, 200);
        let (lo, hi) = grid.range().ok_or_else(|| {
            format!(
                "'{}' has no finite value anywhere in the view",
                function.label()
            )
        })?;
        contour_levels(lo, hi, 12, function.log_scale())
    };
    Ok(Figure {
        function,
        optimizers,
        starts,
        steps,
        view,
        levels,
    })
}

/// A panel's title: `SGD`, or `SGD, inv:0.1` with a schedule.
fn caption(config: &OptimizerConfig) -> String {
    if config.schedule.is_constant() {
        config.name().to_string()
    } else {
        format!("{}, {}", config.name(), config.schedule)
    }
}

/// Writes the figure `args` describe.
pub fn run(args: &FigureArgs) -> Result<(), String> {
    let (path, kind) = output_path(&args.out)?;
    check_size(args.width, args.height)?;
    let figure = resolve(args)?;
    let size = (args.width, args.height);
    let failed = |e: String| format!("could not write '{}': {e}", path.display());
    register_font()?;
    match kind {
        Kind::Svg => {
            let root = SVGBackend::new(&path, size).into_drawing_area();
            draw(&root, &figure).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))?;
        }
        Kind::Png => {
            let root = BitMapBackend::new(&path, size).into_drawing_area();
            draw(&root, &figure).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))?;
        }
    }
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Checks `--width` and `--height`.
pub(crate) fn check_size(width: u32, height: u32) -> Result<(), String> {
    for (name, side) in [("--width", width), ("--height", height)] {
        if !(100..=MAX_SIDE).contains(&side) {
            return Err(format!(
                "{name} must be between 100 and {MAX_SIDE} pixels (got {side})"
            ));
        }
    }
    Ok(())
}

/// plotters measures text with this font for both backends, to lay out labels.
pub(crate) fn register_font() -> Result<(), String> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| "the built-in font could not be read".to_string())
}

/// One panel per optimizer, in a grid as near square as fits (2 × 2 for Figure 6-8).
fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, figure: &Figure) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let n = figure.optimizers.len();
    let cols = (1..=n).find(|c| c * c >= n).unwrap_or(1);
    let rows = n.div_ceil(cols);
    let panels = root.split_evenly((rows, cols));

    let grid = Grid::sample(&figure.function, figure.view, 240, 240);
    let contours: Vec<(RGBColor, Vec<[[f64; 2]; 2]>)> = figure
        .levels
        .iter()
        .enumerate()
        .map(|(k, &level)| {
            let [r, g, b] = viridis(k as f64 / (figure.levels.len().max(2) - 1) as f64);
            (RGBColor(r, g, b), grid.contour(level))
        })
        .collect();
    let v = figure.view;

    for (panel, config) in panels.iter().zip(&figure.optimizers) {
        let mut chart = ChartBuilder::on(panel)
            .caption(caption(config), ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(v.xmin..v.xmax, v.ymin..v.ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x")
            .y_desc("y")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(err)?;
        for (colour, segments) in &contours {
            chart
                .draw_series(segments.iter().map(|[a, b]| {
                    PathElement::new(vec![(a[0], a[1]), (b[0], b[1])], colour.stroke_width(1))
                }))
                .map_err(err)?;
        }
        for minimum in figure.function.minima() {
            let [x, y] = minimum.point;
            let plus = EmptyElement::at((x, y))
                + PathElement::new(vec![(-7, 0), (7, 0)], BLUE.stroke_width(2))
                + PathElement::new(vec![(0, -7), (0, 7)], BLUE.stroke_width(2));
            chart.draw_series(std::iter::once(plus)).map_err(err)?;
        }
        for &start in &figure.starts {
            let run = Trajectory::run(&figure.function, *config, start, figure.steps)
                .map_err(|e| format!("{}: {e}", config.id()))?;
            // Points far outside the view would only stretch the canvas; plotters clips lines.
            let points: Vec<(f64, f64)> = run.points.iter().map(|p| (p[0], p[1])).collect();
            chart
                .draw_series(LineSeries::new(points.iter().copied(), RED.stroke_width(2)))
                .map_err(err)?;
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|(x, y)| v.contains([*x, *y]))
                        .map(|&p| Circle::new(p, 4, RED.filled())),
                )
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Where a figure goes, by the file's extension.
fn output_kind(path: &Path) -> Result<Kind, String> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(Kind::Svg),
        Some("png") => Ok(Kind::Png),
        _ => Err(format!(
            "--out '{}': the file name must end in .svg or .png",
            path.display()
        )),
    }
}

/// The output file and its kind, checked before any drawing starts.
pub(crate) fn output_path(path: &Path) -> Result<(PathBuf, Kind), String> {
    let kind = output_kind(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(format!(
                "--out '{}': the folder '{}' does not exist",
                path.display(),
                dir.display()
            ));
        }
    }
    Ok((path.to_path_buf(), kind))
}

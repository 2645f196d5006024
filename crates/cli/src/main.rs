//! `gradscape`: the optimizers of *Deep Learning from Scratch* on the command line, for scripts
//! and for figures in slides. Every number comes from `gradscape-core`, as on the page.

mod figure;
mod loss_figure;
mod network;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gradscape_core::optim::OptimizerConfig;
use gradscape_core::params;
use gradscape_core::surface::{Function, SURFACES};
use gradscape_core::trajectory::Trajectory;
use serde::Serialize;

#[derive(Parser, Debug)]
#[command(
    name = "gradscape",
    version,
    about = "See how gradient-based optimizers move: SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam \
             on loss surfaces, as in Deep Learning from Scratch."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the named surfaces with their formulas, views, minima and suggested starts.
    Functions {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Run one optimizer from a start point and print every point it visits.
    Trajectory(TrajectoryArgs),
    /// Draw optimizers' paths over a surface's contour lines, as SVG or PNG.
    Figure(figure::FigureArgs),
    /// Train a network with one optimizer and print its loss on every mini-batch.
    Train(network::TrainArgs),
    /// Train copies of one network with several optimizers on the same batches (Figure 6-9).
    Compare(network::CompareArgs),
    /// The loss of a saved network on a data file and, with --gradients, its gradients.
    Loss(network::LossArgs),
    /// Compare a saved network's backpropagated gradients with numerical ones, per array.
    Gradcheck(network::GradcheckArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DataFormat {
    Csv,
    Json,
}

/// The hyperparameter flags every command that runs one optimizer takes.
#[derive(Args, Debug)]
struct HyperparameterArgs {
    /// Learning rate (above 0). Default: the book's, 0.01 (Adam 0.001).
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Momentum and Nesterov: the velocity's decay μ, in [0, 1). Default 0.9.
    #[arg(long, allow_negative_numbers = true)]
    momentum: Option<f64>,
    /// RMSprop: the decay rate ρ of the squared-gradient average, in [0, 1). Default 0.99.
    #[arg(long, allow_negative_numbers = true)]
    decay_rate: Option<f64>,
    /// Adam: β1, in [0, 1). Default 0.9.
    #[arg(long, allow_negative_numbers = true)]
    beta1: Option<f64>,
    /// Adam: β2, in [0, 1). Default 0.999.
    #[arg(long, allow_negative_numbers = true)]
    beta2: Option<f64>,
}

impl HyperparameterArgs {
    /// The optimizer `id` with the book's defaults and these flags on top, validated.
    fn config(&self, id: &str) -> Result<OptimizerConfig, String> {
        let mut config = OptimizerConfig::default_for(id).map_err(|e| e.to_string())?;
        for (name, value) in [
            ("lr", self.lr),
            ("momentum", self.momentum),
            ("decay-rate", self.decay_rate),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
        ] {
            if let Some(value) = value {
                config
                    .set(name, value)
                    .map_err(|e| format!("--{name}: {e}"))?;
            }
        }
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }
}

#[derive(Args, Debug)]
struct TrajectoryArgs {
    /// A surface id (see `gradscape functions`) or an expression in x and y, like 'x^2/20 + y^2'.
    #[arg(long, allow_hyphen_values = true)]
    function: String,
    /// sgd, momentum, nesterov, adagrad, rmsprop or adam.
    #[arg(long)]
    optimizer: String,
    #[command(flatten)]
    hyperparameters: HyperparameterArgs,
    /// The start point x,y (write --start=-7,2 or --start -7,2). Default: the surface's suggested start.
    #[arg(long, allow_hyphen_values = true, value_name = "X,Y")]
    start: Option<String>,
    /// The number of updates, 1 to 1,000,000.
    #[arg(long, default_value_t = 30, allow_negative_numbers = true)]
    steps: usize,
    /// Output format: CSV (step,x,y,f,gx,gy) or JSON.
    #[arg(long, value_enum, default_value_t = DataFormat::Csv)]
    format: DataFormat,
}

/// What went wrong, for the user: one line on stderr.
#[derive(Debug)]
enum Failure {
    /// A sentence to print after `error: `.
    Message(String),
    /// stdout was closed by the reader (`gradscape ... | head`): stop quietly.
    ClosedPipe,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::Message(message)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Self::ClosedPipe
        } else {
            Self::Message(format!("could not write the output: {e}"))
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e),
    };
    let result = match cli.command {
        Command::Functions { format } => list_functions(format),
        Command::Trajectory(args) => trajectory(&args),
        Command::Figure(args) => figure::run(&args).map_err(Failure::Message),
        Command::Train(args) => network::train(&args),
        Command::Compare(args) => network::compare(&args),
        Command::Loss(args) => network::loss(&args),
        Command::Gradcheck(args) => network::gradcheck(&args),
    };
    match result {
        Ok(()) | Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout as clap writes them; a usage error becomes one line on stderr
/// pointing to `--help`, instead of clap's multi-line block.
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = e.render().to_string();
            // clap's first paragraph: for missing arguments it lists them on indented lines,
            // which are joined so the one line still says which.
            let first = rendered
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let first = if first.is_empty() {
                "error: invalid arguments".to_string()
            } else if first.starts_with("error:") {
                first
            } else {
                format!("error: {first}")
            };
            eprintln!("{first} (see 'gradscape --help')");
            ExitCode::from(2)
        }
    }
}

#[derive(Serialize)]
struct FunctionJson {
    id: &'static str,
    name: &'static str,
    formula: &'static str,
    view: [f64; 4],
    minima: Vec<[f64; 2]>,
    start: [f64; 2],
    log_scale: bool,
}

fn list_functions(format: ListFormat) -> Result<(), Failure> {
    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    match format {
        ListFormat::Json => {
            let list: Vec<FunctionJson> = SURFACES
                .iter()
                .map(|s| FunctionJson {
                    id: s.id,
                    name: s.name,
                    formula: s.formula,
                    view: [s.view.xmin, s.view.xmax, s.view.ymin, s.view.ymax],
                    minima: s.minima.iter().map(|m| m.point).collect(),
                    start: s.start,
                    log_scale: s.log_scale,
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            for s in &SURFACES {
                writeln!(out, "{:<17} {}", s.id, s.formula)?;
            }
            writeln!(
                out,
                "\nOr type any expression in x and y: numbers, pi, e, + - * / ^, and \
                 sin cos tan exp ln log sqrt abs tanh."
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn parse_function(text: &str) -> Result<Function, String> {
    Function::parse(text).map_err(|e| format!("--function '{}': {e}", text.trim()))
}

#[derive(Serialize)]
struct Row {
    step: usize,
    x: f64,
    y: f64,
    f: f64,
    gx: f64,
    gy: f64,
}

#[derive(Serialize)]
struct TrajectoryJson<'a> {
    function: &'a str,
    formula: &'a str,
    optimizer: &'static str,
    hyperparameters: BTreeMap<&'static str, f64>,
    start: [f64; 2],
    steps: usize,
    diverged_at: Option<usize>,
    points: Vec<Row>,
}

fn trajectory(args: &TrajectoryArgs) -> Result<(), Failure> {
    let function = parse_function(&args.function)?;
    let config = args.hyperparameters.config(&args.optimizer)?;
    let start = match &args.start {
        Some(text) => params::parse_point(text).map_err(|e| format!("--start: {e}"))?,
        None => function.start(),
    };
    let run = Trajectory::run(&function, config, start, args.steps).map_err(|e| e.to_string())?;

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    let rows = run
        .points
        .iter()
        .zip(&run.values)
        .zip(&run.gradients)
        .enumerate();
    match args.format {
        DataFormat::Csv => {
            writeln!(out, "step,x,y,f,gx,gy")?;
            for (step, ((p, f), g)) in rows {
                writeln!(out, "{step},{},{},{f},{},{}", p[0], p[1], g[0], g[1])?;
            }
        }
        DataFormat::Json => {
            let json = TrajectoryJson {
                function: function.label(),
                formula: function.formula(),
                optimizer: config.id(),
                hyperparameters: config.hyperparameters().into_iter().collect(),
                start,
                steps: args.steps,
                diverged_at: run.diverged_at,
                points: rows
                    .map(|(step, ((p, f), g))| Row {
                        step,
                        x: p[0],
                        y: p[1],
                        f: *f,
                        gx: g[0],
                        gy: g[1],
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut out, &json).map_err(io::Error::from)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if let Some(step) = run.diverged_at {
        eprintln!(
            "{} diverged at step {step}: the point, f or its gradient was no longer a finite number; \
             the {} finite points are above",
            config.name(),
            run.points.len()
        );
    }
    Ok(())
}

//! `gradscape`: the optimizers of *Deep Learning from Scratch* on the command line, for scripts
//! and for figures in slides. Every number comes from `gradscape-core`, as on the page.

mod explain;
mod figure;
mod graph;
mod loss_figure;
mod network;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gradscape_core::optim::{ConfigError, OptimizerConfig};
use gradscape_core::params;
use gradscape_core::schedule::Schedule;
use gradscape_core::surface::{Function, SURFACES};
use gradscape_core::trajectory::{Noise, Trajectory, MAX_STEPS};
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
    /// Explain one update of a run: the book's update rule with that step's numbers, as text,
    /// LaTeX or JSON.
    Explain(explain::ExplainArgs),
    /// The computational graph (chapter 5) of a formula at a point, every node's value and
    /// gradient, as a table, JSON, Graphviz DOT or SVG; or a saved network's layers on one
    /// example (--weights, --data, --example).
    Graph(graph::GraphArgs),
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
    #[command(flatten)]
    schedule: ScheduleArg,
}

/// `--schedule`, for every command that runs optimizers.
#[derive(Args, Debug)]
pub struct ScheduleArg {
    /// Learning-rate schedule: the rate of update t (from 1) is lr·s(t). constant (s = 1),
    /// inv:k (1/(1 + k(t−1))), exp:γ (γ^(t−1)), step:n:γ (γ^floor((t−1)/n)) or cos:T
    /// ((1 + cos(π·min(t−1, T)/T))/2). An optimizer written with its own schedule=
    /// keeps it. Default: constant.
    #[arg(long, allow_hyphen_values = true, value_name = "SCHEDULE")]
    schedule: Option<String>,
}

impl ScheduleArg {
    /// The schedule asked for, checked (None without the flag).
    pub fn parse(&self) -> Result<Option<Schedule>, String> {
        self.schedule
            .as_deref()
            .map(|text| {
                text.parse::<Schedule>()
                    .map_err(|e| format!("--schedule '{}': {}", text.trim(), e.0))
            })
            .transpose()
    }

    /// `configs`, parsed from the optimizer list `text`, with the schedule given to each whose
    /// text does not name a `schedule=` of its own.
    pub fn apply_to_list(&self, text: &str, configs: &mut [OptimizerConfig]) -> Result<(), String> {
        let Some(schedule) = self.parse()? else {
            return Ok(());
        };
        let items = gradscape_core::params::split_list(text)?;
        for (i, config) in configs.iter_mut().enumerate() {
            // parse_optimizers made one config per non-empty item, in order.
            if !items.get(i).is_some_and(|item| names_schedule(item)) {
                config.schedule = schedule;
            }
        }
        Ok(())
    }
}

/// Whether one optimizer's text, like `sgd(lr=0.95,schedule=inv:0.1)`, names its schedule.
fn names_schedule(item: &str) -> bool {
    let Some((_, inner)) = item.split_once('(') else {
        return false;
    };
    inner.split(',').any(|pair| {
        pair.split_once('=')
            .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("schedule"))
    })
}

impl HyperparameterArgs {
    /// The optimizer `text` (an id such as `sgd`, or a full form such as
    /// `sgd(lr=0.95,schedule=inv:0.1)`) with the book's defaults for what it leaves out, these
    /// flags on top and `--schedule` unless the text names its own, validated.
    fn config(&self, text: &str) -> Result<OptimizerConfig, String> {
        let mut config: OptimizerConfig = text.parse().map_err(|e: ConfigError| e.to_string())?;
        if let Some(schedule) = self.schedule.parse()? {
            if !names_schedule(text) {
                config.schedule = schedule;
            }
        }
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

/// One optimizer on one surface from one start: what `trajectory` and `explain` run.
#[derive(Args, Debug)]
struct RunArgs {
    /// A surface id (see `gradscape functions`) or an expression in x and y, like 'x^2/20 + y^2'.
    #[arg(long, allow_hyphen_values = true)]
    function: String,
    /// sgd, momentum, nesterov, adagrad, rmsprop or adam, or a full form such as
    /// 'sgd(lr=0.95,schedule=inv:0.1)'; the flags below change it.
    #[arg(long)]
    optimizer: String,
    #[command(flatten)]
    hyperparameters: HyperparameterArgs,
    /// The start point x,y (write --start=-7,2 or --start -7,2). Default: the surface's suggested start.
    #[arg(long, allow_hyphen_values = true, value_name = "X,Y")]
    start: Option<String>,
}

impl RunArgs {
    /// The surface, the optimizer and the start point, each checked.
    fn parse(&self) -> Result<(Function, OptimizerConfig, [f64; 2]), Failure> {
        let function = parse_function(&self.function)?;
        let config = self.hyperparameters.config(&self.optimizer)?;
        let start = start_point(self.start.as_deref(), &function)?;
        Ok((function, config, start))
    }
}

#[derive(Args, Debug)]
struct TrajectoryArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The number of updates, 1 to 1,000,000.
    #[arg(long, default_value_t = 30, allow_negative_numbers = true)]
    steps: usize,
    #[command(flatten)]
    noise: NoiseArgs,
    /// Output format: CSV (step,x,y,f,gx,gy, and ngx,ngy with --noise) or JSON.
    #[arg(long, value_enum, default_value_t = DataFormat::Csv)]
    format: DataFormat,
}

/// `--noise` and `--seed`: the gradient noise of a single run.
#[derive(Args, Debug)]
struct NoiseArgs {
    /// Gradient noise σ, from 0 to 1e100: update t uses ∇f + σ·ε_t, where ε_t is a pair of
    /// standard normal numbers drawn from --seed (for every optimizer the same ε_t, as on the
    /// page). 0 is the exact gradient.
    #[arg(
        long,
        default_value_t = 0.0,
        allow_negative_numbers = true,
        value_name = "σ"
    )]
    noise: f64,
    /// The seed of the noise's random numbers.
    #[arg(
        long,
        default_value_t = 0,
        value_name = "N",
        allow_negative_numbers = true
    )]
    seed: u64,
}

impl NoiseArgs {
    /// The noise for a run of `steps` updates, checked; None when σ = 0.
    fn noise(&self, steps: usize) -> Result<Option<Noise>, String> {
        // A run of a refused length draws nothing: the run itself then says what is wrong.
        let draws = if (1..=MAX_STEPS).contains(&steps) && self.noise > 0.0 {
            steps
        } else {
            0
        };
        let noise =
            Noise::new(self.noise, self.seed, draws).map_err(|e| format!("--noise: {e}"))?;
        Ok((noise.sigma() > 0.0).then_some(noise))
    }
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
        Command::Explain(args) => explain::run(&args),
        Command::Graph(args) => graph::run(&args),
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
    /// With noise, the gradient the update leaving this point used (null on the last point);
    /// absent without noise.
    #[serde(skip_serializing_if = "Option::is_none")]
    ngx: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ngy: Option<Option<f64>>,
}

/// σ and the seed, in the JSON of a noisy run.
#[derive(Serialize)]
struct NoiseJson {
    sigma: f64,
    seed: u64,
}

#[derive(Serialize)]
struct TrajectoryJson<'a> {
    function: &'a str,
    formula: &'a str,
    optimizer: &'static str,
    hyperparameters: BTreeMap<&'static str, f64>,
    /// Present only when not constant.
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<Schedule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    noise: Option<NoiseJson>,
    start: [f64; 2],
    steps: usize,
    diverged_at: Option<usize>,
    points: Vec<Row>,
}

/// The start point of `--start`, or the surface's suggested one.
fn start_point(text: Option<&str>, function: &Function) -> Result<[f64; 2], String> {
    match text {
        Some(text) => params::parse_point(text).map_err(|e| format!("--start: {e}")),
        None => Ok(function.start()),
    }
}

fn trajectory(args: &TrajectoryArgs) -> Result<(), Failure> {
    let (function, config, start) = args.run.parse()?;
    let noise = args.noise.noise(args.steps)?;
    let run = Trajectory::run_with_noise(&function, config, start, args.steps, noise.as_ref())
        .map_err(|e| e.to_string())?;

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    let rows = run
        .points
        .iter()
        .zip(&run.values)
        .zip(&run.gradients)
        .enumerate();
    // run.noisy[k] moved points[k] to points[k + 1]: every row but the last has one.
    let used = |step: usize| noise.as_ref().map(|_| run.noisy.get(step).copied());
    match args.format {
        DataFormat::Csv => {
            if noise.is_some() {
                writeln!(out, "step,x,y,f,gx,gy,ngx,ngy")?;
            } else {
                writeln!(out, "step,x,y,f,gx,gy")?;
            }
            for (step, ((p, f), g)) in rows {
                write!(out, "{step},{},{},{f},{},{}", p[0], p[1], g[0], g[1])?;
                match used(step) {
                    Some(Some(n)) => write!(out, ",{},{}", n[0], n[1])?,
                    Some(None) => write!(out, ",,")?,
                    None => {}
                }
                writeln!(out)?;
            }
        }
        DataFormat::Json => {
            let json = TrajectoryJson {
                function: function.label(),
                formula: function.formula(),
                optimizer: config.id(),
                hyperparameters: config.hyperparameters().into_iter().collect(),
                schedule: (!config.schedule.is_constant()).then_some(config.schedule),
                noise: noise.as_ref().map(|n| NoiseJson {
                    sigma: n.sigma(),
                    seed: n.seed(),
                }),
                start,
                steps: args.steps,
                diverged_at: run.diverged_at,
                points: rows
                    .map(|(step, ((p, f), g))| {
                        let n = used(step);
                        Row {
                            step,
                            x: p[0],
                            y: p[1],
                            f: *f,
                            gx: g[0],
                            gy: g[1],
                            ngx: n.map(|n| n.map(|n| n[0])),
                            ngy: n.map(|n| n.map(|n| n[1])),
                        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optimizer_text_that_names_its_schedule_is_recognised() {
        assert!(names_schedule("sgd(lr=0.95,schedule=inv:0.1)"));
        assert!(names_schedule("sgd( Schedule = constant )"));
        assert!(!names_schedule("sgd(lr=0.95)"));
        assert!(!names_schedule("sgd"));
        assert_eq!(
            gradscape_core::params::split_list(
                "sgd(lr=1,schedule=exp:0.5),adam, momentum(lr=0.1),"
            ),
            Ok(vec![
                "sgd(lr=1,schedule=exp:0.5)",
                "adam",
                " momentum(lr=0.1)"
            ])
        );
    }

    #[test]
    fn the_schedule_reaches_only_the_optimizers_without_one() {
        let arg = ScheduleArg {
            schedule: Some("exp:0.5".into()),
        };
        let text = "sgd,,adam(schedule=constant),momentum";
        let mut configs = params::parse_optimizers(text).unwrap();
        arg.apply_to_list(text, &mut configs).unwrap();
        let schedules: Vec<String> = configs.iter().map(|c| c.schedule.to_string()).collect();
        assert_eq!(schedules, ["exp:0.5", "constant", "exp:0.5"]);
    }
}

//! `gradscape train`, `compare`, `loss` and `gradcheck`: the book's multi-layer network (chapters
//! 5 and 6) trained on a generated data set or a CSV file, its loss and backpropagated gradients,
//! and the gradient check against numerical differentiation.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use gradscape_core::data::Dataset;
use gradscape_core::matrix::Matrix;
use gradscape_core::net::{Activation, Init, Network, WeightsFile, Workspace, MAX_PARAMS};
use gradscape_core::optim::OptimizerConfig;
use gradscape_core::params;
use gradscape_core::schedule::Schedule;
use gradscape_core::train::{Race, TrainConfig, MAX_BATCH, MAX_ITERATIONS};
use serde::Serialize;

use crate::figure;
use crate::loss_figure::{self, Curve};
use crate::{DataFormat, Failure, HyperparameterArgs, ListFormat};

/// The most units one hidden layer may have, and the most hidden layers: far past anything that
/// trains in reasonable time here, and a typo like 50000000 gets a clear answer.
const MAX_UNITS: usize = 100_000;
const MAX_HIDDEN_LAYERS: usize = 100;

/// Where the examples come from: exactly one of the two flags.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A generated data set: spiral, circles, xor, moons, blobs or digits. It is drawn from
    /// --seed, and a fifth of it is held out for the test accuracy.
    #[arg(long, value_name = "NAME")]
    dataset: Option<String>,
    /// A CSV file: a header, feature columns, then an integer 'label' column (0, 1, ...). Every
    /// row is used for training.
    #[arg(long, value_name = "FILE.csv")]
    data: Option<PathBuf>,
}

/// The activation after each hidden layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HiddenActivation {
    Relu,
    Sigmoid,
}

/// The data, the network and the training loop, shared by `train` and `compare`.
#[derive(Args, Debug)]
pub struct NetworkArgs {
    #[command(flatten)]
    source: Source,
    /// Units per hidden layer, separated by commas: 50, or 100,100,100,100 (the book's Figure 6-9).
    #[arg(long, value_name = "N[,N...]", allow_negative_numbers = true)]
    hidden: String,
    /// The activation after each hidden layer.
    #[arg(long, value_enum, default_value_t = HiddenActivation::Relu)]
    activation: HiddenActivation,
    /// Initial weights N(0, σ²): he (σ = √(2/n)), xavier (σ = √(1/n)) or std:σ, like std:0.01.
    #[arg(long, default_value = "he", value_name = "he|xavier|std:σ")]
    init: String,
    /// Examples per mini-batch, drawn at random with replacement, 1 to 100,000.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    batch: usize,
    /// Updates, 1 to 1,000,000.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    iterations: usize,
    /// Seeds the generated data set, the initial weights and the choice of batches.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    seed: u64,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// sgd, momentum, nesterov, adagrad, rmsprop or adam, or a full form such as
    /// 'adam(lr=0.01,schedule=exp:0.999)'; the flags below change it.
    #[arg(long)]
    optimizer: String,
    #[command(flatten)]
    hyperparameters: HyperparameterArgs,
    /// Write the trained network here (JSON), for `gradscape loss` and `gradscape gradcheck`.
    #[arg(long, value_name = "FILE.json")]
    save_weights: Option<PathBuf>,
    /// Output format: CSV (iteration,loss) or JSON (the loss, the accuracies and the settings).
    #[arg(long, value_enum, default_value_t = DataFormat::Csv)]
    format: DataFormat,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// The optimizers, each training its own copy of the same initial network on the same
    /// batches: 'sgd,momentum,adagrad,adam' (the book's learning rates), or
    /// 'adam(lr=0.01),sgd(lr=0.1,schedule=inv:0.01),...'.
    #[arg(long, default_value = "sgd,momentum,adagrad,adam")]
    optimizers: String,
    #[command(flatten)]
    schedule: crate::ScheduleArg,
    /// Draw the loss against the iteration, as the book's Figure 6-9: FILE.svg or FILE.png.
    #[arg(long, value_name = "FILE.svg|png")]
    out: Option<PathBuf>,
    /// Figure width in pixels.
    #[arg(long, default_value_t = 900, allow_negative_numbers = true)]
    width: u32,
    /// Figure height in pixels.
    #[arg(long, default_value_t = 600, allow_negative_numbers = true)]
    height: u32,
    /// Output format: CSV (iteration, then one loss column per optimizer) or JSON. Default: CSV,
    /// or nothing on stdout when --out is given.
    #[arg(long, value_enum)]
    format: Option<DataFormat>,
}

#[derive(Args, Debug)]
pub struct LossArgs {
    /// A network, as `train --save-weights` writes it:
    /// {"layers":[{"W":[[...]],"b":[...],"activation":"relu"}, ...]}.
    #[arg(long, value_name = "FILE.json")]
    weights: PathBuf,
    /// The examples: a header, feature columns, then an integer 'label' column.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// Also give every layer's gradient (dW, db) by backpropagation.
    #[arg(long)]
    gradients: bool,
    /// Output format: JSON, or CSV with one number per row (name,row,column,value).
    #[arg(long, value_enum, default_value_t = DataFormat::Json)]
    format: DataFormat,
}

#[derive(Args, Debug)]
pub struct GradcheckArgs {
    /// A network, as `train --save-weights` writes it.
    #[arg(long, value_name = "FILE.json")]
    weights: PathBuf,
    /// The examples: a header, feature columns, then an integer 'label' column.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// Check on the first N examples only (the book checks 3); the numerical gradient costs two
    /// passes over them per weight. Default: all.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    examples: Option<usize>,
    /// Output format: a table, or JSON.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

/// `--hidden 100,100`: each size 1 to MAX_UNITS.
fn parse_hidden(text: &str) -> Result<Vec<usize>, String> {
    let bad = |why: String| format!("--hidden '{}': {why}", text.trim());
    let sizes = text
        .split(',')
        .map(|cell| {
            let cell = cell.trim();
            match cell.parse::<usize>() {
                Ok(0) => Err(bad("a hidden layer needs at least 1 unit".into())),
                Ok(n) if n <= MAX_UNITS => Ok(n),
                Ok(_) => Err(bad(format!("at most {MAX_UNITS} units per layer"))),
                Err(_) if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()) => {
                    Err(bad(format!("at most {MAX_UNITS} units per layer")))
                }
                Err(_) => Err(bad(format!(
                    "'{cell}' is not a number of units (write sizes like 50 or 100,100)"
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    if sizes.len() > MAX_HIDDEN_LAYERS {
        return Err(bad(format!("at most {MAX_HIDDEN_LAYERS} hidden layers")));
    }
    Ok(sizes)
}

impl NetworkArgs {
    /// The training settings, every flag checked before any data is generated or read.
    fn config(&self) -> Result<TrainConfig, String> {
        let hidden = parse_hidden(&self.hidden)?;
        let init = Init::parse(&self.init).map_err(|e| format!("--init: {e}"))?;
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return Err(format!(
                "--batch must be between 1 and {MAX_BATCH} (got {})",
                self.batch
            ));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return Err(format!(
                "--iterations must be between 1 and {MAX_ITERATIONS} (got {})",
                self.iterations
            ));
        }
        Ok(TrainConfig {
            hidden,
            activation: match self.activation {
                HiddenActivation::Relu => Activation::Relu,
                HiddenActivation::Sigmoid => Activation::Sigmoid,
            },
            init,
            batch: self.batch,
            iterations: self.iterations,
            seed: self.seed,
        })
    }

    /// The examples named by --dataset or --data.
    fn load(&self) -> Result<Dataset, String> {
        match (&self.source.dataset, &self.source.data) {
            (Some(name), _) => {
                Dataset::generate(name, self.seed).map_err(|e| format!("--dataset: {e}"))
            }
            (None, Some(path)) => read_csv(path).map(|(data, _)| data),
            // clap's group already refuses this; the words are for completeness.
            (None, None) => Err("give --dataset NAME or --data FILE.csv".into()),
        }
    }

    /// A race of `optimizers` on these settings, the network's size checked first.
    fn race(&self, optimizers: &[OptimizerConfig]) -> Result<Race, String> {
        let config = self.config()?;
        let data = self.load()?;
        let mut sizes = vec![data.features.len()];
        sizes.extend(&config.hidden);
        sizes.push(data.classes);
        let count = sizes.windows(2).try_fold(0usize, |total, pair| {
            pair[0]
                .checked_mul(pair[1])?
                .checked_add(pair[1])?
                .checked_add(total)
        });
        if count.is_none_or(|n| n > MAX_PARAMS) {
            return Err(format!(
                "--hidden '{}': a network of {} units has more than {MAX_PARAMS} weights and biases",
                self.hidden.trim(),
                sizes
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("-")
            ));
        }
        Race::new(data, config, optimizers).map_err(|e| e.to_string())
    }
}

/// A data file and its text (the text gives the file's line numbers for later messages).
pub(crate) fn read_csv(path: &Path) -> Result<(Dataset, String), String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("{}: could not be read: {e}", path.display()))?;
    let name = path.display().to_string();
    let data = Dataset::from_csv(&name, &text).map_err(|e| format!("{name}: {e}"))?;
    Ok((data, text))
}

/// A weights file, its JSON and every shape checked.
pub(crate) fn read_weights(path: &Path) -> Result<Network, String> {
    let name = path.display();
    let text = fs::read_to_string(path).map_err(|e| format!("{name}: could not be read: {e}"))?;
    let file: WeightsFile = serde_json::from_str(&text).map_err(|e| {
        // serde_json ends its message with "at line L column C"; say where first, as for CSV.
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        match message.strip_suffix(&suffix) {
            Some(what) if e.line() > 0 => {
                format!("{name}: line {}, column {}: {what}", e.line(), e.column())
            }
            _ => format!("{name}: {message}"),
        }
    })?;
    Network::from_file(&file).map_err(|e| format!("{name}: {e}"))
}

/// The line of the file holding example `index` (0-based), counted as [`Dataset::from_csv`]
/// counts: from 1, the header being line 1, blank lines skipped but counted.
pub(crate) fn line_of_example(text: &str, index: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .nth(index + 1)
        .map(|(i, _)| i + 1)
}

/// A network from its file and examples it can take: as many features as it has inputs, and
/// every label one of its classes.
fn read_pair(weights: &Path, data: &Path) -> Result<(Network, Dataset), String> {
    let net = read_weights(weights)?;
    let (set, text) = read_csv(data)?;
    let features = set.features.len();
    if features != net.inputs() {
        return Err(format!(
            "{}: row 1, column {}: the data has {features} feature column{} but the network in {} \
             takes {} input{}",
            data.display(),
            features.min(net.inputs()) + 1,
            if features == 1 { "" } else { "s" },
            weights.display(),
            net.inputs(),
            if net.inputs() == 1 { "" } else { "s" },
        ));
    }
    if let Some(i) = set.train.t.iter().position(|&t| t >= net.classes()) {
        let row = line_of_example(&text, i)
            .map(|r| format!("row {r}, "))
            .unwrap_or_default();
        return Err(format!(
            "{}: {row}column {}: label {} is not one of the {} classes (0 to {}) of the network \
             in {}",
            data.display(),
            features + 1,
            set.train.t[i],
            net.classes(),
            net.classes() - 1,
            weights.display(),
        ));
    }
    Ok((net, set))
}

/// Checks, before a long run, that the folder a file is to be written into exists.
fn check_folder(path: &Path, flag: &str) -> Result<(), String> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if !dir.is_dir() => Err(format!(
            "{flag} '{}': the folder '{}' does not exist",
            path.display(),
            dir.display()
        )),
        _ => Ok(()),
    }
}

/// What one optimizer did in a race.
struct Outcome {
    config: OptimizerConfig,
    /// Unique within the race: the book's name, with the hyperparameters if two share it.
    label: String,
    loss: Vec<f64>,
    diverged_at: Option<usize>,
    train_accuracy: Option<f64>,
    test_accuracy: Option<f64>,
}

/// The members' results. A member whose weights stopped being finite has no accuracy: its
/// predictions would be the first class everywhere, which says nothing about the optimizer.
fn outcomes(race: &mut Race) -> Vec<Outcome> {
    let configs: Vec<OptimizerConfig> = race
        .members()
        .iter()
        .map(|m| *m.optimizer.config())
        .collect();
    let labels = labels(&configs);
    let mut out = Vec::with_capacity(configs.len());
    for (i, (config, label)) in configs.into_iter().zip(labels).enumerate() {
        let finite = race.members()[i].net.params().iter().all(|p| p.is_finite());
        let (train_accuracy, test_accuracy) = if finite {
            (race.accuracy(i, false), race.accuracy(i, true))
        } else {
            (None, None)
        };
        let member = &race.members()[i];
        out.push(Outcome {
            config,
            label,
            loss: member.loss.clone(),
            diverged_at: member.diverged_at,
            train_accuracy,
            test_accuracy,
        });
    }
    out
}

/// Column names: `Adam`, or `Adam(lr=0.1 beta1=0.9 beta2=0.999)` when two optimizers share a
/// name (no commas, so a CSV header needs no quoting), numbered if even that repeats.
fn labels(configs: &[OptimizerConfig]) -> Vec<String> {
    let shared = |name: &str| configs.iter().filter(|c| c.name() == name).count() > 1;
    let mut labels: Vec<String> = configs
        .iter()
        .map(|c| {
            if shared(c.name()) {
                let mut values: Vec<String> = c
                    .hyperparameters()
                    .iter()
                    .map(|(n, v)| format!("{n}={}", short_number(*v)))
                    .collect();
                if !c.schedule.is_constant() {
                    values.push(format!("schedule={}", c.schedule));
                }
                format!("{}({})", c.name(), values.join(" "))
            } else {
                c.name().to_string()
            }
        })
        .collect();
    for i in 0..labels.len() {
        let earlier = labels[..i].iter().filter(|l| **l == labels[i]).count();
        if earlier > 0 {
            labels[i] = format!("{} #{}", labels[i], earlier + 1);
        }
    }
    labels
}

/// A hyperparameter for people: `0.01`, but `1e300` rather than 301 digits.
fn short_number(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// `adam(lr=0.01,beta1=0.9,beta2=0.999)`, the form `--optimizers` reads (with `schedule=` when
/// the rate is not constant).
fn settings_text(config: &OptimizerConfig) -> String {
    let mut values: Vec<String> = config
        .hyperparameters()
        .iter()
        .map(|(n, v)| format!("{n}={}", short_number(*v)))
        .collect();
    if !config.schedule.is_constant() {
        values.push(format!("schedule={}", config.schedule));
    }
    format!("{}({})", config.id(), values.join(","))
}

/// One line per optimizer on stderr, for a person watching: CSV on stdout has no room for it.
fn summarize(outcomes: &[Outcome], iterations: usize) {
    let accuracy = |a: Option<f64>| a.map_or_else(|| "none".to_string(), |a| format!("{a:.4}"));
    for o in outcomes {
        let when = match o.diverged_at {
            Some(at) => format!(
                "diverged at iteration {at} of {iterations} (the loss, a gradient or a weight was \
                 no longer a finite number)"
            ),
            None => format!("after {iterations} iterations"),
        };
        let last = o
            .loss
            .last()
            .map_or_else(String::new, |l| format!(", last loss {l:.4}"));
        eprintln!(
            "{}: {when}: train accuracy {}, test accuracy {}{last}",
            settings_text(&o.config),
            accuracy(o.train_accuracy),
            accuracy(o.test_accuracy)
        );
    }
}

/// The settings of a run, as the JSON output repeats them.
#[derive(Serialize)]
struct SettingsJson<'a> {
    dataset: &'a str,
    features: usize,
    classes: usize,
    train_examples: usize,
    test_examples: Option<usize>,
    hidden: &'a [usize],
    activation: &'static str,
    init: String,
    batch: usize,
    iterations: usize,
    seed: u64,
}

fn settings(race: &Race) -> SettingsJson<'_> {
    let data = race.data();
    let config = race.config();
    SettingsJson {
        dataset: &data.name,
        features: data.features.len(),
        classes: data.classes,
        train_examples: data.train.len(),
        test_examples: data.test.as_ref().map(|t| t.len()),
        hidden: &config.hidden,
        activation: config.activation.name(),
        init: config.init.to_string(),
        batch: config.batch,
        iterations: config.iterations,
        seed: config.seed,
    }
}

/// One optimizer's result, in `train`'s output and in each of `compare`'s.
#[derive(Serialize)]
struct OutcomeJson<'a> {
    optimizer: &'static str,
    hyperparameters: BTreeMap<&'static str, f64>,
    /// Present only when the rate is not constant.
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<Schedule>,
    diverged_at: Option<usize>,
    train_accuracy: Option<f64>,
    test_accuracy: Option<f64>,
    loss: &'a [f64],
}

impl<'a> From<&'a Outcome> for OutcomeJson<'a> {
    fn from(o: &'a Outcome) -> Self {
        OutcomeJson {
            optimizer: o.config.id(),
            hyperparameters: o.config.hyperparameters().into_iter().collect(),
            schedule: (!o.config.schedule.is_constant()).then_some(o.config.schedule),
            diverged_at: o.diverged_at,
            train_accuracy: o.train_accuracy,
            test_accuracy: o.test_accuracy,
            loss: &o.loss,
        }
    }
}

#[derive(Serialize)]
struct TrainJson<'a> {
    #[serde(flatten)]
    settings: SettingsJson<'a>,
    #[serde(flatten)]
    outcome: OutcomeJson<'a>,
}

pub fn train(args: &TrainArgs) -> Result<(), Failure> {
    let optimizer = args.hyperparameters.config(&args.optimizer)?;
    if let Some(path) = &args.save_weights {
        check_folder(path, "--save-weights")?;
    }
    let mut race = args.network.race(&[optimizer])?;
    let iterations = race.config().iterations;
    race.run(iterations);
    let outcomes = outcomes(&mut race);
    let [run] = outcomes.as_slice() else {
        return Err(Failure::Message(
            "the race lost its only optimizer".to_string(),
        ));
    };
    summarize(&outcomes, iterations);
    // The weights are written before stdout, so a reader that stops early (`| head`) cannot
    // keep them from being saved; weights that are no longer numbers are refused after the
    // output, which still shows how the run went.
    let unsaved = match &args.save_weights {
        Some(path) => save_weights(path, &race.members()[0].net)?,
        None => None,
    };

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    match args.format {
        DataFormat::Csv => {
            writeln!(out, "iteration,loss")?;
            for (i, loss) in run.loss.iter().enumerate() {
                writeln!(out, "{i},{loss}")?;
            }
        }
        DataFormat::Json => {
            let json = TrainJson {
                settings: settings(&race),
                outcome: run.into(),
            };
            serde_json::to_writer(&mut out, &json).map_err(io::Error::from)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    match unsaved {
        Some(message) => Err(Failure::Message(message)),
        None => Ok(()),
    }
}

/// Writes the network to `path`; if its weights are no longer finite (JSON has no NaN), returns
/// why it was not written instead.
fn save_weights(path: &Path, net: &Network) -> Result<Option<String>, Failure> {
    if net.params().iter().any(|p| !p.is_finite()) {
        return Ok(Some(format!(
            "--save-weights '{}': not written, the weights are no longer finite numbers",
            path.display()
        )));
    }
    let mut text = serde_json::to_string(&net.to_file()).map_err(io::Error::from)?;
    text.push('\n');
    fs::write(path, text)
        .map_err(|e| format!("--save-weights '{}': could not write: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(None)
}

#[derive(Serialize)]
struct CompareJson<'a> {
    #[serde(flatten)]
    settings: SettingsJson<'a>,
    optimizers: Vec<MemberJson<'a>>,
}

#[derive(Serialize)]
struct MemberJson<'a> {
    name: &'a str,
    #[serde(flatten)]
    outcome: OutcomeJson<'a>,
}

pub fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let mut optimizers =
        params::parse_optimizers(&args.optimizers).map_err(|e| format!("--optimizers: {e}"))?;
    args.schedule
        .apply_to_list(&args.optimizers, &mut optimizers)?;
    let figure_file = match &args.out {
        Some(path) => {
            figure::check_size(args.width, args.height)?;
            Some(figure::output_path(path)?)
        }
        None => None,
    };
    let mut race = args.network.race(&optimizers)?;
    let iterations = race.config().iterations;
    race.run(iterations);
    let outcomes = outcomes(&mut race);
    summarize(&outcomes, iterations);
    // The figure is drawn before stdout is written, so a reader that stops early (`| head`)
    // cannot keep it from being written.
    if let Some((path, kind)) = &figure_file {
        let curves: Vec<Curve<'_>> = outcomes
            .iter()
            .map(|o| Curve {
                label: &o.label,
                loss: &o.loss,
            })
            .collect();
        loss_figure::write(path, *kind, (args.width, args.height), iterations, &curves)?;
        eprintln!("wrote {}", path.display());
    }

    let format = match (args.format, &figure_file) {
        (Some(format), _) => Some(format),
        (None, None) => Some(DataFormat::Csv),
        (None, Some(_)) => None,
    };
    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    match format {
        Some(DataFormat::Csv) => {
            let names: Vec<&str> = outcomes.iter().map(|o| o.label.as_str()).collect();
            writeln!(out, "iteration,{}", names.join(","))?;
            // A member that diverged has no loss from then on: its cells are left empty.
            for i in 0..iterations {
                write!(out, "{i}")?;
                for o in &outcomes {
                    match o.loss.get(i) {
                        Some(loss) => write!(out, ",{loss}")?,
                        None => write!(out, ",")?,
                    }
                }
                writeln!(out)?;
            }
        }
        Some(DataFormat::Json) => {
            let json = CompareJson {
                settings: settings(&race),
                optimizers: outcomes
                    .iter()
                    .map(|o| MemberJson {
                        name: &o.label,
                        outcome: o.into(),
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut out, &json).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        None => {}
    }
    out.flush()?;

    Ok(())
}

#[derive(Serialize)]
struct LossJson<'a> {
    examples: usize,
    loss: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    gradients: Option<&'a [gradscape_core::net::LayerGradients]>,
}

pub fn loss(args: &LossArgs) -> Result<(), Failure> {
    let (net, data) = read_pair(&args.weights, &args.data)?;
    let (x, t) = (&data.train.x, &data.train.t);
    let mut ws = Workspace::default();
    let loss = if args.gradients {
        net.gradient(x, t, &mut ws)
    } else {
        net.loss(x, t, &mut ws)
    };
    if !loss.is_finite() || (args.gradients && ws.grads.iter().any(|g| !g.is_finite())) {
        return Err(Failure::Message(format!(
            "{}: the loss or its gradient on {} is not a finite number (the weights are too large)",
            args.weights.display(),
            args.data.display()
        )));
    }
    let gradients = args.gradients.then(|| net.gradients_to_file(&ws.grads));

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    match args.format {
        DataFormat::Json => {
            let json = LossJson {
                examples: t.len(),
                loss,
                gradients: gradients.as_deref(),
            };
            serde_json::to_writer(&mut out, &json).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        DataFormat::Csv => {
            // One number per row; b is a vector, so its row cell is empty.
            writeln!(out, "name,row,column,value")?;
            writeln!(out, "loss,,,{loss}")?;
            for (l, layer) in gradients.iter().flatten().enumerate() {
                for (r, row) in layer.w.iter().enumerate() {
                    for (c, v) in row.iter().enumerate() {
                        writeln!(out, "dW{},{},{},{v}", l + 1, r + 1, c + 1)?;
                    }
                }
                for (c, v) in layer.b.iter().enumerate() {
                    writeln!(out, "db{},,{},{v}", l + 1, c + 1)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct CheckJson {
    examples: usize,
    arrays: Vec<ArrayCheck>,
}

#[derive(Serialize)]
struct ArrayCheck {
    name: String,
    shape: Vec<usize>,
    mean_abs_difference: f64,
}

pub fn gradcheck(args: &GradcheckArgs) -> Result<(), Failure> {
    let (mut net, data) = read_pair(&args.weights, &args.data)?;
    let all = data.train.len();
    let n = match args.examples {
        None => all,
        Some(0) => return Err(Failure::Message("--examples must be at least 1".into())),
        Some(n) => n.min(all),
    };
    let x = Matrix {
        rows: n,
        cols: data.train.x.cols,
        data: data.train.x.data[..n * data.train.x.cols].to_vec(),
    };
    let t = &data.train.t[..n];
    let shapes: Vec<Vec<usize>> = net
        .layers()
        .iter()
        .flat_map(|l| [vec![l.n_in, l.n_out], vec![l.n_out]])
        .collect();
    let checks: Vec<ArrayCheck> = net
        .gradient_check(&x, t)
        .into_iter()
        .zip(shapes)
        .map(|((name, diff), shape)| ArrayCheck {
            name,
            shape,
            mean_abs_difference: diff,
        })
        .collect();
    if checks.iter().any(|c| !c.mean_abs_difference.is_finite()) {
        return Err(Failure::Message(format!(
            "{}: the gradients on {} are not finite numbers (the weights are too large)",
            args.weights.display(),
            args.data.display()
        )));
    }

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    match args.format {
        ListFormat::Json => {
            let json = CheckJson {
                examples: n,
                arrays: checks,
            };
            serde_json::to_writer(&mut out, &json).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            writeln!(
                out,
                "Backpropagation against the central difference (h = 1e-4), {n} example{}:",
                if n == 1 { "" } else { "s" }
            )?;
            writeln!(out, "{:<8} {:>11}  mean |difference|", "array", "shape")?;
            for c in &checks {
                let shape: Vec<String> = c.shape.iter().map(usize::to_string).collect();
                writeln!(
                    out,
                    "{:<8} {:>11}  {:.3e}",
                    c.name,
                    shape.join("×"),
                    c.mean_abs_difference
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_sizes() {
        assert_eq!(parse_hidden("50"), Ok(vec![50]));
        assert_eq!(parse_hidden(" 100, 100 ,100"), Ok(vec![100, 100, 100]));
        for (bad, words) in [
            ("", "is not a number"),
            ("50,", "is not a number"),
            ("5x", "'5x' is not a number"),
            ("-3", "'-3' is not a number"),
            ("0", "at least 1 unit"),
            ("100001", "at most 100000"),
            ("99999999999999999999999", "at most 100000"),
        ] {
            let err = parse_hidden(bad).unwrap_err();
            assert!(err.contains(words), "{bad}: {err}");
        }
        assert!(parse_hidden("1,".repeat(100).trim_end_matches(',')).is_ok());
        assert!(parse_hidden("1,".repeat(101).trim_end_matches(',')).is_err());
    }

    #[test]
    fn hyperparameters_print_short() {
        let config: OptimizerConfig = "sgd(lr=1e300)".parse().unwrap();
        assert_eq!(settings_text(&config), "sgd(lr=1e300)");
        let config: OptimizerConfig = "adam(lr=0.00001)".parse().unwrap();
        assert_eq!(
            settings_text(&config),
            "adam(lr=1e-5,beta1=0.9,beta2=0.999)"
        );
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(123456.5), "123456.5");
    }

    #[test]
    fn labels_stay_unique() {
        let configs = params::parse_optimizers("sgd,adam(lr=0.1),adam,sgd").unwrap();
        assert_eq!(
            labels(&configs),
            [
                "SGD(lr=0.01)",
                "Adam(lr=0.1 beta1=0.9 beta2=0.999)",
                "Adam(lr=0.001 beta1=0.9 beta2=0.999)",
                "SGD(lr=0.01) #2"
            ]
        );
        let book = params::parse_optimizers("sgd,momentum,adagrad,adam").unwrap();
        assert_eq!(labels(&book), ["SGD", "Momentum", "AdaGrad", "Adam"]);
    }

    #[test]
    fn lines_of_examples_count_the_header_and_blank_lines() {
        let text = "a,label\n1,0\n\n2,1\r\n3,0\n";
        assert_eq!(line_of_example(text, 0), Some(2));
        assert_eq!(line_of_example(text, 1), Some(4));
        assert_eq!(line_of_example(text, 2), Some(5));
        assert_eq!(line_of_example(text, 3), None);
    }
}

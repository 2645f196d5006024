//! The page's state: a surface, optimizers, start points and a view, the trajectories they give,
//! and the URL form of it all.
//!
//! Everything the page shows about optimizers on f(x, y) is held and computed here, so the page
//! is a drawing of a `Scene` and the URL contract (`f=`, `opt=`, `start=`, `steps=`, `view=`,
//! `preset=`, ...) is tested with plain `cargo test`. Presets are URL queries read by the same
//! parser, so a preset cannot mean something a URL cannot say.

use serde::Serialize;

use crate::explain::Replayer;
use crate::message::{Message, ToMessage};
use crate::optim::{Optimizer, OptimizerConfig};
use crate::params::{self, format_number};
use crate::surface::{Function, ViewBox};
use crate::trajectory::{Noise, Trajectory, MAX_NOISE};

/// The most updates the page runs per path: enough for Rosenbrock's valley, few enough that a
/// drag with several optimizers and starts stays within a frame.
pub const MAX_PAGE_STEPS: usize = 20_000;

/// The most updates all runs together may take: 32 optimizers from 32 starts for 20,000 steps
/// would take seconds and close to a gigabyte, so a pasted URL cannot ask for that.
pub const MAX_WORK: usize = 2_000_000;

/// Animation speeds, in updates per second.
pub const SPEED_RANGE: (f64, f64) = (0.5, 2000.0);

/// Colours for the optimizers, in order: Okabe and Ito's palette, which stays distinguishable
/// with every common colour-vision deficiency. Paths are drawn with a halo so they read on both
/// ends of viridis.
pub const PALETTE: [&str; 8] = [
    "#D55E00", "#56B4E9", "#F0E442", "#CC79A7", "#E69F00", "#009E73", "#0072B2", "#000000",
];

/// The marker of each optimizer's points, by position as the palette: with the colour, so that
/// no optimizer is told from another by colour alone. Five shapes against eight colours, so the
/// first five optimizers differ in both.
pub const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::TriangleDown,
];

/// A point's shape (see [`MARKERS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

impl Marker {
    /// The marker's corners around (0, 0) for a marker of "radius" r (y down, as on screen),
    /// or None for the circle.
    pub fn corners(self, r: f64) -> Option<Vec<[f64; 2]>> {
        // Polygons a little larger than the circle, so that they look as heavy.
        let k = 1.2 * r;
        match self {
            Marker::Circle => None,
            Marker::Square => Some(vec![
                [-0.9 * r, -0.9 * r],
                [0.9 * r, -0.9 * r],
                [0.9 * r, 0.9 * r],
                [-0.9 * r, 0.9 * r],
            ]),
            Marker::Triangle => Some(vec![[0.0, -k], [k, 0.8 * k], [-k, 0.8 * k]]),
            Marker::Diamond => Some(vec![[0.0, -k], [k, 0.0], [0.0, k], [-k, 0.0]]),
            Marker::TriangleDown => Some(vec![[0.0, k], [k, -0.8 * k], [-k, -0.8 * k]]),
        }
    }
}

/// A ready-made scene: a name for the menu and the query it stands for.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    /// Its note in English; empty without the `english` feature.
    pub description: &'static str,
    pub query: &'static str,
}

// A preset's note in English, left out of builds without the `english` feature (the page words
// presets from its own catalogs).
#[cfg(feature = "english")]
macro_rules! english {
    ($text:expr) => {
        $text
    };
}
#[cfg(not(feature = "english"))]
macro_rules! english {
    ($text:expr) => {
        ""
    };
}

/// The presets, the book's figure first (it is also the page's default).
pub static PRESETS: [Preset; 8] = [
    Preset {
        id: "book-6-8",
        name: "Book Figure 6-8",
        description: english!("SGD zig-zags across x²/20 + y²; Momentum rolls, AdaGrad damps the steep \
                      direction, Adam does both (Deep Learning from Scratch, Figure 6-8)."),
        query: "f=elongated&opt=sgd(lr=0.95),momentum(lr=0.1,momentum=0.9),adagrad(lr=1.5),\
                adam(lr=0.3,beta1=0.9,beta2=0.999)&start=-7,2&steps=30&view=-10,10,-10,10&log=0",
    },
    Preset {
        id: "rosenbrock-valley",
        name: "Rosenbrock's valley",
        description: english!("A narrow curved valley: plain SGD crawls along its floor, Momentum and Adam \
                      follow it to (1, 1)."),
        query: "f=rosenbrock&opt=sgd(lr=0.001),momentum(lr=0.0005,momentum=0.9),\
                rmsprop(lr=0.01,decay-rate=0.99),adam(lr=0.05)&start=-1.5,2&steps=1000&\
                view=-2,2,-1,3&log=1",
    },
    Preset {
        id: "saddle-escape",
        name: "Escaping a saddle",
        description: english!("From just beside the ridge of x² − y², SGD takes long to leave; the adaptive \
                      methods rescale the tiny y-gradient and escape at once."),
        query: "f=saddle&opt=sgd(lr=0.05),momentum(lr=0.05,momentum=0.9),rmsprop(lr=0.05),\
                adam(lr=0.05)&start=-1.8,0.01&steps=60&view=-2,2,-2,2&log=0",
    },
    Preset {
        id: "himmelblau-minima",
        name: "Himmelblau's four minima",
        description: english!("Four start points, four different minima: where you start decides where you \
                      end."),
        query: "f=himmelblau&opt=sgd(lr=0.01),adam(lr=0.1)&start=0,0;-1,1;-1,-1;0,-2&steps=300&\
                view=-5,5,-5,5&log=1",
    },
    Preset {
        id: "adagrad-dying",
        name: "AdaGrad's dying step size",
        description: english!("AdaGrad divides by the root of every squared gradient so far, so its steps \
                      shrink for ever; RMSprop forgets old gradients and keeps moving."),
        query: "f=sphere&opt=adagrad(lr=0.3),rmsprop(lr=0.3,decay-rate=0.99),sgd(lr=0.05)&\
                start=-4,3&steps=100&view=-5,5,-5,5&log=0",
    },
    Preset {
        id: "momentum-overshoot",
        name: "Momentum's overshoot",
        description: english!("With μ = 0.9 the ball rolls past the minimum and spirals in; μ = 0.5 overshoots \
                      less, Nesterov looks ahead and brakes earlier."),
        query: "f=sphere&opt=momentum(lr=0.02,momentum=0.9),momentum(lr=0.02,momentum=0.5),\
                nesterov(lr=0.02,momentum=0.9),sgd(lr=0.02)&start=-4,3&steps=100&view=-5,5,-5,5&log=0",
    },
    Preset {
        id: "why-adagrad",
        name: "Why AdaGrad: one decaying rate or one per coordinate",
        description: english!("A decaying rate (inv:0.1) calms SGD's zig-zag across the steep y but slows \
                      its crawl along the flat x just as much; AdaGrad decays each coordinate's \
                      rate by its own gradients, fast across y and slowly along x."),
        query: "f=elongated&opt=sgd(lr=0.95,schedule=inv:0.1),adagrad(lr=1.5),sgd(lr=0.95)&\
                start=-7,2&steps=60&view=-10,10,-10,10&log=0",
    },
    Preset {
        id: "noisy-gradients",
        name: "Noisy gradients: SGD jitters, Momentum smooths",
        description: english!("Each update sees ∇f plus noise (σ = 3, the same draws for both): SGD's \
                      steps follow every draw, Momentum's velocity averages them and its path \
                      stays smooth."),
        query: "f=sphere&opt=sgd(lr=0.05),momentum(lr=0.005,momentum=0.9)&start=-4,3&steps=200&\
                view=-5,5,-5,5&log=0&noise=3",
    },
];

/// The preset with this id.
pub fn find_preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id.trim())
}

/// A setting that could not be used, named by its URL key; the message says what was used
/// instead. As JSON, `{param, message, kind, values}`: `message` is the English line, and
/// `kind` and `values` are the same line as data (the kind `warning`, whose values are the
/// parameter and the message after it), for a page that speaks another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub param: String,
    /// `param: what went wrong; what was kept`, in English.
    pub message: String,
    /// The message as data.
    #[serde(flatten)]
    pub text: Message,
}

/// One optimizer in the scene.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Entry {
    pub config: OptimizerConfig,
    pub visible: bool,
}

/// One optimizer run from one start point.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Run {
    pub optimizer_index: usize,
    pub start_index: usize,
    pub trajectory: Trajectory,
    /// Why this run has no points (the function is undefined at its start, say).
    pub error: Option<Message>,
    /// The optimizer's velocity and per-coordinate rates after the last recorded update, kept
    /// from the run so showing the end costs no replay (None when the run diverged).
    #[serde(skip)]
    end_state: Option<OptimizerState>,
}

/// The optimizer's view of one step: where it is, what it sees, and its state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    pub step: usize,
    pub point: [f64; 2],
    pub value: f64,
    pub gradient: [f64; 2],
    /// Momentum's and Nesterov's velocity after `step` updates.
    pub velocity: Option<[f64; 2]>,
    /// AdaGrad's, RMSprop's and Adam's per-coordinate learning rate for the next update.
    pub rates: Option<[f64; 2]>,
}

/// An optimizer's velocity (Momentum, Nesterov) and per-coordinate rates (AdaGrad, RMSprop,
/// Adam), for a point in the plane.
type OptimizerState = (Option<[f64; 2]>, Option<[f64; 2]>);

fn state_of(optimizer: &Optimizer) -> OptimizerState {
    let pair = |v: &[f64]| [v[0], v[1]];
    (
        optimizer.velocity().map(pair),
        optimizer.effective_learning_rates().map(|r| pair(&r)),
    )
}

/// Run `r`'s replay in `replays`, made on first use.
fn replay_of(
    replays: &mut Vec<Option<Replayer>>,
    r: usize,
    config: OptimizerConfig,
) -> Result<&mut Replayer, crate::explain::ExplainError> {
    if replays.len() <= r {
        replays.resize_with(r + 1, || None);
    }
    let slot = &mut replays[r];
    if slot.is_none() {
        *slot = Some(Replayer::new(config)?);
    }
    slot.as_mut()
        .ok_or(crate::explain::ExplainError::NoRun { run: r, runs: r })
}

/// The page's whole state. Trajectories are recomputed by the setters, so they always match.
#[derive(Debug, Clone)]
pub struct Scene {
    function: Function,
    optimizers: Vec<Entry>,
    starts: Vec<[f64; 2]>,
    steps: usize,
    view: ViewBox,
    log: bool,
    trail: bool,
    speed: f64,
    /// The gradient noise σ (0: exact gradients) and its seed.
    noise: f64,
    seed: u64,
    /// ε drawn for σ and the seed, for `steps` updates (None when σ = 0).
    draws: Option<Noise>,
    runs: Vec<Run>,
    /// Each run's replay, made when its state at a step is first asked for (the update-rule panel,
    /// the table of what each optimizer sees), kept until the runs change: a playing animation
    /// then costs one update per run and frame instead of a replay from the start.
    replays: std::cell::RefCell<Vec<Option<Replayer>>>,
    /// How many times runs have been recomputed: a copy of a run made elsewhere (the page's
    /// update rule) is current while this has not changed.
    generation: u64,
}

/// The URL keys, in the order [`Scene::to_params`] writes them.
pub const KEYS: [&str; 12] = [
    "preset", "f", "opt", "start", "steps", "view", "log", "hide", "trail", "speed", "noise",
    "seed",
];

fn parse_noise(text: &str) -> Result<f64, Message> {
    match crate::number::read(text.trim()) {
        Some(v) if v.is_finite() && (0.0..=MAX_NOISE).contains(&v) => Ok(v),
        _ => Err(Message::new("scene.bad-noise")
            .with("text", excerpt(text.trim()))
            .with("max", format_number(MAX_NOISE))),
    }
}

fn parse_bool(text: &str) -> Result<bool, Message> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(Message::new("scene.not-bool").with("text", other)),
    }
}

fn parse_steps(text: &str) -> Result<usize, Message> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_PAGE_STEPS).contains(&n) => Ok(n),
        _ => Err(Message::new("scene.bad-steps")
            .with("text", text.trim())
            .with("max", MAX_PAGE_STEPS)),
    }
}

fn parse_speed(text: &str) -> Result<f64, Message> {
    let (lo, hi) = SPEED_RANGE;
    match crate::number::read(text.trim()) {
        Some(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(Message::new("scene.bad-speed")
            .with("text", text.trim())
            .with("min", format_number(lo))
            .with("max", format_number(hi))),
    }
}

fn parse_indices(text: &str) -> Result<Vec<usize>, Message> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| Message::new("scene.bad-optimizer-number").with("text", s.trim()))
        })
        .collect()
}

/// A warning about `param`, its message starting with the parameter's name.
pub(crate) fn warning(param: &str, message: Message) -> Warning {
    let text = Message::new("warning")
        .with("param", param)
        .with("message", message);
    Warning {
        param: param.to_string(),
        message: text.english(),
        text,
    }
}

/// What went wrong and what was done instead: `error; kept`.
pub(crate) fn kept(error: Message, kept: Message) -> Message {
    Message::new("kept").with("error", error).with("kept", kept)
}

/// "kept `value`": the setting keeps this value.
pub(crate) fn kept_value(value: impl Into<crate::message::Value>) -> Message {
    Message::new("kept.value").with("value", value)
}

/// `text` parsed by `parse`, or None (with a warning saying what is `kept` instead) when it does
/// not parse, or when the parameter is absent.
pub(crate) fn read<T, E: ToMessage>(
    text: Option<&str>,
    param: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    kept_instead: Message,
    warnings: &mut Vec<Warning>,
) -> Option<T> {
    match parse(text?) {
        Ok(value) => Some(value),
        Err(e) => {
            warnings.push(warning(param, kept(e.to_message(), kept_instead)));
            None
        }
    }
}

/// Shortens untrusted text for a message, so a pasted megabyte does not fill the page.
pub(crate) fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

impl Default for Scene {
    /// The book's Figure 6-8.
    fn default() -> Self {
        let mut scene = Self {
            // (`find` cannot miss a surface of the list; the first stands in for the type's sake.)
            function: Function::Named(
                crate::surface::find("elongated").unwrap_or(&crate::surface::SURFACES[0]),
            ),
            optimizers: Vec::new(),
            starts: vec![[-7.0, 2.0]],
            steps: 30,
            view: ViewBox {
                xmin: -10.0,
                xmax: 10.0,
                ymin: -10.0,
                ymax: 10.0,
            },
            log: false,
            trail: true,
            speed: 10.0,
            noise: 0.0,
            seed: 0,
            draws: None,
            runs: Vec::new(),
            replays: Default::default(),
            generation: 0,
        };
        scene.load_preset(&PRESETS[0]);
        scene
    }
}

impl Scene {
    /// A scene from URL parameters (already percent-decoded), starting from the default and
    /// reporting every value it could not use.
    pub fn from_params<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> (Self, Vec<Warning>) {
        let mut scene = Self::default();
        let warnings = scene.apply(params);
        (scene, warnings)
    }

    fn load_preset(&mut self, preset: &Preset) {
        let pairs: Vec<(&str, &str)> = preset
            .query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        self.optimizers.clear();
        self.trail = true;
        // The seed is the page's (the network view draws from it too): a preset leaves it.
        self.noise = 0.0;
        let warnings = self.apply_keys(&pairs);
        debug_assert!(warnings.is_empty(), "preset {}: {warnings:?}", preset.id);
    }

    /// Applies URL-style settings on top of the current scene. A preset applies first, then
    /// the function (which, unless `view`/`start`/`log` come with it, brings its own view, start
    /// and colour scale), then the rest. A value that cannot be used leaves that setting as it
    /// was and gives a warning; unknown keys are ignored (hosts may add their own).
    pub fn apply<K: AsRef<str>, V: AsRef<str>>(&mut self, params: &[(K, V)]) -> Vec<Warning> {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_ref().trim(), v.as_ref()))
            .collect();
        self.apply_keys(&pairs)
    }

    fn apply_keys(&mut self, pairs: &[(&str, &str)]) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v);
        // Only the function, the optimizers, the starts and the steps change the runs: a speed or
        // colour-scale change must not recompute them (the speed slider sends one per tick).
        let mut rerun = false;
        if let Some(id) = get("preset") {
            match find_preset(id) {
                // Loading it reruns everything; later keys may ask again.
                Some(preset) => self.load_preset(preset),
                None => {
                    let error = Message::new("scene.no-preset")
                        .with("name", excerpt(id))
                        .with(
                            "presets",
                            PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", "),
                        );
                    let message = kept(error, Message::new("kept.settings"));
                    warnings.push(warning("preset", message));
                }
            }
        }
        let kept_function = kept_value(excerpt(self.function.label()));
        if let Some(function) = read(get("f"), "f", Function::parse, kept_function, &mut warnings) {
            self.view = function.view();
            self.starts = vec![function.start()];
            self.log = function.log_scale();
            self.function = function;
            rerun = true;
        }
        if let Some(configs) = read(
            get("opt"),
            "opt",
            params::parse_optimizers,
            Message::new("kept.optimizers"),
            &mut warnings,
        ) {
            self.optimizers = configs
                .into_iter()
                .map(|config| Entry {
                    config,
                    visible: true,
                })
                .collect();
            rerun = true;
        }
        if let Some(points) = read(
            get("start"),
            "start",
            params::parse_points,
            Message::new("kept.starts"),
            &mut warnings,
        ) {
            self.starts = points;
            rerun = true;
        }
        if let Some(n) = read(
            get("steps"),
            "steps",
            parse_steps,
            kept_value(self.steps),
            &mut warnings,
        ) {
            self.steps = n;
            rerun = true;
        }
        if let Some(view) = read(
            get("view"),
            "view",
            params::parse_view,
            Message::new("kept.view"),
            &mut warnings,
        ) {
            self.view = view;
        }
        if let Some(b) = read(
            get("log"),
            "log",
            parse_bool,
            kept_value(u8::from(self.log).to_string()),
            &mut warnings,
        ) {
            self.log = b;
        }
        if let Some(b) = read(
            get("trail"),
            "trail",
            parse_bool,
            kept_value(u8::from(self.trail).to_string()),
            &mut warnings,
        ) {
            self.trail = b;
        }
        if let Some(v) = read(
            get("speed"),
            "speed",
            parse_speed,
            kept_value(format_number(self.speed)),
            &mut warnings,
        ) {
            self.speed = v;
        }
        if let Some(v) = read(
            get("noise"),
            "noise",
            parse_noise,
            kept_value(format_number(self.noise)),
            &mut warnings,
        ) {
            self.noise = v;
            rerun = true;
        }
        if let Some(v) = read(
            get("seed"),
            "seed",
            crate::train_scene::parse_seed,
            kept_value(self.seed),
            &mut warnings,
        ) {
            self.seed = v;
            rerun = true;
        }
        let runs = self.starts.len() * self.optimizers.len();
        if runs * self.steps > MAX_WORK {
            let steps = (MAX_WORK / runs.max(1)).max(1);
            let message = Message::new("scene.too-much-work")
                .with("steps", self.steps)
                .with("runs", runs)
                .with("limit", MAX_WORK)
                .with("using", steps);
            warnings.push(warning("steps", message));
            self.steps = steps;
            rerun = true;
        }
        if let Some(hidden) = read(
            get("hide"),
            "hide",
            parse_indices,
            Message::new("kept.every-optimizer-shown"),
            &mut warnings,
        ) {
            for (i, entry) in self.optimizers.iter_mut().enumerate() {
                entry.visible = !hidden.contains(&i);
            }
        }
        if rerun || self.runs.len() != runs {
            self.recompute();
        }
        warnings
    }
    /// The settings as URL parameters, enough to rebuild this scene exactly.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let v = self.view;
        let mut out = vec![
            ("f", self.function.label().to_string()),
            (
                "opt",
                params::format_optimizers(
                    &self.optimizers.iter().map(|e| e.config).collect::<Vec<_>>(),
                ),
            ),
            (
                "start",
                self.starts
                    .iter()
                    .map(|p| format!("{},{}", format_number(p[0]), format_number(p[1])))
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            ("steps", self.steps.to_string()),
            (
                "view",
                [v.xmin, v.xmax, v.ymin, v.ymax]
                    .map(format_number)
                    .join(","),
            ),
            ("log", u8::from(self.log).to_string()),
        ];
        let hidden: Vec<String> = self
            .optimizers
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.visible)
            .map(|(i, _)| i.to_string())
            .collect();
        if !hidden.is_empty() {
            out.push(("hide", hidden.join(",")));
        }
        if !self.trail {
            out.push(("trail", "0".into()));
        }
        out.push(("speed", format_number(self.speed)));
        if self.noise > 0.0 {
            out.push(("noise", format_number(self.noise)));
        }
        if self.noise > 0.0 || self.seed != 0 {
            out.push(("seed", self.seed.to_string()));
        }
        out
    }

    /// Reruns every optimizer from every start.
    pub fn recompute(&mut self) {
        self.replays.borrow_mut().clear();
        self.draws = if self.noise > 0.0 {
            Noise::new(self.noise, self.seed, self.steps).ok()
        } else {
            None
        };
        let wanted = self.starts.len() * self.optimizers.len();
        self.runs.resize_with(wanted, Run::default);
        for s in 0..self.starts.len() {
            self.recompute_start(s);
        }
    }

    /// Reruns the optimizers from start `s` only: dragging one start point moves only its paths.
    fn recompute_start(&mut self, s: usize) {
        self.replays.borrow_mut().clear();
        self.generation += 1;
        let n = self.optimizers.len();
        for (o, entry) in self.optimizers.iter().enumerate() {
            let run = &mut self.runs[s * n + o];
            run.optimizer_index = o;
            run.start_index = s;
            let kept = run.trajectory.rerun_keeping_state(
                &self.function,
                entry.config,
                self.starts[s],
                self.steps,
                self.draws.as_ref(),
            );
            run.end_state = None;
            run.error = None;
            match kept {
                Ok(optimizer) if run.trajectory.diverged_at.is_none() => {
                    run.end_state = Some(state_of(&optimizer));
                }
                Ok(_) => {}
                Err(e) => {
                    run.error = Some(e.to_message());
                    run.trajectory = Trajectory::default();
                }
            }
        }
    }

    pub fn function(&self) -> &Function {
        &self.function
    }

    pub fn optimizers(&self) -> &[Entry] {
        &self.optimizers
    }

    pub fn starts(&self) -> &[[f64; 2]] {
        &self.starts
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn view(&self) -> ViewBox {
        self.view
    }

    pub fn log_scale(&self) -> bool {
        self.log
    }

    pub fn trail(&self) -> bool {
        self.trail
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The gradient noise σ (0 for exact gradients).
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// The noise's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The noise drawn for this scene's runs (None when σ = 0).
    pub fn noise_draws(&self) -> Option<&Noise> {
        self.draws.as_ref()
    }

    /// The update at `step` of run `r`, with its numbers (see [`crate::explain`]).
    pub fn explain(
        &self,
        r: usize,
        step: usize,
    ) -> Result<crate::explain::Explanation, crate::explain::ExplainError> {
        let config = self.run_config(r)?;
        let mut replays = self.replays.borrow_mut();
        let replay = replay_of(&mut replays, r, config)?;
        replay.explain(&self.runs[r].trajectory, self.draws.as_ref(), step)
    }

    /// Changes whenever runs are recomputed (see the field).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The optimizer of run `r`, and why it did not run, if it did not: what an explanation of
    /// one of its updates is made from, with its trajectory (see [`crate::explain::Replayer`]).
    pub fn run_config(&self, r: usize) -> Result<OptimizerConfig, crate::explain::ExplainError> {
        use crate::explain::ExplainError;
        let runs = self.runs.len();
        let run = self
            .runs
            .get(r)
            .ok_or(ExplainError::NoRun { run: r, runs })?;
        let entry = self.optimizers.get(run.optimizer_index);
        let config = entry.ok_or(ExplainError::NoRun { run: r, runs })?.config;
        match &run.error {
            Some(e) => Err(ExplainError::NotRun(e.clone())),
            None => Ok(config),
        }
    }

    /// Every run, start by start, each start's runs in optimizer order.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Run `run` and step `step` as the page gives them (any numbers), checked: whole, and in
    /// range for [`Scene::explain`] (a step with an update after it).
    pub fn run_and_step(&self, run: f64, step: f64) -> Result<(usize, usize), Message> {
        let runs = self.runs.len();
        if !(run.fract() == 0.0 && run >= 0.0 && run < runs as f64) {
            return Err(Message::new("scene.bad-run-index")
                .with("run", format_number(run))
                .with("last", runs.saturating_sub(1)));
        }
        if !(step.fract() == 0.0 && step >= 0.0 && step < self.steps as f64) {
            return Err(Message::new("scene.bad-step-index")
                .with("step", format_number(step))
                .with("last", self.steps.saturating_sub(1)));
        }
        Ok((run as usize, step as usize))
    }

    /// Moves start `i` (recomputing its paths only). The point must be finite.
    pub fn set_start(&mut self, i: usize, point: [f64; 2]) -> Result<(), Message> {
        if i >= self.starts.len() {
            return Err(Message::new("scene.no-start-of")
                .with("index", i)
                .with("count", self.starts.len()));
        }
        if !point.iter().all(|v| v.is_finite()) {
            return Err(Message::new("scene.start-not-finite"));
        }
        self.starts[i] = point;
        self.recompute_start(i);
        Ok(())
    }

    /// Adds a start point and runs every optimizer from it; returns its index.
    pub fn add_start(&mut self, point: [f64; 2]) -> Result<usize, Message> {
        if self.starts.len() >= params::MAX_LIST {
            return Err(Message::new("scene.too-many-starts").with("max", params::MAX_LIST));
        }
        if !point.iter().all(|v| v.is_finite()) {
            return Err(Message::new("scene.start-not-finite"));
        }
        if (self.starts.len() + 1) * self.optimizers.len() * self.steps > MAX_WORK {
            return Err(Message::new("scene.start-too-much-work").with("limit", MAX_WORK));
        }
        self.starts.push(point);
        self.recompute();
        Ok(self.starts.len() - 1)
    }

    /// Removes start `i`; the last one stays, since a scene without a start shows nothing.
    pub fn remove_start(&mut self, i: usize) -> Result<(), Message> {
        if self.starts.len() <= 1 {
            return Err(Message::new("scene.last-start"));
        }
        if i >= self.starts.len() {
            return Err(Message::new("scene.no-start").with("index", i));
        }
        self.starts.remove(i);
        self.recompute();
        Ok(())
    }

    /// Sets the view (the paths do not change).
    pub fn set_view(&mut self, view: ViewBox) {
        self.view = view;
    }

    /// Shows or hides optimizer `i`.
    pub fn set_visible(&mut self, i: usize, visible: bool) {
        if let Some(entry) = self.optimizers.get_mut(i) {
            entry.visible = visible;
        }
    }

    /// The colour of optimizer `i`.
    pub fn colour(i: usize) -> &'static str {
        PALETTE[i % PALETTE.len()]
    }

    /// The marker of optimizer `i`.
    pub fn marker(i: usize) -> Marker {
        MARKERS[i % MARKERS.len()]
    }

    /// What run `r` sees after `step` updates (clamped to its last point), with its optimizer's
    /// state, replayed from the recorded gradients (which reproduces the run bit for bit).
    pub fn step_view(&self, r: usize, step: usize) -> Option<StepView> {
        let run = self.runs.get(r)?;
        let t = &run.trajectory;
        let last = t.points.len().checked_sub(1)?;
        let step = step.min(last);
        let (velocity, rates) = match run.end_state {
            Some(state) if step == last => state,
            _ => {
                let config = self.optimizers.get(run.optimizer_index)?.config;
                let mut replays = self.replays.borrow_mut();
                let replay = replay_of(&mut replays, r, config).ok()?;
                state_of(replay.seek(t, step)?)
            }
        };
        Some(StepView {
            step,
            point: t.points[step],
            value: t.values[step],
            gradient: t.gradients[step],
            velocity,
            rates,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_five_optimizers_differ_in_marker_as_well_as_colour() {
        let shown: Vec<_> = (0..5)
            .map(|i| (Scene::colour(i), Scene::marker(i)))
            .collect();
        for (a, x) in shown.iter().enumerate() {
            for y in &shown[a + 1..] {
                assert_ne!(x.0, y.0);
                assert_ne!(x.1, y.1);
            }
        }
        // Polygons stay within 1.2 r of their centre; the circle is drawn as a circle.
        assert_eq!(Marker::Circle.corners(3.0), None);
        for m in &MARKERS[1..] {
            let corners = m.corners(3.0).unwrap_or_default();
            assert!(corners.len() >= 3);
            assert!(corners.iter().all(|[x, y]| x.hypot(*y) <= 3.6 * 1.3));
        }
    }

    use super::*;

    fn params(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_default_is_the_books_figure() {
        let scene = Scene::default();
        assert_eq!(scene.function().label(), "elongated");
        let ids: Vec<&str> = scene.optimizers().iter().map(|e| e.config.id()).collect();
        assert_eq!(ids, ["sgd", "momentum", "adagrad", "adam"]);
        assert_eq!(scene.starts(), [[-7.0, 2.0]]);
        assert_eq!(scene.runs().len(), 4);
        // SGD after 30 updates (Figure 6-8's table).
        assert_eq!(
            scene.runs()[0].trajectory.end(),
            Some([-0.3503929957523197, 0.0847823165504322])
        );
        assert_eq!(scene.runs()[0].trajectory.points.len(), 31);
    }

    #[test]
    fn every_preset_loads_without_warnings() {
        for preset in &PRESETS {
            let (scene, warnings) = Scene::from_params(&[("preset", preset.id)]);
            assert!(warnings.is_empty(), "{}: {warnings:?}", preset.id);
            assert!(!scene.runs().is_empty());
            assert!(
                scene.runs().iter().all(|r| r.error.is_none()),
                "{}",
                preset.id
            );
        }
    }

    #[test]
    fn himmelblau_preset_finds_four_minima() {
        let (scene, _) = Scene::from_params(&[("preset", "himmelblau-minima")]);
        let minima = scene.function().minima();
        let mut found = Vec::new();
        for run in scene.runs().iter().filter(|r| r.optimizer_index == 1) {
            let end = run.trajectory.end().unwrap();
            let nearest = minima
                .iter()
                .position(|m| (m.point[0] - end[0]).hypot(m.point[1] - end[1]) < 1e-3)
                .unwrap();
            found.push(nearest);
        }
        found.sort_unstable();
        assert_eq!(found, [0, 1, 2, 3]);
    }

    #[test]
    fn url_round_trip_reproduces_the_scene() {
        let query = "f=x^2%2B3*y^2&opt=sgd(lr=0.1),nesterov(lr=0.01,momentum=0.8)&start=-7,2;3,4&\
                     steps=50&view=-8,8,-6,6&log=1&hide=1&trail=0&speed=25";
        let decoded = params(&query.replace("%2B", "+"));
        let (scene, warnings) = Scene::from_params(&decoded);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(scene.function().label(), "x^2+3*y^2");
        assert_eq!(scene.starts(), [[-7.0, 2.0], [3.0, 4.0]]);
        assert_eq!(scene.runs().len(), 4);
        assert!(!scene.optimizers()[1].visible);
        let again: Vec<(String, String)> = scene
            .to_params()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let (copy, warnings) = Scene::from_params(&again);
        assert!(warnings.is_empty());
        assert_eq!(copy.to_params(), scene.to_params());
        assert_eq!(copy.runs(), scene.runs());
    }

    #[test]
    fn huge_and_tiny_numbers_stay_short_in_the_url_and_in_messages() {
        let (scene, warnings) = Scene::from_params(&params(
            "opt=sgd(lr=1e300)&start=1e300,-2e-7&view=-5e8,5e8,0,1e-9",
        ));
        assert!(warnings.is_empty(), "{warnings:?}");
        let url = scene.to_params();
        let get = |key: &str| url.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str());
        assert_eq!(get("opt"), Some("sgd(lr=1e300)"));
        assert_eq!(get("start"), Some("1e300,-2e-7"));
        assert_eq!(get("view"), Some("-500000000,500000000,0,1e-9"));
        let (_, warnings) = Scene::from_params(&params("view=1e308,-1e308,0,1"));
        let said = format!("{warnings:?}");
        assert!(said.contains("(got 1e308,-1e308,0,1)"), "{said}");
        // A view wider than zoom allows (here wider than any f64: its span overflows) is named
        // and the last good view kept.
        let (scene, warnings) = Scene::from_params(&params("view=-1e308,1e308,-1,1"));
        assert_eq!(
            warnings[0].message,
            "view: the view's x range, -1e308 to 1e308, is wider than the widest allowed, \
             1000000000; kept the current view"
        );
        assert_eq!(scene.view(), Scene::default().view());
    }

    #[test]
    fn a_function_alone_brings_its_view_and_start() {
        let (scene, _) = Scene::from_params(&[("f", "rosenbrock")]);
        assert_eq!(scene.view(), scene.function().view());
        assert_eq!(scene.starts(), [[-1.5, 2.0]]);
        assert!(scene.log_scale());
        let (scene, _) = Scene::from_params(&[("f", "rosenbrock"), ("start", "0,0")]);
        assert_eq!(scene.starts(), [[0.0, 0.0]]);
    }

    #[test]
    fn bad_values_are_named_and_replaced_by_defaults() {
        let (scene, warnings) = Scene::from_params(&[
            ("f", "sin(x"),
            ("opt", "sgd(lr=-1)"),
            ("start", "a,b"),
            ("steps", "1e9"),
            ("view", "1,0,0,1"),
            ("log", "maybe"),
            ("preset", "nope"),
            ("speed", "NaN"),
            ("hide", "x"),
            ("unknown", "ignored"),
        ]);
        let named: Vec<&str> = warnings.iter().map(|w| w.param.as_str()).collect();
        assert_eq!(
            named,
            ["preset", "f", "opt", "start", "steps", "view", "log", "speed", "hide"]
        );
        for w in &warnings {
            assert!(w.message.starts_with(&format!("{}: ", w.param)), "{w:?}");
        }
        assert!(warnings[1].message.contains("column"));
        // Everything else is the default scene.
        let default = Scene::default();
        assert_eq!(scene.to_params(), default.to_params());
    }

    #[test]
    fn too_much_work_is_cut_down_with_a_message() {
        let opt = vec!["sgd"; 32].join(",");
        let starts = vec!["1,1"; 32].join(";");
        let (scene, warnings) = Scene::from_params(&[
            ("opt", opt.as_str()),
            ("start", starts.as_str()),
            ("steps", "20000"),
        ]);
        // 1024 runs share 2,000,000 updates: 1953 steps each.
        assert_eq!(scene.steps(), 1953);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].param, "steps");
        let mut scene = scene;
        assert!(scene.add_start([0.0, 0.0]).is_err());
    }

    #[test]
    fn markup_in_values_stays_text_and_long_values_are_cut() {
        let evil = format!("<img src=x onerror=alert(1)>{}", "x".repeat(5000));
        let (_, warnings) = Scene::from_params(&[("preset", evil.as_str())]);
        assert!(warnings[0].message.chars().count() < 400);
    }

    #[test]
    fn dragging_a_start_recomputes_only_its_paths() {
        let (mut scene, _) = Scene::from_params(&[("preset", "himmelblau-minima")]);
        let before = scene.runs().to_vec();
        scene.set_start(2, [1.0, 1.0]).unwrap();
        for (a, b) in before.iter().zip(scene.runs()) {
            if a.start_index == 2 {
                assert_ne!(a.trajectory, b.trajectory);
                assert_eq!(b.trajectory.points[0], [1.0, 1.0]);
            } else {
                assert_eq!(a, b);
            }
        }
        assert!(scene.set_start(9, [0.0, 0.0]).is_err());
        assert!(scene.set_start(0, [f64::NAN, 0.0]).is_err());
        assert_eq!(scene.add_start([2.0, 2.0]).unwrap(), 4);
        assert_eq!(scene.runs().len(), 10);
        scene.remove_start(0).unwrap();
        assert_eq!(scene.runs().len(), 8);
    }

    #[test]
    fn undefined_start_is_an_error_per_run_not_a_failure() {
        let (scene, warnings) = Scene::from_params(&[("f", "ln(x)+y^2"), ("start", "-1,0;2,1")]);
        assert!(warnings.is_empty());
        let error = scene.runs()[0].error.as_ref().unwrap();
        assert_eq!(error.kind, "trajectory.undefined-at-start");
        assert!(error.english().contains("start point"));
        assert!(scene.runs()[0].trajectory.points.is_empty());
        assert!(scene.runs()[4].error.is_none());
    }

    #[test]
    fn noise_and_seed_round_trip_and_bad_values_are_named() {
        let (scene, warnings) = Scene::from_params(&params("preset=noisy-gradients&seed=1"));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!((scene.noise(), scene.seed()), (3.0, 1));
        let back: Vec<(String, String)> = scene
            .to_params()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let (again, _) = Scene::from_params(&back);
        assert_eq!(again.runs(), scene.runs());
        // SGD and Momentum see the same ε at each update: (used − ∇f)/σ is one pair for both.
        let (sgd, mom) = (&scene.runs()[0].trajectory, &scene.runs()[1].trajectory);
        for k in [0, 7, 100] {
            let e = |t: &Trajectory| {
                [
                    (t.noisy[k][0] - t.gradients[k][0]) / 3.0,
                    (t.noisy[k][1] - t.gradients[k][1]) / 3.0,
                ]
            };
            let (a, b) = (e(sgd), e(mom));
            assert!((a[0] - b[0]).abs() < 1e-12 && (a[1] - b[1]).abs() < 1e-12);
        }
        // σ = 0 is the exact run.
        let (exact, _) = Scene::from_params(&params("preset=noisy-gradients&noise=0&seed=1"));
        let (plain, _) = Scene::from_params(&params(
            "f=sphere&opt=sgd(lr=0.05),momentum(lr=0.005,momentum=0.9)&start=-4,3&steps=200",
        ));
        assert_eq!(exact.runs(), plain.runs());
        let mut scene = scene;
        for (query, words) in [
            ("noise=-1", "noise: '-1' is not a noise level"),
            ("noise=1e400", "noise: '1e400' is not a noise level"),
            ("noise=NaN", "noise: 'NaN'"),
            ("seed=-3", "seed: '-3' is not a seed"),
            ("seed=9007199254740992", "is not a seed 0…9007199254740991"),
            (
                "opt=sgd(schedule=inv:-1)",
                "opt: sgd schedule: inv's k = -1",
            ),
            ("opt=sgd(schedule=step:0:0.5)", "step's n"),
            ("opt=sgd(schedule=exp:NaN)", "γ = NaN"),
            ("opt=sgd(schedule=cos:0)", "cos's T"),
        ] {
            let warnings = scene.apply(&params(query));
            assert_eq!(warnings.len(), 1, "{query}");
            assert!(warnings[0].message.contains(words), "{query}: {warnings:?}");
            assert_eq!(
                (scene.noise(), scene.seed()),
                (3.0, 1),
                "{query} kept the last good"
            );
            assert_eq!(scene.optimizers().len(), 2);
        }
    }

    #[test]
    fn why_adagrad_preset_tells_its_story() {
        // After 60 updates on x²/20 + y² from (−7, 2): the decaying rate has calmed y (|y| below
        // constant-rate SGD's) but left x further from 0 than constant-rate SGD; AdaGrad is
        // closest in x.
        let (scene, _) = Scene::from_params(&params("preset=why-adagrad"));
        let end = |r: usize| scene.runs()[r].trajectory.end().unwrap();
        let (decayed, adagrad, constant) = (end(0), end(1), end(2));
        assert!(
            decayed[1].abs() < constant[1].abs(),
            "{decayed:?} {constant:?}"
        );
        assert!(
            decayed[0].abs() > constant[0].abs(),
            "{decayed:?} {constant:?}"
        );
        assert!(
            adagrad[0].abs() < decayed[0].abs(),
            "{adagrad:?} {decayed:?}"
        );
        assert!(scene.explain(0, 59).unwrap().lr < 0.95 / 6.0);
        assert!(scene.explain(0, 60).is_err());
        assert!(scene.explain(9, 0).is_err());
    }

    #[test]
    fn step_view_shows_the_optimizers_state() {
        // Book preset, AdaGrad (index 2) after 1 update: h = g² at the start, g = (−0.7, 4), so
        // the rates for the next update are 1.5/(|g| + 1e-7) per coordinate.
        let scene = Scene::default();
        let view = scene.step_view(2, 1).unwrap();
        assert!((view.rates.unwrap()[0] - 1.5 / (0.7 + 1e-7)).abs() < 1e-12);
        assert!((view.rates.unwrap()[1] - 1.5 / (4.0 + 1e-7)).abs() < 1e-12);
        // Momentum (index 1) after 1 update: v = −lr·g = (0.07, −0.4).
        let momentum = scene.step_view(1, 1).unwrap();
        let v = momentum.velocity.unwrap();
        assert!((v[0] - 0.07).abs() < 1e-15 && (v[1] + 0.4).abs() < 1e-15);
        assert_eq!(momentum.point, scene.runs()[1].trajectory.points[1]);
        assert!(scene.step_view(0, 1).unwrap().velocity.is_none());
        assert_eq!(scene.step_view(0, 999).unwrap().step, 30);
        // The end comes from the state kept by the run; replaying gives the same numbers.
        for r in 0..4 {
            let kept = scene.step_view(r, 30).unwrap();
            let mut run = scene.runs()[r].clone();
            run.end_state = None;
            let mut replayed_scene = scene.clone();
            replayed_scene.runs[r] = run;
            assert_eq!(replayed_scene.step_view(r, 30).unwrap(), kept);
        }
        assert!(scene.step_view(99, 0).is_none());
    }
}

//! The page's network view: its settings and their URL contract, the race they define, the
//! decision-region pictures, the gradient check and the loss landscape. Like [`crate::scene`],
//! everything here is plain Rust, so the page's numbers are tested with `cargo test`.

use crate::data::{Dataset, NAMES};
use crate::landscape::{Directions, Landscape};
use crate::matrix::Matrix;
use crate::message::{Message, ToMessage};
use crate::net::{Activation, Init, NetError, Network, Workspace};
use crate::optim::OptimizerConfig;
use crate::params::{format_optimizers, parse_optimizers};
use crate::rng::Rng;
use crate::scene::{kept, kept_value, read, warning, Warning};
use crate::surface::ViewBox;
use crate::train::{Race, TrainConfig};

/// The network view's URL keys.
pub const KEYS: [&str; 10] = [
    "data", "hidden", "act", "init", "batch", "iters", "seed", "nopt", "dirs", "nlog",
];

/// The page's limits: up to 4 hidden layers of up to 128 units, batches up to 1000, runs up to
/// 100,000 iterations, up to 8 optimizers, seeds that JavaScript numbers hold exactly.
pub const MAX_HIDDEN_LAYERS: usize = 4;
pub const MAX_WIDTH: usize = 128;
pub const MAX_PAGE_BATCH: usize = 1000;
pub const MAX_PAGE_ITERATIONS: usize = 100_000;
pub const MAX_PAGE_OPTIMIZERS: usize = 8;
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// `seed=`: the page's one seed (the network's data, weights and batches, and the surfaces'
/// gradient noise), a whole number from 0 to [`MAX_SEED`].
pub(crate) fn parse_seed(text: &str) -> Result<u64, Message> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| n <= MAX_SEED)
        .ok_or_else(|| {
            Message::new("scene.bad-seed")
                .with("text", crate::scene::excerpt(text.trim()))
                .with("max", MAX_SEED)
        })
}

/// Class colours (Okabe–Ito: orange, sky blue, bluish green, …), as RGB, for data points and
/// decision regions.
pub const CLASS_COLOURS: [[u8; 3]; 10] = [
    [230, 159, 0],
    [86, 180, 233],
    [0, 158, 115],
    [204, 121, 167],
    [240, 228, 66],
    [0, 114, 178],
    [213, 94, 0],
    [120, 120, 120],
    [160, 100, 40],
    [40, 40, 40],
];

/// What the network view is set to.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    pub dataset: String,
    /// The network and its training: layers, activation, init, batch, iterations, seed.
    pub config: TrainConfig,
    pub optimizers: Vec<OptimizerConfig>,
    pub directions: Directions,
    pub log: bool,
}

impl Default for TrainSettings {
    /// The spiral, two hidden layers of 16, and the book's four optimizers at their default
    /// learning rates (Figure 6-9's race).
    fn default() -> Self {
        TrainSettings {
            dataset: "spiral".into(),
            config: TrainConfig {
                hidden: vec![16, 16],
                activation: Activation::Relu,
                init: Init::He,
                batch: 50,
                iterations: 2000,
                seed: 0,
            },
            optimizers: parse_optimizers("sgd,momentum,adagrad,adam").unwrap_or_default(),
            directions: Directions::Random,
            log: false,
        }
    }
}

fn parse_hidden(text: &str) -> Result<Vec<usize>, Message> {
    let sizes = text
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_WIDTH).contains(n))
                .ok_or_else(|| {
                    Message::new("network.bad-width")
                        .with("text", s.trim())
                        .with("max", MAX_WIDTH)
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if sizes.len() > MAX_HIDDEN_LAYERS {
        return Err(Message::new("network.too-many-layers").with("max", MAX_HIDDEN_LAYERS));
    }
    Ok(sizes)
}

fn parse_count(max: usize) -> impl Fn(&str) -> Result<usize, Message> {
    move |text| {
        text.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Message::new("network.bad-count")
                    .with("text", text.trim())
                    .with("max", max)
            })
    }
}

fn parse_flag(text: &str) -> Result<bool, Message> {
    match text.trim() {
        "1" | "true" => Ok(true),
        "0" | "false" | "" => Ok(false),
        other => Err(Message::new("network.not-flag").with("text", other)),
    }
}

impl TrainSettings {
    /// Applies URL-style settings; a value that cannot be used is named in a warning and the
    /// setting keeps its value. Returns the warnings and whether the race must start again.
    pub fn apply(&mut self, pairs: &[(&str, &str)]) -> (Vec<Warning>, bool) {
        let mut warnings = Vec::new();
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let before = self.clone();
        let w = &mut warnings;
        if let Some(v) = read(
            get("data"),
            "data",
            |s| {
                let s = s.trim().to_ascii_lowercase();
                if NAMES.contains(&s.as_str()) {
                    Ok(s)
                } else {
                    Err(Message::new("network.no-dataset")
                        .with("name", crate::scene::excerpt(&s))
                        .with("names", NAMES.join(", ")))
                }
            },
            kept_value(&self.dataset),
            w,
        ) {
            self.dataset = v;
        }
        let kept = kept_value(join(&self.config.hidden));
        if let Some(v) = read(get("hidden"), "hidden", parse_hidden, kept, w) {
            self.config.hidden = v;
        }
        let parse_act = |s: &str| match Activation::parse(s) {
            Ok(Activation::None) => Err(Message::new("network.hidden-activation")),
            other => other.map_err(|e| e.to_message()),
        };
        let kept = kept_value(self.config.activation.name());
        if let Some(v) = read(get("act"), "act", parse_act, kept, w) {
            self.config.activation = v;
        }
        let kept = kept_value(self.config.init.to_string());
        if let Some(v) = read(get("init"), "init", Init::parse, kept, w) {
            self.config.init = v;
        }
        let kept = kept_value(self.config.batch);
        if let Some(v) = read(get("batch"), "batch", parse_count(MAX_PAGE_BATCH), kept, w) {
            self.config.batch = v;
        }
        let kept = kept_value(self.config.iterations);
        if let Some(v) = read(
            get("iters"),
            "iters",
            parse_count(MAX_PAGE_ITERATIONS),
            kept,
            w,
        ) {
            self.config.iterations = v;
        }
        let kept = kept_value(self.config.seed);
        if let Some(v) = read(get("seed"), "seed", parse_seed, kept, w) {
            self.config.seed = v;
        }
        let kept = kept_value(format_optimizers(&self.optimizers));
        if let Some(v) = read(
            get("nopt"),
            "nopt",
            |s| {
                let list = parse_optimizers(s)?;
                if list.len() > MAX_PAGE_OPTIMIZERS {
                    return Err(Message::new("network.too-many-optimizers")
                        .with("max", MAX_PAGE_OPTIMIZERS));
                }
                Ok(list)
            },
            kept,
            w,
        ) {
            self.optimizers = v;
        }
        let kept = kept_value(self.directions.name());
        if let Some(v) = read(get("dirs"), "dirs", Directions::parse, kept, w) {
            self.directions = v;
        }
        if let Some(v) = read(get("nlog"), "nlog", parse_flag, Message::new("kept.it"), w) {
            self.log = v;
        }
        let restart = self.dataset != before.dataset
            || self.config != before.config
            || self.optimizers != before.optimizers;
        (warnings, restart)
    }

    /// The settings as URL parameters, in [`KEYS`] order.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("data", self.dataset.clone()),
            ("hidden", join(&self.config.hidden)),
            ("act", self.config.activation.name().into()),
            ("init", self.config.init.to_string()),
            ("batch", self.config.batch.to_string()),
            ("iters", self.config.iterations.to_string()),
            ("seed", self.config.seed.to_string()),
            ("nopt", format_optimizers(&self.optimizers)),
            ("dirs", self.directions.name().into()),
            ("nlog", u8::from(self.log).to_string()),
        ]
    }

    /// The training settings of the race.
    pub fn config(&self) -> TrainConfig {
        self.config.clone()
    }
}

fn join(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The network view's state: settings, the race, and the landscape if one was made.
#[derive(Debug, Clone)]
pub struct TrainScene {
    settings: TrainSettings,
    race: Race,
    /// Where the race started, when it started from a point picked on the landscape.
    start: Option<Network>,
    landscape: Option<Landscape>,
    landscape_member: usize,
    /// Each member's snapshots projected on the landscape so far (see `landscape_paths`).
    projected: Vec<Vec<[f64; 2]>>,
    ws: Workspace,
    /// The points where [`TrainScene::regions`] evaluates the networks, and for what n and box.
    grid: Matrix,
    grid_for: Option<(usize, ViewBox)>,
}

impl TrainScene {
    /// The view from URL parameters, reporting every value it could not use.
    pub fn from_params(pairs: &[(&str, &str)]) -> (TrainScene, Vec<Warning>) {
        let mut settings = TrainSettings::default();
        let (warnings, _) = settings.apply(pairs);
        // Every setting passed its check, so an error is out of reach; fall back all the same.
        let scene = TrainScene::with_settings(settings).unwrap_or_default();
        (scene, warnings)
    }

    fn with_settings(settings: TrainSettings) -> Result<TrainScene, NetError> {
        let data = Dataset::generate(&settings.dataset, settings.config.seed)
            .map_err(|e| NetError(e.to_message()))?;
        let race = Race::new(data, settings.config(), &settings.optimizers)?;
        Ok(TrainScene {
            settings,
            race,
            start: None,
            landscape: None,
            landscape_member: 0,
            projected: Vec::new(),
            ws: Workspace::default(),
            grid: Matrix::default(),
            grid_for: None,
        })
    }

    /// Applies URL-style settings; a change to the race starts it again from iteration 0.
    pub fn apply(&mut self, pairs: &[(&str, &str)]) -> Vec<Warning> {
        let mut settings = self.settings.clone();
        let (mut warnings, restart) = settings.apply(pairs);
        if restart {
            match TrainScene::with_settings(settings) {
                Ok(scene) => *self = scene,
                Err(e) => {
                    let message = kept(e.to_message(), Message::new("kept.network"));
                    warnings.push(warning("hidden", message));
                }
            }
        } else {
            self.settings = settings;
        }
        warnings
    }

    /// The settings.
    pub fn settings(&self) -> &TrainSettings {
        &self.settings
    }

    /// The race.
    pub fn race(&self) -> &Race {
        &self.race
    }

    /// Up to `n` more iterations; returns how many ran.
    pub fn run(&mut self, n: usize) -> usize {
        self.race.run(n)
    }

    /// Back to iteration 0, from the same start.
    pub fn reset(&mut self) {
        let data = self.race.data().clone();
        let config = self.settings.config();
        let race = match &self.start {
            Some(net) => Race::from_network(data, config, &self.settings.optimizers, net.clone()),
            None => Race::new(data, config, &self.settings.optimizers),
        };
        if let Ok(race) = race {
            self.race = race;
            self.projected.clear();
        }
    }

    /// A member's accuracy on the training and the held-out examples.
    pub fn accuracy(&mut self, member: usize) -> (Option<f64>, Option<f64>) {
        (
            self.race.accuracy(member, false),
            self.race.accuracy(member, true),
        )
    }

    /// The box the 2-D data spans, with a margin of 10% (None for other data).
    pub fn bounds(&self) -> Option<ViewBox> {
        let data = self.race.data();
        if data.features.len() != 2 {
            return None;
        }
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        let splits = std::iter::once(&data.train).chain(data.test.as_ref());
        for split in splits {
            for row in split.x.data.chunks_exact(2) {
                for k in 0..2 {
                    lo[k] = lo[k].min(row[k]);
                    hi[k] = hi[k].max(row[k]);
                }
            }
        }
        let m = 0.1 * (hi[0] - lo[0]).max(hi[1] - lo[1]);
        ViewBox::new(lo[0] - m, hi[0] + m, lo[1] - m, hi[1] + m).ok()
    }

    /// Member `member`'s decision regions over [`TrainScene::bounds`] as n × n RGBA pixels (row 0
    /// at the top): each class's colour weighted by its probability, washed towards white so the
    /// data points stand out. Empty for data that is not 2-D.
    pub fn regions(&mut self, member: usize, n: usize, rgba: &mut Vec<u8>) {
        rgba.clear();
        let (Some(view), Some(m)) = (self.bounds(), self.race.members().get(member)) else {
            return;
        };
        let n = n.clamp(2, 512);
        if self.grid_for != Some((n, view)) {
            self.grid.reshape(n * n, 2);
            for j in 0..n {
                let y = view.ymax - (j as f64 + 0.5) * (view.ymax - view.ymin) / n as f64;
                for i in 0..n {
                    let x = view.xmin + (i as f64 + 0.5) * (view.xmax - view.xmin) / n as f64;
                    self.grid.data[2 * (j * n + i)] = x;
                    self.grid.data[2 * (j * n + i) + 1] = y;
                }
            }
            self.grid_for = Some((n, view));
        }
        let probs = m.net.probabilities(&self.grid, &mut self.ws);
        let classes = m.net.classes();
        let colours = CLASS_COLOURS.map(|c| c.map(f64::from));
        rgba.resize(n * n * 4, 255);
        for (p, pixel) in probs.chunks_exact(classes).zip(rgba.chunks_exact_mut(4)) {
            let mut rgb = [0.0f64; 3];
            for (&pc, colour) in p.iter().zip(colours.iter().cycle()) {
                for k in 0..3 {
                    rgb[k] += pc * colour[k];
                }
            }
            for (out, v) in pixel.iter_mut().zip(rgb) {
                // Rounded by adding a half and truncating (the value is not negative): the
                // same as `round`, which WebAssembly has no instruction for.
                *out = if v.is_finite() {
                    (0.45 * v + 0.55 * 255.0 + 0.5).clamp(0.0, 255.0) as u8
                } else {
                    200
                };
            }
        }
    }

    /// What the layer graph of member `member`'s network on training example `example` is made
    /// from: the network and the example's features and label.
    pub fn layer_example(
        &self,
        member: usize,
        example: usize,
    ) -> Result<(&Network, &[f64], usize), NetError> {
        let m = self.race.members().get(member).ok_or_else(|| {
            NetError(Message::new("network.no-optimizer").with("number", member + 1))
        })?;
        let train = &self.race.data().train;
        if example >= train.len() {
            return Err(NetError(
                Message::new("network.no-example")
                    .with("example", example)
                    .with("last", train.len().saturating_sub(1)),
            ));
        }
        let cols = train.x.cols;
        let x = &train.x.data[example * cols..(example + 1) * cols];
        Ok((&m.net, x, train.t[example]))
    }

    /// How many training examples there are.
    pub fn train_examples(&self) -> usize {
        self.race.data().train.len()
    }

    /// The book's gradient check for member `member` on the first `examples` training examples:
    /// per parameter array, the mean absolute difference between backprop and central
    /// differences. Past `max_per_array` numbers in an array, that many chosen at random are
    /// checked (a central difference per number costs two forward passes). Returns (name, mean
    /// difference, numbers checked, numbers in the array).
    pub fn gradient_check(
        &mut self,
        member: usize,
        examples: usize,
        max_per_array: usize,
    ) -> Vec<(String, f64, usize, usize)> {
        let Some(m) = self.race.members().get(member) else {
            return Vec::new();
        };
        let mut net = m.net.clone();
        let train = &self.race.data().train;
        let rows = train.len().min(examples.max(1));
        let x = Matrix {
            rows,
            cols: train.x.cols,
            data: train.x.data[..rows * train.x.cols].to_vec(),
        };
        let t = train.t[..rows].to_vec();
        let mut ws = Workspace::default();
        net.gradient(&x, &t, &mut ws);
        let backprop = ws.grads.clone();
        let mut rng = Rng::new(self.settings.config.seed, 4);
        let h = 1e-4;
        net.arrays()
            .into_iter()
            .map(|(name, range)| {
                let mut picks: Vec<usize> = range.clone().collect();
                if picks.len() > max_per_array {
                    rng.shuffle(&mut picks);
                    picks.truncate(max_per_array);
                }
                let mut total = 0.0;
                for &i in &picks {
                    let keep = net.params()[i];
                    net.params_mut()[i] = keep + h;
                    let up = net.loss(&x, &t, &mut ws);
                    net.params_mut()[i] = keep - h;
                    let down = net.loss(&x, &t, &mut ws);
                    net.params_mut()[i] = keep;
                    total += ((up - down) / (2.0 * h) - backprop[i]).abs();
                }
                let checked = picks.len();
                (name, total / checked.max(1) as f64, checked, range.len())
            })
            .collect()
    }

    /// The first `count` held-out digits (64 pixels in [0, 1] each), their labels, and each
    /// member's predicted labels for them. Empty for other data.
    pub fn digit_samples(&mut self, count: usize) -> (Vec<Vec<f64>>, Vec<usize>, Vec<Vec<usize>>) {
        let data = self.race.data();
        let Some(test) = data.test.as_ref().filter(|_| data.features.len() == 64) else {
            return (Vec::new(), Vec::new(), Vec::new());
        };
        let rows = test.len().min(count);
        let x = Matrix {
            rows,
            cols: 64,
            data: test.x.data[..rows * 64].to_vec(),
        };
        let images = x.data.chunks_exact(64).map(<[f64]>::to_vec).collect();
        let labels = test.t[..rows].to_vec();
        let predicted = self
            .race
            .members()
            .iter()
            .map(|m| m.net.predict(&x, &mut self.ws))
            .collect();
        (images, labels, predicted)
    }

    /// A new landscape through member `member`'s weights, in the settings' directions.
    pub fn make_landscape(&mut self, member: usize, n: usize) -> Result<(), NetError> {
        let landscape = Landscape::new(
            &self.race,
            member,
            self.settings.directions,
            n,
            self.settings.config.seed,
        )?;
        self.landscape = Some(landscape);
        self.landscape_member = member;
        self.projected.clear();
        Ok(())
    }

    /// The landscape, if one was made.
    pub fn landscape(&self) -> Option<&Landscape> {
        self.landscape.as_ref()
    }

    /// The member the landscape was made through.
    pub fn landscape_member(&self) -> usize {
        self.landscape_member
    }

    /// Fills more of the landscape; returns whether it is complete (or there is none).
    pub fn fill_landscape(&mut self, rows: usize) -> bool {
        self.landscape.as_mut().is_none_or(|l| l.fill(rows))
    }

    /// Starts the race again with every member at plane coordinates (a, b) of the landscape,
    /// which stays as it is, so the new paths can be followed on it.
    pub fn start_from_landscape(&mut self, a: f64, b: f64) -> Result<(), NetError> {
        let landscape = self
            .landscape
            .as_ref()
            .ok_or_else(|| NetError(Message::new("network.no-landscape")))?;
        if !(a.is_finite() && b.is_finite()) {
            return Err(NetError(Message::new("network.start-not-finite")));
        }
        let net = landscape.network_at(a, b);
        self.start_from_network(net)
    }

    fn start_from_network(&mut self, net: Network) -> Result<(), NetError> {
        self.race = Race::from_network(
            self.race.data().clone(),
            self.settings.config(),
            &self.settings.optimizers,
            net.clone(),
        )?;
        self.start = Some(net);
        self.projected.clear();
        Ok(())
    }

    /// The weights the race started from, when not its seed's (a point picked on the landscape).
    pub fn start_weights(&self) -> Option<&[f64]> {
        self.start.as_ref().map(Network::params)
    }

    /// The race again from iteration 0, every member starting from `weights` (those of
    /// [`TrainScene::start_weights`] of a copy of this scene).
    pub fn start_from_weights(&mut self, weights: &[f64]) -> Result<(), NetError> {
        let mut net = self
            .race
            .members()
            .first()
            .map(|m| m.net.clone())
            .ok_or_else(|| NetError(Message::new("network.no-optimizers")))?;
        if weights.len() != net.params().len() || weights.iter().any(|w| !w.is_finite()) {
            return Err(NetError(
                Message::new("network.bad-weights")
                    .with("expected", net.params().len())
                    .with("got", weights.len()),
            ));
        }
        net.params_mut().copy_from_slice(weights);
        self.start_from_network(net)
    }

    /// Takes in the progress of a copy of this race trained elsewhere (see [`Race::progress`]).
    pub fn absorb(&mut self, progress: &[f64]) -> Result<(), NetError> {
        self.race.absorb(progress)
    }

    /// What this race did since `sent` (see [`Race::progress`]).
    pub fn progress(&self, sent: &mut crate::train::Sent) -> Vec<f64> {
        self.race.progress(sent)
    }

    /// The race's paths projected on the landscape, as it trains: each member's weight snapshots
    /// and then its current weights. Snapshots never change once taken, so each is projected
    /// once and kept; only the current weights are projected again on each call.
    pub fn landscape_paths(&mut self) -> Vec<Vec<[f64; 2]>> {
        let Some(landscape) = &self.landscape else {
            return Vec::new();
        };
        let members = self.race.members();
        self.projected.resize_with(members.len(), Vec::new);
        members
            .iter()
            .zip(&mut self.projected)
            .map(|(m, done)| {
                let start = done.len();
                done.extend(
                    m.path[start.min(m.path.len())..]
                        .iter()
                        .map(|p| landscape.project_snapshot(p)),
                );
                let mut path = done.clone();
                path.push(landscape.project(m.net.params()));
                path
            })
            .collect()
    }
}

impl Default for TrainScene {
    fn default() -> Self {
        let settings = TrainSettings::default();
        let data =
            Dataset::generate(&settings.dataset, settings.config.seed).unwrap_or_else(|_| {
                Dataset {
                    name: String::new(),
                    features: vec!["x".into(), "y".into()],
                    classes: 2,
                    train: Default::default(),
                    test: None,
                }
            });
        let race = Race::new(data, settings.config(), &settings.optimizers)
            .or_else(|_| {
                Race::new(
                    Dataset::generate("xor", 0).map_err(|e| NetError(e.to_message()))?,
                    TrainConfig::default(),
                    &settings.optimizers,
                )
            })
            .unwrap_or_else(|_| unreachable!("the default race is valid"));
        TrainScene {
            settings,
            race,
            start: None,
            landscape: None,
            landscape_member: 0,
            projected: Vec::new(),
            ws: Workspace::default(),
            grid: Matrix::default(),
            grid_for: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn url_round_trip_and_bad_values_are_named() {
        let (scene, warnings) = TrainScene::from_params(&[
            ("data", "moons"),
            ("hidden", "8,4"),
            ("act", "sigmoid"),
            ("init", "std:0.1"),
            ("batch", "20"),
            ("iters", "300"),
            ("seed", "7"),
            ("nopt", "adam(lr=0.01),sgd(lr=0.5)"),
            ("dirs", "pca"),
            ("nlog", "1"),
        ]);
        assert!(warnings.is_empty(), "{warnings:?}");
        let params = scene.settings().to_params();
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (again, _) = TrainScene::from_params(&pairs);
        assert_eq!(again.settings(), scene.settings());
        assert_eq!(scene.race().members()[0].net.layers().len(), 3);

        let (scene, warnings) = TrainScene::from_params(&[
            ("data", "<img src=x>"),
            ("hidden", "8,999"),
            ("act", "none"),
            ("batch", "0"),
            ("iters", "1e9"),
            ("seed", "-1"),
            ("nopt", "sgd(lr=-1)"),
            ("dirs", "up"),
            ("nlog", "maybe"),
            ("init", "std:0"),
        ]);
        let named: Vec<&str> = warnings.iter().map(|w| w.param.as_str()).collect();
        assert_eq!(
            named,
            ["data", "hidden", "act", "init", "batch", "iters", "seed", "nopt", "dirs", "nlog"]
        );
        assert_eq!(scene.settings(), &TrainSettings::default());
        assert!(warnings[1]
            .message
            .starts_with("hidden: '999' is not a layer width 1…128"));
    }

    #[test]
    fn regions_colour_a_confident_network_in_its_class_colour() {
        let (mut scene, _) = TrainScene::from_params(&[("data", "blobs"), ("hidden", "8")]);
        let mut rgba = Vec::new();
        scene.regions(0, 10, &mut rgba);
        assert_eq!(rgba.len(), 10 * 10 * 4);
        // A pixel with probability 1 for class c is 0.45·colour + 0.55·255.
        let wash = |c: u8| (0.45 * f64::from(c) + 0.55 * 255.0).round() as u8;
        assert_eq!(wash(230), 244);
        assert!(rgba.chunks_exact(4).all(|p| p[3] == 255));
        let (mut digits, _) = TrainScene::from_params(&[("data", "digits"), ("hidden", "8")]);
        digits.regions(0, 10, &mut rgba);
        assert!(rgba.is_empty());
        let (images, labels, predicted) = digits.digit_samples(5);
        assert_eq!((images.len(), labels.len(), predicted.len()), (5, 5, 4));
        assert_eq!(images[0].len(), 64);
    }

    #[test]
    fn gradient_check_is_small_and_samples_big_arrays() {
        let (mut scene, _) = TrainScene::from_params(&[("data", "spiral"), ("hidden", "8,8")]);
        scene.run(50);
        let table = scene.gradient_check(3, 3, 40);
        assert_eq!(table.len(), 6);
        for (name, diff, checked, total) in &table {
            assert!(*diff < 1e-6, "{name} {diff}");
            assert_eq!(*checked, (*total).min(40));
        }
        assert_eq!(table[0].3, 2 * 8);
    }

    #[test]
    fn a_start_on_the_landscape_restarts_every_member_there() {
        let (mut scene, _) = TrainScene::from_params(&[("hidden", "8,8"), ("iters", "100")]);
        scene.run(100);
        scene.make_landscape(3, 9).unwrap();
        while !scene.fill_landscape(4) {}
        scene.start_from_landscape(0.5, -0.25).unwrap();
        assert_eq!(scene.race().iteration(), 0);
        let first = &scene.landscape_paths()[0][0];
        assert!(
            (first[0] - 0.5).abs() < 1e-5 && (first[1] + 0.25).abs() < 1e-5,
            "{first:?}"
        );
        scene.run(10);
        scene.reset();
        let again = &scene.landscape_paths()[2][0];
        assert!(
            (again[0] - 0.5).abs() < 1e-5,
            "reset keeps the picked start"
        );
        assert!(scene.start_from_landscape(f64::NAN, 0.0).is_err());
    }
}

//! Trajectories: the points an optimizer visits on f(x, y) from a start point.
//!
//! A trajectory records the start and every point after it, with f and the gradient at each. When
//! a point, its value or its gradient stops being a finite number the run has diverged: it stops
//! there and says at which step, so nothing non-finite ever reaches a caller (or a pixel).

use std::fmt;

use serde::Serialize;

use crate::message::{Message, ToMessage};
use crate::optim::{ConfigError, Optimizer, OptimizerConfig};
use crate::params::format_number;
use crate::surface::Function;

/// The most updates one trajectory may run.
pub const MAX_STEPS: usize = 1_000_000;

/// The points visited, with f and the gradient at each. Index 0 is the start; index k is the point
/// after k updates. All numbers are finite.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trajectory {
    pub points: Vec<[f64; 2]>,
    pub values: Vec<f64>,
    pub gradients: Vec<[f64; 2]>,
    /// The update after which the point, its value or its gradient was no longer finite (that
    /// point is not recorded), or None when every update ran.
    pub diverged_at: Option<usize>,
    /// With gradient noise, the gradient each update used: `noisy[k]` moved `points[k]` to
    /// `points[k + 1]` (∇f + σ·ε). Empty without noise, when the update used `gradients[k]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub noisy: Vec<[f64; 2]>,
}

/// The gradient noise of the surfaces view: update t uses g̃ = ∇f(θ) + σ·ε_t, with ε_t a standard
/// normal pair drawn from the seed. Every optimizer of a scene gets the same ε_t, so a race stays
/// fair, and the same seed gives the same bits natively and in the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    sigma: f64,
    seed: u64,
    /// ε_1, ε_2, …: `epsilon[k]` is used by the update from step k to k + 1.
    epsilon: Vec<[f64; 2]>,
}

/// The random stream (of [`crate::rng::Rng`]) the noise is drawn from, apart from those of the
/// network view's data, weights and batches.
const NOISE_STREAM: u64 = 0x006e_6f69_7365;

/// The largest σ accepted: far beyond any surface's gradients, small enough that σ·ε stays finite.
pub const MAX_NOISE: f64 = 1e100;

impl Noise {
    /// σ and the seed, with ε drawn for `steps` updates. σ must be a finite number from 0 to
    /// [`MAX_NOISE`].
    pub fn new(sigma: f64, seed: u64, steps: usize) -> Result<Self, Message> {
        if !(sigma.is_finite() && (0.0..=MAX_NOISE).contains(&sigma)) {
            return Err(Message::new("trajectory.bad-noise")
                .with("value", format_number(sigma))
                .with("max", format_number(MAX_NOISE)));
        }
        let mut rng = crate::rng::Rng::new(seed, NOISE_STREAM);
        let epsilon = (0..steps).map(|_| [rng.normal(), rng.normal()]).collect();
        Ok(Self {
            sigma,
            seed,
            epsilon,
        })
    }

    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// ε for the update from step `k` to `k + 1` (None past the steps it was drawn for).
    pub fn epsilon(&self, k: usize) -> Option<[f64; 2]> {
        self.epsilon.get(k).copied()
    }

    /// The gradient the update from step `k` uses: g + σ·ε_{k+1}.
    pub fn apply(&self, k: usize, g: [f64; 2]) -> [f64; 2] {
        let e = self.epsilon(k).unwrap_or([0.0; 2]);
        [g[0] + self.sigma * e[0], g[1] + self.sigma * e[1]]
    }
}

/// Why a trajectory could not be run, as data; its message (see [`crate::message`]) and its
/// `Display` say it in words.
#[derive(Debug, Clone, PartialEq)]
pub enum TrajectoryError {
    /// The number of updates is 0 or above [`MAX_STEPS`].
    Steps(usize),
    /// The start point has a coordinate that is NaN or infinite.
    StartNotFinite([f64; 2]),
    /// f or its gradient is not a finite number at the start (`ln(x)` at x < 0, say).
    UndefinedAtStart([f64; 2]),
    /// The optimizer's hyperparameters are out of range.
    Optimizer(ConfigError),
}

impl ToMessage for TrajectoryError {
    fn to_message(&self) -> Message {
        let at = |kind: Message, [x, y]: [f64; 2]| {
            kind.with("x", format_number(x)).with("y", format_number(y))
        };
        match self {
            Self::Steps(n) => Message::new("trajectory.bad-steps")
                .with("max", MAX_STEPS)
                .with("steps", *n),
            Self::StartNotFinite(p) => at(Message::new("trajectory.start-not-finite"), *p),
            Self::UndefinedAtStart(p) => at(Message::new("trajectory.undefined-at-start"), *p),
            Self::Optimizer(e) => e.to_message(),
        }
    }
}

impl fmt::Display for TrajectoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_message().english())
    }
}

impl std::error::Error for TrajectoryError {}

impl From<ConfigError> for TrajectoryError {
    fn from(e: ConfigError) -> Self {
        Self::Optimizer(e)
    }
}

fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

impl Trajectory {
    /// Runs `steps` updates of `config` on `function` from `start`.
    pub fn run(
        function: &Function,
        config: OptimizerConfig,
        start: [f64; 2],
        steps: usize,
    ) -> Result<Self, TrajectoryError> {
        let mut trajectory = Self::default();
        trajectory.rerun(function, config, start, steps)?;
        Ok(trajectory)
    }

    /// Like [`Trajectory::run`], reusing this trajectory's buffers: the page calls it for every
    /// optimizer on every pointer move, so it should not allocate.
    pub fn rerun(
        &mut self,
        function: &Function,
        config: OptimizerConfig,
        start: [f64; 2],
        steps: usize,
    ) -> Result<(), TrajectoryError> {
        self.rerun_keeping_state(function, config, start, steps, None)
            .map(|_| ())
    }

    /// Like [`Trajectory::rerun`], returning the optimizer as it is after the last update (when
    /// the run diverged, that update is the one whose point was not recorded).
    pub fn rerun_keeping_state(
        &mut self,
        function: &Function,
        config: OptimizerConfig,
        start: [f64; 2],
        steps: usize,
        noise: Option<&Noise>,
    ) -> Result<Optimizer, TrajectoryError> {
        // σ = 0 is the exact run, bit for bit: no noise is added at all.
        let noise = noise.filter(|n| n.sigma > 0.0);
        if steps == 0 || steps > MAX_STEPS {
            return Err(TrajectoryError::Steps(steps));
        }
        if !all_finite(&start) {
            return Err(TrajectoryError::StartNotFinite(start));
        }
        let mut optimizer = Optimizer::new(config)?;
        let (value, gradient) = function.value_and_gradient(start[0], start[1]);
        if !value.is_finite() || !all_finite(&gradient) {
            return Err(TrajectoryError::UndefinedAtStart(start));
        }
        self.points.clear();
        self.values.clear();
        self.gradients.clear();
        self.noisy.clear();
        self.diverged_at = None;
        self.points.reserve(steps + 1);
        self.values.reserve(steps + 1);
        self.gradients.reserve(steps + 1);

        let (mut point, mut gradient) = (start, gradient);
        self.points.push(point);
        self.values.push(value);
        self.gradients.push(gradient);
        for step in 1..=steps {
            match noise {
                Some(noise) => {
                    let used = noise.apply(step - 1, gradient);
                    optimizer.update(&mut point, &used);
                    self.noisy.push(used);
                }
                None => optimizer.update(&mut point, &gradient),
            }
            let (value, next_gradient) = function.value_and_gradient(point[0], point[1]);
            if !all_finite(&point) || !value.is_finite() || !all_finite(&next_gradient) {
                self.diverged_at = Some(step);
                self.noisy.truncate(self.points.len() - 1);
                break;
            }
            gradient = next_gradient;
            self.points.push(point);
            self.values.push(value);
            self.gradients.push(gradient);
        }
        Ok(optimizer)
    }

    /// Like [`Trajectory::run`], with gradient noise (None or σ = 0: the exact run).
    pub fn run_with_noise(
        function: &Function,
        config: OptimizerConfig,
        start: [f64; 2],
        steps: usize,
        noise: Option<&Noise>,
    ) -> Result<Self, TrajectoryError> {
        let mut trajectory = Self::default();
        trajectory.rerun_keeping_state(function, config, start, steps, noise)?;
        Ok(trajectory)
    }

    /// The gradient the update from step `k` used: the noisy one when there was noise.
    pub fn used_gradient(&self, k: usize) -> Option<[f64; 2]> {
        if self.noisy.is_empty() {
            self.gradients.get(k).copied()
        } else {
            self.noisy.get(k).copied()
        }
    }

    /// The last point reached (None only for a trajectory that has not run).
    pub fn end(&self) -> Option<[f64; 2]> {
        self.points.last().copied()
    }
}

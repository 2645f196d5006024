//! One update explained: the book's update rule at a step of a run, with that step's numbers.
//!
//! [`explain`] replays a recorded run up to the update asked for and returns what the optimizer
//! saw and did: the rate η·s(t), the point, the gradient it used, its state before and after
//! (the book's names: Momentum's `v`, AdaGrad's and RMSprop's `h`, Adam's `m`, `v` and `lr_t`)
//! and the next point. The replay repeats the run's own arithmetic, so `point` and `next` are the
//! trajectory's points, the same bits.
//!
//! [`Explanation::lines`] writes each line of the rule with its numbers, rounded to the fewest
//! significant digits (at least four) with which every line, redone by hand from the shown
//! numbers, gives its shown result.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::message::{Message, ToMessage};
use crate::optim::{adam_step_size, Optimizer, OptimizerConfig, Rule, EPSILON};
use crate::params::format_number;
use crate::trajectory::{Noise, Trajectory};

/// An optimizer's state at one moment, by the book's names; absent fields do not apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct State {
    /// Momentum's and Nesterov's velocity, or Adam's second moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v: Option<[f64; 2]>,
    /// AdaGrad's and RMSprop's sum of squared gradients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h: Option<[f64; 2]>,
    /// Adam's first moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<[f64; 2]>,
    /// Adam's bias-corrected step size η·s(t)·√(1−β2ᵗ)/(1−β1ᵗ) of this update (after it only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr_t: Option<f64>,
}

/// The hyperparameters by name, and the schedule: `{"lr": 0.95, "schedule": "constant"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hyperparameters(pub OptimizerConfig);

impl Serialize for Hyperparameters {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let numbers = self.0.hyperparameters();
        let mut map = serializer.serialize_map(Some(numbers.len() + 1))?;
        for (name, value) in numbers {
            map.serialize_entry(name, &value)?;
        }
        map.serialize_entry("schedule", &self.0.schedule)?;
        map.end()
    }
}

/// The update from `step` to `step + 1` of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The optimizer's id (`sgd`, `adam`, ...).
    pub optimizer: &'static str,
    pub hyperparameters: Hyperparameters,
    pub step: usize,
    /// η·s(step + 1): the rate this update used.
    pub lr: f64,
    /// The schedule's factor s(step + 1).
    pub factor: f64,
    pub point: [f64; 2],
    /// The gradient the update used (with noise, ∇f + σ·ε).
    pub gradient: [f64; 2],
    /// ∇f at the point, and σ and ε, when the gradient was noisy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseUsed>,
    pub before: State,
    pub after: State,
    pub next: [f64; 2],
}

/// What made a noisy gradient: `gradient = exact + sigma·epsilon`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NoiseUsed {
    pub exact: [f64; 2],
    pub sigma: f64,
    pub epsilon: [f64; 2],
}

/// Why an update could not be explained, as data; its message (see [`crate::message`]) and its
/// `Display` say it in words.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplainError {
    /// No run with this index.
    NoRun { run: usize, runs: usize },
    /// The run has no points (its error says why).
    NotRun(Message),
    /// No update leaves `step`: past the last step, or the update that diverged.
    NoUpdate {
        step: usize,
        last: usize,
        diverged_at: Option<usize>,
    },
}

impl ToMessage for ExplainError {
    fn to_message(&self) -> Message {
        match self {
            Self::NoRun { run, runs } => Message::new("explain.no-run")
                .with("run", *run)
                .with("last", runs.saturating_sub(1)),
            Self::NotRun(e) => Message::new("explain.not-run").with("reason", e.clone()),
            Self::NoUpdate {
                step,
                last,
                diverged_at: Some(d),
            } => Message::new("explain.diverged")
                .with("step", *step)
                .with("update", *d)
                .with("last", last.saturating_sub(1)),
            Self::NoUpdate { step, last, .. } if *last == 0 => {
                Message::new("explain.no-updates").with("step", *step)
            }
            Self::NoUpdate { step, last, .. } => Message::new("explain.past-end")
                .with("step", *step)
                .with("last", last - 1)
                .with("end", *last),
        }
    }
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_message().english())
    }
}

impl std::error::Error for ExplainError {}

fn pair(v: &[f64]) -> Option<[f64; 2]> {
    match v {
        [a, b] => Some([*a, *b]),
        _ => None,
    }
}

fn state_of(optimizer: &Optimizer, lr_t: Option<f64>) -> State {
    let (first, second) = optimizer.state();
    let zero = [0.0; 2];
    let first = pair(first).unwrap_or(zero);
    let second = pair(second).unwrap_or(zero);
    match optimizer.config().rule {
        Rule::Sgd { .. } => State::default(),
        Rule::Momentum { .. } | Rule::Nesterov { .. } => State {
            v: Some(first),
            ..State::default()
        },
        Rule::AdaGrad { .. } | Rule::RmsProp { .. } => State {
            h: Some(first),
            ..State::default()
        },
        Rule::Adam { .. } => State {
            m: Some(first),
            v: Some(second),
            lr_t,
            ..State::default()
        },
    }
}

/// The update from `step` to `step + 1` of `trajectory`, which `config` ran (with `noise`, when
/// it had any). Replays the run from its start; [`Replayer`] keeps the replay between calls.
pub fn explain(
    config: OptimizerConfig,
    trajectory: &Trajectory,
    noise: Option<&Noise>,
    step: usize,
) -> Result<Explanation, ExplainError> {
    Replayer::new(config)?.explain(trajectory, noise, step)
}

/// How many updates apart the replay keeps copies of the optimizer, so that going back costs at
/// most this many updates.
const CHECKPOINT: usize = 256;

/// An optimizer replayed along one run, kept between calls: explaining the next step of a
/// playing animation costs one update, and going back at most [`CHECKPOINT`] (Adam's correctly
/// rounded βᵗ makes a replay of 20,000 updates take milliseconds). Make a new one whenever the
/// run changes.
#[derive(Debug, Clone)]
pub struct Replayer {
    config: OptimizerConfig,
    /// The optimizer after `at` updates of the run.
    optimizer: Optimizer,
    at: usize,
    /// `checkpoints[c]`: the optimizer after c·CHECKPOINT updates.
    checkpoints: Vec<Optimizer>,
}

impl Replayer {
    pub fn new(config: OptimizerConfig) -> Result<Self, ExplainError> {
        let optimizer = Optimizer::new(config).map_err(|e| ExplainError::NotRun(e.to_message()))?;
        Ok(Self {
            config,
            checkpoints: vec![optimizer.clone()],
            optimizer,
            at: 0,
        })
    }

    /// One update of the replay, from step `at` with `gradient`.
    fn advance(&mut self, point: [f64; 2], gradient: [f64; 2]) {
        let mut point = point;
        self.optimizer.update(&mut point, &gradient);
        self.at += 1;
        if self.at % CHECKPOINT == 0 && self.at / CHECKPOINT == self.checkpoints.len() {
            self.checkpoints.push(self.optimizer.clone());
        }
    }

    /// The optimizer after `step` updates of `trajectory` (None past its last point).
    pub fn seek(&mut self, trajectory: &Trajectory, step: usize) -> Option<&Optimizer> {
        if step >= trajectory.points.len() {
            return None;
        }
        // The nearest kept state at or before `step`, unless the replay is already closer.
        let c = (step / CHECKPOINT).min(self.checkpoints.len() - 1);
        if step < self.at || c * CHECKPOINT > self.at {
            self.optimizer = self.checkpoints[c].clone();
            self.at = c * CHECKPOINT;
        }
        while self.at < step {
            let k = self.at;
            self.advance(trajectory.points[k], trajectory.used_gradient(k)?);
        }
        Some(&self.optimizer)
    }

    /// The update from `step` to `step + 1` (see [`explain`]).
    pub fn explain(
        &mut self,
        trajectory: &Trajectory,
        noise: Option<&Noise>,
        step: usize,
    ) -> Result<Explanation, ExplainError> {
        let config = self.config;
        let points = &trajectory.points;
        let last = points.len().saturating_sub(1);
        if step >= last {
            return Err(ExplainError::NoUpdate {
                step,
                last,
                diverged_at: trajectory.diverged_at.filter(|&d| d == last + 1),
            });
        }
        let used = |k: usize| {
            trajectory.used_gradient(k).ok_or(ExplainError::NoUpdate {
                step,
                last,
                diverged_at: trajectory.diverged_at,
            })
        };
        self.seek(trajectory, step).ok_or(ExplainError::NoUpdate {
            step,
            last,
            diverged_at: trajectory.diverged_at,
        })?;
        // The optimizer's state depends on the gradients alone; the point is the recorded one.
        let point = points[step];
        let before = state_of(&self.optimizer, None);
        let gradient = used(step)?;
        let t = step as u64 + 1;
        let lr = config.lr_at(t);
        let lr_t = match config.rule {
            Rule::Adam { beta1, beta2, .. } => Some(adam_step_size(lr, beta1, beta2, t)),
            _ => None,
        };
        let mut next = point;
        self.optimizer.update(&mut next, &gradient);
        self.at += 1;
        let after = state_of(&self.optimizer, lr_t);
        if self.at % CHECKPOINT == 0 && self.at / CHECKPOINT == self.checkpoints.len() {
            self.checkpoints.push(self.optimizer.clone());
        }
        let noise = match noise {
            Some(n) if !trajectory.noisy.is_empty() => Some(NoiseUsed {
                exact: trajectory.gradients[step],
                sigma: n.sigma(),
                epsilon: n.epsilon(step).unwrap_or([0.0; 2]),
            }),
            _ => None,
        };
        Ok(Explanation {
            optimizer: config.id(),
            hyperparameters: Hyperparameters(config),
            step,
            lr,
            factor: config.schedule.factor(t),
            point,
            gradient,
            noise,
            before,
            after,
            next,
        })
    }
}

/// What a line of the rule computes, in the order of operations the optimizer uses; each names
/// its operands (the `Line::operands`, in this order) and its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Formula {
    /// η_t = η·s: operands η, s.
    Rate,
    /// g̃ = g + σ·ε: operands g, σ, ε.
    Noise,
    /// W ← W − η·g: W, η, g.
    Sgd,
    /// v ← α·v − η·g: α, v, η, g.
    Velocity,
    /// W ← W + v: W, v.
    AddVelocity,
    /// W ← W + α·α·v − (1 + α)·η·g: W, α, v, η, g.
    Nesterov,
    /// h ← h + g·g: h, g.
    AdaGradH,
    /// h ← ρ·h + (1 − ρ)·g·g: ρ, h, g.
    RmsPropH,
    /// W ← W − η·g / (√h + 1e-7): W, η, g, h.
    Scaled,
    /// lr_t = η·√(1 − β2ᵗ)/(1 − β1ᵗ): η, β1, β2, t.
    AdamRate,
    /// m ← m + (1 − β1)·(g − m): m, β1, g.
    AdamM,
    /// v ← v + (1 − β2)·(g·g − v): v, β2, g.
    AdamV,
    /// W ← W − lr_t·m / (√v + 1e-7): W, lr_t, m, v.
    AdamStep,
}

impl Formula {
    /// The result from the operands, with the optimizer's operations in its order; `epsilon` is
    /// the 1e-7 added to square roots (0 to see whether it matters).
    pub fn eval(self, o: &[f64], epsilon: f64) -> f64 {
        let at = |i: usize| o.get(i).copied().unwrap_or(f64::NAN);
        match self {
            Formula::Rate => at(0) * at(1),
            Formula::Noise => at(0) + at(1) * at(2),
            Formula::Sgd => at(0) - at(1) * at(2),
            Formula::Velocity => at(0) * at(1) - at(2) * at(3),
            Formula::AddVelocity => at(0) + at(1),
            Formula::Nesterov => {
                let (w, a, v, lr, g) = (at(0), at(1), at(2), at(3), at(4));
                (w + a * a * v) - (1.0 + a) * lr * g
            }
            Formula::AdaGradH => at(0) + at(1) * at(1),
            Formula::RmsPropH => {
                let (rho, h, g) = (at(0), at(1), at(2));
                h * rho + (1.0 - rho) * g * g
            }
            Formula::Scaled => at(0) - at(1) * at(2) / (at(3).sqrt() + epsilon),
            Formula::AdamRate => {
                let t = at(3).clamp(0.0, f64::from(u32::MAX)) as u64;
                adam_step_size(at(0), at(1), at(2), t)
            }
            Formula::AdamM => at(0) + (1.0 - at(1)) * (at(2) - at(0)),
            Formula::AdamV => at(0) + (1.0 - at(1)) * (at(2) * at(2) - at(0)),
            Formula::AdamStep => at(0) - at(1) * at(2) / (at(3).sqrt() + epsilon),
        }
    }

    /// Whether the formula adds the 1e-7.
    pub fn has_epsilon(self) -> bool {
        matches!(self, Formula::Scaled | Formula::AdamStep)
    }
}

/// One line of the rule with its numbers: `quantity` (W, v, h, m, lr_t, η, g̃) of `coordinate`
/// (0 for x, 1 for y; None for a number shared by both) ← formula(operands) = result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub quantity: &'static str,
    pub coordinate: Option<usize>,
    pub formula: Formula,
    /// The operands as numbers (not serialized: the page shows the text) and as shown.
    #[serde(skip)]
    pub operands: Vec<f64>,
    pub shown: Vec<String>,
    #[serde(skip)]
    pub result: f64,
    pub shown_result: String,
    /// Whether the 1e-7 changes the shown result (the line shows it only then).
    pub epsilon: bool,
}

/// `v` to `digits` significant digits, without trailing zeros; an exponent below 1e-4 and where
/// the digits would stop before the units (`1.5e-7`, `4.027e6`).
pub fn round_text(v: f64, digits: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return format_number(v);
    }
    let digits = digits.clamp(1, 17);
    // The shortest decimal that reads back as v, rounded half up to `digits` digits, as a reader
    // rounds what is written.
    let (all, exponent) = crate::number::shortest_digits(v);
    let (all, exponent) = crate::number::round_digits(all, exponent, digits);
    let sign = if v < 0.0 { "-" } else { "" };
    // An exponent where plain digits would hide the precision: below 1e-4, and wherever the
    // shown digits stop before the units (4027000 would claim seven digits; 4.027e6 shows four).
    if exponent < -4 || exponent >= digits as i32 {
        format!("{sign}{}e{exponent}", crate::number::plain(&all, 0, 0))
    } else {
        format!("{sign}{}", crate::number::plain(&all, exponent, 0))
    }
}

fn read_back(text: &str) -> f64 {
    crate::number::read(text).unwrap_or(f64::NAN)
}

impl Explanation {
    /// The lines of the rule for this update, both coordinates, in the order the optimizer
    /// computes them. Operands are shown to d significant digits, the fewest (from 4) with which
    /// every line, redone from its shown operands, rounds to its shown result; a result is shown
    /// to as many of those d digits as it keeps (a difference of close numbers keeps fewer, but
    /// at least four while d ≤ 8 allows, then three), and a later line that uses it shows it the
    /// same way. Failing that, every number is shown
    /// exactly (the shortest text that reads back), which always checks.
    pub fn lines(&self) -> Vec<Line> {
        let raw = self.raw_lines();
        // Results keep four digits if up to eight on the operands allow it; then three.
        (4..=8)
            .find_map(|d| shown_lines(&raw, Some(d), 4))
            .or_else(|| (4..17).find_map(|d| shown_lines(&raw, Some(d), 3)))
            .or_else(|| shown_lines(&raw, None, 0))
            .unwrap_or_default()
    }

    #[allow(clippy::needless_range_loop)]
    fn raw_lines(&self) -> Vec<RawLine> {
        let config = self.hyperparameters.0;
        let eta = config.lr();
        let lr = self.lr;
        let mut out = Vec::new();
        if !config.schedule.is_constant() {
            out.push(("η", None, Formula::Rate, vec![eta, self.factor], lr));
        }
        let g = self.gradient;
        if let Some(n) = &self.noise {
            for i in 0..2 {
                out.push((
                    "g",
                    Some(i),
                    Formula::Noise,
                    vec![n.exact[i], n.sigma, n.epsilon[i]],
                    g[i],
                ));
            }
        }
        let (w, w1) = (self.point, self.next);
        let get = |s: Option<[f64; 2]>| s.unwrap_or([0.0; 2]);
        match config.rule {
            Rule::Sgd { .. } => {
                for i in 0..2 {
                    out.push(("W", Some(i), Formula::Sgd, vec![w[i], lr, g[i]], w1[i]));
                }
            }
            Rule::Momentum { momentum: a, .. } => {
                let (v0, v1) = (get(self.before.v), get(self.after.v));
                for i in 0..2 {
                    out.push((
                        "v",
                        Some(i),
                        Formula::Velocity,
                        vec![a, v0[i], lr, g[i]],
                        v1[i],
                    ));
                    out.push(("W", Some(i), Formula::AddVelocity, vec![w[i], v1[i]], w1[i]));
                }
            }
            Rule::Nesterov { momentum: a, .. } => {
                let (v0, v1) = (get(self.before.v), get(self.after.v));
                for i in 0..2 {
                    out.push((
                        "W",
                        Some(i),
                        Formula::Nesterov,
                        vec![w[i], a, v0[i], lr, g[i]],
                        w1[i],
                    ));
                    out.push((
                        "v",
                        Some(i),
                        Formula::Velocity,
                        vec![a, v0[i], lr, g[i]],
                        v1[i],
                    ));
                }
            }
            Rule::AdaGrad { .. } | Rule::RmsProp { .. } => {
                let (h0, h1) = (get(self.before.h), get(self.after.h));
                for i in 0..2 {
                    match config.rule {
                        Rule::RmsProp { decay_rate, .. } => out.push((
                            "h",
                            Some(i),
                            Formula::RmsPropH,
                            vec![decay_rate, h0[i], g[i]],
                            h1[i],
                        )),
                        _ => out.push(("h", Some(i), Formula::AdaGradH, vec![h0[i], g[i]], h1[i])),
                    }
                    out.push((
                        "W",
                        Some(i),
                        Formula::Scaled,
                        vec![w[i], lr, g[i], h1[i]],
                        w1[i],
                    ));
                }
            }
            Rule::Adam { beta1, beta2, .. } => {
                let lr_t = self.after.lr_t.unwrap_or(lr);
                out.push((
                    "lr_t",
                    None,
                    Formula::AdamRate,
                    vec![lr, beta1, beta2, self.step as f64 + 1.0],
                    lr_t,
                ));
                let (m0, m1) = (get(self.before.m), get(self.after.m));
                let (v0, v1) = (get(self.before.v), get(self.after.v));
                for i in 0..2 {
                    out.push((
                        "m",
                        Some(i),
                        Formula::AdamM,
                        vec![m0[i], beta1, g[i]],
                        m1[i],
                    ));
                    out.push((
                        "v",
                        Some(i),
                        Formula::AdamV,
                        vec![v0[i], beta2, g[i]],
                        v1[i],
                    ));
                    out.push((
                        "W",
                        Some(i),
                        Formula::AdamStep,
                        vec![w[i], lr_t, m1[i], v1[i]],
                        w1[i],
                    ));
                }
            }
        }
        out
    }
}

/// A line before its numbers are written: quantity, coordinate, formula, operands, result.
type RawLine = (&'static str, Option<usize>, Formula, Vec<f64>, f64);

/// The lines written with operands to `digits` significant digits (None: exactly), or None when
/// some line does not check with at least `min_result` digits of its result.
fn shown_lines(raw: &[RawLine], digits: Option<usize>, min_result: usize) -> Option<Vec<Line>> {
    let write = |v: f64, d: Option<usize>| match d {
        Some(d) => round_text(v, d),
        None => format_number(v),
    };
    let mut earlier: Vec<(f64, String)> = Vec::new();
    let mut lines = Vec::with_capacity(raw.len());
    for (quantity, coordinate, formula, operands, result) in raw {
        let shown: Vec<String> = operands
            .iter()
            .enumerate()
            .map(|(i, v)| {
                // A number an earlier line computed is shown as that line showed it.
                match earlier
                    .iter()
                    .rev()
                    .find(|(r, _)| r.to_bits() == v.to_bits())
                {
                    Some((_, text)) => text.clone(),
                    None if *formula == Formula::AdamRate && i == 3 => format_number(*v),
                    None => write(*v, digits),
                }
            })
            .collect();
        let values: Vec<f64> = shown.iter().map(|s| read_back(s)).collect();
        let redone = formula.eval(&values, EPSILON);
        let shown_result = match digits {
            None if redone.to_bits() == result.to_bits() => format_number(*result),
            None => return None,
            Some(d) => (min_result.min(d)..=d)
                .rev()
                .map(|r| round_text(*result, r))
                .find(|text| {
                    let r = significant(text);
                    round_text(redone, r) == *text
                })?,
        };
        let epsilon = formula.has_epsilon() && {
            let without = formula.eval(&values, 0.0);
            match digits {
                None => without.to_bits() != result.to_bits(),
                Some(_) => round_text(without, significant(&shown_result)) != shown_result,
            }
        };
        earlier.push((*result, shown_result.clone()));
        lines.push(Line {
            quantity,
            coordinate: *coordinate,
            formula: *formula,
            operands: operands.clone(),
            shown,
            result: *result,
            shown_result,
            epsilon,
        });
    }
    Some(lines)
}

/// The significant digits `text` (as [`round_text`] writes it) shows, at least 1.
fn significant(text: &str) -> usize {
    let mantissa = text.split('e').next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0');
    trimmed.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::Function;

    fn run(f: &str, opt: &str, start: [f64; 2], steps: usize) -> (OptimizerConfig, Trajectory) {
        let config: OptimizerConfig = opt.parse().unwrap();
        let function = Function::parse(f).unwrap();
        (
            config,
            Trajectory::run(&function, config, start, steps).unwrap(),
        )
    }

    #[test]
    fn rounding_keeps_the_digits_asked_for_within_half_a_unit() {
        let mut rng = crate::rng::Rng::new(11, 0);
        for _ in 0..20_000 {
            let v = (rng.uniform() - 0.5)
                * crate::math::pow(10.0, (rng.uniform() * 16.0).floor() - 6.0);
            for d in [1, 4, 6, 9, 17] {
                let text = round_text(v, d);
                let back: f64 = text.parse().unwrap();
                let (mantissa, _) = text.split_once('e').unwrap_or((&text, ""));
                assert!(!mantissa.ends_with('.'), "{text}");
                assert!(
                    !(mantissa.contains('.') && mantissa.ends_with('0')),
                    "{text}"
                );
                let shown = significant(&text);
                assert!(shown <= d, "{v} {d}: {text}");
                // Within half a unit of the d-th digit of v (and a hair for the shortest
                // decimal's own rounding).
                let place = crate::math::pow(10.0, v.abs().log10().floor() - d as f64 + 1.0);
                assert!(
                    (back - v).abs() <= 0.5 * place * (1.0 + 1e-9) + v.abs() * 1e-16,
                    "{v} {d}: {text}"
                );
            }
        }
        // 17 digits and more: the shortest text that reads back.
        assert_eq!(round_text(0.1 + 0.2, 17), "0.30000000000000004");
        assert_eq!(round_text(0.95, 17), "0.95");
    }

    #[test]
    fn rounding_for_the_eye() {
        assert_eq!(round_text(-6.335, 4), "-6.335");
        assert_eq!(round_text(-7.0, 6), "-7");
        assert_eq!(round_text(0.1 * 0.7, 4), "0.07");
        assert_eq!(round_text(1.5e-7, 4), "1.5e-7");
        assert_eq!(round_text(123456.0, 4), "1.235e5");
        assert_eq!(round_text(123456.0, 6), "123456");
        assert_eq!(round_text(2.5e12, 6), "2.5e12");
        assert_eq!(round_text(0.0, 6), "0");
        assert_eq!(round_text(0.000123456, 3), "0.000123");
        assert_eq!(round_text(-0.0999999, 4), "-0.1");
        assert_eq!(round_text(9.9996, 4), "10");
        assert_eq!(round_text(1234.0, 4), "1234");
        assert_eq!(round_text(0.15, 1), "0.2");
        assert_eq!(round_text(-9.96, 2), "-10");
        assert_eq!(round_text(99.96, 3), "100");
        assert_eq!(round_text(999.6, 3), "1e3");
        assert_eq!(round_text(120.0, 4), "120");
        assert_eq!(round_text(1e-5, 4), "1e-5");
    }

    #[test]
    fn book_figure_6_8_sgd_first_update_by_hand() {
        // f = x²/20 + y² at (−7, 2): ∇f = (x/10, 2y) = (−0.7, 4); SGD with η = 0.95:
        // x = −7 − 0.95·(−0.7) = −6.335, y = 2 − 0.95·4 = −1.8.
        let (config, t) = run("elongated", "sgd(lr=0.95)", [-7.0, 2.0], 30);
        let e = explain(config, &t, None, 0).unwrap();
        assert_eq!(e.point, [-7.0, 2.0]);
        assert_eq!(e.gradient, [-0.7, 4.0]);
        assert_eq!(e.lr, 0.95);
        assert!((e.next[0] + 6.335).abs() < 1e-12 && (e.next[1] + 1.8).abs() < 1e-12);
        assert_eq!(e.next, t.points[1]);
        let lines = e.lines();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].shown, ["-7", "0.95", "-0.7"]);
        assert_eq!(lines[0].shown_result, "-6.335");
        assert_eq!(lines[1].shown_result, "-1.8");
    }

    #[test]
    fn momentum_adagrad_and_adam_state_by_hand() {
        // Momentum, η = 0.1, α = 0.9, at (−7, 2): v = −0.1·(−0.7, 4) = (0.07, −0.4).
        let (config, t) = run(
            "elongated",
            "momentum(lr=0.1,momentum=0.9)",
            [-7.0, 2.0],
            30,
        );
        let e = explain(config, &t, None, 0).unwrap();
        assert_eq!(e.before.v, Some([0.0, 0.0]));
        let v = e.after.v.unwrap();
        assert!((v[0] - 0.07).abs() < 1e-15 && (v[1] + 0.4).abs() < 1e-15);
        // Step 1 of the same run: v₂ = 0.9·v₁ − 0.1·∇f(W₁).
        let e1 = explain(config, &t, None, 1).unwrap();
        assert_eq!(e1.before.v, e.after.v);
        let g1 = t.gradients[1];
        let want = [0.9 * v[0] - 0.1 * g1[0], 0.9 * v[1] - 0.1 * g1[1]];
        assert_eq!(e1.after.v, Some(want));
        assert_eq!(e1.next, t.points[2]);

        // AdaGrad, η = 1.5: h = g² = (0.49, 16); W = W − 1.5·g/(√h + 1e-7).
        let (config, t) = run("elongated", "adagrad(lr=1.5)", [-7.0, 2.0], 30);
        let e = explain(config, &t, None, 0).unwrap();
        let h = e.after.h.unwrap();
        assert!((h[0] - 0.49).abs() < 1e-15 && h[1] == 16.0);
        assert!((e.next[1] - (2.0 - 1.5 * 4.0 / (4.0 + 1e-7))).abs() < 1e-15);

        // Adam, η = 0.3, at t = 1: lr_t = 0.3·√(0.001)/0.1, m = 0.1·g, v = 0.001·g².
        let (config, t) = run("elongated", "adam(lr=0.3)", [-7.0, 2.0], 30);
        let e = explain(config, &t, None, 0).unwrap();
        let lr_t = e.after.lr_t.unwrap();
        assert!((lr_t - 0.3 * 0.001f64.sqrt() / 0.1).abs() < 1e-15);
        let m = e.after.m.unwrap();
        assert!((m[1] - 0.4).abs() < 1e-15);
        assert!((e.after.v.unwrap()[1] - 0.016).abs() < 1e-15);
        assert_eq!(e.before.lr_t, None);
    }

    #[test]
    fn nesterov_and_rmsprop_state_by_hand() {
        // f = x²/20 + y² from (−7, 2), ∇f = (−0.7, 4) at the start.
        // Nesterov, η = 0.1, α = 0.9, first update (v = 0): W = W − 1.9·0.1·g, v = −0.1·g.
        let (config, t) = run(
            "elongated",
            "nesterov(lr=0.1,momentum=0.9)",
            [-7.0, 2.0],
            30,
        );
        let e = explain(config, &t, None, 0).unwrap();
        assert!((e.next[1] - (2.0 - 1.9 * 0.1 * 4.0)).abs() < 1e-15);
        let v = e.after.v.unwrap();
        assert!((v[0] - 0.07).abs() < 1e-15 && (v[1] + 0.4).abs() < 1e-15);
        // Second update: W = W + α²·v − (1 + α)·η·g, v = α·v − η·g, with g = ∇f(W₁).
        let e = explain(config, &t, None, 1).unwrap();
        let g = t.gradients[1];
        let w1 = t.points[1];
        assert!((e.next[1] - (w1[1] + 0.81 * v[1] - 1.9 * 0.1 * g[1])).abs() < 1e-15);
        assert!((e.after.v.unwrap()[1] - (0.9 * v[1] - 0.1 * g[1])).abs() < 1e-15);
        // RMSprop, η = 0.1, ρ = 0.9: h = 0.1·g² = (0.049, 1.6); W = W − 0.1·g/(√h + 1e-7).
        let (config, t) = run(
            "elongated",
            "rmsprop(lr=0.1,decay-rate=0.9)",
            [-7.0, 2.0],
            30,
        );
        let e = explain(config, &t, None, 0).unwrap();
        let h = e.after.h.unwrap();
        assert!((h[0] - 0.049).abs() < 1e-15 && (h[1] - 1.6).abs() < 1e-15);
        assert!((e.next[1] - (2.0 - 0.4 / (1.6f64.sqrt() + 1e-7))).abs() < 1e-15);
        // Its lines: h_y ← 0.9 × 0 + (1 − 0.9) × 4 × 4 = 1.6.
        let lines = e.lines();
        let hy = lines
            .iter()
            .find(|l| l.quantity == "h" && l.coordinate == Some(1))
            .unwrap();
        assert_eq!(hy.shown, ["0.9", "0", "4"]);
        assert_eq!(hy.shown_result, "1.6");
    }

    #[test]
    fn the_epsilon_is_shown_where_it_changes_the_result() {
        // AdaGrad where the gradient is tiny: √h ≈ |g| = 1e-8, so 1e-7 dominates the divisor.
        let config: OptimizerConfig = "adagrad(lr=1)".parse().unwrap();
        let f = Function::parse("x^2/2 + y^2/2").unwrap();
        let t = Trajectory::run(&f, config, [1e-8, 3.0], 2).unwrap();
        let e = explain(config, &t, None, 0).unwrap();
        let lines = e.lines();
        let w = |i| {
            lines
                .iter()
                .find(|l| l.quantity == "W" && l.coordinate == Some(i))
                .unwrap()
        };
        // x: 1e-8 − 1e-8/(1e-8 + 1e-7) = 1e-8 − 1/11: the 1e-7 matters.
        assert!(w(0).epsilon);
        assert!((e.next[0] - (1e-8 - 1e-8 / (1e-8 + 1e-7))).abs() < 1e-15);
        // y: 3 − 3/(3 + 1e-7) is 0 to every shown digit without it too.
        assert!(!w(1).epsilon);
    }

    #[test]
    fn every_line_redone_from_its_shown_numbers_gives_its_shown_result() {
        for opt in [
            "sgd(lr=0.95)",
            "momentum(lr=0.1,momentum=0.9)",
            "nesterov(lr=0.05,momentum=0.9)",
            "adagrad(lr=1.5)",
            "rmsprop(lr=0.1,decay-rate=0.9)",
            "adam(lr=0.3)",
            "sgd(lr=0.95,schedule=inv:0.1)",
            "adam(lr=0.3,schedule=cos:20)",
        ] {
            let (config, t) = run("rosenbrock", opt, [-1.5, 2.0], 30);
            for step in [0, 1, 5, t.points.len().saturating_sub(2)] {
                let Ok(e) = explain(config, &t, None, step) else {
                    continue;
                };
                for line in e.lines() {
                    let shown: Vec<f64> = line.shown.iter().map(|s| s.parse().unwrap()).collect();
                    let eps = if line.epsilon { EPSILON } else { 0.0 };
                    let redone = line.formula.eval(&shown, eps);
                    let result: f64 = line.shown_result.parse().unwrap();
                    // Half a unit in the last shown place of the result.
                    let text = &line.shown_result;
                    let place = last_place(text);
                    assert!(
                        (redone - result).abs() <= 0.5 * place * (1.0 + 1e-9),
                        "{opt} step {step} {line:?}: redone {redone}"
                    );
                }
            }
        }
    }

    /// The value of one unit in the last shown digit of `text` ("-6.335" → 0.001).
    fn last_place(text: &str) -> f64 {
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let exponent: i32 = exponent.parse().unwrap();
        let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
        10f64.powi(exponent - decimals)
    }

    #[test]
    fn a_kept_replay_in_any_order_equals_a_fresh_one() {
        let (config, t) = run("rosenbrock", "adam(lr=0.01)", [-1.5, 2.0], 2000);
        let mut replay = Replayer::new(config).unwrap();
        for step in [0, 1, 2, 1999, 700, 255, 256, 257, 1000, 3, 512, 1998] {
            let kept = replay.explain(&t, None, step).unwrap();
            assert_eq!(kept, explain(config, &t, None, step).unwrap(), "{step}");
            assert_eq!(kept.next, t.points[step + 1]);
        }
    }

    #[test]
    fn bad_steps_are_errors_in_words() {
        let (config, t) = run("elongated", "sgd(lr=0.95)", [-7.0, 2.0], 30);
        let err = explain(config, &t, None, 30).unwrap_err().to_string();
        assert!(err.contains("steps 0 to 29"), "{err}");
        let (config, t) = run("elongated", "sgd(lr=1e6)", [-7.0, 2.0], 30);
        let d = t.diverged_at.unwrap();
        let err = explain(config, &t, None, d - 1).unwrap_err().to_string();
        assert!(err.contains("diverged at update"), "{err}");
    }
}

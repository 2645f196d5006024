//! The optimizers of *Deep Learning from Scratch*, chapter 6: one implementation for any flat
//! parameter vector.
//!
//! The same [`Optimizer`] moves a point `(x, y)` across a surface and the weights of a network. Each
//! rule is written in the order of operations of the book's `common/optimizer.py`, so the floating
//! point results agree with the book bit for bit (its Figure 6-8 numbers are in the tests).
//!
//! | id | rule (g is the gradient) | defaults |
//! |---|---|---|
//! | `sgd` | θ ← θ − lr·g | lr 0.01 |
//! | `momentum` | v ← μ·v − lr·g; θ ← θ + v | lr 0.01, μ 0.9 |
//! | `nesterov` | θ ← θ + μ²·v − (1+μ)·lr·g, then v ← μ·v − lr·g | lr 0.01, μ 0.9 |
//! | `adagrad` | h ← h + g²; θ ← θ − lr·g / (√h + 1e-7) | lr 0.01 |
//! | `rmsprop` | h ← ρ·h + (1−ρ)·g²; θ ← θ − lr·g / (√h + 1e-7) | lr 0.01, ρ 0.99 |
//! | `adam` | t ← t+1; m ← m + (1−β1)(g−m); v ← v + (1−β2)(g²−v); θ ← θ − lr·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + 1e-7) | lr 0.001, β1 0.9, β2 0.999 |

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::math;
use crate::message::{Message, ToMessage};
use crate::schedule::Schedule;

/// Added to √h before dividing, as in the book, so a zero accumulator never divides by zero.
pub const EPSILON: f64 = 1e-7;

/// The identifiers of the optimizers, in the order the book introduces them.
pub const IDS: [&str; 6] = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];

/// An update rule and its hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "id", rename_all = "lowercase")]
pub enum Rule {
    Sgd {
        lr: f64,
    },
    Momentum {
        lr: f64,
        momentum: f64,
    },
    Nesterov {
        lr: f64,
        momentum: f64,
    },
    #[serde(rename = "adagrad")]
    AdaGrad {
        lr: f64,
    },
    #[serde(rename = "rmsprop")]
    RmsProp {
        lr: f64,
        #[serde(rename = "decay-rate")]
        decay_rate: f64,
    },
    Adam {
        lr: f64,
        beta1: f64,
        beta2: f64,
    },
}

/// Why a configuration was refused, as data (see [`crate::message`]); its `Display` is the
/// English sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub Message);

impl ToMessage for ConfigError {
    fn to_message(&self) -> Message {
        self.0.clone()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.english())
    }
}

impl ConfigError {
    /// Optimizer `id`'s schedule is refused: `sgd schedule: ...`.
    fn schedule(id: &str, e: &crate::schedule::ScheduleError) -> Self {
        ConfigError(
            Message::new("optim.schedule")
                .with("optimizer", id)
                .with("error", e.to_message()),
        )
    }
}

impl std::error::Error for ConfigError {}

impl Rule {
    /// The optimizer `id` with the book's default hyperparameters.
    pub fn default_for(id: &str) -> Result<Self, ConfigError> {
        Ok(match id.trim().to_ascii_lowercase().as_str() {
            "sgd" => Self::Sgd { lr: 0.01 },
            "momentum" => Self::Momentum {
                lr: 0.01,
                momentum: 0.9,
            },
            "nesterov" => Self::Nesterov {
                lr: 0.01,
                momentum: 0.9,
            },
            "adagrad" => Self::AdaGrad { lr: 0.01 },
            "rmsprop" => Self::RmsProp {
                lr: 0.01,
                decay_rate: 0.99,
            },
            "adam" => Self::Adam {
                lr: 0.001,
                beta1: 0.9,
                beta2: 0.999,
            },
            other => {
                return Err(ConfigError(
                    Message::new("optim.unknown")
                        .with("name", other)
                        .with("ids", IDS.join(", ")),
                ))
            }
        })
    }

    /// The identifier (`"sgd"`, `"adagrad"`, ...).
    pub fn id(&self) -> &'static str {
        match self {
            Self::Sgd { .. } => "sgd",
            Self::Momentum { .. } => "momentum",
            Self::Nesterov { .. } => "nesterov",
            Self::AdaGrad { .. } => "adagrad",
            Self::RmsProp { .. } => "rmsprop",
            Self::Adam { .. } => "adam",
        }
    }

    /// The name as the book writes it (`"SGD"`, `"AdaGrad"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sgd { .. } => "SGD",
            Self::Momentum { .. } => "Momentum",
            Self::Nesterov { .. } => "Nesterov",
            Self::AdaGrad { .. } => "AdaGrad",
            Self::RmsProp { .. } => "RMSprop",
            Self::Adam { .. } => "Adam",
        }
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        match *self {
            Self::Sgd { lr }
            | Self::Momentum { lr, .. }
            | Self::Nesterov { lr, .. }
            | Self::AdaGrad { lr }
            | Self::RmsProp { lr, .. }
            | Self::Adam { lr, .. } => lr,
        }
    }

    /// The hyperparameters by name, learning rate first: `[("lr", 0.1), ("momentum", 0.9)]`.
    pub fn hyperparameters(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Self::Sgd { lr } | Self::AdaGrad { lr } => vec![("lr", lr)],
            Self::Momentum { lr, momentum } | Self::Nesterov { lr, momentum } => {
                vec![("lr", lr), ("momentum", momentum)]
            }
            Self::RmsProp { lr, decay_rate } => vec![("lr", lr), ("decay-rate", decay_rate)],
            Self::Adam { lr, beta1, beta2 } => vec![("lr", lr), ("beta1", beta1), ("beta2", beta2)],
        }
    }

    /// Sets the hyperparameter `name` (`lr`, `momentum`, `decay-rate`, `beta1`, `beta2`; `_` may
    /// stand for `-`). The value is checked when the whole configuration is, by [`Self::validate`].
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ConfigError> {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        let slot = match (self, key.as_str()) {
            (
                Self::Sgd { lr }
                | Self::Momentum { lr, .. }
                | Self::Nesterov { lr, .. }
                | Self::AdaGrad { lr }
                | Self::RmsProp { lr, .. }
                | Self::Adam { lr, .. },
                "lr",
            ) => lr,
            (Self::Momentum { momentum, .. } | Self::Nesterov { momentum, .. }, "momentum") => {
                momentum
            }
            (Self::RmsProp { decay_rate, .. }, "decay-rate") => decay_rate,
            (Self::Adam { beta1, .. }, "beta1") => beta1,
            (Self::Adam { beta2, .. }, "beta2") => beta2,
            (this, _) => {
                let known: Vec<&str> = this.hyperparameters().iter().map(|(n, _)| *n).collect();
                return Err(ConfigError(
                    Message::new("optim.no-hyperparameter")
                        .with("optimizer", this.id())
                        .with("name", name.trim())
                        .with("known", known.join(", ")),
                ));
            }
        };
        *slot = value;
        Ok(())
    }

    /// Checks every hyperparameter: the learning rate must be a finite number above 0, and
    /// momentum, decay rate and the betas must lie in [0, 1).
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in self.hyperparameters() {
            let ok = if name == "lr" {
                value.is_finite() && value > 0.0
            } else {
                (0.0..1.0).contains(&value)
            };
            if !ok {
                let kind = if name == "lr" {
                    Message::new("optim.bad-lr")
                } else {
                    Message::new("optim.bad-fraction")
                };
                return Err(ConfigError(
                    kind.with("optimizer", self.id())
                        .with("name", name)
                        .with("value", crate::params::format_number(value)),
                ));
            }
        }
        Ok(())
    }
}

/// What the user chose for one optimizer: an update rule with its hyperparameters, and a
/// learning-rate schedule (constant unless asked).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OptimizerConfig {
    #[serde(flatten)]
    pub rule: Rule,
    pub schedule: Schedule,
}

impl From<Rule> for OptimizerConfig {
    fn from(rule: Rule) -> Self {
        Self {
            rule,
            schedule: Schedule::Constant,
        }
    }
}

impl OptimizerConfig {
    /// The optimizer `id` with the book's default hyperparameters and a constant rate.
    pub fn default_for(id: &str) -> Result<Self, ConfigError> {
        Rule::default_for(id).map(Self::from)
    }

    /// The identifier (`"sgd"`, `"adagrad"`, ...).
    pub fn id(&self) -> &'static str {
        self.rule.id()
    }

    /// The name as the book writes it (`"SGD"`, `"AdaGrad"`, ...).
    pub fn name(&self) -> &'static str {
        self.rule.name()
    }

    /// The learning rate η (before the schedule).
    pub fn lr(&self) -> f64 {
        self.rule.lr()
    }

    /// The learning rate the schedule gives update `t` (t = 1 for the first): η·s(t).
    pub fn lr_at(&self, t: u64) -> f64 {
        self.rule.lr() * self.schedule.factor(t)
    }

    /// The numeric hyperparameters by name, learning rate first (the schedule is not among them).
    pub fn hyperparameters(&self) -> Vec<(&'static str, f64)> {
        self.rule.hyperparameters()
    }

    /// Sets the numeric hyperparameter `name` (see [`Rule::set`]).
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ConfigError> {
        self.rule.set(name, value)
    }

    /// Checks the hyperparameters and the schedule.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.rule.validate()?;
        self.schedule
            .validate()
            .map_err(|e| ConfigError::schedule(self.id(), &e))
    }
}

/// `sgd`, `adam(lr=0.3)`, `momentum(lr=0.1, momentum=0.9)`, `sgd(lr=0.95,schedule=inv:0.1)`: the
/// form used in URLs and on the command line. Unnamed hyperparameters keep the book's defaults;
/// the result is validated.
impl FromStr for OptimizerConfig {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (id, args) = match s.split_once('(') {
            None => (s, None),
            Some((id, after)) => {
                let inner = after.strip_suffix(')').ok_or_else(|| {
                    ConfigError(Message::new("optim.missing-close").with("text", s))
                })?;
                (id, Some(inner))
            }
        };
        let mut config = Self::default_for(id)?;
        for pair in args.into_iter().flat_map(|a| a.split(',')) {
            if pair.trim().is_empty() {
                continue;
            }
            let (name, value) = pair.split_once('=').ok_or_else(|| {
                ConfigError(
                    Message::new("optim.not-name-value")
                        .with("pair", pair.trim())
                        .with("text", s),
                )
            })?;
            if name.trim().eq_ignore_ascii_case("schedule") {
                config.schedule = value
                    .parse()
                    .map_err(|e| ConfigError::schedule(config.id(), &e))?;
                continue;
            }
            let number: f64 = crate::number::read(value.trim()).ok_or_else(|| {
                ConfigError(
                    Message::new("optim.not-a-number")
                        .with("name", name.trim())
                        .with("value", value.trim())
                        .with("text", s),
                )
            })?;
            config.set(name, number)?;
        }
        config.validate()?;
        Ok(config)
    }
}

/// Prints the form [`FromStr`] reads: `momentum(lr=0.1,momentum=0.9)`, with `schedule=` only
/// when the rate is not constant.
impl fmt::Display for OptimizerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.id())?;
        for (i, (name, value)) in self.hyperparameters().into_iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{name}={}", crate::params::format_number(value))?;
        }
        if !self.schedule.is_constant() {
            write!(f, ",schedule={}", self.schedule)?;
        }
        f.write_str(")")
    }
}

/// Adam's bias-corrected step size at update t: lr·√(1 − β2ᵗ)/(1 − β1ᵗ), with lr the scheduled
/// rate of that update.
pub fn adam_step_size(lr: f64, beta1: f64, beta2: f64, t: u64) -> f64 {
    let t = u32::try_from(t).unwrap_or(u32::MAX);
    lr * (1.0 - math::powi(beta2, t)).sqrt() / (1.0 - math::powi(beta1, t))
}

/// An optimizer with its running state (velocity, squared-gradient sums, moments, step count).
///
/// The state is sized on the first [`Optimizer::update`], like the book's `if self.v is None`, so
/// one optimizer can be made before the parameters it will move.
#[derive(Debug, Clone)]
pub struct Optimizer {
    config: OptimizerConfig,
    /// Momentum's and Nesterov's velocity, AdaGrad's and RMSprop's h, Adam's first moment m.
    first: Vec<f64>,
    /// Adam's second moment v.
    second: Vec<f64>,
    /// The number of updates so far: the schedule's t − 1, and Adam's t after an update.
    iter: u64,
}

impl Optimizer {
    /// A fresh optimizer. The configuration is validated, so a bad learning rate never gets to run.
    pub fn new(config: OptimizerConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            first: Vec::new(),
            second: Vec::new(),
            iter: 0,
        })
    }

    /// The configuration it was made with.
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// The number of updates so far.
    pub fn updates(&self) -> u64 {
        self.iter
    }

    /// The state by the book's names: (Momentum's `v` | AdaGrad's and RMSprop's `h` | Adam's `m`,
    /// Adam's `v`); empty before the first update and for SGD's second.
    pub fn state(&self) -> (&[f64], &[f64]) {
        (&self.first, &self.second)
    }

    /// Forgets all state, as if no update had run.
    pub fn reset(&mut self) {
        self.first.clear();
        self.second.clear();
        self.iter = 0;
    }

    /// Moves `params` one step against `grads`, in place. The learning rate is the schedule's for
    /// this update, η·s(t).
    ///
    /// # Panics
    /// If `grads` and `params` differ in length, or differ from the length of earlier updates
    /// (a programming error, never a user's).
    pub fn update(&mut self, params: &mut [f64], grads: &[f64]) {
        assert_eq!(
            params.len(),
            grads.len(),
            "parameters and gradients differ in length"
        );
        if self.first.is_empty() {
            self.first = vec![0.0; params.len()];
            if matches!(self.config.rule, Rule::Adam { .. }) {
                self.second = vec![0.0; params.len()];
            }
        }
        assert_eq!(
            self.first.len(),
            params.len(),
            "the parameters changed size"
        );
        self.iter = self.iter.saturating_add(1);
        // With the constant schedule this is lr·1, lr itself: the book's numbers are unchanged.
        let lr = self.config.lr_at(self.iter);
        match self.config.rule {
            Rule::Sgd { .. } => {
                for (p, g) in params.iter_mut().zip(grads) {
                    *p -= lr * g;
                }
            }
            Rule::Momentum { momentum, .. } => {
                for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.first) {
                    *v = momentum * *v - lr * g;
                    *p += *v;
                }
            }
            Rule::Nesterov { momentum, .. } => {
                // The look-ahead form: the old velocity moves θ, then the velocity is updated.
                for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.first) {
                    *p += momentum * momentum * *v;
                    *p -= (1.0 + momentum) * lr * g;
                    *v = momentum * *v - lr * g;
                }
            }
            Rule::AdaGrad { .. } => {
                for ((p, g), h) in params.iter_mut().zip(grads).zip(&mut self.first) {
                    *h += g * g;
                    *p -= lr * g / (h.sqrt() + EPSILON);
                }
            }
            Rule::RmsProp { decay_rate, .. } => {
                for ((p, g), h) in params.iter_mut().zip(grads).zip(&mut self.first) {
                    *h *= decay_rate;
                    *h += (1.0 - decay_rate) * g * g;
                    *p -= lr * g / (h.sqrt() + EPSILON);
                }
            }
            Rule::Adam { beta1, beta2, .. } => {
                let lr_t = adam_step_size(lr, beta1, beta2, self.iter);
                for (((p, g), m), v) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut self.first)
                    .zip(&mut self.second)
                {
                    *m += (1.0 - beta1) * (g - *m);
                    *v += (1.0 - beta2) * (g * g - *v);
                    *p -= lr_t * *m / (v.sqrt() + EPSILON);
                }
            }
        }
    }

    /// Momentum's and Nesterov's velocity, coordinate by coordinate (None for the others, or
    /// before the first update).
    pub fn velocity(&self) -> Option<&[f64]> {
        match self.config.rule {
            Rule::Momentum { .. } | Rule::Nesterov { .. } if !self.first.is_empty() => {
                Some(&self.first)
            }
            _ => None,
        }
    }

    /// For the adaptive methods, the learning rate each coordinate would get on the next update
    /// with the state as it is now: `lr / (√h + 1e-7)` for AdaGrad and RMSprop, and
    /// `lr·√(1−β2ᵗ)/(1−β1ᵗ) / (√v + 1e-7)` for Adam (with t the next step, so it is multiplied by
    /// the next m), lr being the schedule's rate for the next update. AdaGrad's shrinks with every
    /// step. None for SGD, Momentum and Nesterov, and before the first update.
    pub fn effective_learning_rates(&self) -> Option<Vec<f64>> {
        if self.first.is_empty() {
            return None;
        }
        let next = self.iter.saturating_add(1);
        let lr = self.config.lr_at(next);
        match self.config.rule {
            Rule::AdaGrad { .. } | Rule::RmsProp { .. } => Some(
                self.first
                    .iter()
                    .map(|h| lr / (h.sqrt() + EPSILON))
                    .collect(),
            ),
            Rule::Adam { beta1, beta2, .. } => {
                let lr_t = adam_step_size(lr, beta1, beta2, next);
                Some(
                    self.second
                        .iter()
                        .map(|v| lr_t / (v.sqrt() + EPSILON))
                        .collect(),
                )
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(config: &str, params: &mut [f64], grads: &[f64], times: usize) -> Optimizer {
        let mut opt = Optimizer::new(config.parse().unwrap()).unwrap();
        for _ in 0..times {
            opt.update(params, grads);
        }
        opt
    }

    #[test]
    fn sgd_by_hand() {
        // θ = 1 − 0.5·4 = −1
        let mut p = [1.0, 2.0];
        step("sgd(lr=0.5)", &mut p, &[4.0, -2.0], 1);
        assert_eq!(p, [-1.0, 3.0]);
    }

    #[test]
    fn momentum_by_hand() {
        // v1 = −0.5·2 = −1, θ1 = 0 − 1 = −1; v2 = 0.5·(−1) − 0.5·2 = −1.5, θ2 = −2.5.
        let mut p = [0.0];
        let opt = step("momentum(lr=0.5,momentum=0.5)", &mut p, &[2.0], 2);
        assert_eq!(p, [-2.5]);
        assert_eq!(opt.velocity(), Some(&[-1.5][..]));
    }

    #[test]
    fn nesterov_by_hand() {
        // μ = 0.5, lr = 0.5, g = 2 throughout.
        // step 1: θ = 0 + 0.25·0 − 1.5·0.5·2 = −1.5; v = 0 − 1 = −1.
        // step 2: θ = −1.5 + 0.25·(−1) − 1.5 = −3.25; v = −0.5 − 1 = −1.5.
        let mut p = [0.0];
        let opt = step("nesterov(lr=0.5,momentum=0.5)", &mut p, &[2.0], 2);
        assert_eq!(p, [-3.25]);
        assert_eq!(opt.velocity(), Some(&[-1.5][..]));
    }

    #[test]
    fn adagrad_by_hand() {
        // g = 3: h1 = 9, θ1 = −1·3/(3 + 1e-7); h2 = 18, θ2 = θ1 − 3/(√18 + 1e-7).
        let mut p = [0.0];
        let opt = step("adagrad(lr=1)", &mut p, &[3.0], 2);
        let want = -3.0 / (3.0 + 1e-7) - 3.0 / (18f64.sqrt() + 1e-7);
        assert!((p[0] - want).abs() < 1e-15);
        let rates = opt.effective_learning_rates().unwrap();
        assert!((rates[0] - 1.0 / (18f64.sqrt() + 1e-7)).abs() < 1e-15);
    }

    #[test]
    fn rmsprop_by_hand() {
        // ρ = 0.5, g = 2: h1 = 0.5·4 = 2, θ1 = −0.1·2/√2 ≈ −0.1414; h2 = 1 + 2 = 3.
        let mut p = [0.0];
        step("rmsprop(lr=0.1,decay-rate=0.5)", &mut p, &[2.0], 2);
        let want = -0.2 / (2f64.sqrt() + 1e-7) - 0.2 / (3f64.sqrt() + 1e-7);
        assert!((p[0] - want).abs() < 1e-15);
    }

    #[test]
    fn adam_first_step_is_lr_times_sign() {
        // After one step, m = (1−β1)g and v = (1−β2)g², and the bias correction makes the step
        // lr·g/|g| (up to the 1e-7), whatever g is.
        for g in [0.5, 3.0, -40.0] {
            let mut p = [1.0];
            step("adam(lr=0.1)", &mut p, &[g], 1);
            assert!(
                (p[0] - (1.0 - 0.1 * g.signum())).abs() < 1e-5,
                "{g}: {}",
                p[0]
            );
        }
    }

    #[test]
    fn parses_and_prints_the_url_form() {
        let c: OptimizerConfig = "momentum(lr=0.1, momentum=0.8)".parse().unwrap();
        assert_eq!(
            c.rule,
            Rule::Momentum {
                lr: 0.1,
                momentum: 0.8
            }
        );
        assert_eq!(c.to_string(), "momentum(lr=0.1,momentum=0.8)");
        assert_eq!(
            "RMSProp(decay_rate=0.9)"
                .parse::<OptimizerConfig>()
                .unwrap()
                .rule,
            Rule::RmsProp {
                lr: 0.01,
                decay_rate: 0.9
            }
        );
        assert_eq!(
            "adam".parse::<OptimizerConfig>().unwrap().rule,
            Rule::Adam {
                lr: 0.001,
                beta1: 0.9,
                beta2: 0.999
            }
        );
    }

    #[test]
    fn refuses_bad_configurations_in_words() {
        for (text, words) in [
            ("sgd(lr=0)", "above 0"),
            ("sgd(lr=-1)", "above 0"),
            ("sgd(lr=nan)", "above 0"),
            ("sgd(lr=inf)", "above 0"),
            ("momentum(momentum=1)", "below 1"),
            ("adam(beta2=-0.1)", "at least 0"),
            ("sgd(momentum=0.9)", "no hyperparameter 'momentum'"),
            ("sgd(lr=abc)", "not a number"),
            ("sgd(lr)", "name=value"),
            ("sgd(lr=0.1", "closing ')'"),
            ("newton", "unknown optimizer 'newton'"),
        ] {
            let err = text.parse::<OptimizerConfig>().unwrap_err().to_string();
            assert!(err.contains(words), "{text}: {err}");
        }
    }
}

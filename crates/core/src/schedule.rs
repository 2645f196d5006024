//! Learning-rate schedules: the rate an optimizer uses at update t is η·s(t).
//!
//! The book's AdaGrad section motivates them: a rate that shrinks as learning goes on ("learning
//! rate decay"). t counts updates from 1, so every schedule starts at s(1) = 1 and the first update
//! uses η itself.
//!
//! | text | s(t) |
//! |---|---|
//! | `constant` | 1 |
//! | `inv:k` | 1 / (1 + k(t − 1)) |
//! | `exp:γ` | γ^(t − 1) |
//! | `step:n:γ` | γ^floor((t − 1) / n) |
//! | `cos:T` | (1 + cos(π·min(t − 1, T)/T)) / 2 |

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::math;
use crate::message::{Message, ToMessage};
use crate::params::format_number;

/// A learning-rate schedule (see the module's table).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Schedule {
    /// s = 1: the book's optimizers as written.
    #[default]
    Constant,
    /// s = 1 / (1 + k(t − 1)), k ≥ 0.
    Inv { k: f64 },
    /// s = γ^(t − 1), 0 < γ ≤ 1.
    Exp { gamma: f64 },
    /// s = γ^floor((t − 1) / n), n ≥ 1, 0 < γ ≤ 1.
    Step { n: u64, gamma: f64 },
    /// s = (1 + cos(π·min(t − 1, T)/T)) / 2, T ≥ 1: from 1 down to 0 at update T + 1, then 0.
    Cos { period: u64 },
}

/// Why a schedule was refused, as data (see [`crate::message`]); its message and `Display`
/// name the schedule: `schedule: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError(pub Message);

impl ToMessage for ScheduleError {
    fn to_message(&self) -> Message {
        Message::new("schedule.error").with("message", self.0.clone())
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_message().english())
    }
}

impl std::error::Error for ScheduleError {}

/// The schedules' forms (the messages `schedule.empty` and `schedule.unknown` list them in
/// their templates, so that a language can word the list).
pub const FORMS: &str = "constant, inv:k, exp:γ, step:n:γ or cos:T";

impl Schedule {
    /// The factor s(t) for update `t` (t = 1 for the first update; t = 0 is read as 1).
    pub fn factor(&self, t: u64) -> f64 {
        let done = t.saturating_sub(1);
        match *self {
            Schedule::Constant => 1.0,
            Schedule::Inv { k } => 1.0 / (1.0 + k * done as f64),
            Schedule::Exp { gamma } => powi(gamma, done),
            Schedule::Step { n, gamma } => powi(gamma, done / n.max(1)),
            Schedule::Cos { period } => {
                let period = period.max(1);
                let progress = done.min(period) as f64 / period as f64;
                (1.0 + math::cos(std::f64::consts::PI * progress)) / 2.0
            }
        }
    }

    /// Checks the schedule's numbers (the parser does; a schedule built in code can be checked
    /// with this).
    pub fn validate(&self) -> Result<(), ScheduleError> {
        let rate = |gamma: f64| {
            if gamma > 0.0 && gamma <= 1.0 {
                Ok(())
            } else {
                Err(ScheduleError(
                    Message::new("schedule.bad-rate").with("value", format_number(gamma)),
                ))
            }
        };
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::Inv { k } if k.is_finite() && k >= 0.0 => Ok(()),
            Schedule::Inv { k } => Err(ScheduleError(
                Message::new("schedule.bad-inv").with("value", format_number(k)),
            )),
            Schedule::Exp { gamma } => rate(gamma),
            Schedule::Step { n: 0, .. } => Err(ScheduleError(Message::new("schedule.bad-step"))),
            Schedule::Step { gamma, .. } => rate(gamma),
            Schedule::Cos { period: 0 } => Err(ScheduleError(Message::new("schedule.bad-cos"))),
            Schedule::Cos { .. } => Ok(()),
        }
    }

    /// True for the constant schedule (URLs and labels leave it out).
    pub fn is_constant(&self) -> bool {
        matches!(self, Schedule::Constant)
    }
}

/// γ^n, correctly rounded for every n (n beyond u32 only makes γ^n smaller: it is clamped).
fn powi(gamma: f64, n: u64) -> f64 {
    math::powi(gamma, u32::try_from(n).unwrap_or(u32::MAX))
}

/// Schedule `schedule`'s number `parameter` (`inv`'s `k`): the two are separate values, so a
/// language can say "k of inv" its own way.
fn real(text: &str, schedule: &str, parameter: &str) -> Result<f64, ScheduleError> {
    crate::number::read(text.trim()).ok_or_else(|| {
        ScheduleError(
            Message::new("schedule.not-a-number")
                .with("schedule", schedule)
                .with("parameter", parameter)
                .with("text", text.trim()),
        )
    })
}

fn whole(text: &str, schedule: &str, parameter: &str) -> Result<u64, ScheduleError> {
    text.trim().parse::<u64>().map_err(|_| {
        ScheduleError(
            Message::new("schedule.not-whole")
                .with("schedule", schedule)
                .with("parameter", parameter)
                .with("text", text.trim()),
        )
    })
}

/// `constant`, `inv:0.1`, `exp:0.95`, `step:10:0.5`, `cos:100`; validated.
impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let parts: Vec<&str> = text.split(':').collect();
        let kind = parts[0].trim().to_ascii_lowercase();
        let arity = |n: usize, form: &str, example: &str| {
            if parts.len() == n + 1 {
                Ok(())
            } else {
                Err(ScheduleError(
                    Message::new("schedule.bad-form")
                        .with("text", crate::scene::excerpt(text))
                        .with("form", form)
                        .with("example", example),
                ))
            }
        };
        let schedule = match kind.as_str() {
            "constant" if parts.len() == 1 => Schedule::Constant,
            "" if parts.len() == 1 => return Err(ScheduleError(Message::new("schedule.empty"))),
            "inv" => {
                arity(1, "inv:k", "inv:0.1")?;
                Schedule::Inv {
                    k: real(parts[1], "inv", "k")?,
                }
            }
            "exp" => {
                arity(1, "exp:γ", "exp:0.95")?;
                Schedule::Exp {
                    gamma: real(parts[1], "exp", "γ")?,
                }
            }
            "step" => {
                arity(2, "step:n:γ", "step:10:0.5")?;
                Schedule::Step {
                    n: whole(parts[1], "step", "n")?,
                    gamma: real(parts[2], "step", "γ")?,
                }
            }
            "cos" => {
                arity(1, "cos:T", "cos:100")?;
                Schedule::Cos {
                    period: whole(parts[1], "cos", "T")?,
                }
            }
            _ => {
                return Err(ScheduleError(
                    Message::new("schedule.unknown").with("text", crate::scene::excerpt(text)),
                ))
            }
        };
        schedule.validate()?;
        Ok(schedule)
    }
}

/// The form [`FromStr`] reads.
impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Schedule::Constant => f.write_str("constant"),
            Schedule::Inv { k } => write!(f, "inv:{}", format_number(k)),
            Schedule::Exp { gamma } => write!(f, "exp:{}", format_number(gamma)),
            Schedule::Step { n, gamma } => write!(f, "step:{n}:{}", format_number(gamma)),
            Schedule::Cos { period } => write!(f, "cos:{period}"),
        }
    }
}

impl Serialize for Schedule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Schedule {
        text.parse().unwrap()
    }

    #[test]
    fn factors_by_hand() {
        // t = 1 is always 1: the first update uses η itself.
        for text in ["constant", "inv:0.1", "exp:0.5", "step:3:0.5", "cos:4"] {
            assert_eq!(s(text).factor(1), 1.0, "{text}");
        }
        // inv:0.1 at t = 11: 1/(1 + 0.1·10) = 1/2.
        assert_eq!(s("inv:0.1").factor(11), 0.5);
        // exp:0.5 at t = 4: 0.5³ = 0.125.
        assert_eq!(s("exp:0.5").factor(4), 0.125);
        // step:3:0.5: t = 1, 2, 3 → 1; t = 4..6 → 0.5; t = 7 → 0.25.
        let step: Vec<f64> = (1..=7).map(|t| s("step:3:0.5").factor(t)).collect();
        assert_eq!(step, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
        // cos:4: t − 1 = 0, 1, 2, 3, 4, 5 → 1, (1 + cos(π/4))/2, 1/2, (1 − cos(π/4))/2, 0, 0.
        let c = s("cos:4");
        let half_root2 = 0.5f64.sqrt();
        assert!((c.factor(2) - (1.0 + half_root2) / 2.0).abs() < 1e-15);
        assert!((c.factor(3) - 0.5).abs() < 1e-15);
        assert!((c.factor(4) - (1.0 - half_root2) / 2.0).abs() < 1e-15);
        assert_eq!(c.factor(5), 0.0);
        assert_eq!(c.factor(500), 0.0);
    }

    #[test]
    fn text_round_trips() {
        for text in ["constant", "inv:0.1", "exp:0.95", "step:10:0.5", "cos:100"] {
            assert_eq!(s(text).to_string(), text);
        }
        assert_eq!(s(" INV : 2 "), Schedule::Inv { k: 2.0 });
    }

    #[test]
    fn bad_schedules_are_named() {
        for (text, words) in [
            ("inv:-1", "inv's k = -1"),
            ("inv:inf", "inv's k = Infinity"),
            ("exp:NaN", "γ = NaN"),
            ("exp:1.5", "at most 1"),
            ("exp:0", "above 0"),
            ("step:0:0.5", "step's n"),
            ("step:2.5:0.5", "step's n '2.5'"),
            ("step:2", "step:n:γ"),
            ("cos:0", "cos's T"),
            ("cos:-3", "cos's T"),
            ("linear:2", "no schedule 'linear:2'"),
            ("inv:x", "inv's k 'x' is not a number"),
            ("", "empty"),
            (" ", "empty"),
        ] {
            let err = text.parse::<Schedule>().unwrap_err().to_string();
            assert!(err.starts_with("schedule: "), "{text}: {err}");
            assert!(err.contains(words), "{text}: {err}");
        }
    }
}

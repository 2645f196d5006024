//! `gradscape explain`: one update of a run, written out as the book writes its update rules, with
//! that step's numbers: as plain text, as a LaTeX `align*` block for slides, or as the core's
//! [`Explanation`] in JSON (the same object the page's `window.gradscape.explain` returns).

use std::io::{self, BufWriter, Write};

use clap::{Args, ValueEnum};
use gradscape_core::explain::{explain, round_text, Explanation, Formula, Line};
use gradscape_core::params::format_number;
use gradscape_core::trajectory::{Trajectory, MAX_STEPS};

use crate::{Failure, NoiseArgs, RunArgs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// A readable block: the settings, then one line per quantity the rule updates.
    Text,
    /// The same lines as a LaTeX align* block, in the book's notation.
    Latex,
    /// The explanation as JSON: {optimizer, hyperparameters, step, lr, factor, point, gradient,
    /// noise?, before, after, next}.
    Json,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    noise: NoiseArgs,
    /// The update to explain: the one from step K to step K + 1 (step 0 is the start).
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    step: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
}

pub fn run(args: &ExplainArgs) -> Result<(), Failure> {
    let (function, config, start) = args.run.parse()?;
    if args.step >= MAX_STEPS {
        return Err(format!(
            "--step must be between 0 and {} (got {})",
            MAX_STEPS - 1,
            args.step
        )
        .into());
    }
    let steps = args.step + 1;
    let noise = args.noise.noise(steps)?;
    let run = Trajectory::run_with_noise(&function, config, start, steps, noise.as_ref())
        .map_err(|e| e.to_string())?;
    let explanation =
        explain(config, &run, noise.as_ref(), args.step).map_err(|e| format!("--step: {e}"))?;

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    match args.format {
        ExplainFormat::Json => {
            serde_json::to_writer(&mut out, &explanation).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ExplainFormat::Text => {
            for line in header(&explanation, seed_of(args)) {
                writeln!(out, "{line}")?;
            }
            writeln!(out)?;
            let context = Context::of(&explanation);
            for line in explanation.lines() {
                writeln!(out, "{}", text_line(&line, &context))?;
            }
        }
        ExplainFormat::Latex => {
            for line in header(&explanation, seed_of(args)) {
                writeln!(out, "% {line}")?;
            }
            let context = Context::of(&explanation);
            let lines = explanation.lines();
            writeln!(out, "\\begin{{align*}}")?;
            for (i, line) in lines.iter().enumerate() {
                let end = if i + 1 < lines.len() { " \\\\" } else { "" };
                writeln!(out, "{}{end}", latex_line(line, &context))?;
            }
            writeln!(out, "\\end{{align*}}")?;
        }
    }
    out.flush()?;
    Ok(())
}

fn seed_of(args: &ExplainArgs) -> u64 {
    args.noise.seed
}

/// A number in the header: to 10 significant digits, which shows every number of the book's
/// examples exactly and keeps a long one from running off the line.
fn short(v: f64) -> String {
    round_text(v, 10)
}

fn pair(p: [f64; 2]) -> String {
    format!("({}, {})", short(p[0]), short(p[1]))
}

/// The settings and the numbers the update starts from, one sentence a line.
fn header(e: &Explanation, seed: u64) -> Vec<String> {
    let config = &e.hyperparameters.0;
    let numbers: Vec<String> = config
        .hyperparameters()
        .iter()
        .map(|(name, value)| format!("{name}={}", format_number(*value)))
        .collect();
    let t = e.step + 1;
    let rate = if config.schedule.is_constant() {
        format!("η = {}", short(e.lr))
    } else {
        format!(
            "η·s({t}) = {} × {} = {}",
            short(config.lr()),
            short(e.factor),
            short(e.lr)
        )
    };
    let mut lines = vec![
        format!(
            "{} ({}), schedule {}",
            config.name(),
            numbers.join(", "),
            config.schedule
        ),
        format!("update from step {} to step {t}, {rate}", e.step),
        format!("point (x, y) = {}", pair(e.point)),
    ];
    match &e.noise {
        Some(n) => {
            lines.push(format!("gradient (∂f/∂x, ∂f/∂y) = {}", pair(n.exact)));
            lines.push(format!(
                "gradient used = ∇f + σ·ε = {} + {} × {} = {} (noise seed {seed})",
                pair(n.exact),
                short(n.sigma),
                pair(n.epsilon),
                pair(e.gradient)
            ));
        }
        None => lines.push(format!("gradient (∂f/∂x, ∂f/∂y) = {}", pair(e.gradient))),
    }
    lines.push(format!("next point = {}", pair(e.next)));
    lines
}

/// What the symbols of a line depend on beyond the line itself.
struct Context {
    /// A schedule other than constant: the rate is η_t.
    scheduled: bool,
    /// Noise: the rule uses the noisy gradient g, not ∂f/∂x.
    noisy: bool,
    /// The update's number t, from 1.
    t: usize,
}

impl Context {
    fn of(e: &Explanation) -> Self {
        Self {
            scheduled: !e.hyperparameters.0.schedule.is_constant(),
            noisy: e.noise.is_some(),
            t: e.step + 1,
        }
    }
}

fn axis(coordinate: Option<usize>) -> &'static str {
    match coordinate {
        Some(0) => "x",
        Some(_) => "y",
        None => "",
    }
}

/// A shown operand after an operator: a negative one in parentheses, `0.95 × (-0.7)`.
fn wrap(text: &str) -> String {
    if text.starts_with('-') {
        format!("({text})")
    } else {
        text.to_string()
    }
}

/// `√16`, or `√(1.5e-7)` where the digits alone would be unclear.
fn root(text: &str) -> String {
    if text.contains(['e', '-']) {
        format!("√({text})")
    } else {
        format!("√{text}")
    }
}

/// `√h`, or `(√h + 1e-7)` where the 1e-7 changes the shown result.
fn denominator(root: &str, epsilon: bool) -> String {
    if epsilon {
        format!("({root} + 1e-7)")
    } else {
        root.to_string()
    }
}

/// `W_x ← W_x − η·∂f/∂x = -7 − 0.95 × (-0.7) = -6.335`
fn text_line(line: &Line, c: &Context) -> String {
    let a = axis(line.coordinate);
    let s = |i: usize| line.shown.get(i).map_or("?", String::as_str);
    let w = |i: usize| wrap(s(i));
    let lhs = match (line.quantity, a) {
        ("η", _) => "η_t".to_string(),
        ("lr_t", _) => "lr_t".to_string(),
        (q, "") => q.to_string(),
        (q, a) => format!("{q}_{a}"),
    };
    let eta = if c.scheduled { "η_t" } else { "η" };
    let grad = if c.noisy {
        format!("g_{a}")
    } else {
        format!("∂f/∂{a}")
    };
    let eps = line.epsilon;
    let (symbols, numbers) = match line.formula {
        Formula::Rate => (format!("η·s({})", c.t), format!("{} × {}", s(0), w(1))),
        Formula::Noise => (
            format!("∂f/∂{a} + σ·ε_{a}"),
            format!("{} + {} × {}", s(0), w(1), w(2)),
        ),
        Formula::Sgd => (
            format!("W_{a} − {eta}·{grad}"),
            format!("{} − {} × {}", s(0), w(1), w(2)),
        ),
        Formula::Velocity => (
            format!("α·v_{a} − {eta}·{grad}"),
            format!("{} × {} − {} × {}", s(0), w(1), w(2), w(3)),
        ),
        Formula::AddVelocity => (format!("W_{a} + v_{a}"), format!("{} + {}", s(0), w(1))),
        Formula::Nesterov => (
            format!("W_{a} + α·α·v_{a} − (1 + α)·{eta}·{grad}"),
            format!(
                "{} + {} × {} × {} − (1 + {}) × {} × {}",
                s(0),
                w(1),
                w(1),
                w(2),
                w(1),
                w(3),
                w(4)
            ),
        ),
        Formula::AdaGradH => (
            format!("h_{a} + {grad}·{grad}"),
            format!("{} + {} × {}", s(0), w(1), w(1)),
        ),
        Formula::RmsPropH => (
            format!("ρ·h_{a} + (1 − ρ)·{grad}·{grad}"),
            format!("{} × {} + (1 − {}) × {} × {}", s(0), w(1), w(0), w(2), w(2)),
        ),
        Formula::Scaled => (
            format!(
                "W_{a} − {eta}·{grad} / {}",
                denominator(&format!("√h_{a}"), eps)
            ),
            format!(
                "{} − {} × {} / {}",
                s(0),
                w(1),
                w(2),
                denominator(&root(s(3)), eps)
            ),
        ),
        Formula::AdamRate => (
            format!("{eta}·√(1 − β2^t) / (1 − β1^t)"),
            format!(
                "{} × √(1 − {}^{}) / (1 − {}^{})",
                s(0),
                s(2),
                s(3),
                s(1),
                s(3)
            ),
        ),
        Formula::AdamM => (
            format!("m_{a} + (1 − β1)·({grad} − m_{a})"),
            format!("{} + (1 − {}) × ({} − {})", s(0), w(1), s(2), w(0)),
        ),
        Formula::AdamV => (
            format!("v_{a} + (1 − β2)·({grad}·{grad} − v_{a})"),
            format!(
                "{} + (1 − {}) × ({} × {} − {})",
                s(0),
                w(1),
                s(2),
                w(2),
                w(0)
            ),
        ),
        Formula::AdamStep => (
            format!(
                "W_{a} − lr_t·m_{a} / {}",
                denominator(&format!("√v_{a}"), eps)
            ),
            format!(
                "{} − {} × {} / {}",
                s(0),
                w(1),
                w(2),
                denominator(&root(s(3)), eps)
            ),
        ),
    };
    format!("{lhs} ← {symbols} = {numbers} = {}", line.shown_result)
}

/// A shown number in LaTeX: `1.5e-7` as `1.5 \times 10^{-7}`.
fn tex_number(text: &str) -> String {
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let exponent = exponent.trim_start_matches('+');
            if mantissa == "1" {
                format!("10^{{{exponent}}}")
            } else {
                format!("{mantissa} \\times 10^{{{exponent}}}")
            }
        }
        None => text.to_string(),
    }
}

/// A shown number after an operator: in parentheses when negative or written with a power of 10.
fn tex_wrap(text: &str) -> String {
    if text.starts_with('-') || text.contains('e') {
        format!("({})", tex_number(text))
    } else {
        tex_number(text)
    }
}

/// `W_x &\leftarrow W_x - \eta \frac{\partial L}{\partial W_x} = -7 - 0.95 \times (-0.7) = -6.335`
fn latex_line(line: &Line, c: &Context) -> String {
    let a = axis(line.coordinate);
    let s = |i: usize| tex_number(line.shown.get(i).map_or("?", String::as_str));
    let w = |i: usize| tex_wrap(line.shown.get(i).map_or("?", String::as_str));
    let lhs = match (line.quantity, a) {
        ("η", _) => "\\eta_t".to_string(),
        ("lr_t", _) => "\\mathit{lr}_t".to_string(),
        ("g", a) => format!("\\tilde{{g}}_{a}"),
        (q, "") => q.to_string(),
        (q, a) => format!("{q}_{a}"),
    };
    let eta = if c.scheduled { "\\eta_t" } else { "\\eta" };
    let exact = format!("\\frac{{\\partial L}}{{\\partial W_{a}}}");
    let grad = if c.noisy {
        format!("\\tilde{{g}}_{a}")
    } else {
        exact.clone()
    };
    let eps = if line.epsilon { " + 10^{-7}" } else { "" };
    let (symbols, numbers) = match line.formula {
        Formula::Rate => (
            format!("\\eta \\, s({})", c.t),
            format!("{} \\times {}", s(0), w(1)),
        ),
        Formula::Noise => (
            format!("{exact} + \\sigma \\varepsilon_{a}"),
            format!("{} + {} \\times {}", s(0), w(1), w(2)),
        ),
        Formula::Sgd => (
            format!("W_{a} - {eta} {grad}"),
            format!("{} - {} \\times {}", s(0), w(1), w(2)),
        ),
        Formula::Velocity => (
            format!("\\alpha v_{a} - {eta} {grad}"),
            format!("{} \\times {} - {} \\times {}", s(0), w(1), w(2), w(3)),
        ),
        Formula::AddVelocity => (format!("W_{a} + v_{a}"), format!("{} + {}", s(0), w(1))),
        Formula::Nesterov => (
            format!("W_{a} + \\alpha \\alpha v_{a} - (1 + \\alpha) {eta} {grad}"),
            format!(
                "{} + {} \\times {} \\times {} - (1 + {}) \\times {} \\times {}",
                s(0),
                w(1),
                w(1),
                w(2),
                w(1),
                w(3),
                w(4)
            ),
        ),
        Formula::AdaGradH => (
            format!("h_{a} + {grad} \\odot {grad}"),
            format!("{} + {} \\times {}", s(0), w(1), w(1)),
        ),
        Formula::RmsPropH => (
            format!("\\rho h_{a} + (1 - \\rho) {grad} \\odot {grad}"),
            format!(
                "{} \\times {} + (1 - {}) \\times {} \\times {}",
                s(0),
                w(1),
                w(0),
                w(2),
                w(2)
            ),
        ),
        Formula::Scaled => (
            format!("W_{a} - {eta} \\frac{{1}}{{\\sqrt{{h_{a}}}{eps}}} {grad}"),
            format!(
                "{} - {} \\times \\frac{{{}}}{{\\sqrt{{{}}}{eps}}}",
                s(0),
                w(1),
                s(2),
                s(3)
            ),
        ),
        Formula::AdamRate => (
            format!("{eta} \\frac{{\\sqrt{{1 - \\beta_2^{{t}}}}}}{{1 - \\beta_1^{{t}}}}"),
            format!(
                "{} \\times \\frac{{\\sqrt{{1 - {}^{{{}}}}}}}{{1 - {}^{{{}}}}}",
                s(0),
                s(2),
                s(3),
                s(1),
                s(3)
            ),
        ),
        Formula::AdamM => (
            format!("m_{a} + (1 - \\beta_1)({grad} - m_{a})"),
            format!("{} + (1 - {}) \\times ({} - {})", s(0), w(1), s(2), w(0)),
        ),
        Formula::AdamV => (
            format!("v_{a} + (1 - \\beta_2)({grad} \\odot {grad} - v_{a})"),
            format!(
                "{} + (1 - {}) \\times ({} \\times {} - {})",
                s(0),
                w(1),
                s(2),
                w(2),
                w(0)
            ),
        ),
        Formula::AdamStep => (
            format!("W_{a} - \\mathit{{lr}}_t \\frac{{m_{a}}}{{\\sqrt{{v_{a}}}{eps}}}"),
            format!(
                "{} - {} \\times \\frac{{{}}}{{\\sqrt{{{}}}{eps}}}",
                s(0),
                w(1),
                s(2),
                s(3)
            ),
        ),
    };
    format!(
        "{lhs} &\\leftarrow {symbols} = {numbers} = {}",
        tex_number(&line.shown_result)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_latex() {
        assert_eq!(tex_number("-6.335"), "-6.335");
        assert_eq!(tex_number("1.5e-7"), "1.5 \\times 10^{-7}");
        assert_eq!(tex_number("1e-7"), "10^{-7}");
        assert_eq!(tex_wrap("-0.7"), "(-0.7)");
        assert_eq!(tex_wrap("4.027e6"), "(4.027 \\times 10^{6})");
        assert_eq!(wrap("-0.7"), "(-0.7)");
        assert_eq!(wrap("0.95"), "0.95");
        assert_eq!(root("16"), "√16");
        assert_eq!(root("1.5e-7"), "√(1.5e-7)");
    }
}

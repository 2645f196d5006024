//! What went wrong (or what to say), as data: a kind and its values, which each front end words.
//!
//! The page speaks several languages and the command line speaks English, so the core never
//! hands out a sentence alone: an error or warning carries a [`Message`], a kind such as
//! `"expr.unexpected-end"` and named values, and its English text comes from [`ENGLISH`]. The
//! page looks the kind up in its own catalog (as `msg.<kind>`) and fills in the same values.
//!
//! Values are text already formatted as the English says them (numbers as
//! [`crate::params::format_number`] writes them, so a number reads the same in every language,
//! and user input cut short by [`crate::scene::excerpt`]), or nested messages for sentences made
//! of sentences: "*error*; kept *the old value*" is the kind `kept` with the error and what was
//! kept as two messages.
//!
//! A template names its values in braces, `{name}`; no template needs a literal brace.

use std::fmt;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// A kind of message and its values (see the [module documentation](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// A lowercase dotted id, a key of [`ENGLISH`]: `"view.too-wide"`.
    pub kind: &'static str,
    /// The template's values by name, in the order they were given.
    pub values: Vec<(&'static str, Value)>,
}

/// One value of a message: text to put in as it is, or a message to word first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Message(Box<Message>),
}

impl Message {
    /// A message of this kind with no values yet.
    pub fn new(kind: &'static str) -> Self {
        Self {
            kind,
            values: Vec::new(),
        }
    }

    /// This message with the value `name` added.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.values.push((name, value.into()));
        self
    }

    /// The value `name`, if it was given.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The message in English: its kind's template with the values filled in, nested messages
    /// worded the same way. A kind missing from [`ENGLISH`] (a bug the tests look for) is shown
    /// as the kind and its values rather than lost.
    pub fn english(&self) -> String {
        let mut out = String::new();
        self.write_english(&mut out);
        out
    }

    fn write_english(&self, out: &mut String) {
        let Some(template) = template(self.kind) else {
            out.push_str(self.kind);
            for (i, (name, value)) in self.values.iter().enumerate() {
                out.push_str(if i == 0 { " (" } else { ", " });
                out.push_str(name);
                out.push_str(": ");
                value.write_english(out);
            }
            if !self.values.is_empty() {
                out.push(')');
            }
            return;
        };
        self.fill(template, out);
    }

    /// `template` with each `{name}` replaced by this message's value of that name; a name it
    /// has no value for, and a `{` that is never closed, are left as they are.
    fn fill(&self, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            out.push_str(before);
            let Some((name, next)) = after.split_once('}') else {
                // Not a placeholder after all: the rest as it is.
                out.push('{');
                out.push_str(after);
                return;
            };
            match self.value(name) {
                Some(value) => value.write_english(out),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = next;
        }
        out.push_str(rest);
    }
}

impl Value {
    fn write_english(&self, out: &mut String) {
        match self {
            Value::Text(text) => out.push_str(text),
            Value::Message(message) => message.write_english(out),
        }
    }
}

/// The English text.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

impl std::error::Error for Message {}

/// The English text, for callers that pass errors on as strings (the command line).
impl From<Message> for String {
    fn from(message: Message) -> Self {
        message.english()
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::Text(text.clone())
    }
}

impl From<Message> for Value {
    fn from(message: Message) -> Self {
        Value::Message(Box::new(message))
    }
}

/// Counts and indices: whole numbers read the same in every language.
impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Text(n.to_string())
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Text(n.to_string())
    }
}

/// `{"kind": "...", "values": {"name": value, ...}}`: what the page needs to word it.
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Message", 2)?;
        s.serialize_field("kind", self.kind)?;
        s.serialize_field("values", &Values(&self.values))?;
        s.end()
    }
}

/// The values as a JSON object.
struct Values<'a>(&'a [(&'static str, Value)]);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Text as a string, a nested message as its `{kind, values}` object.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(text) => serializer.serialize_str(text),
            Value::Message(message) => message.serialize(serializer),
        }
    }
}

/// Errors that can say what went wrong as a [`Message`]; their `Display` is its English.
pub trait ToMessage {
    fn to_message(&self) -> Message;
}

impl ToMessage for Message {
    fn to_message(&self) -> Message {
        self.clone()
    }
}

/// The English template of `kind`.
pub fn template(kind: &str) -> Option<&'static str> {
    #[cfg(feature = "english")]
    return ENGLISH.iter().find(|(k, _)| *k == kind).map(|&(_, t)| t);
    #[cfg(not(feature = "english"))]
    return {
        let _ = kind;
        None
    };
}

/// Every kind and its English template, for a test that compares them with the page's English
/// catalog.
pub fn english_templates() -> &'static [(&'static str, &'static str)] {
    ENGLISH
}

/// The names of a template's placeholders, in order (a name used twice comes twice).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some((_, after)) = rest.split_once('{') {
        let Some((name, next)) = after.split_once('}') else {
            break;
        };
        names.push(name);
        rest = next;
    }
    names
}

/// Every kind with its English template. Grouped by the module that says it.
pub const ENGLISH: &[(&str, &str)] = &[
    // A setting that could not be used (crate::scene::Warning), and what was done instead.
    ("warning", "{param}: {message}"),
    ("kept", "{error}; {kept}"),
    ("kept.value", "kept {value}"),
    ("kept.settings", "kept the current settings"),
    ("kept.optimizers", "kept the current optimizers"),
    ("kept.starts", "kept the current start points"),
    ("kept.view", "kept the current view"),
    ("kept.it", "kept it"),
    ("kept.network", "kept the last network"),
    ("kept.every-optimizer-shown", "showing every optimizer"),
    // Formulas (crate::expr): a ParseError is "message at column N", then ": hint" if any.
    ("expr.at-column", "{message} at column {column}"),
    (
        "expr.at-column-hint",
        "{message} at column {column}: {hint}",
    ),
    (
        "expr.too-long",
        "the function is too long ({length} characters; the limit is {limit})",
    ),
    ("expr.empty", "the function is empty"),
    (
        "expr.too-deep",
        "the function is nested too deeply (more than {limit} levels)",
    ),
    ("expr.lone-dot", "a '.' without digits is not a number"),
    (
        "expr.two-dots",
        "the number '{number}' has more than one '.'",
    ),
    (
        "expr.empty-exponent",
        "the number '{number}' has no digits after its 'e'",
    ),
    (
        "expr.dot-in-exponent",
        "the number '{number}' has a '.' in its exponent",
    ),
    ("expr.out-of-range", "number out of range '{number}'"),
    ("expr.bad-number", "'{number}' is not a valid number"),
    ("expr.unexpected-end", "unexpected end of input"),
    ("expr.unexpected", "unexpected '{token}'"),
    (
        "expr.unexpected-character",
        "unexpected character '{character}'",
    ),
    (
        "expr.needs-parentheses",
        "the function '{name}' needs parentheses",
    ),
    ("expr.unclosed", "unclosed '(' opened"),
    (
        "expr.missing-operator",
        "missing operator between '{before}' and '{after}'",
    ),
    ("expr.unknown-function", "unknown function '{name}'"),
    ("expr.unknown-name", "unknown name '{name}'"),
    (
        "expr.hint.type-formula",
        "type a formula in x and y, e.g. x^2 + y^2",
    ),
    ("expr.hint.write", "write {text}"),
    ("expr.hint.write-product", "write {before}*{after}"),
    ("expr.hint.ascii-minus", "write - (the ASCII minus sign)"),
    (
        "expr.hint.one-argument",
        "functions take a single argument; write decimals with '.'",
    ),
    ("expr.hint.example", "write e.g. {example}"),
    (
        "expr.hint.exponent-digits",
        "write e.g. 1e3, or use * to multiply by e",
    ),
    (
        "expr.hint.whole-exponent",
        "the exponent must be a whole number, e.g. 1e3",
    ),
    ("expr.hint.largest", "the largest number is about 1.8e308"),
    ("expr.hint.no-matching-open", "it has no matching '('"),
    (
        "expr.hint.expected-operand",
        "expected a number, x, y, a function or '('",
    ),
    ("expr.hint.close", "add a ')' to close it"),
    ("expr.hint.expected-close", "expected ')'"),
    ("expr.hint.case", "names are case-sensitive: write {name}"),
    (
        "expr.hint.multiply-or-power",
        "to multiply, write {name}*{digits}; for a power, {name}^{digits}",
    ),
    ("expr.hint.multiply", "to multiply, write {product}"),
    (
        "expr.hint.functions",
        "the functions are sin, cos, tan, exp, ln, log, sqrt, abs and tanh",
    ),
    (
        "expr.hint.names",
        "use x, y, pi, e or a function such as sin(...)",
    ),
    // The surfaces view's settings (crate::scene).
    (
        "scene.no-preset",
        "no preset '{name}' (there are {presets})",
    ),
    (
        "scene.too-much-work",
        "{steps} steps for {runs} runs is more than the page computes at once ({limit} updates); \
         using {using}",
    ),
    (
        "scene.bad-noise",
        "'{text}' is not a noise level σ from 0 to {max}",
    ),
    ("scene.not-bool", "'{text}' is not 1 or 0"),
    (
        "scene.bad-steps",
        "'{text}' is not a whole number from 1 to {max}",
    ),
    (
        "scene.bad-speed",
        "'{text}' is not a speed from {min} to {max} steps per second",
    ),
    (
        "scene.bad-optimizer-number",
        "'{text}' is not an optimizer number",
    ),
    ("scene.bad-seed", "'{text}' is not a seed 0…{max}"),
    (
        "scene.no-start-of",
        "there is no start point {index} (there are {count})",
    ),
    ("scene.no-start", "there is no start point {index}"),
    (
        "scene.start-not-finite",
        "a start point must be two finite numbers",
    ),
    ("scene.too-many-starts", "at most {max} start points"),
    (
        "scene.start-too-much-work",
        "another start point would take more than {limit} updates; use fewer steps",
    ),
    ("scene.last-start", "the last start point cannot be removed"),
    (
        "scene.bad-run-index",
        "run: {run} is not a run; runs are numbered from 0 to {last}",
    ),
    (
        "scene.bad-step-index",
        "step: {step} is not a step with an update; steps are whole numbers from 0 to {last}",
    ),
    // Points, views and lists of optimizers (crate::params).
    ("param.not-a-number", "{name} '{text}' is not a number"),
    (
        "param.not-finite",
        "{name} '{text}' must be a finite number",
    ),
    (
        "param.bad-point",
        "a point is two numbers x,y (like -7,2); got '{text}'",
    ),
    ("param.no-points", "give at least one start point x,y"),
    (
        "param.too-many-points",
        "at most {max} start points (got {count})",
    ),
    (
        "param.bad-view",
        "a view is four numbers xmin,xmax,ymin,ymax (like -10,10,-5,5); got '{text}'",
    ),
    ("param.unmatched-close", "unmatched ')' in '{text}'"),
    (
        "param.no-optimizers",
        "give at least one optimizer, like sgd(lr=0.1)",
    ),
    (
        "param.too-many-optimizers",
        "at most {max} optimizers (got {count})",
    ),
    // A view's bounds (crate::surface::ViewBox).
    (
        "view.not-finite",
        "the view's bounds must be finite numbers",
    ),
    (
        "view.not-ordered",
        "the view needs xmin < xmax and ymin < ymax (got {bounds})",
    ),
    (
        "view.too-wide",
        "the view's {axis} range, {low} to {high}, is wider than the widest allowed, {limit}",
    ),
    (
        "view.off-centre",
        "the view's {axis} range, {low} to {high}, is centred beyond ±{limit}",
    ),
    (
        "view.too-narrow",
        "the view's {axis} range, {low} to {high}, is narrower than the narrowest allowed there, \
         {limit}",
    ),
    // Optimizers (crate::optim).
    (
        "optim.unknown",
        "unknown optimizer '{name}': use one of {ids}",
    ),
    (
        "optim.no-hyperparameter",
        "{optimizer} has no hyperparameter '{name}' (it takes {known})",
    ),
    (
        "optim.bad-lr",
        "{optimizer} {name} = {value} is out of range: it must be a finite number above 0",
    ),
    (
        "optim.bad-fraction",
        "{optimizer} {name} = {value} is out of range: it must be at least 0 and below 1",
    ),
    ("optim.schedule", "{optimizer} {error}"),
    ("optim.missing-close", "'{text}' is missing its closing ')'"),
    (
        "optim.not-name-value",
        "'{pair}' in '{text}' should be name=value, like lr=0.1",
    ),
    (
        "optim.not-a-number",
        "{name} = '{value}' in '{text}' is not a number",
    ),
    // Learning-rate schedules (crate::schedule).
    ("schedule.error", "schedule: {message}"),
    (
        "schedule.bad-rate",
        "γ = {value} must be above 0 and at most 1",
    ),
    (
        "schedule.bad-inv",
        "inv's k = {value} must be a finite number of at least 0",
    ),
    (
        "schedule.bad-step",
        "step's n must be a whole number of at least 1",
    ),
    (
        "schedule.bad-cos",
        "cos's T must be a whole number of at least 1",
    ),
    (
        "schedule.not-a-number",
        "{schedule}'s {parameter} '{text}' is not a number",
    ),
    (
        "schedule.not-whole",
        "{schedule}'s {parameter} '{text}' is not a whole number of at least 1",
    ),
    (
        "schedule.bad-form",
        "'{text}' should be {form}, like {example}",
    ),
    (
        "schedule.empty",
        "it is empty: give one of constant, inv:k, exp:γ, step:n:γ or cos:T",
    ),
    (
        "schedule.unknown",
        "no schedule '{text}' (use constant, inv:k, exp:γ, step:n:γ or cos:T)",
    ),
    // Runs on a surface (crate::trajectory).
    (
        "trajectory.bad-noise",
        "the gradient noise σ = {value} must be a number from 0 to {max}",
    ),
    (
        "trajectory.bad-steps",
        "the number of steps must be between 1 and {max} (got {steps})",
    ),
    (
        "trajectory.start-not-finite",
        "the start point ({x}, {y}) must be two finite numbers",
    ),
    (
        "trajectory.undefined-at-start",
        "the function or its gradient is not a finite number at the start point ({x}, {y})",
    ),
    // One update explained (crate::explain).
    (
        "explain.no-run",
        "there is no run {run}: runs are numbered from 0 to {last}",
    ),
    ("explain.not-run", "the run has no points: {reason}"),
    (
        "explain.diverged",
        "step {step} has no update to explain: the run diverged at update {update}, so steps 0 \
         to {last} can be explained",
    ),
    (
        "explain.no-updates",
        "step {step} has no update to explain: the run has no update",
    ),
    (
        "explain.past-end",
        "step {step} has no update to explain: steps 0 to {last} can be explained (the run ends \
         at step {end})",
    ),
    // Computational graphs (crate::graph).
    (
        "graph.unknown-input",
        "the formula has no input named '{name}'",
    ),
    (
        "graph.unknown-input-of",
        "the formula has no input named '{name}' (its inputs: {inputs})",
    ),
    (
        "graph.missing-input",
        "the input '{name}' has no value: give it one, e.g. {name}:1",
    ),
    (
        "graph.bad-value",
        "the input '{name}' must be a finite number, not '{text}'",
    ),
    (
        "graph.bad-list",
        "'{item}' is not name:value, e.g. apple:100",
    ),
    (
        "graph.too-big",
        "the graph has {nodes} nodes even with repeated parts drawn once; the most that can be \
         drawn is {limit}",
    ),
    // Networks and weights files (crate::net).
    (
        "net.unknown-activation",
        "unknown activation '{name}' (expected relu, sigmoid or none)",
    ),
    (
        "net.unknown-init",
        "unknown init '{name}' (expected he, xavier or std:σ with σ > 0, e.g. std:0.01)",
    ),
    (
        "net.empty-layer",
        "a network needs inputs, outputs and no empty layer",
    ),
    (
        "net.wrong-parameter-count",
        "a network of layers {sizes} has {expected} parameters, not {got}",
    ),
    (
        "net.too-large",
        "the network is too large: at most {max} parameters",
    ),
    ("net.no-layers", "the weights have no layers"),
    ("net.in-layer", "layer {layer}: {message}"),
    ("net.empty-weights", "W and b must not be empty"),
    (
        "net.rows-mismatch",
        "W has {rows} rows but the layer before has {outputs} outputs",
    ),
    (
        "net.row-length",
        "W row {row} has {count} numbers but b has {outputs}",
    ),
    (
        "net.last-activation",
        "the last layer must have activation \"none\" (softmax follows it)",
    ),
    (
        "net.none-activation",
        "only the last layer may have activation \"none\"",
    ),
    (
        "net.not-finite-param",
        "{array} holds a number that is not finite (element {element})",
    ),
    (
        "net.not-finite-parameter",
        "a parameter holds a number that is not finite (element {element})",
    ),
    // Training races (crate::train).
    ("train.empty-hidden", "hidden layers need at least one unit"),
    ("train.bad-batch", "batch must be 1…{max} (got {batch})"),
    (
        "train.bad-iterations",
        "iterations must be 1…{max} (got {iterations})",
    ),
    ("train.no-examples", "the data set has no training examples"),
    (
        "train.shape-mismatch",
        "the network takes {inputs} inputs and {classes} classes; the data has {features} \
         features and {data_classes} classes",
    ),
    (
        "train.bad-progress",
        "the training progress does not fit this race",
    ),
    // The network view's settings and actions (crate::train_scene, crate::landscape).
    (
        "network.no-dataset",
        "no data set '{name}' (there are {names})",
    ),
    ("network.bad-width", "'{text}' is not a layer width 1…{max}"),
    ("network.too-many-layers", "at most {max} hidden layers"),
    (
        "network.hidden-activation",
        "hidden layers need relu or sigmoid",
    ),
    (
        "network.bad-count",
        "'{text}' is not a whole number 1…{max}",
    ),
    ("network.not-flag", "'{text}' is not 0 or 1"),
    ("network.too-many-optimizers", "at most {max} optimizers"),
    (
        "network.no-optimizer",
        "there is no optimizer {number} to show",
    ),
    (
        "network.no-example",
        "example {example} is not in the training set (examples 0 to {last})",
    ),
    ("network.no-landscape", "make a landscape first"),
    (
        "network.start-not-finite",
        "the start must be a finite point",
    ),
    ("network.no-optimizers", "the race has no optimizers"),
    (
        "network.bad-weights",
        "expected {expected} finite weights, got {got}",
    ),
    (
        "network.unknown-directions",
        "unknown directions '{name}' (expected random or pca)",
    ),
    ("landscape.no-optimizer", "no optimizer number {number}"),
    // A network's layers as a graph (crate::layer_graph).
    (
        "layers.forward-overflow",
        "the forward pass overflows in {layer} (output {output}): the weights are too large",
    ),
    (
        "layers.backward-overflow",
        "the backward pass overflows in {layer}: the weights are too large",
    ),
    (
        "layers.wrong-inputs",
        "the example has {numbers} numbers but the network takes {inputs} inputs",
    ),
    (
        "layers.bad-label",
        "label {label} is not a class of the network (it has classes 0 to {last})",
    ),
    (
        "layers.input-not-finite",
        "input {input} of the example is not a finite number",
    ),
    // Data sets and CSV files (crate::data).
    ("data.at-cell", "row {row}, column {column}: {message}"),
    ("data.at-row", "row {row}: {message}"),
    (
        "data.unknown",
        "unknown dataset '{name}' (expected one of {names})",
    ),
    (
        "data.empty-file",
        "the file is empty (expected a header line)",
    ),
    (
        "data.no-label",
        "the last column must be 'label' (found '{found}')",
    ),
    ("data.no-features", "no feature columns before 'label'"),
    (
        "data.wrong-count",
        "{count} values where the header has {columns} columns",
    ),
    ("data.not-a-number", "'{text}' ({feature}) is not a number"),
    (
        "data.not-finite",
        "{feature} is {text}; every value must be finite",
    ),
    (
        "data.bad-label",
        "label '{text}' is not a class number 0…999",
    ),
    ("data.no-examples", "the file has a header but no examples"),
    (
        "data.digits-unreadable",
        "the digits data cannot be read: {reason}",
    ),
    (
        "data.digits-not-loaded",
        "the digits data is not loaded yet",
    ),
    ("data.digits-damaged", "the digits data is damaged"),
    ("data.digits-empty", "the digits data is empty"),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    //! The catalog against the code: every kind the code builds is in [`ENGLISH`] once, and every
    //! message the code builds gives its template exactly the values it names. The second is
    //! checked on the messages themselves, made by feeding the core bad input of every sort.
    use super::*;
    use std::collections::BTreeSet;

    use crate::expr::Expr;
    use crate::scene::{Scene, Warning};
    use crate::train_scene::TrainScene;

    /// Kinds no input reaches, each with why; their values are checked in the source instead
    /// (see `unreached_kinds_give_their_values_in_the_source`).
    const UNREACHED: [(&str, &str); 7] = [
        (
            "expr.bad-number",
            "the lexer takes only text that parses as a number",
        ),
        (
            "expr.hint.expected-close",
            "every token after an expression in parentheses continues it or closes it",
        ),
        (
            "kept.network",
            "with the digits embedded, settings that pass their checks always make a race",
        ),
        (
            "data.digits-unreadable",
            "the embedded digits are a valid gzip",
        ),
        (
            "data.digits-not-loaded",
            "tests build with the digits embedded",
        ),
        (
            "net.not-finite-parameter",
            "every parameter lies in a named array",
        ),
        (
            "network.no-optimizers",
            "a network view always has an optimizer",
        ),
    ];

    /// Checks `m` and its nested messages against their templates; notes the kinds seen.
    fn check(m: &Message, seen: &mut BTreeSet<&'static str>) {
        let template = template(m.kind).unwrap_or_else(|| panic!("{} is not in ENGLISH", m.kind));
        let wanted: BTreeSet<&str> = placeholders(template).into_iter().collect();
        let given: BTreeSet<&str> = m.values.iter().map(|(n, _)| *n).collect();
        assert_eq!(given, wanted, "{}: {template}", m.kind);
        assert_eq!(
            given.len(),
            m.values.len(),
            "{} names a value twice",
            m.kind
        );
        seen.insert(m.kind);
        for (_, value) in &m.values {
            if let Value::Message(inner) = value {
                check(inner, seen);
            }
        }
    }

    fn check_warnings(warnings: &[Warning], seen: &mut BTreeSet<&'static str>) {
        for w in warnings {
            assert_eq!(w.message, w.text.english(), "{w:?}");
            assert_eq!(w.text.kind, "warning");
            check(&w.text, seen);
        }
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Bad formulas of every kind the parser reports.
    fn formulas(seen: &mut BTreeSet<&'static str>) {
        let long = "x+".repeat(6000);
        let deep = format!("{}x{}", "(".repeat(300), ")".repeat(300));
        let bad = [
            "", "x+", "2x", "(x+1", "x)", "z", "Sin(x)", "x2", "xy", "foo(x)", "sin", "x @ y",
            "x²", "x³", "π", "2×x", "2÷x", "2−x", "sin(x,y)", ".", "1..2", "1e", "1e3.5", "1e999",
            "sin(x]", ")", &long, &deep,
        ];
        for src in bad {
            let e = Expr::parse(src).unwrap_err();
            assert_eq!(e.to_string(), e.to_message().english());
            check(&e.to_message(), seen);
        }
    }

    /// The surfaces view: every setting given something it cannot use, and its actions refused.
    fn surfaces(seen: &mut BTreeSet<&'static str>) {
        let opt32 = ["sgd"; 32].join(",");
        let queries = [
            "f=sin(x&opt=sgd(lr=-1)&start=a,b&steps=1e9&view=1,0,0,1&log=maybe&preset=nope&\
             speed=NaN&hide=x&trail=2&noise=-1&seed=-3",
            "view=-1e308,1e308,-1,1",
            "view=2e9,2.5e9,0,1",
            "view=1,1.0000000000001,0,1",
            "view=1,2,3",
            "view=0,1,0,inf",
            "start=1",
            "start=;",
            &format!("start={}", "1,1;".repeat(33)),
            "opt=",
            "opt=sgd(lr=0.1))",
            "opt=newton",
            "opt=sgd(lr=0.1",
            "opt=sgd(lr)",
            "opt=sgd(lr=abc)",
            "opt=sgd(mu=1)",
            "opt=momentum(momentum=1)",
            &format!("opt={opt32},sgd"),
            "opt=sgd(schedule=inv:-1)",
            "opt=sgd(schedule=exp:2)",
            "opt=sgd(schedule=step:0:0.5)",
            "opt=sgd(schedule=step:x:0.5)",
            "opt=sgd(schedule=step:2)",
            "opt=sgd(schedule=cos:0)",
            "opt=sgd(schedule=linear)",
            "opt=sgd(schedule=inv:x)",
            "opt=sgd(schedule=)",
            &format!("opt={opt32}&start={}&steps=20000", ["1,1"; 32].join(";")),
        ];
        for query in queries {
            let (_, warnings) = Scene::from_params(&pairs(query));
            assert!(!warnings.is_empty(), "{query}");
            check_warnings(&warnings, seen);
        }
        // Runs that cannot start, and updates that cannot be explained.
        let (scene, _) = Scene::from_params(&pairs("f=ln(x)+y^2&start=-1,0"));
        check(scene.runs()[0].error.as_ref().unwrap(), seen);
        check(&scene.explain(0, 0).unwrap_err().to_message(), seen);
        let (scene, _) = Scene::from_params(&pairs("f=x^4&opt=sgd(lr=10)&start=3,3&steps=50"));
        check(&scene.explain(0, 10).unwrap_err().to_message(), seen);
        check(&scene.explain(9, 0).unwrap_err().to_message(), seen);
        let scene = Scene::default();
        check(&scene.explain(0, 30).unwrap_err().to_message(), seen);
        check(&scene.run_and_step(0.5, 0.0).unwrap_err(), seen);
        check(&scene.run_and_step(0.0, 30.0).unwrap_err(), seen);
        let config = "sgd".parse().unwrap();
        let one_point = crate::trajectory::Trajectory {
            points: vec![[0.0, 0.0]],
            ..Default::default()
        };
        let none = crate::explain::explain(config, &one_point, None, 0).unwrap_err();
        check(&none.to_message(), seen);
        // Start points.
        let (mut scene, _) = Scene::from_params(&pairs("preset=himmelblau-minima"));
        check(&scene.set_start(9, [0.0, 0.0]).unwrap_err(), seen);
        check(&scene.set_start(0, [f64::NAN, 0.0]).unwrap_err(), seen);
        check(&scene.remove_start(9).unwrap_err(), seen);
        while scene.add_start([1.0, 1.0]).is_ok() {}
        check(&scene.add_start([1.0, 1.0]).unwrap_err(), seen);
        let (mut one, _) = Scene::from_params(&pairs("start=1,1"));
        check(&one.remove_start(0).unwrap_err(), seen);
        let query = format!("opt={opt32}&start=1,1;1,1;1,1&steps=20000");
        let (mut busy, warnings) = Scene::from_params(&pairs(&query));
        assert!(warnings.is_empty());
        check(&busy.add_start([0.0, 0.0]).unwrap_err(), seen);
        // The pieces the scene is made of, on their own.
        let sphere = crate::surface::Function::parse("sphere").unwrap();
        for (start, steps) in [([0.0, 0.0], 0), ([f64::NAN, 1.0], 5)] {
            let e = crate::trajectory::Trajectory::run(&sphere, config, start, steps);
            check(&e.unwrap_err().to_message(), seen);
        }
        let noise = crate::trajectory::Noise::new(-1.0, 0, 3).unwrap_err();
        check(&noise, seen);
        check(
            &crate::surface::ViewBox::new(f64::NAN, 1.0, 0.0, 1.0).unwrap_err(),
            seen,
        );
        check(
            &crate::surface::ViewBox::new(0.0, 1.0, 5e9, 5e9 + 1.0).unwrap_err(),
            seen,
        );
        check(&crate::params::parse_view("a,1,0,1").unwrap_err(), seen);
    }

    /// The network view: settings, actions, and the network, data and layer graph beneath.
    fn networks(seen: &mut BTreeSet<&'static str>) {
        let queries = [
            "data=<img src=x>&hidden=8,999&act=none&batch=0&iters=1e9&seed=-1&nopt=sgd(lr=-1)&\
             dirs=up&nlog=maybe&init=std:0",
            "hidden=1,2,3,4,5",
            "act=tanh",
            &format!("nopt={}", ["sgd"; 9].join(",")),
        ];
        for query in queries {
            let pairs = pairs(query);
            let borrowed: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (_, warnings) = TrainScene::from_params(&borrowed);
            assert!(!warnings.is_empty(), "{query}");
            check_warnings(&warnings, seen);
        }
        let (mut scene, _) = TrainScene::from_params(&[("hidden", "8")]);
        let mut net_error = |e: crate::net::NetError| check(&e.to_message(), seen);
        net_error(scene.layer_example(9, 0).unwrap_err());
        net_error(scene.layer_example(0, 100_000).unwrap_err());
        net_error(scene.start_from_landscape(0.0, 0.0).unwrap_err());
        net_error(scene.make_landscape(9, 5).unwrap_err());
        scene.make_landscape(0, 5).unwrap();
        net_error(scene.start_from_landscape(f64::NAN, 0.0).unwrap_err());
        net_error(scene.start_from_weights(&[1.0]).unwrap_err());
        net_error(scene.absorb(&[1.0]).unwrap_err());
        use crate::net::{Activation, Init, LayerWeights, Network, WeightsFile};
        let mut rng = crate::rng::Rng::new(0, 0);
        net_error(Network::new(&[2], Activation::Relu, Init::He, &mut rng).unwrap_err());
        let huge = Network::new(&[2, 100_000, 1000], Activation::Relu, Init::He, &mut rng);
        net_error(huge.unwrap_err());
        net_error(Network::from_parts(&[2, 3, 2], Activation::Relu, &[1.0]).unwrap_err());
        net_error(Init::parse("std:x").unwrap_err());
        let layer = |w: Vec<Vec<f64>>, b: Vec<f64>, activation: &str| LayerWeights {
            w,
            b,
            activation: activation.into(),
        };
        let files = [
            vec![],
            vec![layer(vec![], vec![], "none")],
            vec![
                layer(vec![vec![1.0, 2.0]], vec![1.0, 2.0], "relu"),
                layer(vec![vec![1.0]], vec![1.0], "none"),
            ],
            vec![layer(vec![vec![1.0]], vec![1.0, 2.0], "none")],
            vec![layer(vec![vec![1.0, 2.0]], vec![1.0, 2.0], "foo")],
            vec![layer(vec![vec![1.0, 2.0]], vec![1.0, 2.0], "relu")],
            vec![
                layer(vec![vec![1.0, 2.0]], vec![1.0, 2.0], "none"),
                layer(vec![vec![1.0], vec![2.0]], vec![1.0], "none"),
            ],
            vec![layer(vec![vec![1.0, 2.0]], vec![1.0, f64::NAN], "none")],
        ];
        for layers in files {
            net_error(Network::from_file(&WeightsFile { layers }).unwrap_err());
        }
        // The layer graph.
        let graph = crate::layer_graph::layer_graph;
        let net = Network::from_parts(&[2, 2, 2], Activation::Relu, &[0.0; 12]).unwrap();
        net_error(graph(&net, &[1.0], 0).unwrap_err());
        net_error(graph(&net, &[1.0, 1.0], 5).unwrap_err());
        net_error(graph(&net, &[1.0, f64::NAN], 0).unwrap_err());
        let huge = Network::from_parts(&[2, 2, 2], Activation::Relu, &[1e300; 12]).unwrap();
        net_error(graph(&huge, &[1e300, 1e300], 0).unwrap_err());
        // Forward finite (ReLU closes every unit), backward not: ∂L/∂h = dout·W2ᵀ overflows.
        let mut p = vec![0.0; 2 * 2 + 2 + 2 * 3 + 3];
        p[4..6].copy_from_slice(&[-1.0, -1.0]);
        for row in 0..2 {
            p[6 + 3 * row..9 + 3 * row].copy_from_slice(&[-1.7e308, 1.7e308, 1.7e308]);
        }
        let steep = Network::from_parts(&[2, 2, 3], Activation::Relu, &p).unwrap();
        net_error(graph(&steep, &[1.0, 1.0], 0).unwrap_err());
        p[6] = f64::INFINITY;
        let broken = Network::from_parts(&[2, 2, 3], Activation::Relu, &p).unwrap();
        net_error(graph(&broken, &[1.0, 1.0], 0).unwrap_err());
        // Races.
        use crate::train::{Race, TrainConfig};
        for config in [
            TrainConfig {
                hidden: vec![0],
                ..Default::default()
            },
            TrainConfig {
                batch: 0,
                ..Default::default()
            },
            TrainConfig {
                iterations: 0,
                ..Default::default()
            },
        ] {
            net_error(config.validate().unwrap_err());
        }
        let xor = crate::data::Dataset::generate("xor", 0).unwrap();
        let three = Network::from_parts(&[3, 2], Activation::Relu, &[0.0; 8]).unwrap();
        let mismatch = Race::from_network(xor.clone(), TrainConfig::default(), &[], three);
        net_error(mismatch.unwrap_err());
        let mut empty = xor.clone();
        empty.train = Default::default();
        net_error(Race::new(empty, TrainConfig::default(), &[]).unwrap_err());
        let config = crate::optim::OptimizerConfig::from(crate::optim::Rule::Sgd { lr: -1.0 });
        net_error(Race::new(xor, TrainConfig::default(), &[config]).unwrap_err());
        // Data sets and files.
        let mut data_error = |e: crate::data::DataError| check(&e.to_message(), seen);
        data_error(crate::data::Dataset::generate("nope", 0).unwrap_err());
        for csv in [
            "",
            "a,b\n1,2",
            "label\n1",
            "a,label\n1,2,3",
            "a,b,label\n1,x,0",
            "a,b,label\n1,NaN,0",
            "a,label\n1,-1",
            "a,label\n",
        ] {
            data_error(crate::data::Dataset::from_csv("n", csv).unwrap_err());
        }
        data_error(crate::data::provide_digits("").unwrap_err());
        data_error(crate::data::provide_digits("1,2").unwrap_err());
    }

    /// The Graph view's formulas and inputs.
    fn graphs(seen: &mut BTreeSet<&'static str>) {
        use crate::graph::{parse_inputs, Graph};
        let apple = "apple*apple_num*tax";
        for (formula, inputs) in [
            (apple, "apple:100,apple_num:2"),
            (apple, "apple:100,apple_num:2,tax:1.1,pear:3"),
            ("2*3", "pear:3"),
            ("apple*", "apple:1"),
        ] {
            let inputs = parse_inputs(inputs).unwrap();
            let e = Graph::build(formula, [0.0, 0.0], &inputs).unwrap_err();
            check(&e.to_message(), seen);
        }
        for inputs in ["apple:abc", "apple"] {
            check(&parse_inputs(inputs).unwrap_err().to_message(), seen);
        }
        let many = (0..300)
            .map(|i| format!("sin(x*{i})"))
            .collect::<Vec<_>>()
            .join("+");
        let e = Graph::build(&many, [0.0, 0.0], &[]).unwrap_err();
        check(&e.to_message(), seen);
    }

    #[test]
    fn every_message_gives_its_template_exactly_its_values_and_every_kind_is_said() {
        let mut seen = BTreeSet::new();
        formulas(&mut seen);
        surfaces(&mut seen);
        networks(&mut seen);
        graphs(&mut seen);
        let unreached: BTreeSet<&str> = UNREACHED.iter().map(|(k, _)| *k).collect();
        let missing: Vec<&str> = ENGLISH
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !seen.contains(k) && !unreached.contains(k))
            .collect();
        assert!(missing.is_empty(), "no test input says {missing:?}");
        for kind in &unreached {
            assert!(
                !seen.contains(kind),
                "{kind} is reached: take it off UNREACHED"
            );
        }
    }

    /// The crate's sources, but this file (whose tests and table name every kind).
    fn sources() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "rs"))
            .filter(|path| !path.ends_with("message.rs"))
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap();
                (path.display().to_string(), text)
            })
            .collect();
        files.sort();
        assert!(files.len() > 20, "{files:?}");
        files
    }

    /// Each `Message::new("kind")` in the sources, with the text after it.
    fn built(sources: &[(String, String)]) -> Vec<(&str, &str, &str)> {
        const OPEN: &str = "Message::new(\"";
        let mut out = Vec::new();
        for (file, text) in sources {
            for (at, _) in text.match_indices(OPEN) {
                let rest = &text[at + OPEN.len()..];
                let end = rest.find('"').unwrap();
                out.push((file.as_str(), &rest[..end], &rest[end..]));
            }
        }
        out
    }

    #[test]
    fn every_kind_is_in_english_once_and_every_english_kind_is_built() {
        let mut kinds = BTreeSet::new();
        for (kind, template) in ENGLISH {
            assert!(kinds.insert(*kind), "{kind} is in ENGLISH twice");
            let id = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c);
            assert!(kind.chars().all(id), "{kind} is not a lowercase dotted id");
            // Every brace opens a placeholder: a name of letters, digits and '_'.
            let names = placeholders(template);
            let braces = template.matches(['{', '}']).count();
            assert_eq!(braces, 2 * names.len(), "{kind}: {template}");
            for name in names {
                let ok =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                assert!(ok, "{kind}: placeholder {{{name}}}");
            }
        }
        let sources = sources();
        let built = built(&sources);
        let used: BTreeSet<&str> = built.iter().map(|&(_, kind, _)| kind).collect();
        for (file, kind, _) in &built {
            assert!(
                kinds.contains(kind),
                "{file} builds {kind}, which ENGLISH lacks"
            );
        }
        for kind in &kinds {
            assert!(
                used.contains(kind),
                "ENGLISH has {kind}, which nothing builds"
            );
        }
    }

    #[test]
    fn unreached_kinds_give_their_values_in_the_source() {
        // Where no input reaches a kind, its values are read off the code that builds it: the
        // `.with("name", ...)` calls up to the end of the statement.
        let sources = sources();
        for (kind, _) in UNREACHED {
            let template = template(kind).unwrap();
            let wanted: BTreeSet<&str> = placeholders(template).into_iter().collect();
            let mut found = 0;
            for (file, built_kind, after) in built(&sources) {
                if built_kind != kind {
                    continue;
                }
                found += 1;
                let statement = &after[..after.find([';', '}']).unwrap_or(after.len())];
                let given: BTreeSet<&str> = statement
                    .match_indices(".with(\"")
                    .map(|(at, _)| {
                        let name = &statement[at + 7..];
                        &name[..name.find('"').unwrap()]
                    })
                    .collect();
                assert_eq!(given, wanted, "{file}: {kind}");
            }
            assert!(found > 0, "{kind} is built nowhere");
        }
    }

    #[test]
    fn english_fills_templates_and_nests() {
        let error = Message::new("scene.not-bool").with("text", "maybe");
        let line = Message::new("warning").with(
            "message",
            Message::new("kept")
                .with("error", error)
                .with("kept", Message::new("kept.value").with("value", "0")),
        );
        // A value not given stays a visible placeholder.
        assert_eq!(line.english(), "{param}: 'maybe' is not 1 or 0; kept 0");
        let line = line.with("param", "log");
        assert_eq!(line.english(), "log: 'maybe' is not 1 or 0; kept 0");
        assert_eq!(line.to_string(), line.english());
        // Braces in a value are text.
        let odd = Message::new("expr.unexpected").with("token", "{x}");
        assert_eq!(odd.english(), "unexpected '{x}'");
        // A kind the catalog lacks still says what it has.
        let unknown = Message::new("no.such-kind")
            .with("a", "1")
            .with("b", 2usize);
        assert_eq!(unknown.english(), "no.such-kind (a: 1, b: 2)");
    }

    #[test]
    fn messages_serialise_as_kind_and_values_and_warnings_flatten_them() {
        let (_, warnings) = Scene::from_params(&[("log", "maybe")]);
        let json = serde_json::to_value(&warnings[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "param": "log",
                "message": "log: 'maybe' is not 1 or 0; kept 0",
                "kind": "warning",
                "values": {
                    "param": "log",
                    "message": {
                        "kind": "kept",
                        "values": {
                            "error": {"kind": "scene.not-bool", "values": {"text": "maybe"}},
                            "kept": {"kind": "kept.value", "values": {"value": "0"}},
                        },
                    },
                },
            })
        );
        let empty = serde_json::to_string(&Message::new("expr.empty")).unwrap();
        assert_eq!(empty, r#"{"kind":"expr.empty","values":{}}"#);
    }

    #[test]
    fn a_parse_error_is_one_translatable_line() {
        let e = Expr::parse("2x").unwrap_err();
        assert_eq!(e.message.kind, "expr.missing-operator");
        assert_eq!(
            e.hint.as_ref().map(|h| h.kind),
            Some("expr.hint.write-product")
        );
        let line = e.to_message();
        assert_eq!(line.kind, "expr.at-column-hint");
        assert_eq!(line.value("column"), Some(&Value::Text("2".into())));
        assert_eq!(
            line.english(),
            "missing operator between '2' and 'x' at column 2: write 2*x"
        );
        let e = Expr::parse("x @ y").unwrap_err();
        assert_eq!(e.to_message().kind, "expr.at-column");
        assert_eq!(e.to_string(), "unexpected character '@' at column 3");
    }

    #[test]
    fn a_template_is_filled_by_hand() {
        let m = Message::new("any")
            .with("x", 1usize)
            .with("name", Message::new("inner"));
        let mut out = String::new();
        m.fill("a {x} b {missing} c {x}{x} d {unclosed", &mut out);
        assert_eq!(out, "a 1 b {missing} c 11 d {unclosed");
        assert_eq!(placeholders("{a} and {b}, {a} {open"), vec!["a", "b", "a"]);
    }
}

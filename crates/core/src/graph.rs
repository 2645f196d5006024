//! The computational graph of a formula at a point, as the book's chapter 5 draws it: inputs on
//! the left, one node per operation, f on the right; each node's value (forward) and ∂f/∂ of its
//! value (backward), each edge's contribution upstream × local derivative, and a numerical check.
//!
//! A node's gradient is ∂f/∂(its value), found by forward mode from that node with the rules of
//! [`crate::expr`] (the same arithmetic, in the same order): for the inputs x and y these are the
//! very bits [`Expr::value_and_gradient`] gives, which is the gradient the optimizers take and the
//! page draws as the arrow. The edges' contributions are the backward pass as the book does it
//! (the gradient arriving from above times the node's local derivative), summed where an input
//! fans out; they agree with the nodes' gradients up to rounding in the last bits.

use serde::{Serialize, Serializer};

use crate::expr::{BinOp, Expr, Func, Node, ParseError};
use crate::message::{Message, ToMessage};

/// Graphs of up to this many nodes are drawn as they are; bigger ones have their repeated
/// subtrees drawn once, with a count.
pub const READABLE: usize = 60;

/// The most nodes drawn (after repeated subtrees are collapsed).
pub const MAX_NODES: usize = 400;

/// The step of the central difference in the nodes' numerical checks (the book's
/// `numerical_gradient`).
pub const H: f64 = 1e-4;

/// What went wrong building a graph, as data: each front end words it.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphError {
    /// The formula does not parse.
    Parse(ParseError),
    /// A value was given for a name the formula does not use.
    UnknownInput { name: String, known: Vec<String> },
    /// The formula uses an input with no value.
    MissingInput { name: String },
    /// An input's value is not a finite number.
    BadValue { name: String, text: String },
    /// The `name:value` list itself is malformed.
    BadList { item: String },
    /// Too many nodes to draw, even with repeated subtrees collapsed.
    TooBig { nodes: usize, limit: usize },
}

impl ToMessage for GraphError {
    fn to_message(&self) -> Message {
        match self {
            GraphError::Parse(e) => e.to_message(),
            GraphError::UnknownInput { name, known } if known.is_empty() => {
                Message::new("graph.unknown-input").with("name", name)
            }
            GraphError::UnknownInput { name, known } => Message::new("graph.unknown-input-of")
                .with("name", name)
                .with("inputs", known.join(", ")),
            GraphError::MissingInput { name } => {
                Message::new("graph.missing-input").with("name", name)
            }
            GraphError::BadValue { name, text } => Message::new("graph.bad-value")
                .with("name", name)
                .with("text", text),
            GraphError::BadList { item } => Message::new("graph.bad-list").with("item", item),
            GraphError::TooBig { nodes, limit } => Message::new("graph.too-big")
                .with("nodes", *nodes)
                .with("limit", *limit),
        }
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_message().english())
    }
}

impl std::error::Error for GraphError {}

/// One of the book's examples: a formula with named inputs and their values.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub id: &'static str,
    pub title: &'static str,
    pub formula: &'static str,
    pub inputs: &'static [(&'static str, f64)],
}

/// The book's examples of chapter 5, in its order.
pub const EXAMPLES: [Example; 3] = [
    Example {
        id: "apple",
        title: "Buying apples (figure 5-3)",
        formula: "apple*apple_num*tax",
        inputs: &[("apple", 100.0), ("apple_num", 2.0), ("tax", 1.1)],
    },
    Example {
        id: "apple-orange",
        title: "Buying apples and oranges (figure 5-17)",
        formula: "(apple*apple_num + orange*orange_num)*tax",
        inputs: &[
            ("apple", 100.0),
            ("apple_num", 2.0),
            ("orange", 150.0),
            ("orange_num", 3.0),
            ("tax", 1.1),
        ],
    },
    Example {
        id: "sigmoid",
        title: "The sigmoid, node by node (figure 5-19)",
        formula: "1/(1 + exp(-1*x))",
        inputs: &[("x", 0.5)],
    },
];

/// The example with this id.
pub fn example(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

/// Reads `apple:100,apple_num:2,tax:1.1` (or with `=`), in order. Values must be finite.
pub fn parse_inputs(text: &str) -> Result<Vec<(String, f64)>, GraphError> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((name, value)) = item.split_once([':', '=']) else {
            return Err(GraphError::BadList { item: item.into() });
        };
        let name = name.trim();
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(GraphError::BadList { item: item.into() });
        }
        let v = crate::number::read(value.trim())
            .filter(|v| v.is_finite())
            .ok_or_else(|| GraphError::BadValue {
                name: name.into(),
                text: value.trim().into(),
            })?;
        match out.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = v,
            None => out.push((name.to_string(), v)),
        }
    }
    Ok(out)
}

/// A node's operation, as the contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Input,
    Const,
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Pow,
    Call(&'static str),
}

impl Op {
    /// `input`, `const`, `add`, …, or the function's name.
    pub fn name(self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Const => "const",
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
            Op::Neg => "neg",
            Op::Pow => "pow",
            Op::Call(name) => name,
        }
    }

    /// The symbol drawn in the node's circle.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "−",
            Op::Mul => "×",
            Op::Div => "/",
            Op::Neg => "neg",
            Op::Pow => "^",
            Op::Call(name) => name,
            Op::Input | Op::Const => "",
        }
    }

    /// Whether the node computes something (as opposed to an input or a constant).
    pub fn is_operation(self) -> bool {
        !matches!(self, Op::Input | Op::Const)
    }
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Non-finite numbers are `null` in JSON.
fn finite<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.serialize_none()
    }
}

fn finite_list<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&x.is_finite().then_some(*x))?;
    }
    seq.end()
}

/// One node of the graph.
#[derive(Debug, Clone, Serialize)]
pub struct GraphNode {
    pub id: usize,
    pub op: Op,
    /// The input's name, the constant's digits or the operation's symbol.
    pub label: String,
    /// The nodes this one's operands come from, in order (the same id twice for `x*x`).
    pub inputs: Vec<usize>,
    /// The value, forward.
    #[serde(serialize_with = "finite")]
    pub value: f64,
    /// ∂f/∂(this node's value).
    #[serde(serialize_with = "finite")]
    pub grad: f64,
    /// ∂(this node's value)/∂(operand k), for each operand.
    #[serde(serialize_with = "finite_list")]
    pub local: Vec<f64>,
    /// ∂f/∂(this node's value) by central differences, h = 1e-4.
    #[serde(serialize_with = "finite")]
    pub numerical: f64,
    /// How many times this subtree occurs in the formula (more than 1 only in a collapsed graph).
    pub count: usize,
}

/// One edge: the value of `from` flowing into operand `slot` of `to`, and backward, the
/// contribution ∂f/∂(to) × ∂(to)/∂(operand) it hands back.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub slot: usize,
    #[serde(serialize_with = "finite")]
    pub contribution: f64,
    /// `from`'s running sum of contributions once this one is added (in backward order).
    #[serde(serialize_with = "finite")]
    pub running: f64,
    /// Whether this is the last contribution `from` receives, so its gradient is complete.
    pub last: bool,
    /// The backward step (1-based, counted from the first backward step) that sends it.
    pub backward_step: usize,
}

/// The computational graph of a formula at a point.
#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    pub formula: String,
    /// The id of the node whose value is f.
    pub output: usize,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<Edge>,
    /// The operation nodes in forward order; backward goes through them in reverse.
    pub order: Vec<usize>,
    /// Whether repeated subtrees were merged to keep the graph readable.
    pub collapsed: bool,
    /// The values of every input (x and y when the formula uses them, then named inputs).
    pub values: Vec<(String, f64)>,
}

impl Graph {
    /// The graph of `formula` (which may use named inputs) with the inputs' values in `values`
    /// (`x` and `y` among them when the formula uses them; `at` gives them otherwise).
    pub fn build(
        formula: &str,
        at: [f64; 2],
        values: &[(String, f64)],
    ) -> Result<Graph, GraphError> {
        let expr = Expr::parse_with_inputs(formula).map_err(GraphError::Parse)?;
        Graph::of_expr(&expr, at, values)
    }

    /// The graph of a parsed formula; see [`Graph::build`].
    pub fn of_expr(
        expr: &Expr,
        at: [f64; 2],
        values: &[(String, f64)],
    ) -> Result<Graph, GraphError> {
        let names = expr.inputs();
        let uses = |leaf: Node| expr.nodes().contains(&leaf);
        let (uses_x, uses_y) = (uses(Node::X), uses(Node::Y));
        let mut known: Vec<String> = Vec::new();
        if uses_x {
            known.push("x".into());
        }
        if uses_y {
            known.push("y".into());
        }
        known.extend(names.iter().cloned());
        for (name, v) in values {
            if !known.contains(name) {
                return Err(GraphError::UnknownInput {
                    name: name.clone(),
                    known,
                });
            }
            if !v.is_finite() {
                return Err(GraphError::BadValue {
                    name: name.clone(),
                    text: v.to_string(),
                });
            }
        }
        let given = |name: &str| values.iter().find(|(n, _)| n == name).map(|p| p.1);
        let x = given("x").unwrap_or(at[0]);
        let y = given("y").unwrap_or(at[1]);
        if !x.is_finite() || !y.is_finite() {
            let (name, v) = if x.is_finite() { ("y", y) } else { ("x", x) };
            return Err(GraphError::BadValue {
                name: name.into(),
                text: v.to_string(),
            });
        }
        let mut inputs = Vec::with_capacity(names.len());
        for name in names {
            inputs
                .push(given(name).ok_or_else(|| GraphError::MissingInput { name: name.clone() })?);
        }
        let mut shown: Vec<(String, f64)> = Vec::new();
        if uses_x {
            shown.push(("x".into(), x));
        }
        if uses_y {
            shown.push(("y".into(), y));
        }
        shown.extend(names.iter().cloned().zip(inputs.iter().copied()));

        let flat = expr.nodes();
        let mut structure = Structure::new(flat, names, false);
        if structure.kinds.len() > READABLE {
            structure = Structure::new(flat, names, true);
        }
        if structure.kinds.len() > MAX_NODES {
            return Err(GraphError::TooBig {
                nodes: structure.kinds.len(),
                limit: MAX_NODES,
            });
        }
        let values = expr.node_values(x, y, &inputs, None);
        let f = |set: Option<(&dyn Fn(usize) -> bool, f64)>| {
            expr.node_values(x, y, &inputs, set)
                .last()
                .copied()
                .unwrap_or(f64::NAN)
        };
        let mut nodes = Vec::with_capacity(structure.kinds.len());
        for (id, kind) in structure.kinds.iter().enumerate() {
            let picked = |i: usize| structure.map[i] == Some(id);
            let first = structure.first[id];
            let value = values[first];
            let grad = expr.seeded_derivative(x, y, &inputs, &picked);
            let numerical =
                (f(Some((&picked, value + H))) - f(Some((&picked, value - H)))) / (2.0 * H);
            let operand_values: Vec<f64> = kind
                .inputs
                .iter()
                .map(|&k| values[structure.first[k]])
                .collect();
            nodes.push(GraphNode {
                id,
                op: kind.op,
                label: kind.label.clone(),
                inputs: kind.inputs.clone(),
                value,
                grad,
                local: local_derivatives(kind.op, &operand_values, value),
                numerical,
                count: structure.count[id],
            });
        }
        let output = structure.map.last().copied().flatten().unwrap_or(0);
        let order: Vec<usize> = nodes
            .iter()
            .filter(|n| n.op.is_operation())
            .map(|n| n.id)
            .collect();
        // Backward, in reverse forward order: each operation hands each operand its
        // contribution, which adds to that operand's running sum.
        let mut running = vec![0.0; nodes.len()];
        let mut remaining: Vec<usize> = vec![0; nodes.len()];
        for n in &nodes {
            for &k in &n.inputs {
                remaining[k] += 1;
            }
        }
        let mut edges = Vec::new();
        for (step, &id) in order.iter().rev().enumerate() {
            let node = &nodes[id];
            for (slot, &from) in node.inputs.iter().enumerate() {
                let contribution = node.grad * node.local[slot];
                running[from] += contribution;
                remaining[from] -= 1;
                edges.push(Edge {
                    from,
                    to: id,
                    slot,
                    contribution,
                    running: running[from],
                    last: remaining[from] == 0,
                    backward_step: step + 1,
                });
            }
        }
        Ok(Graph {
            formula: expr.source().to_string(),
            output,
            nodes,
            edges,
            order,
            collapsed: structure.collapsed,
            values: shown,
        })
    }

    /// f, the output's value.
    pub fn value(&self) -> f64 {
        self.nodes.get(self.output).map_or(f64::NAN, |n| n.value)
    }

    /// The input node with this name.
    pub fn input(&self, name: &str) -> Option<&GraphNode> {
        self.nodes
            .iter()
            .find(|n| n.op == Op::Input && n.label == name)
    }

    /// How many steps the forward and the backward pass each take (one per operation).
    pub fn steps(&self) -> usize {
        self.order.len()
    }
}

/// ∂(value)/∂(operand k) for each operand, by the rules of [`crate::expr`].
fn local_derivatives(op: Op, a: &[f64], v: f64) -> Vec<f64> {
    let first = a.first().copied().unwrap_or(f64::NAN);
    let second = a.get(1).copied().unwrap_or(f64::NAN);
    match op {
        Op::Input | Op::Const => Vec::new(),
        Op::Add => vec![1.0, 1.0],
        Op::Sub => vec![1.0, -1.0],
        Op::Mul => vec![second, first],
        Op::Div => vec![1.0 / second, -v / second],
        Op::Neg => vec![-1.0],
        Op::Pow => {
            let slope = if second == 0.0 {
                0.0
            } else {
                second * crate::math::pow(first, second - 1.0)
            };
            vec![slope, v * crate::math::ln(first)]
        }
        Op::Call(name) => {
            let d = match name {
                "sin" => crate::math::cos(first),
                "cos" => -crate::math::sin(first),
                "tan" => 1.0 + v * v,
                "tanh" => 1.0 - v * v,
                "exp" => v,
                "ln" => 1.0 / first,
                // 0 at 0, as the evaluator takes it (see expr.rs).
                "sqrt" if v == 0.0 => 0.0,
                "sqrt" => 1.0 / (2.0 * v),
                "abs" => {
                    if first > 0.0 {
                        1.0
                    } else if first < 0.0 {
                        -1.0
                    } else {
                        0.0
                    }
                }
                _ => f64::NAN,
            };
            vec![d]
        }
    }
}

/// What each graph node is and which flat formula nodes it stands for.
struct Kind {
    op: Op,
    label: String,
    inputs: Vec<usize>,
}

struct Structure {
    kinds: Vec<Kind>,
    /// For each flat node, the graph node it belongs to (None for a literal folded into a
    /// negative constant).
    map: Vec<Option<usize>>,
    /// For each graph node, the first flat node it stands for (whose value it shows).
    first: Vec<usize>,
    count: Vec<usize>,
    collapsed: bool,
}

impl Structure {
    fn new(flat: &[Node], names: &[String], collapse: bool) -> Structure {
        let mut s = Structure {
            kinds: Vec::new(),
            map: vec![None; flat.len()],
            first: Vec::new(),
            count: Vec::new(),
            collapsed: collapse,
        };
        // Keys of the nodes made so far: leaves are always shared (one node per input);
        // with `collapse`, identical subtrees are too.
        let mut seen: std::collections::HashMap<(String, Vec<usize>), usize> =
            std::collections::HashMap::new();
        let folded_literal = |i: usize| -> Option<f64> {
            match flat.get(i) {
                Some(Node::Neg(a)) => match flat.get(*a) {
                    Some(Node::Num(c)) => Some(-c),
                    _ => None,
                },
                _ => None,
            }
        };
        let mut consumed_by_fold = vec![false; flat.len()];
        for (i, node) in flat.iter().enumerate() {
            if let (Node::Neg(a), Some(_)) = (node, folded_literal(i)) {
                consumed_by_fold[*a] = true;
            }
        }
        for (i, node) in flat.iter().enumerate() {
            if consumed_by_fold[i] {
                continue;
            }
            let operand = |k: usize| s.map[k].unwrap_or(0);
            let (op, label, inputs, share) = match *node {
                Node::X => (Op::Input, "x".to_string(), vec![], true),
                Node::Y => (Op::Input, "y".to_string(), vec![], true),
                Node::Input(k) => (
                    Op::Input,
                    names.get(k).cloned().unwrap_or_default(),
                    vec![],
                    true,
                ),
                Node::Num(c) => (Op::Const, format_value(c), vec![], collapse),
                Node::Pi => (Op::Const, "π".to_string(), vec![], collapse),
                Node::E => (Op::Const, "e".to_string(), vec![], collapse),
                Node::Neg(a) => match folded_literal(i) {
                    Some(c) => (Op::Const, format_value(c), vec![], collapse),
                    None => (Op::Neg, Op::Neg.symbol().into(), vec![operand(a)], collapse),
                },
                Node::Call(func, a) => {
                    let op = Op::Call(func_name(func));
                    (op, op.symbol().into(), vec![operand(a)], collapse)
                }
                Node::Bin(bin, a, b) => {
                    let op = match bin {
                        BinOp::Add => Op::Add,
                        BinOp::Sub => Op::Sub,
                        BinOp::Mul => Op::Mul,
                        BinOp::Div => Op::Div,
                        BinOp::Pow => Op::Pow,
                    };
                    (
                        op,
                        op.symbol().into(),
                        vec![operand(a), operand(b)],
                        collapse,
                    )
                }
            };
            let key = (format!("{}:{}", op.name(), label), inputs.clone());
            if share {
                if let Some(&id) = seen.get(&key) {
                    s.map[i] = Some(id);
                    if op != Op::Input {
                        s.count[id] += 1;
                    }
                    continue;
                }
            }
            let id = s.kinds.len();
            seen.insert(key, id);
            s.kinds.push(Kind { op, label, inputs });
            s.map[i] = Some(id);
            s.first.push(i);
            s.count.push(1);
        }
        if collapse {
            s.split_constants(flat);
        }
        s
    }
}

impl Structure {
    /// Collapsing shares equal constants too (so that equal subtrees have equal keys); drawn
    /// shared, a `1` used in ten places would pull ten edges across the graph. This gives each
    /// constant one node per place it is used in the collapsed graph (its consumer and operand
    /// slot), standing for the uses that the collapsed consumer stands for.
    fn split_constants(&mut self, flat: &[Node]) {
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; flat.len()];
        for (i, node) in flat.iter().enumerate() {
            match *node {
                Node::Neg(a) | Node::Call(_, a) => parent[a] = Some((i, 0)),
                Node::Bin(_, a, b) => {
                    parent[a] = Some((i, 0));
                    parent[b] = Some((i, 1));
                }
                _ => {}
            }
        }
        let mut place: std::collections::HashMap<(usize, usize, usize), usize> =
            std::collections::HashMap::new();
        for (i, &up) in parent.iter().enumerate() {
            let Some(c) = self.map[i] else { continue };
            if self.kinds[c].op != Op::Const {
                continue;
            }
            let Some((p, slot)) = up else { continue };
            let Some(consumer) = self.map[p] else {
                continue;
            };
            let key = (c, consumer, slot);
            let id = match place.get(&key) {
                Some(&id) => id,
                None => {
                    // The first place keeps the node; later ones get copies.
                    let id = if place.keys().any(|k| k.0 == c) {
                        self.kinds.push(Kind {
                            op: Op::Const,
                            label: self.kinds[c].label.clone(),
                            inputs: Vec::new(),
                        });
                        self.first.push(i);
                        self.count.push(0);
                        let id = self.kinds.len() - 1;
                        let slot_ref = &mut self.kinds[consumer].inputs[slot];
                        if *slot_ref == c {
                            *slot_ref = id;
                        }
                        id
                    } else {
                        self.count[c] = 0;
                        c
                    };
                    place.insert(key, id);
                    id
                }
            };
            self.map[i] = Some(id);
            self.count[id] += 1;
        }
        // A constant's count is the number of uses its consumer stands for: shown only when
        // its consumer is a collapsed subtree, as for any other node.
        for (id, kind) in self.kinds.iter().enumerate() {
            if kind.op == Op::Const {
                let consumers = self.count[id];
                self.count[id] = consumers.max(1);
            }
        }
    }
}

fn func_name(func: Func) -> &'static str {
    func.name()
}

/// A number as the graph shows it: 10 significant digits, trailing zeros dropped, so f64's
/// 220.00000000000003 reads 220; an exponent outside 1e-4 to 1e10; "undefined" for NaN.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "undefined".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let text = if (1e-4..1e10).contains(&v.abs()) {
        let digits = 9 - v.abs().log10().floor() as i32;
        let s = format!("{:.*}", digits.max(0) as usize, v);
        trim_zeros(&s)
    } else {
        let s = format!("{v:.9e}");
        match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa)),
            None => s,
        }
    };
    // Rounding can reach the next power of ten (9999999999.6 → 10000000000): fine as it is.
    text.replace('-', "−")
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

//! The Graph view's WebAssembly module: the computational graph of a formula at a point (and a
//! network's layers as a graph), built by `gradscape-core`, laid out and drawn there as SVG, and
//! handed to `www/graph.js` with every number already written out. A module of its own, so the
//! page loads it only when the Graph view is first opened.

/// The allocator: Talc, a drop-in for the default (dlmalloc) that leaves the module smaller.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use gradscape_core::graph::{format_value, parse_inputs, Graph};
use gradscape_core::graph_layout::{forward_step, label_texts, layout, svg, Layout};
use gradscape_core::message::ToMessage;
use gradscape_core::net::{Activation, Network};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The one error path: a JS `Error` whose `message` is the core's English, with the message as
/// data beside it (`kind`, `values`), so the page words it in its language.
fn error(e: impl ToMessage) -> JsValue {
    let message = e.to_message();
    let error = js_sys::Error::new(&message.english());
    // Setting a property on a fresh Error cannot fail; if it ever did, the English remains.
    let _ = js_sys::Reflect::set(&error, &"kind".into(), &message.kind.into());
    // The message as JSON text, read back by the browser: its `values` object as the page reads
    // them (no JSON tree is built in the module).
    let values = serde_json::to_string(&message)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .and_then(|data| js_sys::Reflect::get(&data, &"values".into()).ok());
    if let Some(values) = values {
        let _ = js_sys::Reflect::set(&error, &"values".into(), &values);
    }
    error.into()
}

/// A node with its numbers as the page shows them.
#[derive(Serialize)]
struct NodeText {
    id: usize,
    op: &'static str,
    label: String,
    inputs: Vec<usize>,
    value: String,
    grad: String,
    local: Vec<String>,
    numerical: String,
    /// |backprop − numerical|, written out.
    difference: String,
    count: usize,
    /// The step from which its value is known (0 for inputs and constants).
    known_from: usize,
    /// The step from which its gradient is complete.
    grad_from: usize,
    /// Whether its value feeds more than one operand.
    fan_out: bool,
}

/// One backward contribution, written out.
#[derive(Serialize)]
struct Part {
    edge: usize,
    from: usize,
    slot: usize,
    local: String,
    contribution: String,
    running: String,
    /// The contributions `from` had before this one, when it fans out.
    sum_before: Option<String>,
    last: bool,
}

/// One step: the forward pass computes a node, the backward pass sends its contributions.
#[derive(Serialize)]
struct Step {
    phase: &'static str,
    node: usize,
    operands: Vec<String>,
    result: String,
    upstream: String,
    parts: Vec<Part>,
}

#[derive(Serialize)]
struct View<'a> {
    formula: &'a str,
    value: String,
    steps: usize,
    collapsed: bool,
    nodes: Vec<NodeText>,
    edges: usize,
    /// Step t (1 … 2F) is `plan[t − 1]`.
    plan: Vec<Step>,
    values: Vec<(String, f64)>,
    labels: Vec<String>,
    width: f64,
    height: f64,
}

/// The graph of one formula at one point, with its layout and drawing.
#[wasm_bindgen]
pub struct GraphView {
    graph: Graph,
    layout: Layout,
    view: String,
    drawing: String,
}

impl std::fmt::Debug for GraphView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphView")
            .field("formula", &self.graph.formula)
            .finish()
    }
}

#[wasm_bindgen]
impl GraphView {
    /// The graph of `formula` at (x, y), with the named inputs' values as `name:value,…`.
    #[wasm_bindgen(constructor)]
    pub fn new(formula: &str, x: f64, y: f64, inputs: &str) -> Result<GraphView, JsValue> {
        let values = parse_inputs(inputs).map_err(error)?;
        let graph = Graph::build(formula, [x, y], &values).map_err(error)?;
        let placed = layout(&graph);
        let drawing = svg(&graph, &placed, false);
        let view = view(&graph, placed.width, placed.height);
        Ok(GraphView {
            graph,
            layout: placed,
            view,
            drawing,
        })
    }

    /// The same formula at another point or with other inputs: the same nodes in the same
    /// places, so no new layout or drawing; the view's `labels` holds the labels' new texts, in
    /// the drawing's order.
    pub fn moved(&mut self, x: f64, y: f64, inputs: &str) -> Result<(), JsValue> {
        let values = parse_inputs(inputs).map_err(error)?;
        let graph = Graph::build(&self.graph.formula, [x, y], &values).map_err(error)?;
        if graph.nodes.len() != self.graph.nodes.len()
            || graph.edges.len() != self.graph.edges.len()
        {
            return Err(js_sys::Error::new("the graph changed shape").into());
        }
        self.view = view(&graph, self.layout.width, self.layout.height);
        self.graph = graph;
        Ok(())
    }

    /// Everything the page shows but the drawing, as JSON: each node's numbers as text, each
    /// step, and the labels' texts.
    pub fn view(&self) -> String {
        self.view.clone()
    }

    /// The drawing, as SVG, as at step 0 (the labels of later steps hidden).
    pub fn svg(&self) -> String {
        self.drawing.clone()
    }

    /// The contract: `{output, nodes: [{id, op, label, inputs, value, grad, …}], …}`.
    pub fn json(&self) -> String {
        serde_json::to_string(&self.graph).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

fn view(graph: &Graph, width: f64, height: f64) -> String {
    let f = graph.steps();
    let mut grad_from = vec![f + 1; graph.nodes.len()];
    let mut fans = vec![0usize; graph.nodes.len()];
    for e in &graph.edges {
        fans[e.from] += 1;
        if e.last {
            grad_from[e.from] = f + e.backward_step;
        }
    }
    let nodes = graph
        .nodes
        .iter()
        .map(|n| NodeText {
            id: n.id,
            op: n.op.name(),
            label: n.label.clone(),
            inputs: n.inputs.clone(),
            value: format_value(n.value),
            grad: format_value(n.grad),
            local: n.local.iter().map(|&v| format_value(v)).collect(),
            numerical: format_value(n.numerical),
            difference: format_value((n.grad - n.numerical).abs()),
            count: n.count,
            known_from: forward_step(graph, n.id),
            grad_from: grad_from[n.id],
            fan_out: fans[n.id] > 1,
        })
        .collect();
    let mut plan = Vec::with_capacity(2 * f);
    for &id in &graph.order {
        let n = &graph.nodes[id];
        plan.push(Step {
            phase: "forward",
            node: id,
            operands: n
                .inputs
                .iter()
                .map(|&k| format_value(graph.nodes[k].value))
                .collect(),
            result: format_value(n.value),
            upstream: String::new(),
            parts: Vec::new(),
        });
    }
    for (j, &id) in graph.order.iter().rev().enumerate() {
        let n = &graph.nodes[id];
        let parts = graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.backward_step == j + 1)
            .map(|(k, e)| {
                let before = e.running - e.contribution;
                let earlier = graph.edges[..k].iter().any(|o| o.from == e.from);
                Part {
                    edge: k,
                    from: e.from,
                    slot: e.slot,
                    local: format_value(n.local.get(e.slot).copied().unwrap_or(f64::NAN)),
                    contribution: format_value(e.contribution),
                    running: format_value(e.running),
                    sum_before: earlier.then(|| format_value(before)),
                    last: e.last,
                }
            })
            .collect();
        plan.push(Step {
            phase: "backward",
            node: id,
            operands: Vec::new(),
            result: String::new(),
            upstream: format_value(n.grad),
            parts,
        });
    }
    let view = View {
        formula: &graph.formula,
        value: format_value(graph.value()),
        steps: f,
        collapsed: graph.collapsed,
        nodes,
        edges: graph.edges.len(),
        plan,
        values: graph.values.clone(),
        labels: label_texts(graph),
        width,
        height,
    };
    serde_json::to_string(&view).unwrap_or_default()
}

/// A point of the Graph view's inset of the surface, (u, v) from its top left corner as
/// fractions of its size, in the world of the view box `[xmin, xmax, ymin, ymax]`, kept inside.
#[wasm_bindgen]
pub fn inset_to_world(u: f64, v: f64, view: &[f64]) -> Vec<f64> {
    let [xmin, xmax, ymin, ymax] = match view {
        [a, b, c, d] => [*a, *b, *c, *d],
        _ => return vec![f64::NAN, f64::NAN],
    };
    let (u, v) = (u.clamp(0.0, 1.0), v.clamp(0.0, 1.0));
    vec![xmin + u * (xmax - xmin), ymax - v * (ymax - ymin)]
}

/// The inverse of [`inset_to_world`]: where (x, y) is on the inset, as fractions.
#[wasm_bindgen]
pub fn world_to_inset(x: f64, y: f64, view: &[f64]) -> Vec<f64> {
    match view {
        [xmin, xmax, ymin, ymax] => vec![(x - xmin) / (xmax - xmin), (ymax - y) / (ymax - ymin)],
        _ => vec![f64::NAN, f64::NAN],
    }
}

/// A network's layers as the book's computational graph on one example: the network of layer
/// `sizes` with `activation` after each hidden layer and the weights `params` (W₁, b₁, W₂, …),
/// the example's features `x` and label `label`. JSON `{label, predicted, loss, layers: [{name,
/// input_shape, output_shape, forward, backward, params, parts}]}`.
#[wasm_bindgen]
pub fn layer_graph(
    sizes: &[usize],
    activation: &str,
    params: &[f64],
    x: &[f64],
    label: usize,
    example: usize,
) -> Result<String, JsValue> {
    let activation = Activation::parse(activation).map_err(error)?;
    let net = Network::from_parts(sizes, activation, params).map_err(error)?;
    let mut graph = gradscape_core::layer_graph::layer_graph(&net, x, label).map_err(error)?;
    graph.example = Some(example);
    serde_json::to_string(&graph).map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

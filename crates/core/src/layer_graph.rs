//! One example's pass through a [`Network`] as the book's computational graph (chapter 5), so a
//! page can show every layer's forward output and backward ∂L/∂input, each layer opened up into
//! the nodes of the book's figures, and the backpropagated gradients checked against central
//! differences.
//!
//! The numbers are made by the same operations, in the same order, as [`Network::gradient`] on a
//! batch of that one example: the same [`gemm`] calls with the same shapes, the same softmax and
//! the same activation backward. So the dW and db shown are the very bits training uses, not a
//! second implementation that might drift from it (a test holds them equal bit for bit).
//!
//! The checks perturb one number at a time by h = 1e-4 and run the layers from the perturbed one
//! to the loss, only for a few entries of each array: a whole numerical gradient of a 784-100-10
//! network would take 160 000 passes, and a few entries already show whether backpropagation
//! holds, which is the point the book makes with its gradient check.

use crate::math::{exp, ln};
use crate::matrix::{gemm, Op};
use crate::message::Message;
use crate::net::{Activation, Layer, NetError, Network};
use serde::Serialize;

/// The step of the central differences, the book's `numerical_gradient`'s h.
pub const H: f64 = 1e-4;

/// The most entries of one array checked against central differences.
pub const CHECKED_ENTRIES: usize = 6;

/// The book's guard inside the log of the cross-entropy error, `np.log(y + 1e-7)`.
const LOG_GUARD: f64 = 1e-7;

/// The network on one example, layer by layer, first to last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerGraph {
    /// Which example of a data set this is; [`layer_graph`] leaves it `None` for the caller,
    /// who knows where `x` came from.
    pub example: Option<usize>,
    /// The example's class t.
    pub label: usize,
    /// The class with the highest score (the first of equal scores, as [`Network::predict`]).
    pub predicted: usize,
    /// The loss of this one example, −ln(y[t] + 1e-7): the same bits as [`Network::gradient`]
    /// returns for a batch of it.
    pub loss: f64,
    /// Affine1, its activation, Affine2, …, SoftmaxWithLoss.
    pub layers: Vec<LayerNode>,
}

/// One of the book's layers, with what flows through it both ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerNode {
    /// "Affine1", "ReLU1" or "Sigmoid1", "Affine2", …, "SoftmaxWithLoss".
    pub name: String,
    /// "affine", "relu", "sigmoid" or "softmax-with-loss".
    pub kind: String,
    /// `[1, n]`: one example is a batch of one row, as the book's layers see it.
    pub input_shape: Vec<usize>,
    /// `[1, n]`, or `[]` for the loss, a scalar.
    pub output_shape: Vec<usize>,
    /// The layer's output (for Softmax-with-Loss: `[loss]`).
    pub forward: Vec<f64>,
    /// ∂L/∂(this layer's input), as long as the input: what the layer's `backward` returns.
    pub backward: Vec<f64>,
    /// `backward` against central differences of the loss in a few of the input's entries
    /// (named "x", shaped like the input).
    pub input_check: ParamCheck,
    /// Affine's W and b (named "W1", "b1", …) with their gradients checked; empty otherwise.
    pub params: Vec<ParamCheck>,
    /// The layer opened up into the nodes of the book's figure.
    pub parts: Vec<Part>,
}

/// One array's backpropagated gradient against central differences: a parameter (W1, b1, …) or
/// a layer's input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamCheck {
    pub name: String,
    /// `[n_in, n_out]` for W, `[n_out]` for b, the layer's input shape for an input.
    pub shape: Vec<usize>,
    /// √Σ g² of the whole backpropagated gradient of the array.
    pub grad_norm: f64,
    /// max |g| of it.
    pub grad_max_abs: f64,
    /// The first entry, then the ones of largest |g| (ties to the lower index), at most
    /// [`CHECKED_ENTRIES`] in all: the first is always there so the same place can be followed
    /// from example to example, and the largest are the ones that move the loss most.
    pub entries: Vec<CheckedEntry>,
    /// The largest `abs_diff` of the entries.
    pub max_abs_diff: f64,
}

/// One entry of an array, its gradient found both ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedEntry {
    /// Row and column for a matrix (`[0, j]` for an input), the position alone for b.
    pub index: Vec<usize>,
    /// The entry's value.
    pub value: f64,
    /// ∂L/∂entry by backpropagation.
    pub backprop: f64,
    /// (L(v + h) − L(v − h)) / 2h with h = [`H`], on the loss of this one example.
    pub numerical: f64,
    /// |backprop − numerical|.
    pub abs_diff: f64,
}

/// A node of the book's expanded figure of a layer: a value and ∂L/∂ that value.
///
/// The input and the parameters are parts too (`op` "input", "param" or "label"), so every
/// gradient of the figure sits on the value it belongs to: the backward of `dot` with respect to
/// X (dout·Wᵀ) is X's `backward`, with respect to W (Xᵀ·dout) is W's. Ids are unique within one
/// layer; `inputs` names the parts a node is computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub id: String,
    /// "input", "param", "label", "dot", "add", "relu", "mul", "exp", "div", "softmax" or
    /// "cross-entropy".
    pub op: String,
    /// What the book writes in or beside the node: "X", "W1", "dot", "+", "×(−1)", "exp", "+1",
    /// "/", "ReLU", "Softmax", "Cross Entropy Error".
    pub label: String,
    pub inputs: Vec<String>,
    /// The shape of the value (`[]` for the loss).
    pub shape: Vec<usize>,
    /// The value. (A sigmoid's `exp` node holds +∞ for inputs below about −709, as NumPy's
    /// would; the layer's output is still a finite 0.)
    pub forward: Vec<f64>,
    /// ∂L/∂(the value); empty for the label t, which the loss is not differentiated by.
    pub backward: Vec<f64>,
    /// ReLU only: the book's `mask = (x <= 0)`, true where the unit is off and blocks the
    /// gradient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<Vec<bool>>,
}

/// The network on one example `x` of class `t`, as the book's layers, with its gradients checked.
///
/// # Errors
/// If `x` does not have `net.inputs()` numbers, `t` is not a class of the network, a number of
/// `x` or of the network is not finite, or the pass overflows (weights so large that a score or
/// a gradient is not finite).
pub fn layer_graph(net: &Network, x: &[f64], t: usize) -> Result<LayerGraph, NetError> {
    check_inputs(net, x, t)?;
    let steps = steps(net);
    let params = net.params();

    // Forward: acts[k] is the input of step k, acts[k + 1] its output.
    let mut acts = vec![x.to_vec()];
    for (step, name) in &steps {
        let out = forward(net, *step, params, &acts[acts.len() - 1], t);
        if let Some(i) = out.iter().position(|v| !v.is_finite()) {
            return Err(NetError(
                Message::new("layers.forward-overflow")
                    .with("layer", name)
                    .with("output", i + 1),
            ));
        }
        acts.push(out);
    }

    // Backward, as Network::gradient runs it: douts[k] is ∂L/∂(input of step k).
    let n = steps.len();
    let mut douts = vec![Vec::new(); n];
    let mut param_grads = vec![(Vec::new(), Vec::new()); n];
    for k in (0..n).rev() {
        let (input, output) = (&acts[k], &acts[k + 1]);
        // ∂L/∂(output of step k): the next step's input gradient, or ∂L/∂L = 1 for the loss.
        let dout: &[f64] = douts.get(k + 1).map_or(&[1.0], Vec::as_slice);
        let din = match steps[k].0 {
            // SoftmaxWithLoss backward: y − onehot(t) (the book's / batch_size is / 1 here).
            Step::SoftmaxWithLoss => {
                let mut d = softmax(input);
                d[t] -= 1.0;
                d
            }
            Step::Affine(l) => {
                let layer = &net.layers()[l];
                // dW = xᵀ·dout, db = Σ dout over the batch (from 0, as the network sums),
                // dx = dout·Wᵀ: the network's calls, so the same bits.
                let mut dw = vec![0.0; layer.n_in * layer.n_out];
                gemm(
                    layer.n_in,
                    1,
                    layer.n_out,
                    input,
                    Op::T,
                    dout,
                    Op::N,
                    0.0,
                    &mut dw,
                );
                let db = dout.iter().map(|&d| 0.0 + d).collect();
                let mut dx = vec![0.0; layer.n_in];
                gemm(
                    1,
                    layer.n_out,
                    layer.n_in,
                    dout,
                    Op::N,
                    &params[layer.w()],
                    Op::T,
                    0.0,
                    &mut dx,
                );
                param_grads[k] = (dw, db);
                dx
            }
            // From the stored output, as the network does.
            Step::Relu => dout
                .iter()
                .zip(output)
                .map(|(&d, &o)| if o <= 0.0 { 0.0 } else { d })
                .collect(),
            Step::Sigmoid => dout
                .iter()
                .zip(output)
                .map(|(&d, &o)| d * ((1.0 - o) * o))
                .collect(),
        };
        let (dw, db) = &param_grads[k];
        if din.iter().chain(dw).chain(db).any(|v| !v.is_finite()) {
            return Err(NetError(
                Message::new("layers.backward-overflow").with("layer", &steps[k].1),
            ));
        }
        douts[k] = din;
    }

    let loss = acts[n].first().copied().unwrap_or(f64::NAN);
    let scores = &acts[n - 1];
    let mut predicted = 0;
    for (j, &s) in scores.iter().enumerate() {
        if s > scores[predicted] {
            predicted = j;
        }
    }

    // The checks perturb a copy of the parameters, restoring each number after use.
    let mut theta = params.to_vec();
    let mut layers = Vec::with_capacity(n);
    for (k, (step, name)) in steps.iter().enumerate() {
        let (input, output) = (&acts[k], &acts[k + 1]);
        let din = &douts[k];
        let dout: &[f64] = douts.get(k + 1).map_or(&[1.0], Vec::as_slice);
        let input_shape = vec![1, input.len()];
        let mut xin = input.clone();
        let input_check = check("x", &input_shape, input, din, |i, v| {
            let keep = xin[i];
            xin[i] = v;
            let loss = run_from(net, &steps, k, &xin, params, t);
            xin[i] = keep;
            loss
        });
        let (kind, output_shape, params_checked, parts) = match *step {
            Step::Affine(l) => {
                let layer = &net.layers()[l];
                let (dw, db) = &param_grads[k];
                let mut arrays = Vec::new();
                for (array, range, grad, shape) in [
                    ("W", layer.w(), dw, vec![layer.n_in, layer.n_out]),
                    ("b", layer.b(), db, vec![layer.n_out]),
                ] {
                    let start = range.start;
                    let values = &params[range.clone()];
                    let name = format!("{array}{}", l + 1);
                    arrays.push(check(&name, &shape, values, grad, |i, v| {
                        let keep = theta[start + i];
                        theta[start + i] = v;
                        let loss = run_from(net, &steps, k, input, &theta, t);
                        theta[start + i] = keep;
                        loss
                    }));
                }
                let parts = affine_parts(l, layer, params, input, output, dout, din, dw, db);
                ("affine", vec![1, layer.n_out], arrays, parts)
            }
            Step::Relu => (
                "relu",
                vec![1, output.len()],
                Vec::new(),
                relu_parts(input, output, dout, din),
            ),
            Step::Sigmoid => (
                "sigmoid",
                vec![1, output.len()],
                Vec::new(),
                sigmoid_parts(input, output, dout),
            ),
            Step::SoftmaxWithLoss => (
                "softmax-with-loss",
                Vec::new(),
                Vec::new(),
                softmax_parts(input, t, loss, din),
            ),
        };
        layers.push(LayerNode {
            name: name.clone(),
            kind: kind.into(),
            input_shape,
            output_shape,
            forward: output.clone(),
            backward: din.clone(),
            input_check,
            params: params_checked,
            parts,
        });
    }

    Ok(LayerGraph {
        example: None,
        label: t,
        predicted,
        loss,
        layers,
    })
}

/// What one of the book's layers does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The network's layer at this index.
    Affine(usize),
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
}

/// The book's layers of `net` and their names: Affine1, ReLU1, Affine2, …, SoftmaxWithLoss.
fn steps(net: &Network) -> Vec<(Step, String)> {
    let mut steps = Vec::new();
    for (l, layer) in net.layers().iter().enumerate() {
        steps.push((Step::Affine(l), format!("Affine{}", l + 1)));
        match layer.activation {
            Activation::Relu => steps.push((Step::Relu, format!("ReLU{}", l + 1))),
            Activation::Sigmoid => steps.push((Step::Sigmoid, format!("Sigmoid{}", l + 1))),
            Activation::None => {}
        }
    }
    steps.push((Step::SoftmaxWithLoss, "SoftmaxWithLoss".into()));
    steps
}

/// The errors of [`layer_graph`] that can be seen before running anything.
fn check_inputs(net: &Network, x: &[f64], t: usize) -> Result<(), NetError> {
    if x.len() != net.inputs() {
        return Err(NetError(
            Message::new("layers.wrong-inputs")
                .with("numbers", x.len())
                .with("inputs", net.inputs()),
        ));
    }
    if t >= net.classes() {
        return Err(NetError(
            Message::new("layers.bad-label")
                .with("label", t)
                .with("last", net.classes() - 1),
        ));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(NetError(
            Message::new("layers.input-not-finite").with("input", i + 1),
        ));
    }
    if let Some(i) = net.params().iter().position(|v| !v.is_finite()) {
        let message = match net.arrays().into_iter().find(|(_, r)| r.contains(&i)) {
            Some((name, r)) => Message::new("net.not-finite-param")
                .with("array", name)
                .with("element", i - r.start + 1),
            None => Message::new("net.not-finite-parameter").with("element", i + 1),
        };
        return Err(NetError(message));
    }
    Ok(())
}

/// One step forward, as the network computes it (for Softmax-with-Loss: `[loss]`).
fn forward(net: &Network, step: Step, params: &[f64], x: &[f64], t: usize) -> Vec<f64> {
    match step {
        Step::Affine(l) => affine(&net.layers()[l], params, x).1,
        // The book's mask is x ≤ 0 → 0.
        Step::Relu => x.iter().map(|&v| if v <= 0.0 { 0.0 } else { v }).collect(),
        Step::Sigmoid => x.iter().map(|&v| 1.0 / (1.0 + exp(-v))).collect(),
        Step::SoftmaxWithLoss => vec![cross_entropy(&softmax(x), t)],
    }
}

/// The loss with `x` fed to step `k` and the steps after it (the earlier ones are unchanged by
/// a perturbation there, so they need not run again).
fn run_from(
    net: &Network,
    steps: &[(Step, String)],
    k: usize,
    x: &[f64],
    params: &[f64],
    t: usize,
) -> f64 {
    let mut v = x.to_vec();
    for (step, _) in &steps[k..] {
        v = forward(net, *step, params, &v, t);
    }
    v.first().copied().unwrap_or(f64::NAN)
}

/// x·W (the product alone, `dot`'s value) and x·W + b, by the network's call of [`gemm`].
fn affine(layer: &Layer, params: &[f64], x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut product = vec![0.0; layer.n_out];
    gemm(
        1,
        layer.n_in,
        layer.n_out,
        x,
        Op::N,
        &params[layer.w()],
        Op::N,
        0.0,
        &mut product,
    );
    let y = product
        .iter()
        .zip(&params[layer.b()])
        .map(|(p, b)| p + b)
        .collect();
    (product, y)
}

/// Softmax with the maximum subtracted first, as the network computes it.
fn softmax(scores: &[f64]) -> Vec<f64> {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut y: Vec<f64> = scores.iter().map(|&s| exp(s - max)).collect();
    let sum = y.iter().fold(0.0, |sum, &p| sum + p);
    for p in &mut y {
        *p /= sum;
    }
    y
}

/// The book's cross-entropy error of one example, −ln(y[t] + 1e-7).
fn cross_entropy(y: &[f64], t: usize) -> f64 {
    -ln(y[t] + LOG_GUARD)
}

/// The gradient `grad` of an array (`values`, `shape`) against central differences at a few
/// entries; `loss_at(i, v)` is the loss with entry i set to v (and must leave the array as it
/// found it).
fn check(
    name: &str,
    shape: &[usize],
    values: &[f64],
    grad: &[f64],
    mut loss_at: impl FnMut(usize, f64) -> f64,
) -> ParamCheck {
    // Row and column for a matrix, the position alone for a vector.
    let index = |i: usize| match *shape {
        [_, cols] => i
            .checked_div(cols)
            .map_or(vec![i], |row| vec![row, i - row * cols]),
        _ => vec![i],
    };
    let entries: Vec<CheckedEntry> = pick_entries(grad, CHECKED_ENTRIES)
        .into_iter()
        .map(|i| {
            let value = values[i];
            // The book's numerical_gradient: (f(x + h) − f(x − h)) / 2h.
            let numerical = (loss_at(i, value + H) - loss_at(i, value - H)) / (2.0 * H);
            CheckedEntry {
                index: index(i),
                value,
                backprop: grad[i],
                numerical,
                abs_diff: (grad[i] - numerical).abs(),
            }
        })
        .collect();
    ParamCheck {
        name: name.into(),
        shape: shape.to_vec(),
        grad_norm: grad.iter().map(|g| g * g).sum::<f64>().sqrt(),
        grad_max_abs: grad.iter().fold(0.0, |m: f64, g| m.max(g.abs())),
        max_abs_diff: entries.iter().fold(0.0, |m: f64, e| m.max(e.abs_diff)),
        entries,
    }
}

/// The first index, then up to `k − 1` more of the largest |g| (ties to the lower index).
fn pick_entries(grad: &[f64], k: usize) -> Vec<usize> {
    if grad.is_empty() || k == 0 {
        return Vec::new();
    }
    // The best so far, largest |g| first; a short list, so insertion is cheapest.
    let mut best: Vec<usize> = Vec::with_capacity(k);
    for (i, g) in grad.iter().enumerate().skip(1) {
        let a = g.abs();
        let place = best.iter().position(|&j| grad[j].abs() < a);
        match place {
            Some(p) => {
                best.insert(p, i);
                best.truncate(k - 1);
            }
            None if best.len() < k - 1 => best.push(i),
            None => {}
        }
    }
    let mut out = vec![0];
    out.extend(best);
    out
}

/// A part with no mask.
fn part(
    id: &str,
    op: &str,
    label: &str,
    inputs: &[&str],
    shape: Vec<usize>,
    forward: Vec<f64>,
    backward: Vec<f64>,
) -> Part {
    Part {
        id: id.into(),
        op: op.into(),
        label: label.into(),
        inputs: inputs.iter().map(|s| (*s).to_string()).collect(),
        shape,
        forward,
        backward,
        mask: None,
    }
}

/// The book's Figure 5-25 for one row: X and W into `dot`, its product and b into `+`, giving Y.
/// The backward of `dot` is dout·Wᵀ with respect to X and Xᵀ·dout with respect to W; `+` passes
/// dout on to both of its inputs.
#[allow(clippy::too_many_arguments)]
fn affine_parts(
    l: usize,
    layer: &Layer,
    params: &[f64],
    x: &[f64],
    y: &[f64],
    dout: &[f64],
    dx: &[f64],
    dw: &[f64],
    db: &[f64],
) -> Vec<Part> {
    let (n_in, n_out) = (layer.n_in, layer.n_out);
    let (product, _) = affine(layer, params, x);
    vec![
        part(
            "X",
            "input",
            "X",
            &[],
            vec![1, n_in],
            x.to_vec(),
            dx.to_vec(),
        ),
        part(
            "W",
            "param",
            &format!("W{}", l + 1),
            &[],
            vec![n_in, n_out],
            params[layer.w()].to_vec(),
            dw.to_vec(),
        ),
        part(
            "b",
            "param",
            &format!("b{}", l + 1),
            &[],
            vec![n_out],
            params[layer.b()].to_vec(),
            db.to_vec(),
        ),
        part(
            "dot",
            "dot",
            "dot",
            &["X", "W"],
            vec![1, n_out],
            product,
            dout.to_vec(),
        ),
        part(
            "add",
            "add",
            "+",
            &["dot", "b"],
            vec![1, n_out],
            y.to_vec(),
            dout.to_vec(),
        ),
    ]
}

/// The book's Figure 5-18: one `relu` node; where the input was ≤ 0 it outputs 0 and stops the
/// gradient, elsewhere it passes both straight through.
fn relu_parts(x: &[f64], y: &[f64], dout: &[f64], dx: &[f64]) -> Vec<Part> {
    let shape = vec![1, x.len()];
    let mut relu = part(
        "relu",
        "relu",
        "ReLU",
        &["x"],
        shape.clone(),
        y.to_vec(),
        dout.to_vec(),
    );
    relu.mask = Some(x.iter().map(|&v| v <= 0.0).collect());
    vec![
        part("x", "input", "x", &[], shape, x.to_vec(), dx.to_vec()),
        relu,
    ]
}

/// The book's Figures 5-19 to 5-21: y = 1 / (1 + exp(−x)) as four nodes, ×(−1), exp, +1 and /,
/// and the gradient taken back through each in turn:
///
/// - `/` (y = 1/c): ∂L/∂c = −∂L/∂y · y²
/// - `+1` passes it on: ∂L/∂b = ∂L/∂c
/// - `exp` (b = exp(a)): ∂L/∂a = ∂L/∂b · exp(a)
/// - `×(−1)`: ∂L/∂x = −∂L/∂a = ∂L/∂y · y² · exp(−x) = ∂L/∂y · y(1 − y).
///
/// The input part's backward is this chain's result, computed node by node as the figure
/// shows; the layer's `backward` is the simplified ∂L/∂y · y(1 − y) of the book's Sigmoid class
/// and of [`Network::gradient`]. The two agree to rounding.
fn sigmoid_parts(x: &[f64], y: &[f64], dy: &[f64]) -> Vec<Part> {
    let shape = vec![1, x.len()];
    let a: Vec<f64> = x.iter().map(|&v| -v).collect();
    let b: Vec<f64> = a.iter().map(|&v| exp(v)).collect();
    let c: Vec<f64> = b.iter().map(|&v| 1.0 + v).collect();
    let dc: Vec<f64> = dy.iter().zip(y).map(|(&d, &y)| -d * (y * y)).collect();
    let db = dc.clone();
    // For x below about −709, exp(−x) is +∞ and y² is 0: the product's limit is 0
    // (y²·exp(−x) = y(1 − y) → 0), where IEEE arithmetic would give 0·∞ = NaN.
    let da: Vec<f64> = db
        .iter()
        .zip(&b)
        .map(|(&d, &e)| if e.is_infinite() { 0.0 } else { d * e })
        .collect();
    let dx: Vec<f64> = da.iter().map(|&d| -d).collect();
    vec![
        part("x", "input", "x", &[], shape.clone(), x.to_vec(), dx),
        part("mul", "mul", "×(−1)", &["x"], shape.clone(), a, da),
        part("exp", "exp", "exp", &["mul"], shape.clone(), b, db),
        part("add", "add", "+1", &["exp"], shape.clone(), c, dc),
        part("div", "div", "/", &["add"], shape, y.to_vec(), dy.to_vec()),
    ]
}

/// The book's Figure 5-29: the scores through `softmax` to y, y and the one-hot t through the
/// cross-entropy error to L.
///
/// The softmax part's backward is ∂L/∂y = −t/(y + 1e-7), the 1e-7 included; the scores' backward
/// is the book's y − t, which treats the loss as −ln y[t]. Taken exactly through the softmax, the
/// 1e-7 would scale it by y[t]/(y[t] + 1e-7), a relative change below 1e-7/y[t] that the book
/// (and training) leave out.
fn softmax_parts(scores: &[f64], t: usize, loss: f64, dscores: &[f64]) -> Vec<Part> {
    let shape = vec![1, scores.len()];
    let y = softmax(scores);
    let onehot: Vec<f64> = (0..scores.len())
        .map(|j| if j == t { 1.0 } else { 0.0 })
        .collect();
    let dy: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(j, &p)| if j == t { -1.0 / (p + LOG_GUARD) } else { 0.0 })
        .collect();
    vec![
        part(
            "x",
            "input",
            "x",
            &[],
            shape.clone(),
            scores.to_vec(),
            dscores.to_vec(),
        ),
        part("t", "label", "t", &[], shape.clone(), onehot, Vec::new()),
        part("softmax", "softmax", "Softmax", &["x"], shape, y, dy),
        part(
            "cross-entropy",
            "cross-entropy",
            "Cross Entropy Error",
            &["softmax", "t"],
            Vec::new(),
            vec![loss],
            vec![1.0],
        ),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::matrix::Matrix;
    use crate::net::{Init, LayerWeights, WeightsFile, Workspace};
    use crate::rng::Rng;

    /// W (rows of n_out numbers), b and the activation of one layer.
    type Spec<'a> = (Vec<Vec<f64>>, Vec<f64>, &'a str);

    fn net_of(layers: &[Spec]) -> Network {
        let file = WeightsFile {
            layers: layers
                .iter()
                .map(|(w, b, activation)| LayerWeights {
                    w: w.clone(),
                    b: b.clone(),
                    activation: (*activation).into(),
                })
                .collect(),
        };
        Network::from_file(&file).unwrap()
    }

    /// A network of these sizes with He weights and small random biases (zero biases would leave
    /// b's gradient checks too easy), and an example of uniform numbers in [−1, 1).
    fn random(sizes: &[usize], activation: Activation, seed: u64) -> (Network, Vec<f64>) {
        let mut rng = Rng::new(seed, 0);
        let mut net = Network::new(sizes, activation, Init::He, &mut rng).unwrap();
        for layer in net.layers().to_vec() {
            for b in &mut net.params_mut()[layer.b()] {
                *b = 0.2 * rng.normal();
            }
        }
        let x = (0..sizes[0]).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        (net, x)
    }

    fn node<'g>(graph: &'g LayerGraph, name: &str) -> &'g LayerNode {
        graph.layers.iter().find(|l| l.name == name).unwrap()
    }

    fn part<'n>(node: &'n LayerNode, id: &str) -> &'n Part {
        node.parts.iter().find(|p| p.id == id).unwrap()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// 2 inputs → 2 sigmoid units → 2 classes, x = (1, 2), t = 0, worked by hand:
    ///
    /// W1 = [[1, −1], [0.5, 0.5]], b1 = (−2, 0): a = (1 + 1 − 2, −1 + 1 + 0) = (0, 0), so
    /// z = sigmoid(0) = (0.5, 0.5). W2 = [[2, 0], [0, −2]], b2 = (0.5, 0.5): the product is
    /// (1, −1) and the scores s = (1.5, −0.5). Their difference is 2, so
    /// y = (1/(1 + e⁻²), e⁻²/(1 + e⁻²)) = (0.880797077977882, 0.119202922022118) and
    /// L = −ln(0.880797077977882 + 1e-7) = 0.126927897509… (−ln y₀ alone is 0.126928011043).
    ///
    /// Backward: d = y − t = (−0.119202922022118, 0.119202922022118). Affine2: dW2 = zᵀd, each
    /// row 0.5·d = (−0.059601461011059, 0.059601461011059); db2 = d; dz = d·W2ᵀ =
    /// (2·d₀, −2·d₁) = (−0.238405844044235, −0.238405844044235). Sigmoid1: da = dz·z(1 − z) =
    /// dz/4 = (−0.059601461011059, −0.059601461011059); through the four nodes: `/` gives
    /// −dz·y² = +0.059601461011059, `+1` the same, `exp` times e⁰ = 1 the same, `×(−1)` the
    /// negative. Affine1: dW1 = xᵀ·da: row 1 is 1·da, row 2 is 2·da = (−0.119202922022118, …);
    /// db1 = da; dx = da·W1ᵀ = (da₀ − da₁, 0.5·da₀ + 0.5·da₁) = (0, −0.059601461011059).
    #[test]
    fn a_sigmoid_network_worked_by_hand() {
        let net = net_of(&[
            (
                vec![vec![1.0, -1.0], vec![0.5, 0.5]],
                vec![-2.0, 0.0],
                "sigmoid",
            ),
            (
                vec![vec![2.0, 0.0], vec![0.0, -2.0]],
                vec![0.5, 0.5],
                "none",
            ),
        ]);
        let g = layer_graph(&net, &[1.0, 2.0], 0).unwrap();
        let names: Vec<&str> = g.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Affine1", "Sigmoid1", "Affine2", "SoftmaxWithLoss"]);
        let tol = 1e-12;
        let y0 = 1.0 / (1.0 + (-2.0f64).exp());
        let d = y0 - 1.0; // −0.119202922022118
        assert!(close(y0, 0.880_797_077_977_882, tol));
        assert!(close(g.loss, -(y0 + 1e-7).ln(), tol), "{}", g.loss);
        assert!(close(g.loss, 0.126_927_897_509, 1e-11), "{}", g.loss);
        assert_eq!((g.label, g.predicted, g.example), (0, 0, None));

        let a1 = node(&g, "Affine1");
        assert_eq!(
            (a1.input_shape.clone(), a1.output_shape.clone()),
            (vec![1, 2], vec![1, 2])
        );
        assert_eq!(a1.forward, [0.0, 0.0]);
        assert!(close(d, -0.119_202_922_022_118, tol));
        assert!(close(a1.backward[0], 0.0, tol) && close(a1.backward[1], d / 2.0, tol));
        let dw1 = &part(a1, "W").backward;
        for (got, want) in dw1.iter().zip([d / 2.0, d / 2.0, d, d]) {
            assert!(close(*got, want, tol), "{dw1:?}");
        }
        assert!(part(a1, "b")
            .backward
            .iter()
            .all(|&v| close(v, d / 2.0, tol)));

        let s1 = node(&g, "Sigmoid1");
        assert_eq!(s1.forward, [0.5, 0.5]);
        assert!(s1.backward.iter().all(|&v| close(v, d / 2.0, tol))); // dz/4 = 2d/4
        let chain = |id: &str| part(s1, id).backward.clone();
        assert!(chain("div").iter().all(|&v| close(v, 2.0 * d, tol)));
        for id in ["add", "exp", "mul"] {
            assert!(chain(id).iter().all(|&v| close(v, -d / 2.0, tol)), "{id}");
        }
        assert!(chain("x").iter().all(|&v| close(v, d / 2.0, tol)));
        assert_eq!(part(s1, "exp").forward, [1.0, 1.0]);
        assert_eq!(part(s1, "add").forward, [2.0, 2.0]);

        let a2 = node(&g, "Affine2");
        assert_eq!(part(a2, "dot").forward, [1.0, -1.0]);
        assert_eq!(a2.forward, [1.5, -0.5]);
        let dw2 = &part(a2, "W").backward;
        for (got, want) in dw2.iter().zip([d / 2.0, -d / 2.0, d / 2.0, -d / 2.0]) {
            assert!(close(*got, want, tol), "{dw2:?}");
        }
        assert!(a2.backward.iter().all(|&v| close(v, 2.0 * d, tol)));

        let swl = node(&g, "SoftmaxWithLoss");
        assert_eq!(swl.output_shape, Vec::<usize>::new());
        assert_eq!(swl.forward, [g.loss]);
        assert!(close(swl.backward[0], d, tol) && close(swl.backward[1], -d, tol));
        let dy = &part(swl, "softmax").backward;
        assert!(close(dy[0], -1.0 / (y0 + 1e-7), tol) && dy[1] == 0.0);
    }

    /// The ReLU network of `tests/network.rs`, second example: x = (−1, 1) gives hidden
    /// pre-activations (−0.5, 2), so the first unit is off and stops its gradient.
    #[test]
    fn relu_masks_the_units_that_are_off() {
        let net = net_of(&[
            (
                vec![vec![1.0, -1.0], vec![0.5, 2.0]],
                vec![0.0, -1.0],
                "relu",
            ),
            (
                vec![vec![1.0, 0.0], vec![-1.0, 1.0]],
                vec![0.5, 0.0],
                "none",
            ),
        ]);
        let g = layer_graph(&net, &[-1.0, 1.0], 0).unwrap();
        let relu = node(&g, "ReLU1");
        assert_eq!(relu.kind, "relu");
        assert_eq!(relu.forward, [0.0, 2.0]);
        let p = part(relu, "relu");
        assert_eq!(p.mask.as_deref(), Some(&[true, false][..]));
        let dout = &node(&g, "Affine2").backward;
        assert_eq!(relu.backward, [0.0, dout[1]]);
        assert_eq!(p.backward, *dout);
        assert_eq!(node(&g, "Affine2").forward, [-1.5, 2.0]);
        assert_eq!(g.predicted, 1);
    }

    /// Networks of both activations, several examples, one of them digit-sized.
    fn cases() -> Vec<(Network, Vec<f64>, usize)> {
        let mut out = Vec::new();
        for (seed, sizes, activation) in [
            (1, vec![4, 5, 3], Activation::Relu),
            (2, vec![3, 6, 4, 3], Activation::Sigmoid),
            (3, vec![5, 7, 6, 4], Activation::Relu),
            (4, vec![2, 3, 2], Activation::Sigmoid),
            (5, vec![64, 20, 10], Activation::Relu),
        ] {
            let (net, x) = random(&sizes, activation, seed);
            for t in 0..net.classes().min(3) {
                out.push((net.clone(), x.clone(), t));
            }
        }
        out
    }

    #[test]
    fn the_same_bits_as_the_network_on_a_batch_of_one() {
        for (net, x, t) in cases() {
            let g = layer_graph(&net, &x, t).unwrap();
            let batch = Matrix {
                rows: 1,
                cols: x.len(),
                data: x.clone(),
            };
            let mut ws = Workspace::default();
            let loss = net.gradient(&batch, &[t], &mut ws);
            assert_eq!(g.loss.to_bits(), loss.to_bits());
            let affines: Vec<&LayerNode> = g.layers.iter().filter(|l| l.kind == "affine").collect();
            assert_eq!(affines.len(), net.layers().len());
            for (layer, node) in net.layers().iter().zip(affines) {
                let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&part(node, "W").backward), bits(&ws.grads[layer.w()]));
                assert_eq!(bits(&part(node, "b").backward), bits(&ws.grads[layer.b()]));
                assert_eq!(
                    bits(&part(node, "W").forward),
                    bits(&net.params()[layer.w()])
                );
            }
            let probs = net.probabilities(&batch, &mut ws).to_vec();
            let swl = node(&g, "SoftmaxWithLoss");
            assert_eq!(part(swl, "softmax").forward, probs);
            assert_eq!(g.predicted, net.predict(&batch, &mut ws)[0]);
            // The loss the checks perturb is computed the same way.
            let steps = steps(&net);
            let again = run_from(&net, &steps, 0, &x, net.params(), t);
            assert_eq!(again.to_bits(), loss.to_bits());
        }
    }

    /// Every layer's ∂L/∂input, every entry, against central differences of the loss. The
    /// backward of Softmax-with-Loss is the book's y − t, which leaves out the 1e-7 inside the
    /// log; the exact derivative is that times y[t]/(y[t] + 1e-7), so that factor is applied
    /// before comparing, and what is left is the central differences' own error.
    #[test]
    fn every_layers_input_gradient_agrees_with_central_differences() {
        for (net, x, t) in cases() {
            let g = layer_graph(&net, &x, t).unwrap();
            let steps = steps(&net);
            let swl = node(&g, "SoftmaxWithLoss");
            let yt = part(swl, "softmax").forward[t];
            let factor = yt / (yt + 1e-7);
            let mut acts = vec![x.clone()];
            for (k, node) in g.layers.iter().enumerate() {
                let input = &acts[k];
                assert_eq!(node.input_shape, [1, input.len()]);
                assert_eq!(node.backward.len(), input.len(), "{}", node.name);
                if node.kind == "relu" {
                    // No input so near the kink that x ± h crosses it.
                    assert!(input.iter().all(|v| v.abs() > 1e-3), "{input:?}");
                }
                let scale = node.backward.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
                for i in 0..input.len() {
                    let mut at = input.clone();
                    at[i] = input[i] + H;
                    let up = run_from(&net, &steps, k, &at, net.params(), t);
                    at[i] = input[i] - H;
                    let down = run_from(&net, &steps, k, &at, net.params(), t);
                    let numerical = (up - down) / (2.0 * H);
                    let backprop = node.backward[i] * factor;
                    assert!(
                        (backprop - numerical).abs() <= 1e-6 * scale + 1e-10,
                        "{} input {i}: {backprop} vs {numerical}",
                        node.name
                    );
                }
                acts.push(node.forward.clone());
            }
        }
    }

    /// The graph's own checks, with the factor y[t]/(y[t] + 1e-7) of the test above: without
    /// it, the difference is about 1e-7/y[t] relative (1e-6 for y[t] = 0.1), the book's gradient
    /// check's usual size.
    #[test]
    fn the_checks_in_the_graph_agree() {
        for (net, x, t) in cases() {
            let g = layer_graph(&net, &x, t).unwrap();
            let yt = part(node(&g, "SoftmaxWithLoss"), "softmax").forward[t];
            let factor = yt / (yt + 1e-7);
            for node in &g.layers {
                let checks = node.params.iter().chain([&node.input_check]);
                for check in checks {
                    assert!(!check.entries.is_empty() && check.entries.len() <= CHECKED_ENTRIES);
                    assert!(check.entries[0].index.iter().all(|&i| i == 0));
                    let tol = 1e-6 * check.grad_max_abs + 1e-10;
                    for e in &check.entries {
                        assert!(
                            (e.backprop * factor - e.numerical).abs() <= tol,
                            "{} {}: {e:?}",
                            node.name,
                            check.name
                        );
                        assert_eq!(e.abs_diff, (e.backprop - e.numerical).abs());
                    }
                    let max = check.entries.iter().map(|e| e.abs_diff).fold(0.0, f64::max);
                    assert_eq!(check.max_abs_diff, max);
                }
                if node.kind == "affine" {
                    let names: Vec<&str> = node.params.iter().map(|p| p.name.as_str()).collect();
                    let l = &node.name["Affine".len()..];
                    assert_eq!(names, [format!("W{l}"), format!("b{l}")]);
                    let w = &node.params[0];
                    assert_eq!(w.shape, [node.input_shape[1], node.output_shape[1]]);
                    // The entry at (row, col) is the one its index names.
                    let dw = &part(node, "W").backward;
                    for e in &w.entries {
                        assert_eq!(e.backprop, dw[e.index[0] * w.shape[1] + e.index[1]]);
                    }
                } else {
                    assert!(node.params.is_empty());
                }
            }
        }
    }

    #[test]
    fn the_entries_checked_are_the_first_and_the_largest() {
        assert_eq!(
            pick_entries(&[0.0, 3.0, -5.0, 1.0, 5.0, 2.0, -4.0, 0.5], 4),
            [0, 2, 4, 6]
        );
        assert_eq!(pick_entries(&[1.0, 2.0], 6), [0, 1]);
        assert_eq!(pick_entries(&[7.0], 6), [0]);
        assert!(pick_entries(&[], 6).is_empty());
    }

    #[test]
    fn sigmoid_parts_end_in_dy_times_y_times_one_minus_y() {
        for (net, x, t) in cases() {
            let g = layer_graph(&net, &x, t).unwrap();
            for node in g.layers.iter().filter(|l| l.kind == "sigmoid") {
                let ops: Vec<&str> = node.parts.iter().map(|p| p.label.as_str()).collect();
                assert_eq!(ops, ["x", "×(−1)", "exp", "+1", "/"]);
                let y = &node.forward;
                let dy = &part(node, "div").backward;
                let dx = &part(node, "x").backward;
                for i in 0..y.len() {
                    let want = dy[i] * y[i] * (1.0 - y[i]);
                    assert!(close(dx[i], want, 1e-12 * want.abs().max(1e-300)), "{i}");
                    assert!(close(node.backward[i], want, 1e-12 * want.abs()));
                }
                assert_eq!(part(node, "div").forward, *y);
            }
        }
        // Far below −709, exp(−x) overflows; the chain's limit is 0, not NaN.
        let parts = sigmoid_parts(&[-800.0], &[0.0], &[1.0]);
        assert_eq!(parts[2].forward, [f64::INFINITY]);
        assert_eq!(parts[0].backward, [0.0]);
    }

    #[test]
    fn softmax_with_loss_backward_is_y_minus_t_and_sums_to_zero() {
        for (net, x, t) in cases() {
            let g = layer_graph(&net, &x, t).unwrap();
            let swl = node(&g, "SoftmaxWithLoss");
            assert_eq!(swl.kind, "softmax-with-loss");
            let y = &part(swl, "softmax").forward;
            for (j, (&d, &p)) in swl.backward.iter().zip(y).enumerate() {
                let want = if j == t { p - 1.0 } else { p };
                assert_eq!(d, want);
            }
            let sum: f64 = swl.backward.iter().sum();
            assert!(sum.abs() < 1e-15, "{sum}");
            assert_eq!(part(swl, "t").forward[t], 1.0);
            assert_eq!(part(swl, "cross-entropy").forward, [g.loss]);
            assert_eq!(swl.input_shape, [1, net.classes()]);
            assert!(swl.output_shape.is_empty());
        }
    }

    #[test]
    fn bad_examples_and_networks_are_errors() {
        let (mut net, x) = random(&[3, 4, 2], Activation::Relu, 7);
        let err = |r: Result<LayerGraph, NetError>| r.unwrap_err().to_string();
        assert!(err(layer_graph(&net, &x[..2], 0)).contains("takes 3 inputs"));
        assert!(err(layer_graph(&net, &x, 2)).contains("label 2"));
        let mut bad = x.clone();
        bad[1] = f64::NAN;
        assert!(err(layer_graph(&net, &bad, 0)).contains("input 2"));
        bad[1] = f64::INFINITY;
        assert!(err(layer_graph(&net, &bad, 0)).contains("input 2"));
        let b2 = net.layers()[1].b();
        net.params_mut()[b2.start + 1] = f64::NAN;
        assert!(err(layer_graph(&net, &x, 0)).contains("b2 holds"));
        // Finite weights whose sums overflow: 3 · 1e308 = ∞.
        let w1 = net.layers()[0].w();
        net.params_mut()[b2.start + 1] = 0.0;
        for w in &mut net.params_mut()[w1] {
            *w = 1e308;
        }
        let huge = layer_graph(&net, &[1.0, 1.0, 1.0], 0);
        assert!(err(huge).contains("overflows"));
    }

    #[test]
    fn a_digits_sized_network_builds_its_graph() {
        let (net, x) = random(&[784, 100, 10], Activation::Relu, 11);
        let g = layer_graph(&net, &x, 3).unwrap();
        let shapes: Vec<(&str, Vec<usize>, Vec<usize>)> = g
            .layers
            .iter()
            .map(|l| {
                (
                    l.name.as_str(),
                    l.input_shape.clone(),
                    l.output_shape.clone(),
                )
            })
            .collect();
        let want: Vec<(&str, Vec<usize>, Vec<usize>)> = vec![
            ("Affine1", vec![1, 784], vec![1, 100]),
            ("ReLU1", vec![1, 100], vec![1, 100]),
            ("Affine2", vec![1, 100], vec![1, 10]),
            ("SoftmaxWithLoss", vec![1, 10], vec![]),
        ];
        assert_eq!(shapes, want);
        for node in &g.layers {
            for check in node.params.iter().chain([&node.input_check]) {
                assert!(check.max_abs_diff < 1e-6 * check.grad_max_abs.max(1e-3));
            }
        }
    }

    #[test]
    fn the_json_has_the_contracts_keys() {
        let (net, x) = random(&[3, 4, 2], Activation::Relu, 9);
        let mut g = layer_graph(&net, &x, 1).unwrap();
        g.example = Some(17);
        let json = serde_json::to_value(&g).unwrap();
        assert_eq!(json["example"], 17);
        assert_eq!(json["label"], 1);
        for layer in json["layers"].as_array().unwrap() {
            for key in ["name", "input_shape", "output_shape", "forward", "backward"] {
                assert!(layer.get(key).is_some(), "{key}");
            }
            for part in layer["parts"].as_array().unwrap() {
                assert_eq!(part.get("mask").is_some(), part["op"] == "relu");
            }
        }
        assert_eq!(json["layers"][3]["output_shape"], serde_json::json!([]));
        assert_eq!(
            json["layers"][0]["params"][0]["entries"][0]["index"],
            serde_json::json!([0, 0])
        );
    }
}

//! A network of Affine, ReLU/Sigmoid and Softmax-with-Loss layers, trained by backpropagation:
//! the book's `common/layers.py` and `multi_layer_net.py` (chapters 4 and 5).
//!
//! All weights and biases live in one flat vector, layer by layer (W₁, b₁, W₂, b₂, …), so the same
//! [`crate::optim::Optimizer`] that moves a point on f(x, y) updates them: the optimizers act on
//! each number independently, which makes one flat vector the same as the book's dict of arrays.

use crate::math::{exp, ln};
use crate::matrix::{gemm, Matrix, Op};
use crate::message::{Message, ToMessage};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

/// The activation after an Affine layer; the last layer has none (softmax follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Sigmoid,
    None,
}

impl Activation {
    /// The name in weights files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::None => "none",
        }
    }

    /// Parses `relu`, `sigmoid` or `none`.
    pub fn parse(s: &str) -> Result<Self, NetError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "relu" => Ok(Activation::Relu),
            "sigmoid" => Ok(Activation::Sigmoid),
            "none" => Ok(Activation::None),
            other => Err(NetError(
                Message::new("net.unknown-activation").with("name", other),
            )),
        }
    }
}

/// How the initial weights are drawn: N(0, σ²) with σ = √(2/n_in) (He), √(1/n_in) (Xavier, as
/// the book writes it) or a fixed σ; biases start at 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    He,
    Xavier,
    Std(f64),
}

impl Init {
    /// Parses `he`, `xavier` or `std:0.01`.
    pub fn parse(s: &str) -> Result<Self, NetError> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "he" => Ok(Init::He),
            "xavier" => Ok(Init::Xavier),
            _ => {
                let bad = || NetError(Message::new("net.unknown-init").with("name", &s));
                let sigma = s
                    .strip_prefix("std:")
                    .and_then(crate::number::read)
                    .ok_or_else(bad)?;
                if sigma.is_finite() && sigma > 0.0 && sigma <= 1e3 {
                    Ok(Init::Std(sigma))
                } else {
                    Err(bad())
                }
            }
        }
    }

    fn sigma(self, n_in: usize) -> f64 {
        match self {
            Init::He => (2.0 / n_in as f64).sqrt(),
            Init::Xavier => (1.0 / n_in as f64).sqrt(),
            Init::Std(s) => s,
        }
    }
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Init::He => write!(f, "he"),
            Init::Xavier => write!(f, "xavier"),
            Init::Std(s) => write!(f, "std:{}", crate::params::format_number(*s)),
        }
    }
}

/// A network that cannot be built or read (or a network view's action that cannot be done), as
/// data (see [`crate::message`]); its `Display` is the English sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct NetError(pub Message);

impl ToMessage for NetError {
    fn to_message(&self) -> Message {
        self.0.clone()
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.english())
    }
}

impl std::error::Error for NetError {}

/// The most parameters a network may have (about 400 MB of f64 with its gradient and optimizer
/// state): past that, a clear error instead of an allocation failure.
pub const MAX_PARAMS: usize = 16_000_000;

/// One Affine layer and the activation after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub n_in: usize,
    pub n_out: usize,
    pub activation: Activation,
    /// Where W (n_in × n_out, row-major) starts in the flat parameter vector; b follows it.
    pub offset: usize,
}

impl Layer {
    /// W's place in the flat parameter vector.
    pub fn w(&self) -> Range<usize> {
        self.offset..self.offset + self.n_in * self.n_out
    }
    /// b's place in the flat parameter vector.
    pub fn b(&self) -> Range<usize> {
        let start = self.offset + self.n_in * self.n_out;
        start..start + self.n_out
    }
}

/// Affine layers with their activations, and all their parameters in one vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    layers: Vec<Layer>,
    params: Vec<f64>,
}

/// The buffers of one forward and backward pass, reused from step to step.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Each layer's output, after its activation (the last: the scores before softmax).
    outs: Vec<Matrix>,
    /// Softmax of the scores.
    probs: Matrix,
    dout: Matrix,
    dx: Matrix,
    /// ∂L/∂θ, laid out like the parameters.
    pub grads: Vec<f64>,
}

impl Network {
    /// Layers of the given sizes (`sizes[0]` inputs, `sizes[last]` classes), `activation` after
    /// every hidden layer, weights drawn from `rng`.
    pub fn new(
        sizes: &[usize],
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self, NetError> {
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err(NetError(Message::new("net.empty-layer")));
        }
        let mut net = Network::with_shape(sizes, activation)?;
        for layer in net.layers.clone() {
            let sigma = init.sigma(layer.n_in);
            for w in &mut net.params[layer.w()] {
                *w = sigma * rng.normal();
            }
        }
        Ok(net)
    }

    /// A network of the given shape holding the given parameters (W₁, b₁, W₂, … as one flat
    /// vector), as another module sends them: the Graph view's, for the network view's layers.
    pub fn from_parts(
        sizes: &[usize],
        activation: Activation,
        params: &[f64],
    ) -> Result<Self, NetError> {
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err(NetError(Message::new("net.empty-layer")));
        }
        let mut net = Network::with_shape(sizes, activation)?;
        if params.len() != net.params.len() {
            return Err(NetError(
                Message::new("net.wrong-parameter-count")
                    .with("sizes", format!("{sizes:?}"))
                    .with("expected", net.params.len())
                    .with("got", params.len()),
            ));
        }
        net.params.copy_from_slice(params);
        Ok(net)
    }

    /// The sizes of the layers, inputs first, and the hidden layers' activation.
    pub fn shape(&self) -> (Vec<usize>, Activation) {
        let mut sizes: Vec<usize> = self.layers.first().map(|l| l.n_in).into_iter().collect();
        sizes.extend(self.layers.iter().map(|l| l.n_out));
        let activation = self
            .layers
            .first()
            .map_or(Activation::None, |l| l.activation);
        (sizes, activation)
    }

    fn with_shape(sizes: &[usize], activation: Activation) -> Result<Self, NetError> {
        let mut layers = Vec::new();
        let mut offset = 0usize;
        for (i, pair) in sizes.windows(2).enumerate() {
            let last = i + 2 == sizes.len();
            layers.push(Layer {
                n_in: pair[0],
                n_out: pair[1],
                activation: if last { Activation::None } else { activation },
                offset,
            });
            offset = pair[0]
                .checked_mul(pair[1])
                .and_then(|w| w.checked_add(pair[1]))
                .and_then(|n| n.checked_add(offset))
                .filter(|&n| n <= MAX_PARAMS)
                .ok_or_else(|| NetError(Message::new("net.too-large").with("max", MAX_PARAMS)))?;
        }
        Ok(Network {
            layers,
            params: vec![0.0; offset],
        })
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Inputs per example.
    pub fn inputs(&self) -> usize {
        self.layers[0].n_in
    }

    /// Classes (outputs of the last layer).
    pub fn classes(&self) -> usize {
        self.layers[self.layers.len() - 1].n_out
    }

    /// All weights and biases, layer by layer: W₁, b₁, W₂, b₂, …
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The same, to update.
    pub fn params_mut(&mut self) -> &mut [f64] {
        &mut self.params
    }

    /// The parameter arrays by the book's names (W1, b1, W2, …) and their place in the vector.
    pub fn arrays(&self) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            out.push((format!("W{}", i + 1), layer.w()));
            out.push((format!("b{}", i + 1), layer.b()));
        }
        out
    }

    /// Runs the layers on the rows of `x` (batch × inputs); the scores end up in the workspace.
    fn forward(&self, x: &Matrix, ws: &mut Workspace) {
        let batch = x.rows;
        ws.outs.resize_with(self.layers.len(), Matrix::default);
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, rest) = ws.outs.split_at_mut(l);
            let input = if l == 0 { x } else { &before[l - 1] };
            let out = &mut rest[0];
            out.reshape(batch, layer.n_out);
            // out = x·W + b, the product first, as the book's Affine layer computes it.
            gemm(
                batch,
                layer.n_in,
                layer.n_out,
                &input.data,
                Op::N,
                &self.params[layer.w()],
                Op::N,
                0.0,
                &mut out.data,
            );
            let b = &self.params[layer.b()];
            for row in out.data.chunks_exact_mut(layer.n_out) {
                for (v, bias) in row.iter_mut().zip(b) {
                    *v += bias;
                }
            }
            match layer.activation {
                // The book's mask is x ≤ 0 → 0 (NaN passes through, as it does there).
                Activation::Relu => {
                    for v in &mut out.data {
                        if *v <= 0.0 {
                            *v = 0.0;
                        }
                    }
                }
                Activation::Sigmoid => {
                    for v in &mut out.data {
                        *v = 1.0 / (1.0 + exp(-*v));
                    }
                }
                Activation::None => {}
            }
        }
    }

    /// Softmax of the scores (the row maximum subtracted first) into `ws.probs`.
    fn softmax(&self, ws: &mut Workspace) {
        let scores = &ws.outs[self.layers.len() - 1];
        let classes = scores.cols;
        ws.probs.reshape(scores.rows, classes);
        for (row, y) in scores
            .data
            .chunks_exact(classes)
            .zip(ws.probs.data.chunks_exact_mut(classes))
        {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for (p, &s) in y.iter_mut().zip(row) {
                *p = exp(s - max);
                sum += *p;
            }
            for p in y.iter_mut() {
                *p /= sum;
            }
        }
    }

    /// Softmax of the scores and the mean cross-entropy −ln(y[t] + 1e-7) over the batch: the
    /// book's SoftmaxWithLoss forward.
    fn softmax_loss(&self, t: &[usize], ws: &mut Workspace) -> f64 {
        self.softmax(ws);
        let probs = &ws.probs;
        let total: f64 = probs
            .data
            .chunks_exact(probs.cols)
            .zip(t)
            .fold(0.0, |total, (y, &t)| total + ln(y[t] + 1e-7));
        -total / probs.rows as f64
    }

    /// The loss on a batch (rows of `x`, labels `t`), without gradients.
    pub fn loss(&self, x: &Matrix, t: &[usize], ws: &mut Workspace) -> f64 {
        self.forward(x, ws);
        self.softmax_loss(t, ws)
    }

    /// The loss on a batch and, by backpropagation, its gradient in `ws.grads`.
    pub fn gradient(&self, x: &Matrix, t: &[usize], ws: &mut Workspace) -> f64 {
        let loss = self.loss(x, t, ws);
        let batch = x.rows;
        ws.grads.resize(self.params.len(), 0.0);
        // SoftmaxWithLoss backward: (y − onehot(t)) / N.
        ws.dout.clone_from(&ws.probs);
        let classes = ws.dout.cols;
        for (i, row) in ws.dout.data.chunks_exact_mut(classes).enumerate() {
            row[t[i]] -= 1.0;
            for v in row.iter_mut() {
                *v /= batch as f64;
            }
        }
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let input = if l == 0 { x } else { &ws.outs[l - 1] };
            // Affine backward: dW = xᵀ·dout, db = Σ dout over the batch, dx = dout·Wᵀ.
            gemm(
                layer.n_in,
                batch,
                layer.n_out,
                &input.data,
                Op::T,
                &ws.dout.data,
                Op::N,
                0.0,
                &mut ws.grads[layer.w()],
            );
            let db = &mut ws.grads[layer.b()];
            db.fill(0.0);
            for row in ws.dout.data.chunks_exact(layer.n_out) {
                for (g, d) in db.iter_mut().zip(row) {
                    *g += d;
                }
            }
            if l == 0 {
                break; // nothing needs the gradient with respect to the data
            }
            ws.dx.reshape(batch, layer.n_in);
            gemm(
                batch,
                layer.n_out,
                layer.n_in,
                &ws.dout.data,
                Op::N,
                &self.params[layer.w()],
                Op::T,
                0.0,
                &mut ws.dx.data,
            );
            // Back through the previous layer's activation, from its stored output.
            let out = &ws.outs[l - 1].data;
            match self.layers[l - 1].activation {
                Activation::Relu => {
                    for (d, &o) in ws.dx.data.iter_mut().zip(out) {
                        if o <= 0.0 {
                            *d = 0.0;
                        }
                    }
                }
                Activation::Sigmoid => {
                    for (d, &o) in ws.dx.data.iter_mut().zip(out) {
                        *d *= (1.0 - o) * o;
                    }
                }
                Activation::None => {}
            }
            std::mem::swap(&mut ws.dout, &mut ws.dx);
        }
        loss
    }

    /// The predicted class of each row of `x` (the first of equal scores, as `np.argmax`).
    pub fn predict(&self, x: &Matrix, ws: &mut Workspace) -> Vec<usize> {
        self.forward(x, ws);
        let scores = &ws.outs[self.layers.len() - 1];
        scores
            .data
            .chunks_exact(scores.cols)
            .map(|row| {
                let mut best = 0;
                for (j, &v) in row.iter().enumerate() {
                    if v > row[best] {
                        best = j;
                    }
                }
                best
            })
            .collect()
    }

    /// The class probabilities of each row of `x` (softmax of the scores), row-major, in `ws`.
    pub fn probabilities<'w>(&self, x: &Matrix, ws: &'w mut Workspace) -> &'w [f64] {
        self.forward(x, ws);
        self.softmax(ws);
        &ws.probs.data
    }

    /// The fraction of rows classified correctly, in chunks of 512 rows so large sets need
    /// little memory.
    pub fn accuracy(&self, x: &Matrix, t: &[usize], ws: &mut Workspace) -> f64 {
        if x.rows == 0 {
            return f64::NAN;
        }
        let mut correct = 0usize;
        let mut chunk = Matrix::default();
        for start in (0..x.rows).step_by(512) {
            let end = (start + 512).min(x.rows);
            chunk.rows = end - start;
            chunk.cols = x.cols;
            chunk.data.clear();
            chunk
                .data
                .extend_from_slice(&x.data[start * x.cols..end * x.cols]);
            let predicted = self.predict(&chunk, ws);
            correct += predicted
                .iter()
                .zip(&t[start..end])
                .filter(|(p, t)| p == t)
                .count();
        }
        correct as f64 / x.rows as f64
    }

    /// ∂L/∂θ by central differences, h = 1e-4: the book's `numerical_gradient`.
    pub fn numerical_gradient(&mut self, x: &Matrix, t: &[usize]) -> Vec<f64> {
        let h = 1e-4;
        let mut ws = Workspace::default();
        let mut grad = vec![0.0; self.params.len()];
        for (i, g) in grad.iter_mut().enumerate() {
            let keep = self.params[i];
            self.params[i] = keep + h;
            let up = self.loss(x, t, &mut ws);
            self.params[i] = keep - h;
            let down = self.loss(x, t, &mut ws);
            self.params[i] = keep;
            *g = (up - down) / (2.0 * h);
        }
        grad
    }

    /// The book's gradient check: for each parameter array, the mean absolute difference between
    /// the backpropagated and the numerical gradient.
    pub fn gradient_check(&mut self, x: &Matrix, t: &[usize]) -> Vec<(String, f64)> {
        let mut ws = Workspace::default();
        self.gradient(x, t, &mut ws);
        let numerical = self.numerical_gradient(x, t);
        self.arrays()
            .into_iter()
            .map(|(name, range)| {
                let n = range.len().max(1) as f64;
                let diff: f64 = ws.grads[range.clone()]
                    .iter()
                    .zip(&numerical[range])
                    .map(|(a, b)| (a - b).abs())
                    .sum();
                (name, diff / n)
            })
            .collect()
    }

    /// The weights in the file format (`W` as n_in rows of n_out numbers).
    pub fn to_file(&self) -> WeightsFile {
        WeightsFile {
            layers: self
                .layers
                .iter()
                .map(|layer| LayerWeights {
                    w: self.params[layer.w()]
                        .chunks_exact(layer.n_out)
                        .map(<[f64]>::to_vec)
                        .collect(),
                    b: self.params[layer.b()].to_vec(),
                    activation: layer.activation.name().to_string(),
                })
                .collect(),
        }
    }

    /// Gradients laid out like the parameters, in the file format (`loss --gradients`).
    pub fn gradients_to_file(&self, grads: &[f64]) -> Vec<LayerGradients> {
        self.layers
            .iter()
            .map(|layer| LayerGradients {
                w: grads[layer.w()]
                    .chunks_exact(layer.n_out)
                    .map(<[f64]>::to_vec)
                    .collect(),
                b: grads[layer.b()].to_vec(),
            })
            .collect()
    }

    /// A network from the file format, checking every shape and number.
    pub fn from_file(file: &WeightsFile) -> Result<Self, NetError> {
        let layers = &file.layers;
        if layers.is_empty() {
            return Err(NetError(Message::new("net.no-layers")));
        }
        let mut sizes = Vec::new();
        let mut activations = Vec::new();
        for (i, layer) in layers.iter().enumerate() {
            // "layer 2: what is wrong with it".
            let in_layer = |message: Message| {
                NetError(
                    Message::new("net.in-layer")
                        .with("layer", i + 1)
                        .with("message", message),
                )
            };
            let n_in = layer.w.len();
            let n_out = layer.b.len();
            if n_in == 0 || n_out == 0 {
                return Err(in_layer(Message::new("net.empty-weights")));
            }
            if let Some(&prev) = sizes.last() {
                if prev != n_in {
                    return Err(in_layer(
                        Message::new("net.rows-mismatch")
                            .with("rows", n_in)
                            .with("outputs", prev),
                    ));
                }
            } else {
                sizes.push(n_in);
            }
            sizes.push(n_out);
            for (r, row) in layer.w.iter().enumerate() {
                if row.len() != n_out {
                    return Err(in_layer(
                        Message::new("net.row-length")
                            .with("row", r + 1)
                            .with("count", row.len())
                            .with("outputs", n_out),
                    ));
                }
            }
            let activation =
                Activation::parse(&layer.activation).map_err(|e| in_layer(e.to_message()))?;
            let last = i + 1 == layers.len();
            if last != (activation == Activation::None) {
                return Err(in_layer(if last {
                    Message::new("net.last-activation")
                } else {
                    Message::new("net.none-activation")
                }));
            }
            activations.push(activation);
        }
        let mut net = Network::with_shape(&sizes, Activation::Relu)?;
        for ((layer, file_layer), activation) in net.layers.iter_mut().zip(layers).zip(&activations)
        {
            layer.activation = *activation;
            let w = layer.w();
            for (dst, src) in net.params[w].iter_mut().zip(file_layer.w.iter().flatten()) {
                *dst = *src;
            }
            for (dst, src) in net.params[layer.b()].iter_mut().zip(&file_layer.b) {
                *dst = *src;
            }
        }
        if let Some(i) = net.params.iter().position(|v| !v.is_finite()) {
            let (name, range) = net
                .arrays()
                .into_iter()
                .find(|(_, r)| r.contains(&i))
                .unwrap_or_default();
            return Err(NetError(
                Message::new("net.not-finite-param")
                    .with("array", name)
                    .with("element", i - range.start + 1),
            ));
        }
        Ok(net)
    }
}

/// The weights file: `{"layers": [{"W": [[…n_out…] ×n_in], "b": […n_out], "activation": …}]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsFile {
    pub layers: Vec<LayerWeights>,
}

/// One layer of a weights file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    #[serde(rename = "W")]
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
    pub activation: String,
}

/// One layer's gradients, shaped like [`LayerWeights`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerGradients {
    #[serde(rename = "W")]
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

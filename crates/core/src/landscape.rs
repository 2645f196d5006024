//! The loss landscape of a network: the loss on a plane through its weights, spanned by two
//! directions in weight space, with each optimizer's path projected onto it. The same painter
//! that colours f(x, y) colours this slice.
//!
//! Directions are either random and filter-normalised (Li et al., "Visualizing the Loss Landscape
//! of Neural Nets", 2018: each neuron's incoming weights in the direction get the norm of that
//! neuron's weights, biases get 0) or the top two principal directions of the weight trajectory.

use crate::data::Split;
use crate::matrix::Matrix;
use crate::message::Message;
use crate::net::{NetError, Network, Workspace};
use crate::paint::Field;
use crate::rng::Rng;
use crate::surface::ViewBox;
use crate::train::Race;

/// How the plane is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directions {
    /// Random, filter-normalised; the slice spans −1…1 (a step the size of the weights).
    Random,
    /// The top two principal directions of one optimizer's weight snapshots.
    Pca,
}

impl Directions {
    /// Parses `random` or `pca`.
    pub fn parse(s: &str) -> Result<Self, NetError> {
        match s.trim() {
            "random" => Ok(Directions::Random),
            "pca" => Ok(Directions::Pca),
            other => Err(NetError(
                Message::new("network.unknown-directions").with("name", other),
            )),
        }
    }

    /// The name `parse` reads.
    pub fn name(self) -> &'static str {
        match self {
            Directions::Random => "random",
            Directions::Pca => "pca",
        }
    }
}

/// Examples the slice's loss is measured on (the first of the training set): enough for a smooth
/// picture, few enough to fill a 25 × 25 grid in well under a second.
pub const EXAMPLES: usize = 128;

/// A slice of the loss, filled a few rows at a time.
#[derive(Debug, Clone)]
pub struct Landscape {
    pub directions: Directions,
    /// The weights at the origin of the plane.
    pub center: Vec<f64>,
    pub d1: Vec<f64>,
    pub d2: Vec<f64>,
    /// The plane's coordinates shown: [−extent, extent]².
    pub extent: f64,
    /// Grid points per side.
    pub n: usize,
    /// The loss at grid point (i, j) (x = i, y = j, from −extent), row j at `values[j * n..]`;
    /// NaN until filled.
    pub values: Vec<f64>,
    /// Each member's snapshots and current weights, projected onto the plane.
    pub paths: Vec<Vec<[f64; 2]>>,
    filled: usize,
    x: Matrix,
    t: Vec<usize>,
    net: Network,
    ws: Workspace,
}

impl Landscape {
    /// The plane through member `member`'s current weights, with an n × n grid to fill.
    pub fn new(
        race: &Race,
        member: usize,
        directions: Directions,
        n: usize,
        seed: u64,
    ) -> Result<Landscape, NetError> {
        let m = race.members().get(member).ok_or_else(|| {
            NetError(Message::new("landscape.no-optimizer").with("number", member + 1))
        })?;
        let net = m.net.clone();
        let center = net.params().to_vec();
        let pca = match directions {
            Directions::Pca => principal_directions(&m.path, &center),
            Directions::Random => None,
        };
        let (directions, d1, d2, extent) = match pca {
            Some((d1, d2)) => (Directions::Pca, d1, d2, 1.0),
            None => {
                let mut rng = Rng::new(seed, 3);
                let d1 = filter_normalised(&net, &mut rng);
                let d2 = filter_normalised(&net, &mut rng);
                (Directions::Random, d1, d2, 1.0)
            }
        };
        let mut landscape = Landscape {
            directions,
            center,
            d1,
            d2,
            extent,
            n: n.clamp(3, 101),
            values: Vec::new(),
            paths: Vec::new(),
            filled: 0,
            x: Matrix::default(),
            t: Vec::new(),
            net,
            ws: Workspace::default(),
        };
        landscape.values = vec![f64::NAN; landscape.n * landscape.n];
        landscape.paths = race
            .members()
            .iter()
            .map(|m| {
                let mut path: Vec<[f64; 2]> = m
                    .path
                    .iter()
                    .map(|p| landscape.project_snapshot(p))
                    .collect();
                path.push(landscape.project(m.net.params()));
                path
            })
            .collect();
        if directions == Directions::Pca {
            // Show the whole path of the optimizer the plane was fitted to, with a margin.
            let reach = landscape.paths[member]
                .iter()
                .flat_map(|p| [p[0].abs(), p[1].abs()])
                .fold(0.0, f64::max);
            if reach.is_finite() && reach > 0.0 {
                landscape.extent = 1.25 * reach;
            }
        }
        let train: &Split = &race.data().train;
        let rows = train.len().min(EXAMPLES);
        landscape.x = Matrix {
            rows,
            cols: train.x.cols,
            data: train.x.data[..rows * train.x.cols].to_vec(),
        };
        landscape.t = train.t[..rows].to_vec();
        Ok(landscape)
    }

    /// The weights at plane coordinates (a, b): center + a·d1 + b·d2.
    pub fn weights_at(&self, a: f64, b: f64) -> Vec<f64> {
        self.center
            .iter()
            .zip(self.d1.iter().zip(&self.d2))
            .map(|(c, (u, v))| c + a * u + b * v)
            .collect()
    }

    /// The network at plane coordinates (a, b).
    pub fn network_at(&self, a: f64, b: f64) -> Network {
        let mut net = self.net.clone();
        net.params_mut().copy_from_slice(&self.weights_at(a, b));
        net
    }

    /// The plane coordinates nearest to `weights` (least squares on the two directions).
    pub fn project(&self, weights: &[f64]) -> [f64; 2] {
        self.project_values(weights.iter().copied())
    }

    /// The same for a weight snapshot (kept in f32), without converting it first.
    pub fn project_snapshot(&self, weights: &[f32]) -> [f64; 2] {
        self.project_values(weights.iter().map(|&v| f64::from(v)))
    }

    fn project_values(&self, weights: impl Iterator<Item = f64>) -> [f64; 2] {
        let (mut g11, mut g12, mut g22, mut r1, mut r2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (w, (c, (u, v))) in weights.zip(self.center.iter().zip(self.d1.iter().zip(&self.d2))) {
            let d = w - c;
            g11 += u * u;
            g12 += u * v;
            g22 += v * v;
            r1 += u * d;
            r2 += v * d;
        }
        let det = g11 * g22 - g12 * g12;
        if det.abs() <= 1e-300 {
            return [0.0, 0.0];
        }
        [(g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det]
    }

    /// The square the slice covers.
    pub fn view(&self) -> ViewBox {
        ViewBox {
            xmin: -self.extent,
            xmax: self.extent,
            ymin: -self.extent,
            ymax: self.extent,
        }
    }

    /// Fills up to `rows` more grid rows; returns whether the grid is complete.
    pub fn fill(&mut self, rows: usize) -> bool {
        let n = self.n;
        for _ in 0..rows {
            if self.filled >= n {
                break;
            }
            let j = self.filled;
            let b = self.coordinate(j);
            for i in 0..n {
                let a = self.coordinate(i);
                for (p, ((c, u), v)) in self
                    .net
                    .params_mut()
                    .iter_mut()
                    .zip(self.center.iter().zip(&self.d1).zip(&self.d2))
                {
                    *p = c + a * u + b * v;
                }
                let loss = self.net.loss(&self.x, &self.t, &mut self.ws);
                self.values[j * n + i] = if loss.is_finite() { loss } else { f64::NAN };
            }
            self.filled += 1;
        }
        self.done()
    }

    /// Whether every grid point has its loss.
    pub fn done(&self) -> bool {
        self.filled >= self.n
    }

    /// The plane coordinate of grid index k.
    fn coordinate(&self, k: usize) -> f64 {
        -self.extent + 2.0 * self.extent * k as f64 / (self.n - 1) as f64
    }
}

impl Field for Landscape {
    /// The loss between grid points, interpolated bilinearly.
    fn value(&self, x: f64, y: f64) -> f64 {
        let n = self.n;
        let scale = (n - 1) as f64 / (2.0 * self.extent);
        let (fx, fy) = ((x + self.extent) * scale, (y + self.extent) * scale);
        if !(fx >= 0.0 && fy >= 0.0 && fx <= (n - 1) as f64 && fy <= (n - 1) as f64) {
            return f64::NAN;
        }
        let (i, j) = ((fx as usize).min(n - 2), (fy as usize).min(n - 2));
        let (u, v) = (fx - i as f64, fy - j as f64);
        let at = |i: usize, j: usize| self.values[j * n + i];
        (1.0 - v) * ((1.0 - u) * at(i, j) + u * at(i + 1, j))
            + v * ((1.0 - u) * at(i, j + 1) + u * at(i + 1, j + 1))
    }
}

/// A random direction with each neuron's incoming weights scaled to the norm of that neuron's
/// weights in `net`, and zero for biases (Li et al. 2018, filter normalisation for dense layers).
fn filter_normalised(net: &Network, rng: &mut Rng) -> Vec<f64> {
    let params = net.params();
    let mut d = vec![0.0; params.len()];
    for layer in net.layers() {
        let w = layer.w();
        for j in 0..layer.n_out {
            let column = |k: usize| w.start + k * layer.n_out + j;
            let mut norm_w = 0.0;
            let mut norm_d = 0.0;
            for k in 0..layer.n_in {
                let r = rng.normal();
                d[column(k)] = r;
                norm_d += r * r;
                norm_w += params[column(k)] * params[column(k)];
            }
            let scale = if norm_d > 0.0 {
                (norm_w / norm_d).sqrt()
            } else {
                0.0
            };
            for k in 0..layer.n_in {
                d[column(k)] *= scale;
            }
        }
    }
    d
}

/// The top two principal directions (unit vectors) of the snapshots' offsets from `center`, or
/// None when the path is too short or flat to have two.
fn principal_directions(path: &[Vec<f32>], center: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let rows: Vec<Vec<f64>> = path
        .iter()
        .map(|p| {
            p.iter()
                .zip(center)
                .map(|(&v, c)| f64::from(v) - c)
                .collect()
        })
        .collect();
    let s = rows.len();
    if s < 3 {
        return None;
    }
    // The Gram matrix K = M·Mᵀ is s × s (s ≤ 65): its eigenvectors v give the principal
    // directions Mᵀv without forming the huge covariance matrix.
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut k: Vec<Vec<f64>> = (0..s)
        .map(|i| (0..s).map(|j| dot(&rows[i], &rows[j])).collect())
        .collect();
    let mut directions = Vec::new();
    for round in 0..2 {
        // Power iteration from a fixed start, then deflation.
        let mut v: Vec<f64> = (0..s).map(|i| 1.0 + (i + round) as f64 * 0.1).collect();
        let mut lambda = 0.0;
        for _ in 0..500 {
            let w: Vec<f64> = k.iter().map(|row| dot(row, &v)).collect();
            let norm = dot(&w, &w).sqrt();
            if norm == 0.0 || !norm.is_finite() {
                return None;
            }
            lambda = norm;
            v = w.into_iter().map(|x| x / norm).collect();
        }
        let mut d = vec![0.0; center.len()];
        for (row, &vi) in rows.iter().zip(&v) {
            for (di, r) in d.iter_mut().zip(row) {
                *di += vi * r;
            }
        }
        let norm = dot(&d, &d).sqrt();
        if norm <= 1e-12 || !norm.is_finite() {
            return None;
        }
        d.iter_mut().for_each(|x| *x /= norm);
        for (i, row) in k.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x -= lambda * v[i] * v[j];
            }
        }
        directions.push(d);
    }
    let d2 = directions.pop()?;
    let d1 = directions.pop()?;
    Some((d1, d2))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::data::Dataset;
    use crate::params::parse_optimizers;
    use crate::train::TrainConfig;

    fn race() -> Race {
        let data = Dataset::generate("spiral", 0).unwrap();
        let config = TrainConfig {
            hidden: vec![8, 8],
            batch: 30,
            iterations: 200,
            ..TrainConfig::default()
        };
        let mut race = Race::new(
            data,
            config,
            &parse_optimizers("sgd(lr=0.5),adam(lr=0.02)").unwrap(),
        )
        .unwrap();
        race.run(200);
        race
    }

    #[test]
    fn the_centre_is_the_current_loss_and_paths_end_there() {
        let race = race();
        let mut slice = Landscape::new(&race, 1, Directions::Random, 11, 5).unwrap();
        while !slice.fill(3) {}
        let centre = slice.values[5 * 11 + 5];
        let mut ws = Workspace::default();
        let m = &race.members()[1];
        let own = m.net.loss(&slice.x.clone(), &slice.t.clone(), &mut ws);
        assert_eq!(centre, own);
        assert_eq!(slice.value(0.0, 0.0), own);
        let end = slice.paths[1].last().unwrap();
        assert!(end[0].abs() < 1e-9 && end[1].abs() < 1e-9, "{end:?}");
        // Filter normalisation: each neuron's direction has the norm of its weights.
        let layer = &m.net.layers()[1];
        let norm = |v: &[f64]| {
            (0..layer.n_in)
                .map(|k| v[layer.w().start + k * layer.n_out].powi(2))
                .sum::<f64>()
                .sqrt()
        };
        assert!((norm(&slice.d1) - norm(m.net.params())).abs() < 1e-12);
        assert!(slice.d1[layer.b()].iter().all(|&b| b == 0.0));
    }

    #[test]
    fn pca_directions_are_orthonormal_and_hold_the_path() {
        let race = race();
        let slice = Landscape::new(&race, 0, Directions::Pca, 11, 5).unwrap();
        assert_eq!(slice.directions, Directions::Pca);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        assert!((dot(&slice.d1, &slice.d1) - 1.0).abs() < 1e-9);
        assert!((dot(&slice.d2, &slice.d2) - 1.0).abs() < 1e-9);
        assert!(dot(&slice.d1, &slice.d2).abs() < 1e-6);
        // The start of the path is inside the square, and projecting a point of the plane gives
        // its coordinates back.
        let start = slice.paths[0][0];
        assert!(start[0].abs() <= slice.extent && start[1].abs() <= slice.extent);
        let p = slice.project(&slice.weights_at(0.3, -0.2));
        assert!(
            (p[0] - 0.3).abs() < 1e-9 && (p[1] + 0.2).abs() < 1e-9,
            "{p:?}"
        );
    }
}

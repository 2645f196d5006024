//! Training races: several optimizers train copies of one network, from the same initial weights,
//! on the same sequence of mini-batches (the book's chapter 6 comparison, Figure 6-9).

use crate::data::{Dataset, Split};
use crate::matrix::Matrix;
use crate::message::{Message, ToMessage};
use crate::net::{Activation, Init, NetError, Network, Workspace};
use crate::optim::{Optimizer, OptimizerConfig};
use crate::rng::Rng;

/// The most iterations and examples per batch a race accepts.
pub const MAX_ITERATIONS: usize = 1_000_000;
pub const MAX_BATCH: usize = 100_000;

/// How a race's network is built and trained.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub init: Init,
    pub batch: usize,
    pub iterations: usize,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: vec![50],
            activation: Activation::Relu,
            init: Init::He,
            batch: 100,
            iterations: 1000,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// Checks the numbers, in words.
    pub fn validate(&self) -> Result<(), NetError> {
        if self.hidden.contains(&0) {
            return Err(NetError(Message::new("train.empty-hidden")));
        }
        if self.batch == 0 || self.batch > MAX_BATCH {
            return Err(NetError(
                Message::new("train.bad-batch")
                    .with("max", MAX_BATCH)
                    .with("batch", self.batch),
            ));
        }
        if self.iterations == 0 || self.iterations > MAX_ITERATIONS {
            return Err(NetError(
                Message::new("train.bad-iterations")
                    .with("max", MAX_ITERATIONS)
                    .with("iterations", self.iterations),
            ));
        }
        Ok(())
    }
}

/// One optimizer in a race and what it has done.
#[derive(Debug, Clone)]
pub struct Member {
    pub optimizer: Optimizer,
    pub net: Network,
    /// The loss on each iteration's batch, before that iteration's update.
    pub loss: Vec<f64>,
    /// The iteration whose loss (or weights) stopped being finite; training stops there.
    pub diverged_at: Option<usize>,
    /// Snapshots of the weights (at iteration 0 and then evenly spaced), for the loss landscape.
    pub path: Vec<Vec<f32>>,
}

/// A race: every member starts from the same weights and sees the same batches.
#[derive(Debug, Clone)]
pub struct Race {
    data: Dataset,
    config: TrainConfig,
    members: Vec<Member>,
    batches: Rng,
    iteration: usize,
    snapshot_every: usize,
    x: Matrix,
    t: Vec<usize>,
    ws: Workspace,
}

impl Race {
    /// A race of `optimizers` on `data`, weights drawn from the config's seed.
    pub fn new(
        data: Dataset,
        config: TrainConfig,
        optimizers: &[OptimizerConfig],
    ) -> Result<Race, NetError> {
        config.validate()?;
        let mut sizes = vec![data.features.len()];
        sizes.extend(&config.hidden);
        sizes.push(data.classes);
        let net = Network::new(
            &sizes,
            config.activation,
            config.init,
            &mut Rng::new(config.seed, 1),
        )?;
        Race::from_network(data, config, optimizers, net)
    }

    /// A race whose members all start from `net` (a network read from a file, or a point picked
    /// on the loss landscape).
    pub fn from_network(
        data: Dataset,
        config: TrainConfig,
        optimizers: &[OptimizerConfig],
        net: Network,
    ) -> Result<Race, NetError> {
        config.validate()?;
        if data.train.is_empty() {
            return Err(NetError(Message::new("train.no-examples")));
        }
        if net.inputs() != data.features.len() || net.classes() < data.classes {
            return Err(NetError(
                Message::new("train.shape-mismatch")
                    .with("inputs", net.inputs())
                    .with("classes", net.classes())
                    .with("features", data.features.len())
                    .with("data_classes", data.classes),
            ));
        }
        let mut members = Vec::with_capacity(optimizers.len());
        for optimizer in optimizers {
            let optimizer = Optimizer::new(*optimizer).map_err(|e| NetError(e.to_message()))?;
            members.push(Member {
                optimizer,
                net: net.clone(),
                loss: Vec::with_capacity(config.iterations.min(100_000)),
                diverged_at: None,
                path: vec![to_f32(net.params())],
            });
        }
        // At most about 65 snapshots, and at most ~32 MB of them over the whole race.
        let budget = 8_000_000 / (net.params().len() * optimizers.len().max(1)).max(1);
        let snapshots = budget.clamp(2, 64);
        let snapshot_every = config.iterations.div_ceil(snapshots).max(1);
        Ok(Race {
            batches: Rng::new(config.seed, 2),
            data,
            config,
            members,
            iteration: 0,
            snapshot_every,
            x: Matrix::default(),
            t: Vec::new(),
            ws: Workspace::default(),
        })
    }

    /// The settings of the race.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The data it trains on.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The members, in the order of the optimizers given.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Iterations done.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// Whether every iteration is done.
    pub fn done(&self) -> bool {
        self.iteration >= self.config.iterations
    }

    /// One iteration: draw a batch (with replacement, as the book's `np.random.choice`), then for
    /// each member the loss and gradient on it and one update. Returns false once done.
    pub fn step(&mut self) -> bool {
        if self.done() {
            return false;
        }
        let train = &self.data.train;
        let n = u32::try_from(train.len()).unwrap_or(u32::MAX);
        let batch = self.config.batch;
        self.x.reshape(batch, train.x.cols);
        self.t.clear();
        for r in 0..batch {
            let i = self.batches.below(n) as usize;
            self.x.data[r * train.x.cols..(r + 1) * train.x.cols].copy_from_slice(train.x.row(i));
            self.t.push(train.t[i]);
        }
        let it = self.iteration;
        for member in &mut self.members {
            if member.diverged_at.is_some() {
                continue;
            }
            let loss = member.net.gradient(&self.x, &self.t, &mut self.ws);
            if !loss.is_finite() || self.ws.grads.iter().any(|g| !g.is_finite()) {
                member.diverged_at = Some(it);
                continue;
            }
            member.loss.push(loss);
            member
                .optimizer
                .update(member.net.params_mut(), &self.ws.grads);
            if member.net.params().iter().any(|p| !p.is_finite()) {
                member.diverged_at = Some(it + 1);
            }
        }
        self.iteration += 1;
        if self.iteration % self.snapshot_every == 0 || self.done() {
            for member in &mut self.members {
                if member.diverged_at.is_none() {
                    member.path.push(to_f32(member.net.params()));
                }
            }
        }
        true
    }

    /// Up to `n` iterations; returns how many ran.
    pub fn run(&mut self, n: usize) -> usize {
        (0..n).take_while(|_| self.step()).count()
    }

    /// A member's accuracy on the training or the held-out examples (None if there are none).
    pub fn accuracy(&mut self, member: usize, held_out: bool) -> Option<f64> {
        let split: &Split = if held_out {
            self.data.test.as_ref()?
        } else {
            &self.data.train
        };
        let m = self.members.get(member)?;
        Some(m.net.accuracy(&split.x, &split.t, &mut self.ws))
    }
}

/// How much of a race's record has been handed on by [`Race::progress`]: per member, the losses
/// and the weight snapshots sent so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent(Vec<[usize; 2]>);

impl Race {
    /// What the race did since `sent`, as one flat array, for a copy of the same race elsewhere
    /// (the page trains in a worker thread and draws from a copy): the iteration reached, then
    /// for each member its divergence (−1 for none), the position and count of its new losses
    /// and the losses, the position and count of its new snapshots and the snapshots, and its
    /// current weights. Every value is exact in f64, so the copy is the race bit for bit.
    pub fn progress(&self, sent: &mut Sent) -> Vec<f64> {
        sent.0.resize(self.members.len(), [0, 0]);
        let mut out = vec![self.iteration as f64, self.members.len() as f64];
        for (member, sent) in self.members.iter().zip(&mut sent.0) {
            let [losses, paths] = *sent;
            let (losses, paths) = (losses.min(member.loss.len()), paths.min(member.path.len()));
            out.push(member.diverged_at.map_or(-1.0, |d| d as f64));
            out.extend([losses as f64, (member.loss.len() - losses) as f64]);
            out.extend_from_slice(&member.loss[losses..]);
            out.extend([paths as f64, (member.path.len() - paths) as f64]);
            for snapshot in &member.path[paths..] {
                out.extend(snapshot.iter().map(|&v| f64::from(v)));
            }
            out.extend_from_slice(member.net.params());
            *sent = [member.loss.len(), member.path.len()];
        }
        out
    }

    /// Takes in a [`Race::progress`] of the same race (same settings and start). Its members'
    /// optimizer states are not sent: a race that absorbs is drawn from, not trained further.
    pub fn absorb(&mut self, progress: &[f64]) -> Result<(), NetError> {
        let bad = || NetError(Message::new("train.bad-progress"));
        let count = |v: f64| {
            if v >= 0.0 && v.fract() == 0.0 && v < 1e12 {
                Ok(v as usize)
            } else {
                Err(bad())
            }
        };
        // First every member's part is found and checked, so that a malformed progress
        // changes nothing; then it is copied in.
        let mut at: usize = 0;
        let mut take = |n: usize| -> Result<&[f64], NetError> {
            let part = progress
                .get(at..at.checked_add(n).ok_or_else(bad)?)
                .ok_or_else(bad)?;
            at += n;
            Ok(part)
        };
        let head = take(2)?;
        let iteration = count(head[0])?;
        if iteration > self.config.iterations || count(head[1])? != self.members.len() {
            return Err(bad());
        }
        let mut parts = Vec::with_capacity(self.members.len());
        for member in &self.members {
            let size = member.net.params().len();
            let h = take(3)?;
            let diverged = if h[0] < 0.0 { None } else { Some(count(h[0])?) };
            let loss_from = count(h[1])?;
            let losses = take(count(h[2])?)?;
            let h = take(2)?;
            let path_from = count(h[0])?;
            let paths = take(count(h[1])?.checked_mul(size).ok_or_else(bad)?)?;
            let params = take(size)?;
            if loss_from > member.loss.len() || path_from > member.path.len() {
                return Err(bad());
            }
            parts.push((diverged, loss_from, losses, path_from, paths, params));
        }
        if take(1).is_ok() {
            return Err(bad());
        }
        for (member, (diverged, loss_from, losses, path_from, paths, params)) in
            self.members.iter_mut().zip(parts)
        {
            member.diverged_at = diverged;
            member.loss.truncate(loss_from);
            member.loss.extend_from_slice(losses);
            member.path.truncate(path_from);
            for snapshot in paths.chunks_exact(params.len().max(1)) {
                member
                    .path
                    .push(snapshot.iter().map(|&v| v as f32).collect());
            }
            member.net.params_mut().copy_from_slice(params);
        }
        self.iteration = iteration;
        Ok(())
    }
}

fn to_f32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

//! One SGD step of the book's MNIST-shaped network (784-100-100-100-100-10, ReLU, He init, batch
//! 128, f64), measured by criterion, then timed beside the same step in numpy
//! (`scripts/numpy_step.py`) in the same run, with the ratio printed. numpy comes from
//! `.tools/py` (made by `npm run bench:native`) or the system's python3; without numpy, only our
//! figure is printed.

use criterion::{criterion_group, Criterion};
use gradscape_core::matrix::Matrix;
use gradscape_core::net::{Activation, Init, Network, Workspace};
use gradscape_core::optim::{Optimizer, OptimizerConfig};
use gradscape_core::rng::Rng;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const SIZES: [usize; 6] = [784, 100, 100, 100, 100, 10];
const BATCH: usize = 128;

struct Step {
    net: Network,
    optimizer: Optimizer,
    ws: Workspace,
    x: Matrix,
    t: Vec<usize>,
}

impl Step {
    fn new() -> Self {
        let mut rng = Rng::new(0, 0);
        let net = Network::new(&SIZES, Activation::Relu, Init::He, &mut rng).expect("a network");
        let mut x = Matrix::zeros(BATCH, SIZES[0]);
        for v in &mut x.data {
            *v = rng.uniform();
        }
        let t = (0..BATCH).map(|_| rng.below(10) as usize).collect();
        let sgd = OptimizerConfig::default_for("sgd").expect("sgd");
        Step {
            net,
            optimizer: Optimizer::new(sgd).expect("valid"),
            ws: Workspace::default(),
            x,
            t,
        }
    }

    fn run(&mut self) -> f64 {
        let loss = self.net.gradient(&self.x, &self.t, &mut self.ws);
        self.optimizer.update(self.net.params_mut(), &self.ws.grads);
        loss
    }
}

fn sgd_step(c: &mut Criterion) {
    let mut step = Step::new();
    c.bench_function("sgd_step_784_100x4_10_batch128", |b| {
        b.iter(|| black_box(step.run()))
    });
}

criterion_group!(benches, sgd_step);

fn median_ms(mut f: impl FnMut(), repeats: usize) -> f64 {
    for _ in 0..20 {
        f();
    }
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ours = {
        let mut step = Step::new();
        median_ms(
            || {
                black_box(step.run());
            },
            200,
        )
    };
    let venv = root.join(".tools/py/bin/python");
    let python = if venv.exists() {
        venv.into_os_string()
    } else {
        "python3".into()
    };
    let numpy = Command::new(python)
        .arg(root.join("scripts/numpy_step.py"))
        .arg("200")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok());
    println!("one SGD step, 784-100-100-100-100-10, batch 128, f64 (median of 200):");
    println!("  gradscape: {ours:.3} ms");
    match numpy {
        Some(numpy) => {
            println!("  numpy:     {numpy:.3} ms (the book's layers)");
            println!("  numpy / gradscape = {:.2}", numpy / ours);
        }
        None => println!("  numpy:     not found (npm run bench:native installs it in .tools/py)"),
    }
}

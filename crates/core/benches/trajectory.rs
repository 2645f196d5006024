//! Steps per second of the trajectory loop: each optimizer, 1,000 updates on Rosenbrock, with
//! buffers reused as the page reuses them while a start point is dragged; and one update explained
//! on a 20,000-step run, as the update-rule panel does each frame.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gradscape_core::explain::Replayer;
use gradscape_core::optim::{OptimizerConfig, IDS};
use gradscape_core::surface::Function;
use gradscape_core::trajectory::Trajectory;
use std::hint::black_box;

const STEPS: usize = 1_000;

fn trajectories(c: &mut Criterion) {
    let named = Function::parse("rosenbrock").expect("a named surface");
    let typed = Function::parse("(1 - x)^2 + 100*(y - x^2)^2").expect("a valid expression");
    let mut group = c.benchmark_group("rosenbrock_1000_steps");
    group.throughput(Throughput::Elements(STEPS as u64));
    for id in IDS {
        // Small learning rates keep every optimizer finite for all 1,000 steps.
        let mut config = OptimizerConfig::default_for(id).expect("a known optimizer");
        config.set("lr", 1e-4).expect("every optimizer has lr");
        let mut run = Trajectory::default();
        group.bench_function(id, |b| {
            b.iter(|| {
                run.rerun(&named, config, black_box([-1.5, 2.0]), STEPS)
                    .expect("valid run");
                black_box(run.points.len())
            })
        });
    }
    let adam = OptimizerConfig::default_for("adam").expect("a known optimizer");
    let mut run = Trajectory::default();
    group.bench_function("adam_typed_in", |b| {
        b.iter(|| {
            run.rerun(&typed, adam, black_box([-1.5, 2.0]), STEPS)
                .expect("valid run");
            black_box(run.points.len())
        })
    });
    group.finish();
}

/// The update-rule panel's work per frame on a 20,000-step run: the replay to the step shown and
/// the lines with their digits chosen. `play`: the next step, as while the race plays; `scrub`:
/// a jump of thousands of steps back and forth, as when the step slider is dragged.
fn explain_per_frame(c: &mut Criterion) {
    let named = Function::parse("rosenbrock").expect("a named surface");
    let mut group = c.benchmark_group("explain_20000_steps");
    for id in IDS {
        let mut config = OptimizerConfig::default_for(id).expect("a known optimizer");
        config.set("lr", 1e-4).expect("every optimizer has lr");
        let run = Trajectory::run(&named, config, [-1.5, 2.0], 20_000).expect("valid run");
        let mut replay = Replayer::new(config).expect("a valid optimizer");
        replay.explain(&run, None, 19_999).expect("a step");
        let mut step = 0;
        group.bench_function(format!("{id}_play"), |b| {
            b.iter(|| {
                step = (step + 1) % 20_000;
                let e = replay.explain(&run, None, black_box(step)).expect("a step");
                black_box(e.lines().len())
            })
        });
        let mut k = 0usize;
        group.bench_function(format!("{id}_scrub"), |b| {
            b.iter(|| {
                k += 1;
                let step = if k % 2 == 0 { 19_999 } else { 7_777 };
                let e = replay.explain(&run, None, black_box(step)).expect("a step");
                black_box(e.lines().len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, trajectories, explain_per_frame);
criterion_main!(benches);

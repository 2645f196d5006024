//! Time to paint a full 1280×800 CSS-pixel canvas at dpr 1, with the painter's buffers reused as
//! the page reuses them while zooming and panning: Rosenbrock on its log scale with 12 contour
//! bands, as a named surface and as the same formula typed in.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gradscape_core::paint::{Layout, Painter, Scale};
use gradscape_core::surface::Function;
use std::hint::black_box;

fn paint(c: &mut Criterion) {
    let named = Function::parse("rosenbrock").expect("a named surface");
    let typed = Function::parse("(1 - x)^2 + 100*(y - x^2)^2").expect("a valid expression");
    let layout = Layout::new(1280.0, 800.0, 1.0, named.view());
    let pixels = u64::from(layout.plot_width) * u64::from(layout.plot_height);
    let mut group = c.benchmark_group("paint_1280x800");
    group.throughput(Throughput::Elements(pixels));
    for (name, function) in [("rosenbrock", &named), ("rosenbrock_typed_in", &typed)] {
        let mut painter = Painter::new();
        group.bench_function(name, |b| {
            b.iter(|| {
                let painted = painter.paint(function, black_box(&layout), Scale::Log, 12);
                black_box((painted, painter.rgba().len()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, paint);
criterion_main!(benches);

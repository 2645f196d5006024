//! Where a computational graph's nodes go, and the graph drawn as SVG: a layered left-to-right
//! layout (inputs left, f right) with few crossings, as the book draws its graphs.
//!
//! Longest-path layering from x and y, with constants and named inputs one layer before their
//! first consumer; long edges pass through placeholder points in the layers they cross, so the
//! ordering sees them; barycentre sweeps down and up order each layer, keeping the order with
//! the fewest crossings; then each node moves towards the mean height of its neighbours, kept
//! apart by a minimum gap. For graphs of at most a few hundred nodes this is a few hundred
//! microseconds, and a few hundred lines instead of a layout library's hundred kilobytes.

use std::fmt::Write;

use crate::graph::{format_value, Graph, Op};

/// Horizontal distance between layers, and vertical distance between neighbours in a layer.
pub const DX: f64 = 150.0;
pub const DY: f64 = 66.0;
/// An operation node's radius.
pub const R: f64 = 20.0;
const MARGIN: f64 = 40.0;

/// A node's place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub layer: usize,
}

/// The laid-out graph: one place per node (by id), one polyline per edge (in the order of
/// `Graph::edges`), through the points where it crosses the layers between its ends.
#[derive(Debug, Clone)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Placed>,
    pub routes: Vec<Vec<[f64; 2]>>,
    /// Pairs of edges that cross.
    pub crossings: usize,
}

/// An item in a layer: a node, or the point where an edge passes through the layer.
#[derive(Debug, Clone)]
struct Item {
    preds: Vec<usize>,
    succs: Vec<usize>,
    layer: usize,
}

/// Lays out the graph.
pub fn layout(graph: &Graph) -> Layout {
    let n = graph.nodes.len();
    // Layers: x and y (and anything else with no operands that feeds nothing earlier) at 0,
    // operations one past their deepest operand that is x, y or an operation.
    let anchored = |id: usize| {
        let node = &graph.nodes[id];
        node.op.is_operation() || (node.op == Op::Input && (node.label == "x" || node.label == "y"))
    };
    let mut layer = vec![0usize; n];
    for node in &graph.nodes {
        if node.op.is_operation() {
            let deepest = node
                .inputs
                .iter()
                .filter(|&&k| anchored(k))
                .map(|&k| layer[k])
                .max();
            layer[node.id] = deepest.map_or(1, |d| d + 1);
        }
    }
    // Constants and named inputs: just before their first consumer.
    for node in &graph.nodes {
        if !anchored(node.id) {
            let first_use = graph
                .nodes
                .iter()
                .filter(|m| m.inputs.contains(&node.id))
                .map(|m| layer[m.id])
                .min();
            layer[node.id] = first_use.map_or(0, |l| l.saturating_sub(1));
        }
    }
    let layers = layer.iter().copied().max().unwrap_or(0) + 1;

    // Items: the nodes, then the points long edges pass through.
    let mut items: Vec<Item> = (0..n)
        .map(|id| Item {
            preds: Vec::new(),
            succs: Vec::new(),
            layer: layer[id],
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(graph.edges.len());
    for edge in &graph.edges {
        let mut chain = vec![edge.from];
        for l in layer[edge.from] + 1..layer[edge.to] {
            items.push(Item {
                preds: Vec::new(),
                succs: Vec::new(),
                layer: l,
            });
            chain.push(items.len() - 1);
        }
        chain.push(edge.to);
        for pair in chain.windows(2) {
            items[pair[0]].succs.push(pair[1]);
            items[pair[1]].preds.push(pair[0]);
        }
        chains.push(chain);
    }

    // Initial order: depth first from the output, first operand first, so a formula read left
    // to right is drawn top to bottom.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    let mut placed = vec![false; items.len()];
    let mut stack = vec![graph.output];
    let mut visit_order = Vec::with_capacity(items.len());
    while let Some(i) = stack.pop() {
        if i >= items.len() || placed[i] {
            continue;
        }
        placed[i] = true;
        visit_order.push(i);
        stack.extend(items[i].preds.iter().rev());
    }
    visit_order.extend((0..items.len()).filter(|&i| !placed[i]));
    // Pre-order from the output puts each node before its operands; within a layer, operands
    // keep the order in which the output reaches them.
    for &i in &visit_order {
        rows[items[i].layer].push(i);
    }

    let mut pos = vec![0usize; items.len()];
    let index = |rows: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for row in rows {
            for (p, &i) in row.iter().enumerate() {
                pos[i] = p;
            }
        }
    };
    index(&rows, &mut pos);
    let mut best = rows.clone();
    let mut best_crossings = crossings(&rows, &items, &pos);
    for sweep in 0..8 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let mut keyed: Vec<(f64, usize)> = rows[l]
                .iter()
                .map(|&i| {
                    let near = if down {
                        &items[i].preds
                    } else {
                        &items[i].succs
                    };
                    let key = if near.is_empty() {
                        pos[i] as f64
                    } else {
                        near.iter().map(|&k| pos[k] as f64).sum::<f64>() / near.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            rows[l] = keyed.into_iter().map(|(_, i)| i).collect();
            for (p, &i) in rows[l].iter().enumerate() {
                pos[i] = p;
            }
        }
        let c = crossings(&rows, &items, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = rows.clone();
        }
    }
    let rows = best;
    index(&rows, &mut pos);

    // Heights: start evenly spaced, then move towards the neighbours' mean, keeping the gap.
    let tallest = rows.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let mut y = vec![0.0f64; items.len()];
    for row in &rows {
        let offset = (tallest - row.len() as f64) * DY / 2.0;
        for (p, &i) in row.iter().enumerate() {
            y[i] = offset + p as f64 * DY;
        }
    }
    for _ in 0..12 {
        for row in &rows {
            let mut wanted: Vec<f64> = row
                .iter()
                .map(|&i| {
                    let near: Vec<usize> = items[i]
                        .preds
                        .iter()
                        .chain(&items[i].succs)
                        .copied()
                        .collect();
                    if near.is_empty() {
                        y[i]
                    } else {
                        (y[i] + near.iter().map(|&k| y[k]).sum::<f64>()) / (near.len() + 1) as f64
                    }
                })
                .collect();
            // Nodes keep a full gap; the points long edges pass through need much less.
            let gaps: Vec<f64> = row
                .windows(2)
                .map(|p| if p[0] < n && p[1] < n { DY } else { DY * 0.35 })
                .collect();
            separate(&mut wanted, &gaps);
            for (&i, w) in row.iter().zip(wanted) {
                y[i] = w;
            }
        }
    }
    let top = y.iter().copied().fold(f64::INFINITY, f64::min);
    let bottom = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let shift = if top.is_finite() {
        MARGIN + 10.0 - top
    } else {
        MARGIN
    };
    let x_of = |l: usize| MARGIN + 40.0 + l as f64 * DX;
    let nodes: Vec<Placed> = (0..n)
        .map(|id| Placed {
            x: x_of(layer[id]),
            y: y[id] + shift,
            layer: layer[id],
        })
        .collect();
    let routes = chains
        .iter()
        .map(|chain| {
            chain
                .iter()
                .map(|&i| [x_of(items[i].layer), y[i] + shift])
                .collect()
        })
        .collect();
    let span = if bottom.is_finite() {
        bottom - top
    } else {
        0.0
    };
    Layout {
        width: x_of(layers - 1) + DX + MARGIN,
        height: span + 2.0 * MARGIN + 20.0,
        nodes,
        routes,
        crossings: best_crossings,
    }
}

/// Moves heights, kept in their order, at least `gaps[i]` apart (between i and i + 1), as little
/// as possible in the least-squares sense: with z_i = y_i minus the gaps above i, the order with
/// its gaps is z non-decreasing, and the nearest such z is the isotonic regression of the wanted
/// z, found by pooling adjacent violators.
fn separate(ys: &mut [f64], gaps: &[f64]) {
    let mut offset = vec![0.0; ys.len()];
    for i in 1..ys.len() {
        offset[i] = offset[i - 1] + gaps.get(i - 1).copied().unwrap_or(0.0);
    }
    // Blocks of (mean of z, count), merged while a block's mean is below the one before it.
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(ys.len());
    for (y, o) in ys.iter().zip(&offset) {
        let mut block = (y - o, 1usize);
        while let Some(&(mean, count)) = blocks.last() {
            if mean <= block.0 {
                break;
            }
            blocks.pop();
            let total = count + block.1;
            block = (
                (mean * count as f64 + block.0 * block.1 as f64) / total as f64,
                total,
            );
        }
        blocks.push(block);
    }
    let mut i = 0;
    for (mean, count) in blocks {
        for _ in 0..count {
            ys[i] = mean + offset[i];
            i += 1;
        }
    }
}

/// Pairs of edges between neighbouring layers that cross.
fn crossings(rows: &[Vec<usize>], items: &[Item], pos: &[usize]) -> usize {
    let mut total = 0;
    for row in rows {
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for &i in row {
            for &s in &items[i].succs {
                edges.push((pos[i], pos[s]));
            }
        }
        for (a, e) in edges.iter().enumerate() {
            for f in &edges[a + 1..] {
                if (e.0 < f.0 && e.1 > f.1) || (e.0 > f.0 && e.1 < f.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Text safe inside SVG.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// When each label appears, in steps t = 0 (inputs known) … F (forward done) … 2F (backward
/// done), F being the number of operations: a forward label once its value is computed, a
/// backward label once its contribution is sent.
pub fn forward_step(graph: &Graph, id: usize) -> usize {
    graph
        .order
        .iter()
        .position(|&k| k == id)
        .map_or(0, |p| p + 1)
}

/// The graph as SVG. The labels carry `data-f` / `data-b` (the step from which each shows), so
/// the page can step through the passes by toggling them; `standalone` adds the styles and
/// shows everything, for a file.
pub fn svg(graph: &Graph, layout: &Layout, standalone: bool) -> String {
    let f_steps = graph.steps();
    // For the page, drawn as at step 0 (labels after it hidden), so showing it costs nothing.
    let hidden = |from: usize| {
        if !standalone && from > 0 {
            " data-hidden"
        } else {
            ""
        }
    };
    let mut out = String::new();
    let w = layout.width;
    let h = layout.height;
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gs-graph" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="group" aria-label="{}">"#,
        escape(&format!("computational graph of f = {}", graph.formula))
    );
    if standalone {
        out.push_str(concat!(
            "<style>.gs-graph{font:13px system-ui,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK KR','Noto Sans CJK JP','Apple SD Gothic Neo','Hiragino Sans','Malgun Gothic','Yu Gothic',Meiryo,sans-serif;background:#fff}",
            ".edge{fill:none;stroke:#555;stroke-width:1.4}.node circle{fill:#fff;stroke:#222;stroke-width:1.6}",
            ".node text,.label{fill:#111;text-anchor:middle;dominant-baseline:central}",
            ".fwd{fill:#111;text-anchor:middle}.bwd{fill:#c0392b;text-anchor:middle}",
            ".count{fill:#555;font-size:11px}.input rect,.const rect{fill:#f3f3f3;stroke:#888}</style>"
        ));
    }
    out.push_str(r##"<defs><marker id="gs-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>"##);
    let radius = |id: usize| {
        if graph.nodes[id].op.is_operation() {
            R
        } else {
            half_width(&graph.nodes[id].label)
        }
    };
    // Edges, with the value above and the contribution below.
    for (e, (edge, route)) in graph.edges.iter().zip(&layout.routes).enumerate() {
        let mut points = route.clone();
        if points.len() < 2 {
            continue;
        }
        let last = points.len() - 1;
        points[0][0] += radius(edge.from);
        points[last][0] -= radius(edge.to) + 2.0;
        let mut d = format!("M{:.1},{:.1}", points[0][0], points[0][1]);
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let mid = (a[0] + b[0]) / 2.0;
            let _ = write!(
                d,
                "C{mid:.1},{:.1} {mid:.1},{:.1} {:.1},{:.1}",
                a[1], b[1], b[0], b[1]
            );
        }
        let _ = write!(
            out,
            r#"<path class="edge" data-edge="{e}" d="{d}" marker-end="url(#gs-arrow)"/>"#
        );
        let (a, b) = (points[last - 1], points[last]);
        // Half way along the last stretch; where a value fans out to many places, most of the way
        // to each, so that its copies of the same number spread out with their targets.
        let fans = graph.edges.iter().filter(|o| o.from == edge.from).count();
        let t = if fans > 2 { 0.75 } else { 0.5 };
        // The point of the drawn curve (a cubic from a to b with both controls at mid-x).
        let mid = (a[0] + b[0]) / 2.0;
        let u = 1.0 - t;
        let bezier = |p0: f64, c1: f64, c2: f64, p3: f64| {
            u * u * u * p0 + 3.0 * u * u * t * c1 + 3.0 * u * t * t * c2 + t * t * t * p3
        };
        let (mx, my) = (bezier(a[0], mid, mid, b[0]), bezier(a[1], a[1], b[1], b[1]));
        let from = &graph.nodes[edge.from];
        let _ = write!(
            out,
            r#"<text class="fwd" data-f="{}"{} x="{mx:.1}" y="{:.1}">{}</text>"#,
            forward_step(graph, edge.from),
            hidden(forward_step(graph, edge.from)),
            my - 6.0,
            escape(&format_value(from.value))
        );
        let _ = write!(
            out,
            r#"<text class="bwd" data-b="{}"{} data-edge="{e}" x="{mx:.1}" y="{:.1}">{}</text>"#,
            f_steps + edge.backward_step,
            hidden(1),
            my + 15.0,
            escape(&format_value(edge.contribution))
        );
    }
    // The output's arrow out, with f and the 1 that starts the backward pass.
    if let Some(p) = layout.nodes.get(graph.output) {
        let out_node = &graph.nodes[graph.output];
        let (x0, x1) = (p.x + radius(graph.output), p.x + DX * 0.7);
        let _ = write!(
            out,
            r#"<path class="edge" d="M{x0:.1},{y:.1}L{x1:.1},{y:.1}" marker-end="url(#gs-arrow)"/><text class="fwd" data-f="{f}"{hf} x="{mx:.1}" y="{yt:.1}">{v}</text><text class="bwd" data-b="{b}"{hb} x="{mx:.1}" y="{yb:.1}">1</text>"#,
            hf = hidden(f_steps),
            hb = hidden(1),
            y = p.y,
            f = f_steps,
            mx = (x0 + x1) / 2.0,
            yt = p.y - 6.0,
            v = escape(&format_value(out_node.value)),
            b = f_steps + 1,
            yb = p.y + 15.0,
        );
    }
    // Nodes: operations as circles, inputs and constants as labels in a box.
    for (node, p) in graph.nodes.iter().zip(&layout.nodes) {
        let kind = if node.op.is_operation() {
            "op"
        } else if node.op == Op::Input {
            "input"
        } else {
            "const"
        };
        let name = if node.op.is_operation() {
            format!("{} node", node.op.name())
        } else {
            format!("{} {}", kind, node.label)
        };
        let _ = write!(
            out,
            r#"<g class="node {kind}" data-id="{}" aria-label="{}" transform="translate({:.1},{:.1})">"#,
            node.id,
            escape(&name),
            p.x,
            p.y
        );
        if node.op.is_operation() {
            let _ = write!(out, r#"<circle r="{R}"/>"#);
        } else {
            let hw = half_width(&node.label);
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="-12" width="{:.1}" height="24" rx="5"/>"#,
                -hw,
                2.0 * hw
            );
        }
        let _ = write!(out, r#"<text>{}</text>"#, escape(&node.label));
        // Where a value fans out, its gradient is the sum of what comes back: shown under it.
        let outgoing: Vec<_> = graph.edges.iter().filter(|e| e.from == node.id).collect();
        if outgoing.len() > 1 {
            let complete = outgoing
                .iter()
                .find(|e| e.last)
                .map_or(0, |e| e.backward_step);
            let _ = write!(
                out,
                r#"<text class="bwd grad" data-b="{}"{} y="{:.1}">Σ {}</text>"#,
                f_steps + complete,
                hidden(1),
                if node.op.is_operation() {
                    R + 13.0
                } else {
                    25.0
                },
                escape(&format_value(node.grad))
            );
        }
        if node.count > 1 {
            let _ = write!(
                out,
                r#"<text class="count" x="{:.1}" y="-24">×{}</text>"#,
                0.0, node.count
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// The texts of the labels [`svg`] draws with `data-f` or `data-b`, in the order it draws them:
/// each edge's value and contribution, f and the 1 on the output's arrow, then the sum under
/// each value that fans out. When only the numbers change (the same formula at another point),
/// the page sets these texts in place instead of drawing the graph again.
pub fn label_texts(graph: &Graph) -> Vec<String> {
    let mut out = Vec::with_capacity(2 * graph.edges.len() + 2);
    for edge in &graph.edges {
        out.push(format_value(graph.nodes[edge.from].value));
        out.push(format_value(edge.contribution));
    }
    if let Some(node) = graph.nodes.get(graph.output) {
        out.push(format_value(node.value));
        out.push("1".into());
    }
    for node in &graph.nodes {
        if graph.edges.iter().filter(|e| e.from == node.id).count() > 1 {
            out.push(format!("Σ {}", format_value(node.grad)));
        }
    }
    out
}

/// Half the width of an input's or a constant's box, from its label's length.
fn half_width(label: &str) -> f64 {
    (label.chars().count() as f64 * 4.2 + 9.0).max(14.0)
}

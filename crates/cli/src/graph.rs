//! `gradscape graph`: the computational graph of the book's chapter 5, as JSON, Graphviz DOT, SVG
//! or a table. Either a formula at a point (every node's value forward and ∂f/∂ of it backward,
//! each edge's contribution, a numerical check per node), or a saved network on one example of a
//! data file (every layer's forward output and backward ∂L/∂input).

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{ArgGroup, Args, ValueEnum};
use gradscape_core::graph::{self, format_value, Graph, GraphError, EXAMPLES};
use gradscape_core::graph_layout;
use gradscape_core::layer_graph::{layer_graph, LayerGraph};

use crate::network::{line_of_example, read_csv, read_weights};
use gradscape_core::params;
use gradscape_core::surface;

use crate::Failure;

/// The colour of backward numbers, as the page and the book draw them.
const BACKWARD_COLOUR: &str = "#c0392b";

/// The most numbers of a layer's vector the table shows; the JSON has them all.
const SHOWN: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A table of the nodes (or layers).
    Text,
    /// The whole graph: {output, nodes: [{id, op, label, inputs, value, grad, ...}], edges, ...}.
    Json,
    /// Graphviz: `gradscape graph ... --format dot | dot -Tsvg > graph.svg`.
    Dot,
    /// The page's drawing of the graph.
    Svg,
}

#[derive(Args, Debug)]
#[command(group(
    ArgGroup::new("what")
        .required(true)
        .multiple(false)
        .args(["function", "book", "weights"])
))]
pub struct GraphArgs {
    /// A surface id (see `gradscape functions`) or a formula, which may use named inputs besides
    /// x and y: 'apple*apple_num*tax'.
    #[arg(long, allow_hyphen_values = true, value_name = "F")]
    function: Option<String>,
    /// One of the book's examples, its formula and its inputs' values (which --inputs and --at
    /// change): apple (figure 5-3), apple-orange (5-17) or sigmoid (5-19).
    #[arg(long, value_name = "ID", value_parser = PossibleValuesParser::new(EXAMPLES.map(|e| e.id)))]
    book: Option<String>,
    /// The point x,y (write --at=-7,2 or --at -7,2). Needed when the formula uses x or y, unless
    /// --inputs gives them.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "X,Y",
        conflicts_with = "weights"
    )]
    at: Option<String>,
    /// The named inputs' values: apple=100,apple_num=2,tax=1.1 (or apple:100,...).
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "NAME=VALUE,...",
        conflicts_with = "weights"
    )]
    inputs: Option<String>,
    /// A network, as `train --save-weights` writes it: draw its layers on one example of --data.
    #[arg(long, value_name = "FILE.json")]
    weights: Option<PathBuf>,
    /// With --weights: the examples, a header, feature columns, then an integer 'label' column.
    #[arg(long, value_name = "FILE.csv", requires = "weights")]
    data: Option<PathBuf>,
    /// With --weights: which example of --data, its row counted from 0 (the header not counted).
    #[arg(long, value_name = "N", requires = "weights", value_parser = row_number)]
    example: Option<usize>,
    /// Output format; a network's layer graph is json or text.
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    format: GraphFormat,
}

/// `--example N`, with a pointer to `--book` for someone who meant the book's examples.
fn row_number(text: &str) -> Result<usize, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "a row number of --data is expected (0 for the first example); the book's examples \
             are --book {}",
            EXAMPLES.map(|e| e.id).join("|")
        )
    })
}

pub fn run(args: &GraphArgs) -> Result<(), Failure> {
    if args.weights.is_some() {
        network_graph(args)
    } else {
        formula_graph(args)
    }
}

// ------------------------------------------------------------------------------------------------
// A formula at a point.

/// A formula as an error message quotes it: whole, or its first 60 characters and "…".
fn short(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// The graph asked for by --function or --book, --at and --inputs, every flag checked.
fn build(args: &GraphArgs) -> Result<Graph, String> {
    let book = match args.book.as_deref() {
        Some(id) => Some(graph::example(id).ok_or_else(|| {
            format!(
                "--book '{id}': not one of the book's examples ({})",
                EXAMPLES.map(|e| e.id).join(", ")
            )
        })?),
        None => None,
    };
    let (formula, flag) = match (&args.function, book) {
        (Some(text), _) => (
            surface::find(text.trim()).map_or_else(|| text.clone(), |s| s.formula.to_string()),
            format!("--function '{}'", short(text.trim())),
        ),
        (None, Some(example)) => (
            example.formula.to_string(),
            format!("--book {}", example.id),
        ),
        (None, None) => return Err("give --function F, --book ID or --weights FILE.json".into()),
    };
    let at = args
        .at
        .as_deref()
        .map(|text| params::parse_point(text).map_err(|e| format!("--at: {e}")))
        .transpose()?;
    let given = match args.inputs.as_deref() {
        Some(text) => graph::parse_inputs(text).map_err(|e| format!("--inputs: {e}"))?,
        None => Vec::new(),
    };
    let is_xy = |name: &str| name == "x" || name == "y";
    if at.is_some() {
        if let Some((name, _)) = given.iter().find(|(name, _)| is_xy(name)) {
            return Err(format!(
                "--inputs gives {name} and --at gives x,y: give the point in one of them"
            ));
        }
    }
    // The book's values, then --at's point in place of the book's x, then --inputs over both.
    let mut values: Vec<(String, f64)> = book
        .map(|e| e.inputs)
        .unwrap_or_default()
        .iter()
        .filter(|(name, _)| at.is_none() || !is_xy(name))
        .map(|&(name, v)| (name.to_string(), v))
        .collect();
    for (name, v) in given {
        match values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = v,
            None => values.push((name, v)),
        }
    }
    let graph = Graph::build(&formula, at.unwrap_or([0.0, 0.0]), &values).map_err(|e| match e {
        GraphError::Parse(_) | GraphError::TooBig { .. } => format!("{flag}: {e}"),
        _ => format!("--inputs: {e}"),
    })?;
    if at.is_none() {
        let unset: Vec<&str> = graph
            .values
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|&name| is_xy(name) && !values.iter().any(|(n, _)| n == name))
            .collect();
        if !unset.is_empty() {
            return Err(format!(
                "--at X,Y is needed: the formula uses {} (e.g. --at=-7,2)",
                unset.join(" and ")
            ));
        }
    }
    Ok(graph)
}

fn formula_graph(args: &GraphArgs) -> Result<(), Failure> {
    let graph = build(args)?;
    let text = match args.format {
        GraphFormat::Json => {
            let mut json = serde_json::to_string(&graph).map_err(io::Error::from)?;
            json.push('\n');
            json
        }
        GraphFormat::Dot => dot(&graph),
        GraphFormat::Svg => {
            let layout = graph_layout::layout(&graph);
            let mut svg = graph_layout::svg(&graph, &layout, true);
            svg.push('\n');
            svg
        }
        GraphFormat::Text => table(&graph),
    };
    write_out(&text)
}

fn write_out(text: &str) -> Result<(), Failure> {
    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Text for a double-quoted DOT string.
fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside a DOT HTML-like label.
fn dot_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// An edge's label: the value forward above, the contribution backward below in red.
fn edge_label(forward: f64, backward: f64) -> String {
    format!(
        "<{}<br/><font color=\"{BACKWARD_COLOUR}\">{}</font>>",
        dot_html(&format_value(forward)),
        dot_html(&format_value(backward))
    )
}

/// The graph in Graphviz's DOT: operations as circles, inputs and constants as boxes, each edge
/// labelled with the value it carries forward and the contribution it carries backward.
fn dot(graph: &Graph) -> String {
    let mut out = String::new();
    let title = format!("f = {} = {}", graph.formula, format_value(graph.value()));
    let _ = writeln!(out, "digraph gradscape {{");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, label={}, labelloc=t, fontname=\"Helvetica\", forcelabels=true];",
        dot_string(&title)
    );
    let _ = writeln!(out, "  node [fontname=\"Helvetica\"];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=11];");
    for node in &graph.nodes {
        let shape = if node.op.is_operation() {
            "circle, fixedsize=true, width=0.5"
        } else {
            "box"
        };
        let _ = write!(
            out,
            "  n{} [shape={shape}, label={}",
            node.id,
            dot_string(&node.label)
        );
        if node.count > 1 {
            let _ = write!(out, ", xlabel={}", dot_string(&format!("×{}", node.count)));
        }
        let _ = writeln!(out, "];");
    }
    // Edges in forward order, each operation's operands in order.
    let mut edges: Vec<&graph::Edge> = graph.edges.iter().collect();
    let rank = |id: usize| graph.order.iter().position(|&k| k == id).unwrap_or(0);
    edges.sort_by_key(|e| (rank(e.to), e.slot));
    for edge in edges {
        let from = &graph.nodes[edge.from];
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}];",
            edge.from,
            edge.to,
            edge_label(from.value, edge.contribution)
        );
    }
    // The output's arrow out, with f and the 1 that starts the backward pass.
    let _ = writeln!(out, "  f [shape=plaintext, label=\"f\"];");
    let _ = writeln!(
        out,
        "  n{} -> f [label={}];",
        graph.output,
        edge_label(graph.value(), 1.0)
    );
    out.push_str("}\n");
    out
}

/// Rows of cells as aligned columns: the columns in `right` right-aligned (numbers), the others
/// left-aligned, two spaces apart, no trailing spaces.
fn columns(rows: &[Vec<String>], right: &[usize]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let w = widths[c];
            if right.contains(&c) {
                let _ = write!(line, "{cell:>w$}");
            } else {
                let _ = write!(line, "{cell:<w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The nodes as a table, after a line with f's value and one with the inputs' values.
fn table(graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "f = {} = {}",
        graph.formula.trim(),
        format_value(graph.value())
    );
    if !graph.values.is_empty() {
        let at: Vec<String> = graph
            .values
            .iter()
            .map(|(name, v)| format!("{name} = {}", format_value(*v)))
            .collect();
        let _ = writeln!(out, "at {}", at.join(", "));
    }
    if graph.collapsed {
        let _ = writeln!(
            out,
            "(repeated parts are shown once; 'count' says how many times each occurs)"
        );
    }
    let _ = writeln!(out);
    let mut header: Vec<String> = ["id", "op", "label", "inputs", "value", "grad", "numerical"]
        .map(String::from)
        .to_vec();
    if graph.collapsed {
        header.push("count".into());
    }
    let mut rows = vec![header];
    for node in &graph.nodes {
        let inputs: Vec<String> = node.inputs.iter().map(usize::to_string).collect();
        let mut row = vec![
            node.id.to_string(),
            node.op.name().to_string(),
            node.label.clone(),
            if inputs.is_empty() {
                "-".into()
            } else {
                inputs.join(",")
            },
            format_value(node.value),
            format_value(node.grad),
            format_value(node.numerical),
        ];
        if graph.collapsed {
            row.push(node.count.to_string());
        }
        if node.id == graph.output {
            row[0] = format!("{} (f)", node.id);
        }
        rows.push(row);
    }
    out.push_str(&columns(&rows, &[4, 5, 6, 7]));
    let _ = writeln!(
        out,
        "\ngrad is ∂f/∂(the node's value) by backpropagation; numerical, by central differences \
         (h = {}).",
        format_value(graph::H)
    );
    out
}

// ------------------------------------------------------------------------------------------------
// A network on one example.

/// The network of --weights on example --example of --data.
fn build_layers(args: &GraphArgs) -> Result<LayerGraph, String> {
    let Some(weights) = &args.weights else {
        return Err("give --weights FILE.json".into());
    };
    let Some(data) = &args.data else {
        return Err(format!(
            "--weights needs --data FILE.csv: the examples to draw {} on",
            weights.display()
        ));
    };
    if matches!(args.format, GraphFormat::Dot | GraphFormat::Svg) {
        return Err(format!(
            "--format {}: a network's layer graph (--weights) is printed as json or text",
            if args.format == GraphFormat::Dot {
                "dot"
            } else {
                "svg"
            }
        ));
    }
    let index = args.example.unwrap_or(0);
    let net = read_weights(weights)?;
    let (set, text) = read_csv(data)?;
    let count = set.train.len();
    if index >= count {
        return Err(format!(
            "--example {index}: {} has {count} example{} (rows 0 to {})",
            data.display(),
            if count == 1 { "" } else { "s" },
            count.saturating_sub(1)
        ));
    }
    let features = set.features.len();
    if features != net.inputs() {
        return Err(format!(
            "{}: the data has {features} feature column{} but the network in {} takes {} input{}",
            data.display(),
            if features == 1 { "" } else { "s" },
            weights.display(),
            net.inputs(),
            if net.inputs() == 1 { "" } else { "s" },
        ));
    }
    let x = &set.train.x.data[index * features..(index + 1) * features];
    let t = set.train.t[index];
    if t >= net.classes() {
        let row = line_of_example(&text, index)
            .map(|r| format!("row {r}, "))
            .unwrap_or_default();
        return Err(format!(
            "{}: {row}column {}: label {t} is not one of the {} classes (0 to {}) of the network \
             in {}",
            data.display(),
            features + 1,
            net.classes(),
            net.classes() - 1,
            weights.display(),
        ));
    }
    let mut graph = layer_graph(&net, x, t).map_err(|e| format!("{}: {e}", weights.display()))?;
    graph.example = Some(index);
    Ok(graph)
}

fn network_graph(args: &GraphArgs) -> Result<(), Failure> {
    let graph = build_layers(args)?;
    let text = match args.format {
        GraphFormat::Json => {
            let mut json = serde_json::to_string(&graph).map_err(io::Error::from)?;
            json.push('\n');
            json
        }
        _ => layer_table(&graph),
    };
    write_out(&text)
}

/// `1×784`, or `scalar` for the loss.
fn shape_text(shape: &[usize]) -> String {
    if shape.is_empty() {
        "scalar".into()
    } else {
        shape
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("×")
    }
}

/// A vector's first numbers, with how many there are when it is longer.
fn vector_text(v: &[f64]) -> String {
    let shown: Vec<String> = v.iter().take(SHOWN).map(|&x| format_value(x)).collect();
    let mut text = shown.join(", ");
    if v.len() > SHOWN {
        let _ = write!(text, ", … ({} numbers)", v.len());
    }
    text
}

/// The layers as a table, then each gradient checked against central differences.
fn layer_table(graph: &LayerGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "example {}: label {}, predicted {}, loss {}",
        graph.example.unwrap_or(0),
        graph.label,
        graph.predicted,
        format_value(graph.loss)
    );
    let _ = writeln!(out);
    let mut rows = vec![[
        "layer",
        "input",
        "output",
        "forward",
        "backward (∂L/∂input)",
    ]
    .map(String::from)
    .to_vec()];
    for layer in &graph.layers {
        rows.push(vec![
            layer.name.clone(),
            shape_text(&layer.input_shape),
            shape_text(&layer.output_shape),
            vector_text(&layer.forward),
            vector_text(&layer.backward),
        ]);
    }
    out.push_str(&columns(&rows, &[]));
    let _ = writeln!(
        out,
        "\nBackpropagation against central differences (h = {}), on a few entries of each array:",
        format_value(gradscape_core::layer_graph::H)
    );
    let mut rows = vec![[
        "layer",
        "array",
        "shape",
        "entries",
        "max |backprop − numerical|",
    ]
    .map(String::from)
    .to_vec()];
    for layer in &graph.layers {
        for check in layer.params.iter().chain([&layer.input_check]) {
            rows.push(vec![
                layer.name.clone(),
                check.name.clone(),
                shape_text(&check.shape),
                check.entries.len().to_string(),
                format!("{:.3e}", check.max_abs_diff),
            ]);
        }
    }
    out.push_str(&columns(&rows, &[3, 4]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_strings_and_html_are_escaped() {
        assert_eq!(dot_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(dot_html("<a & b>"), "&lt;a &amp; b&gt;");
        assert_eq!(
            edge_label(-1.5, 220.00000000000003),
            "<−1.5<br/><font color=\"#c0392b\">220</font>>"
        );
    }

    #[test]
    fn long_formulas_are_quoted_short() {
        assert_eq!(short("x^2"), "x^2");
        let long = "x+".repeat(40) + "x";
        assert_eq!(short(&long).chars().count(), 61);
        assert!(short(&long).ends_with("x+…"));
    }

    #[test]
    fn columns_align_by_characters() {
        let rows = vec![
            vec!["a".to_string(), "−1".to_string()],
            vec!["bbb".to_string(), "10".to_string()],
        ];
        assert_eq!(columns(&rows, &[1]), "a    −1\nbbb  10\n");
    }

    #[test]
    fn shapes_and_long_vectors_read_short() {
        assert_eq!(shape_text(&[1, 784]), "1×784");
        assert_eq!(shape_text(&[]), "scalar");
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(vector_text(&v), "0, 1, 2, 3, 4, 5, … (10 numbers)");
    }
}

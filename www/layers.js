// The network view's "layers as a graph": one example's forward values and backward gradients
// through the book's layers (Affine → ReLU/Sigmoid → … → Softmax-with-Loss), drawn as a row of
// layer nodes with the shapes on the edges and a strip of colours per vector; a click on a layer
// opens its figure in the book (Affine as dot and add, Sigmoid's four nodes, Softmax and Cross
// Entropy Error). The numbers come from the core, through the Graph view's module (fetched with
// this file); this file draws them. Its words come from the page (`t`, i18n.js's): in the built
// page this is a file of its own, and a copy of i18n.js here would not know the page's language.
import { graphModule } from './graph.js';
import { layer_graph as layerGraph } from './pkg/gradscape_graph.js';

/** The layer graph of the network of `setup.sizes` and `setup.activation` with weights `params`
 * on the example `setup.x` (label `setup.label`). */
export async function buildLayerGraph(setup, params, example) {
  await graphModule();
  return JSON.parse(layerGraph(new Uint32Array(setup.sizes), setup.activation, params, new Float64Array(setup.x), setup.label, example));
}

/** Blue below zero, red above, white at zero; |v| relative to the strip's largest. */
function colour(v, scale) {
  if (v === null || !Number.isFinite(v)) return '#999';
  const a = Math.min(1, Math.abs(v) / (scale || 1));
  const mix = (c) => Math.round(255 - a * (255 - c));
  return v < 0 ? `rgb(${mix(33)},${mix(102)},${mix(172)})` : `rgb(${mix(178)},${mix(24)},${mix(43)})`;
}

/** The words of the page's language (i18n.js's t), set by renderLayers. */
let t = (key) => key;
const shapeText = (shape) => (shape.length ? `(${shape.join(', ')})` : t('layers.scalar'));
const num = (v) => (v === null || v === undefined ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : Number(v.toPrecision(6)).toString());

/** A strip (or, for a matrix, a small grid) of `values` in the given shape. */
function strip(values, shape, label) {
  const canvas = document.createElement('canvas');
  const rows = shape.length === 2 ? shape[0] : 1;
  const cols = shape.length === 2 ? shape[1] : Math.max(1, values.length);
  const cell = Math.max(1, Math.min(10, Math.floor(160 / Math.max(cols, rows))));
  canvas.width = cols * cell;
  canvas.height = Math.max(rows * cell, rows === 1 ? 10 : 0);
  canvas.className = rows === 1 ? 'strip row' : 'strip';
  const ctx = canvas.getContext('2d');
  const scale = values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
  values.forEach((v, i) => {
    ctx.fillStyle = colour(v, scale);
    ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell, rows === 1 ? canvas.height : cell);
  });
  const shown = values.slice(0, 6).map(num).join(', ');
  canvas.setAttribute('role', 'img');
  const more = values.length > 6 ? ', …' : '';
  canvas.setAttribute('aria-label', t('layers.strip-label', { label, count: values.length, largest: num(scale), first: shown, more }));
  canvas.title = t('layers.strip-title', { label, first: shown, more, largest: num(scale) });
  return canvas;
}

function el(tag, cls, ...children) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.append(...children);
  return e;
}

let expanded = -1;

/** Draws `graph` (the core's layer graph) into `targets.graph`, the open layer's figure into
 * `targets.detail`, and a line about the example into `targets.summary`, in the words of
 * `words` (the page's t). */
export function renderLayers(graph, targets, words = t) {
  t = words;
  const { layers } = graph;
  targets.summary.textContent = t('layers.summary', { label: graph.label, predicted: graph.predicted, loss: num(graph.loss) });
  const row = [];
  const input = layers[0];
  row.push(el('div', 'layer-edge', el('span', 'shape', `x ${shapeText(input.input_shape)}`), '→'));
  layers.forEach((layer, i) => {
    const button = el('button', `layer-node${i === expanded ? ' open' : ''}`, el('strong', '', layer.name));
    button.type = 'button';
    button.dataset.layer = String(i);
    button.setAttribute('aria-expanded', String(i === expanded));
    button.append(
      el('span', 'strip-label', t('layers.forward')), strip(layer.forward, layer.output_shape.length ? [layer.forward.length] : [1], t('layers.output', { name: layer.name })),
      el('span', 'strip-label bwd-text', t('layers.backward-in')), strip(layer.backward, [layer.backward.length], t('layers.input-gradient', { name: layer.name })),
    );
    for (const p of layer.params) {
      const worst = p.max_abs_diff;
      button.append(el('span', 'check', t('layers.check', { name: p.name, worst: num(worst) })));
    }
    button.addEventListener('click', () => {
      expanded = expanded === i ? -1 : i;
      renderLayers(graph, targets);
    });
    row.push(button);
    if (i + 1 < layers.length) row.push(el('div', 'layer-edge', el('span', 'shape', shapeText(layer.output_shape)), '→'));
  });
  row.push(el('div', 'layer-edge', el('span', 'shape', `L = ${num(graph.loss)}`)));
  targets.graph.replaceChildren(...row);
  targets.detail.replaceChildren(...(expanded >= 0 && layers[expanded] ? detail(layers[expanded]) : []));
}

/** The layer's figure in the book: its parts left to right, each with its shape and strips,
 * and the weights' gradients against central differences. */
function detail(layer) {
  const out = [el('h3', '', t('layers.detail', { name: layer.name }))];
  const parts = layer.parts.map((p) => {
    const box = el('div', `part part-${p.op}`, el('strong', '', p.label), el('span', 'shape', shapeText(p.shape)));
    if (p.inputs.length) box.append(el('span', 'hint', t('layers.from', { parts: p.inputs.map((id) => layer.parts.find((q) => q.id === id)?.label ?? id).join(', ') })));
    box.dataset.part = p.id;
    box.append(el('span', 'strip-label', t('layers.forward')), strip(p.forward, p.shape.length === 2 && p.shape[0] > 1 ? p.shape : [p.forward.length], t('layers.value', { label: p.label })));
    if (p.backward.length) box.append(el('span', 'strip-label bwd-text', t('layers.backward')), strip(p.backward, p.shape.length === 2 && p.shape[0] > 1 ? p.shape : [p.backward.length], t('layers.value-gradient', { label: p.label })));
    return box;
  });
  out.push(el('div', 'parts', ...parts));
  for (const check of [layer.input_check, ...layer.params]) {
    if (!check) continue;
    const table = el('table', 'checks');
    table.append(el('caption', '', t('layers.check-caption', { name: check.name, shape: shapeText(check.shape) })));
    const head = table.createTHead().insertRow();
    for (const h of ['entry', 'backprop', 'numerical', 'difference']) head.append(el('th', '', t(`layers.${h}`)));
    const body = table.createTBody();
    for (const e of check.entries) {
      const r = body.insertRow();
      r.insertCell().textContent = `${check.name}[${e.index.join(', ')}]`;
      r.insertCell().textContent = num(e.backprop);
      r.insertCell().textContent = num(e.numerical);
      r.insertCell().textContent = e.abs_diff.toExponential(1);
    }
    out.push(el('div', 'scroll-x', table));
  }
  return out;
}

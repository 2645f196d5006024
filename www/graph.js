// The Graph view: the computational graph of f(x, y) at the chosen optimizer's point (or of one
// of the book's chapter 5 examples), forward and backward a node at a time. Loaded, with its own
// wasm module, the first time the view is needed. The module builds the graph, lays it out,
// draws it as SVG and writes out every number; this file shows or hides the labels step by step
// and words what each step does.
import init, { GraphView, inset_to_world as insetToWorld, world_to_inset as worldToInset } from './pkg/gradscape_graph.js';

const $ = (id) => document.getElementById(id);

let ready = null;
/** The Graph view's module, compiled and started once (inlined in the one-file page). */
export function graphModule() {
  const inline = globalThis.gradscapeInline?.graph;
  ready ??= init({ module_or_path: inline ? Uint8Array.from(atob(inline), (c) => c.charCodeAt(0)) : new URL('./pkg/gradscape_graph_bg.wasm', import.meta.url) })
    .catch((e) => {
      ready = null;
      throw e;
    });
  return ready;
}

/** The book's examples; `surface` is f(x, y) of the surfaces view. */
export const GRAPH_SOURCES = ['surface', 'apple', 'apple-orange', 'sigmoid'];
const EXAMPLES = {
  apple: { formula: 'apple*apple_num*tax', inputs: [['apple', 100], ['apple_num', 2], ['tax', 1.1]] },
  'apple-orange': { formula: '(apple*apple_num + orange*orange_num)*tax', inputs: [['apple', 100], ['apple_num', 2], ['orange', 150], ['orange_num', 3], ['tax', 1.1]] },
  sigmoid: { formula: '1/(1 + exp(-1*x))', inputs: [['x', 0.5]] },
};

/** What each operation's node does backward, in the book's words. */
const RULES = {
  add: 'The add node passes the gradient on unchanged to both inputs.',
  sub: 'The subtract node passes the gradient on to the first input and its negative to the second.',
  mul: 'The multiply node swaps its inputs: each input receives the gradient times the other input.',
  div: 'The divide node: ∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = −(a/b)/b.',
  neg: 'The negate node flips the gradient’s sign.',
  pow: 'The power node: ∂(aᵇ)/∂a = b·aᵇ⁻¹ and ∂(aᵇ)/∂b = aᵇ·ln a.',
  exp: 'The exp node: its derivative is its own output, exp(a).',
  ln: 'The log node: ∂ln a/∂a = 1/a.',
  sin: 'The sin node: ∂sin a/∂a = cos a.',
  cos: 'The cos node: ∂cos a/∂a = −sin a.',
  tan: 'The tan node: ∂tan a/∂a = 1 + tan²a.',
  tanh: 'The tanh node: ∂tanh a/∂a = 1 − tanh²a.',
  sqrt: 'The square-root node: ∂√a/∂a = 1/(2√a).',
  abs: 'The abs node: ∂|a|/∂a = the sign of a (0 at 0).',
};
const SYMBOL = { add: '+', sub: '−', mul: '×', div: '/', pow: '^' };
/** Milliseconds per step while playing. */
const PLAY_MS = 700;

/**
 * Starts the view. `surfaces` is the surfaces view's side: `formula()`, `runs()` (name and
 * colour of each run), `selectedRun()`, `point(run)` (the run's point at the shown step),
 * `viewBox()`, `paintInset(canvas, w, h)`; `onChange()` is called when the address should change.
 */
export async function startGraphView({ surfaces, onChange, params }) {
  await graphModule();
  const box = $('graph-canvas');
  const counter = $('graph-counter');
  const explain = $('graph-explain');
  const card = $('graph-card');
  const source = $('graph-source');
  const follow = $('graph-follow');
  const runMenu = $('graph-run');
  const inset = $('graph-inset');
  const fields = $('graph-inputs');
  let state = { source: 'surface', values: new Map(), own: null, run: 0 };
  let view = null; // the module's view: nodes, plan, svg
  let built = null; // the GraphView
  let t = 0;
  let selected = -1;
  let playing = false;
  let timer = 0;
  let visible = false;
  let messages = [];
  let labels = [];
  let nodeEls = [];
  let edgeEls = [];

  // ---- address -----------------------------------------------------------------------------
  function warn(param, message) {
    messages = [...messages.filter((m) => m.param !== param), { param, message }];
    showMessages();
  }
  /** A new change from the reader: what earlier ones said is no longer news. */
  function fresh() {
    messages = [];
    showMessages();
  }
  function clear(param) {
    messages = messages.filter((m) => m.param !== param);
    showMessages();
  }
  function showMessages() {
    $('graph-messages').replaceChildren(...messages.map((m) => {
      const p = document.createElement('p');
      p.className = 'warning';
      p.textContent = m.message;
      return p;
    }));
  }
  /** Reads `name:value,…`; a bad item is named and the rest kept. */
  function readInputs(text) {
    const out = new Map();
    for (const item of String(text).split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = item.match(/^([A-Za-z][A-Za-z0-9_]*)\s*[:=]\s*(.*)$/);
      if (!m) {
        warn('inputs', `inputs: '${item.slice(0, 40)}' is not name:value, e.g. apple:100`);
        continue;
      }
      const v = m[2].trim() === '' ? NaN : Number(m[2]);
      if (!Number.isFinite(v)) {
        warn('inputs', `inputs: the input '${m[1]}' must be a finite number, not '${m[2].slice(0, 40)}'; kept ${state.values.has(m[1]) ? state.values.get(m[1]) : 'its value'}`);
        continue;
      }
      out.set(m[1], v);
    }
    return out;
  }
  function setSource(name, { warnings = true } = {}) {
    const s = String(name);
    if (!GRAPH_SOURCES.includes(s)) {
      if (warnings) warn('graph', `graph: no graph '${s.slice(0, 40)}' (there are ${GRAPH_SOURCES.join(', ')}); kept ${state.source}`);
      return false;
    }
    if (s !== state.source) {
      state.source = s;
      state.values = new Map(EXAMPLES[s]?.inputs ?? []);
      if (s !== 'surface') state.own = null;
    }
    return true;
  }

  // ---- building ----------------------------------------------------------------------------
  function formula() {
    return state.source === 'surface' ? surfaces.formula() : EXAMPLES[state.source].formula;
  }
  function point() {
    if (state.source !== 'surface') return [0, 0];
    if (!follow.checked && state.own) return state.own;
    return surfaces.point(state.run) ?? state.own ?? [0, 0];
  }
  /** Builds the graph for the current settings; on an error, says so and keeps the last one. */
  function rebuild({ keepStep = false } = {}) {
    const t0 = performance.now();
    const [x, y] = point();
    const named = [...state.values].filter(([k]) => state.source !== 'surface' || (k !== 'x' && k !== 'y'));
    const list = named.map(([k, v]) => `${k}:${v}`).join(',');
    const text = formula();
    // The same formula elsewhere: the same graph with new numbers, set in place.
    if (built && view && view.formula === text) {
      try {
        built.moved(x, y, list);
        view = JSON.parse(built.view());
        labels.forEach(([el], k) => {
          if (el.textContent !== view.labels[k]) el.textContent = view.labels[k];
        });
        clear('build');
        buildFields();
        show();
        if (state.source === 'surface') drawInset();
        performance.measure('gradscape:graph-build', { start: t0, end: performance.now() });
        return true;
      } catch (e) {
        if (!/changed shape/.test(e.message)) {
          warn('build', `graph: ${e.message}`);
          return false;
        }
      }
    }
    let next;
    try {
      next = new GraphView(text, x, y, list);
    } catch (e) {
      warn('build', `graph: ${e.message}`);
      return false;
    }
    clear('build');
    built?.free();
    built = next;
    view = JSON.parse(built.view());
    box.innerHTML = built.svg();
    const svg = box.querySelector('svg');
    labels = [...svg.querySelectorAll('[data-f], [data-b]')].map((el) => [el, Number(el.dataset.f ?? -1), Number(el.dataset.b ?? -1), el.hasAttribute('data-hidden')]);
    nodeEls = [...svg.querySelectorAll('g.node')];
    for (const el of nodeEls) el.gsState = '';
    edgeEls = [...svg.querySelectorAll('path.edge[data-edge]')];
    for (const el of edgeEls) el.gsActive = false;
    $('graph-formula').textContent = `f = ${view.formula}${view.collapsed ? ' (repeated parts drawn once, with a count)' : ''}`;
    if (!keepStep) t = 0;
    t = Math.min(t, 2 * view.steps);
    if (selected >= view.nodes.length) selected = -1;
    buildFields();
    show();
    if (state.source === 'surface') drawInset();
    performance.measure('gradscape:graph-build', { start: t0, end: performance.now() });
    return true;
  }

  function buildFields() {
    const names = view.values.map(([k]) => k);
    const key = `${state.source}|${names.join(',')}`;
    if (fields.dataset.key !== key) {
      fields.dataset.key = key;
      const legend = document.createElement('legend');
      legend.textContent = state.source === 'surface' ? 'The point' : 'Inputs';
      fields.replaceChildren(legend, ...names.map((name) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'text';
        input.inputMode = 'decimal';
        input.spellcheck = false;
        input.dataset.name = name;
        input.setAttribute('aria-label', `value of ${name}`);
        input.addEventListener('change', () => editField(input));
        input.addEventListener('keydown', (e) => { if (e.key === 'Enter') editField(input); });
        label.append(name, input);
        return label;
      }));
    }
    for (const input of fields.querySelectorAll('input')) {
      const v = view.values.find(([k]) => k === input.dataset.name)?.[1];
      if (document.activeElement !== input && v !== undefined) input.value = String(v);
    }
  }
  function editField(input) {
    fresh();
    const name = input.dataset.name;
    const v = input.value.trim() === '' ? NaN : Number(input.value);
    if (!Number.isFinite(v)) {
      input.setAttribute('aria-invalid', 'true');
      warn('field', `${name}: '${input.value.slice(0, 40)}' is not a finite number; kept ${view.values.find(([k]) => k === name)?.[1]}`);
      return;
    }
    input.setAttribute('aria-invalid', 'false');
    clear('field');
    if (state.source === 'surface' && (name === 'x' || name === 'y')) {
      const [x, y] = point();
      state.own = name === 'x' ? [v, y] : [x, v];
      follow.checked = false;
    } else {
      state.values.set(name, v);
    }
    rebuild({ keepStep: true });
    onChange();
  }

  // ---- stepping ----------------------------------------------------------------------------
  function show() {
    if (!view) return;
    const F = view.steps;
    for (const label of labels) {
      const [el, f, b] = label;
      const hide = (f >= 0 && t < f) || (b >= 0 && t < b);
      // Only what changes: the drawing arrives as at step 0.
      if (label[3] === hide) continue;
      label[3] = hide;
      if (hide) el.setAttribute('data-hidden', '');
      else el.removeAttribute('data-hidden');
    }
    const step = t > 0 ? view.plan[t - 1] : null;
    const active = new Set(step?.phase === 'backward' ? step.parts.map((p) => p.edge) : []);
    // Class changes only where a node's or an edge's state changed.
    nodeEls.forEach((el, id) => {
      const n = view.nodes[id];
      const now = `${n.known_from <= Math.min(t, F) && n.known_from > 0 ? ' done' : ''}${step?.node === id ? ' current' : ''}${selected === id ? ' selected' : ''}`;
      if (el.gsState === now) return;
      el.gsState = now;
      el.classList.toggle('done', now.includes('done'));
      el.classList.toggle('current', now.includes('current'));
      el.classList.toggle('selected', now.includes('selected'));
    });
    edgeEls.forEach((el) => {
      const on = active.has(Number(el.dataset.edge));
      if (el.gsActive === on) return;
      el.gsActive = on;
      el.classList.toggle('active', on);
    });
    counter.textContent = t <= F ? `forward ${Math.min(t, F)} / ${F}` : `backward ${t - F} / ${F}`;
    $('graph-play').textContent = playing ? 'Pause' : 'Play';
    explain.replaceChildren(...words(step));
    showCard();
  }

  /** A node in words: an input's or a constant's label, an operation's symbol and value. */
  const name = (id) => {
    const n = view.nodes[id];
    return n.op === 'input' || n.op === 'const' ? n.label : `the ${SYMBOL[n.op] ?? n.op} node (${n.value})`;
  };
  /** What step t does, in words, from the module's numbers. */
  function words(step) {
    const F = view.steps;
    if (!step) return [`f = ${view.formula}. Press → (or Play) to compute it node by node, forward; then the gradients come back, backward.`];
    const n = view.nodes[step.node];
    const k = t <= F ? t : t - F;
    if (step.phase === 'forward') {
      const a = step.operands;
      const sum = n.op === 'neg' ? `−(${a[0]})` : SYMBOL[n.op] ? `${a[0]} ${SYMBOL[n.op]} ${a[1]}` : `${n.op}(${a[0]})`;
      const done = t === F ? ` That is f = ${view.value}. Press → to go backward.` : '';
      return [`Forward, node ${k} of ${F}: ${sum} = ${step.result}.${done}`];
    }
    const span = document.createElement('span');
    span.className = 'bwd-text';
    const parts = step.parts.map((p) => {
      const into = name(p.from);
      const fan = p.sum_before !== null ? ` (${into} fans out: ${p.sum_before} + ${p.contribution} = ${p.running}${p.last ? ', complete' : ' so far'})` : '';
      return `to ${into}: ${step.upstream} × ${p.local} = ${p.contribution}${fan}`;
    });
    span.textContent = `${step.upstream} arrives at ${name(step.node)}; ${parts.join('; ')}.`;
    const rule = RULES[n.op] ? ` ${RULES[n.op]}` : '';
    const done = t === 2 * F ? ' The backward pass is done: every input has its gradient.' : '';
    return [`Backward, node ${k} of ${F}.${rule} `, span, done];
  }

  function showCard() {
    const head = document.createElement('h2');
    if (selected < 0 || !view.nodes[selected]) {
      head.textContent = 'Node';
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.textContent = 'Click a node, or use ↑ and ↓, to see its numbers.';
      card.replaceChildren(head, hint);
      return;
    }
    const n = view.nodes[selected];
    head.textContent = n.op === 'input' ? `Input ${n.label}` : n.op === 'const' ? `Constant ${n.label}` : `${n.op} node (${n.label})`;
    const dl = document.createElement('dl');
    const row = (term, value, cls) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      if (cls) dd.className = cls;
      dl.append(dt, dd);
    };
    row('value', n.value);
    row('∂f/∂(this value)', n.grad);
    n.local.forEach((d, k) => row(`∂(this)/∂ ${name(n.inputs[k])}`, d));
    if (RULES[n.op]) row('rule', RULES[n.op]);
    row('central difference (h = 1e-4)', n.numerical);
    row('|backprop − numerical|', n.difference, 'check-ok');
    if (n.count > 1) row('drawn once for', `${n.count} places in the formula`);
    card.replaceChildren(head, dl);
  }

  function go(next) {
    if (!view) return;
    const t0 = performance.now();
    t = Math.max(0, Math.min(2 * view.steps, next));
    show();
    performance.measure('gradscape:graph-step', { start: t0, end: performance.now() });
  }
  function play() {
    if (!view) return;
    if (t >= 2 * view.steps) t = 0;
    playing = true;
    clearInterval(timer);
    timer = setInterval(() => {
      if (t >= 2 * view.steps) pause();
      else go(t + 1);
    }, PLAY_MS);
    show();
  }
  function pause() {
    playing = false;
    clearInterval(timer);
    show();
  }
  function select(id) {
    selected = id;
    show();
  }

  // ---- events ------------------------------------------------------------------------------
  $('graph-step').addEventListener('click', () => { pause(); go(t + 1); });
  $('graph-back').addEventListener('click', () => { pause(); go(t - 1); });
  $('graph-all').addEventListener('click', () => { pause(); go(2 * (view?.steps ?? 0)); });
  $('graph-reset').addEventListener('click', () => { pause(); go(0); });
  $('graph-play').addEventListener('click', () => (playing ? pause() : play()));
  box.addEventListener('click', (e) => {
    const g = e.target.closest?.('g.node');
    if (g) select(Number(g.dataset.id));
  });
  box.addEventListener('keydown', (e) => {
    if (!view || e.altKey || e.ctrlKey || e.metaKey) return;
    const n = view.nodes.length;
    const keys = {
      ArrowRight: () => { pause(); go(t + 1); },
      ArrowLeft: () => { pause(); go(t - 1); },
      ' ': () => (playing ? pause() : play()),
      r: () => { pause(); go(0); },
      R: () => { pause(); go(0); },
      ArrowDown: () => select((selected + 1 + n) % n),
      ArrowUp: () => select((selected - 1 + n) % n),
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
    }
  });
  source.addEventListener('change', () => {
    fresh();
    setSource(source.value);
    pause();
    selected = -1;
    showSourceControls();
    rebuild();
    onChange();
  });
  follow.addEventListener('change', () => {
    if (follow.checked) state.own = null;
    rebuild({ keepStep: true });
    onChange();
  });
  runMenu.addEventListener('change', () => {
    state.run = Number(runMenu.value);
    follow.checked = true;
    state.own = null;
    rebuild({ keepStep: true });
  });

  // The inset: the surfaces view's plot, small; drag to move the graph's point.
  let dragging = false;
  let insetImage = null;
  function insetPoint(e) {
    const r = inset.getBoundingClientRect();
    return insetToWorld((e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height, new Float64Array(surfaces.viewBox()));
  }
  inset.addEventListener('pointerdown', (e) => {
    dragging = true;
    inset.setPointerCapture?.(e.pointerId);
    follow.checked = false;
    state.own = [...insetPoint(e)];
    rebuild({ keepStep: true });
  });
  inset.addEventListener('pointermove', (e) => {
    if (!dragging) return;
    state.own = [...insetPoint(e)];
    rebuild({ keepStep: true });
  });
  const endDrag = () => {
    if (!dragging) return;
    dragging = false;
    onChange();
  };
  // The keyboard moves the point too: arrows by a fiftieth of the view (Shift: a fifth).
  inset.addEventListener('keydown', (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (!moves[e.key] || state.source !== 'surface') return;
    e.preventDefault();
    const box = new Float64Array(surfaces.viewBox());
    const [u, v] = worldToInset(...point(), box);
    const k = e.shiftKey ? 0.2 : 0.02;
    follow.checked = false;
    state.own = [...insetToWorld(u + moves[e.key][0] * k, v + moves[e.key][1] * k, box)];
    rebuild({ keepStep: true });
    onChange();
  });
  inset.addEventListener('pointerup', endDrag);
  inset.addEventListener('pointercancel', endDrag);

  function drawInset() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(inset.clientWidth * dpr) || 200;
    const h = Math.round(inset.clientHeight * dpr) || 150;
    // The surface is painted again only when its function or view changed.
    const key = `${formula()}|${surfaces.viewBox().join()}|${w}x${h}`;
    if (inset.dataset.key !== key) {
      surfaces.paintInset(inset, w, h);
      insetImage = inset.getContext('2d').getImageData(0, 0, w, h);
      inset.dataset.key = key;
    }
    const ctx = inset.getContext('2d');
    ctx.putImageData(insetImage, 0, 0);
    const [x, y] = point();
    const [u, v] = worldToInset(x, y, new Float64Array(surfaces.viewBox()));
    if (Number.isFinite(u) && Number.isFinite(v)) {
      ctx.beginPath();
      ctx.arc(u * w, v * h, 5 * dpr, 0, 2 * Math.PI);
      ctx.fillStyle = '#fff';
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2 * dpr;
      ctx.fill();
      ctx.stroke();
    }
  }

  function showSourceControls() {
    source.value = state.source;
    $('graph-follow-box').hidden = state.source !== 'surface';
  }
  function fillRuns() {
    const runs = surfaces.runs();
    const key = runs.map((r) => r.name).join('|');
    if (runMenu.dataset.key !== key) {
      runMenu.dataset.key = key;
      runMenu.replaceChildren(...runs.map((r, i) => {
        const o = document.createElement('option');
        o.value = String(i);
        o.textContent = r.name;
        return o;
      }));
    }
    if (state.run >= runs.length) state.run = Math.max(0, surfaces.selectedRun());
    runMenu.value = String(state.run);
  }

  // ---- start -------------------------------------------------------------------------------
  const initial = params ?? new URLSearchParams();
  state.run = Math.max(0, surfaces.selectedRun());
  if (initial.has('graph')) setSource(initial.get('graph'));
  if (initial.has('inputs')) applyInputs(readInputs(initial.get('inputs')));
  function applyInputs(values) {
    for (const [k, v] of values) {
      if (state.source === 'surface' && (k === 'x' || k === 'y')) {
        const [x, y] = state.own ?? point();
        state.own = k === 'x' ? [v, y] : [x, v];
        follow.checked = false;
      } else {
        state.values.set(k, v);
      }
    }
  }
  showSourceControls();
  fillRuns();
  $('graph-loading')?.remove();
  if (!rebuild()) {
    // Values that the formula does not take: named, and the example's own used instead.
    const why = messages.find((m) => m.param === 'build')?.message ?? 'graph: bad inputs';
    state.values = new Map(EXAMPLES[state.source]?.inputs ?? []);
    state.own = null;
    follow.checked = true;
    rebuild();
    warn('inputs-start', `${why}; used ${state.source === 'surface' ? 'the optimizer\'s point' : 'the example\'s own values'}`);
  }

  return {
    show(on) {
      visible = on;
      if (!on) pause();
      if (on) {
        // The optimizer whose rule the surfaces view shows, as when the view first opened.
        state.run = Math.max(0, surfaces.selectedRun());
        fillRuns();
        if (state.source === 'surface') rebuild({ keepStep: true });
      }
    },
    /** The surfaces view changed (function, step, starts): follow it if shown. */
    surfacesChanged() {
      if (!visible || state.source !== 'surface') return;
      fillRuns();
      // A new function is drawn at once; a new step or start matters only when following.
      if (follow.checked || !state.own || view?.formula !== formula()) rebuild({ keepStep: view?.formula === formula() });
      else drawInset();
    },
    setState(partial) {
      fresh();
      if ('graph' in partial) {
        if (setSource(partial.graph)) clear('graph');
        selected = -1;
        showSourceControls();
      }
      if ('inputs' in partial) {
        const given = partial.inputs;
        const values = typeof given === 'string' ? readInputs(given) : new Map(Object.entries(given ?? {}).map(([k, v]) => [k, Number(v)]));
        for (const [k, v] of values) {
          if (!Number.isFinite(v)) {
            warn('inputs', `inputs: the input '${k}' must be a finite number, not '${String(given[k]).slice(0, 40)}'`);
            values.delete(k);
          }
        }
        const before = new Map(state.values);
        const own = state.own;
        applyInputs(values);
        if (!rebuild()) {
          state.values = before;
          state.own = own;
          rebuild();
        }
      } else {
        rebuild();
      }
      onChange();
    },
    state() {
      return { graph: state.source, inputs: Object.fromEntries(view ? view.values : []), step: t, node: selected };
    },
    urlParams() {
      const out = [['graph', state.source]];
      const defaults = new Map(EXAMPLES[state.source]?.inputs ?? []);
      const own = state.source === 'surface' && state.own ? [['x', state.own[0]], ['y', state.own[1]]] : [];
      const changed = [...state.values].filter(([k, v]) => defaults.get(k) !== v);
      const all = [...own, ...changed];
      if (all.length) out.push(['inputs', all.map(([k, v]) => `${k}:${v}`).join(',')]);
      return out;
    },
    /** The graph on screen, as the contract gives it. */
    graph: () => (built ? JSON.parse(built.json()) : null),
    step: (n) => go(n),
    messages: () => messages,
  };
}

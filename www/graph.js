// The Graph view: the computational graph of f(x, y) at the chosen optimizer's point (or of one
// of the book's chapter 5 examples), forward and backward a node at a time. Loaded, with its own
// wasm module, the first time the view is needed. The module builds the graph, lays it out,
// draws it as SVG and writes out every number; this file shows or hides the labels step by step
// and words what each step does. Its words come from the page (`i18n`, i18n.js's functions): in
// the built page this is a file of its own, and a copy of i18n.js here would not know the page's
// language.
import init, { GraphView, inset_to_world as insetToWorld, world_to_inset as worldToInset } from './pkg/gradscape_graph.js';
import { inlineBytes } from './inline.js';
// The view's markup and styles, put in the page when it starts.
import markup from './graph.html';
// The English words only the network and Graph views say (the built page gives this part of the
// catalog alone; scripts/pages.mjs).
import viewWords from './i18n/en.json' with { type: 'json' };

const $ = (id) => document.getElementById(id);

let ready = null;
/** The Graph view's module, compiled and started once (inlined in the one-file page). */
export function graphModule() {
  ready ??= init({ module_or_path: inlineBytes('graph') ?? new URL('./pkg/gradscape_graph_bg.wasm', import.meta.url) })
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

/** The operations whose node's backward rule the catalogs word (`graph.rule.<op>`), in the
 * book's words. */
const RULES = new Set(['add', 'sub', 'mul', 'div', 'neg', 'pow', 'exp', 'ln', 'sin', 'cos', 'tan', 'tanh', 'sqrt', 'abs']);
const SYMBOL = { add: '+', sub: '−', mul: '×', div: '/', pow: '^' };
/** Milliseconds per step while playing. */
const PLAY_MS = 700;

/**
 * Starts the view. `surfaces` is the surfaces view's side: `formula()`, `runs()` (name and
 * colour of each run), `selectedRun()`, `point(run)` (the run's point at the shown step),
 * `viewBox()`, `paintInset(canvas, w, h)`; `onChange()` is called when the address should change;
 * `i18n` is the page's `{t, say, warning, onLanguage, translatePage, addEnglish}`.
 */
export async function startGraphView({ surfaces, onChange, params, i18n }) {
  const { t, say, warning, onLanguage, translatePage, addEnglish } = i18n;
  const rule = (op) => (RULES.has(op) ? t(`graph.rule.${op}`) : '');
  await graphModule();
  addEnglish(viewWords);
  $('graph').innerHTML = markup;
  translatePage($('graph'));
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
  let at = 0; // the step shown: 0 to the forward steps, then as many backward
  let selected = -1;
  let playing = false;
  let timer = 0;
  let visible = false;
  let messages = [];
  let labels = [];
  let nodeEls = [];
  let edgeEls = [];

  // ---- address -----------------------------------------------------------------------------
  /** Says `kind` (a message of the catalogs, `msg.<kind>`) with `values` for `param`. */
  function warn(param, kind, values) {
    messages = [...messages.filter((m) => m.param !== param), warning(param, kind, values)];
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
      p.textContent = say(m);
      return p;
    }));
  }
  /** Reads `name:value,…`; a bad item is named and the rest kept. */
  function readInputs(text) {
    const out = new Map();
    for (const item of String(text).split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = item.match(/^([A-Za-z][A-Za-z0-9_]*)\s*[:=]\s*(.*)$/);
      if (!m) {
        warn('inputs', 'page.inputs-form', { item: item.slice(0, 40) });
        continue;
      }
      const v = m[2].trim() === '' ? NaN : Number(m[2]);
      if (!Number.isFinite(v)) {
        if (state.values.has(m[1])) warn('inputs', 'page.inputs-number-kept', { name: m[1], value: m[2].slice(0, 40), kept: String(state.values.get(m[1])) });
        else warn('inputs', 'page.inputs-number-its', { name: m[1], value: m[2].slice(0, 40) });
        continue;
      }
      out.set(m[1], v);
    }
    return out;
  }
  function setSource(name, { warnings = true } = {}) {
    const s = String(name);
    if (!GRAPH_SOURCES.includes(s)) {
      if (warnings) warn('graph', 'page.graph-source', { value: s.slice(0, 40), sources: GRAPH_SOURCES.join(', '), source: state.source });
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
  /** The core writes a number that is not one (0/0, the ln of a negative number) as
   * "undefined": that word, in the reader's language. Only numbers' texts are touched. */
  function localize(v) {
    const word = t('graph.undefined');
    const num = (x) => (typeof x === 'string' ? x.replace(/^(Σ )?undefined$/, (_, sum) => `${sum ?? ''}${word}`) : x);
    for (const n of v.nodes) {
      for (const k of ['value', 'grad', 'numerical', 'difference']) n[k] = num(n[k]);
      n.local = n.local.map(num);
    }
    for (const step of v.plan) {
      step.operands = step.operands.map(num);
      step.result = num(step.result);
      step.upstream = num(step.upstream);
      for (const p of step.parts) for (const k of ['local', 'contribution', 'running', 'sum_before']) p[k] = num(p[k]);
    }
    v.value = num(v.value);
    v.labels = v.labels.map(num);
    return v;
  }
  /** Sets the drawing's labels to the view's texts where they differ. */
  function setLabels() {
    labels.forEach(([el], k) => {
      if (el.textContent !== view.labels[k]) el.textContent = view.labels[k];
    });
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
        view = localize(JSON.parse(built.view()));
        setLabels();
        clear('build');
        buildFields();
        show();
        if (state.source === 'surface') drawInset();
        performance.measure('gradscape:graph-build', { start: t0, end: performance.now() });
        return true;
      } catch (e) {
        if (!/changed shape/.test(e.message)) {
          warn('build', 'page.graph-build', { error: e });
          return false;
        }
      }
    }
    let next;
    try {
      next = new GraphView(text, x, y, list);
    } catch (e) {
      warn('build', 'page.graph-build', { error: e });
      return false;
    }
    clear('build');
    built?.free();
    built = next;
    view = localize(JSON.parse(built.view()));
    box.innerHTML = built.svg();
    const svg = box.querySelector('svg');
    labels = [...svg.querySelectorAll('[data-f], [data-b]')].map((el) => [el, Number(el.dataset.f ?? -1), Number(el.dataset.b ?? -1), el.hasAttribute('data-hidden')]);
    setLabels();
    nodeEls = [...svg.querySelectorAll('g.node')];
    for (const el of nodeEls) el.gsState = '';
    edgeEls = [...svg.querySelectorAll('path.edge[data-edge]')];
    for (const el of edgeEls) el.gsActive = false;
    nameDrawing();
    showFormula();
    if (!keepStep) at = 0;
    at = Math.min(at, 2 * view.steps);
    if (selected >= view.nodes.length) selected = -1;
    buildFields();
    show();
    if (state.source === 'surface') drawInset();
    performance.measure('gradscape:graph-build', { start: t0, end: performance.now() });
    return true;
  }

  /** The drawing's names for screen readers in the reader's language (the module writes them in
   * English, as the catalog's English has them). */
  function nameDrawing() {
    box.querySelector('svg')?.setAttribute('aria-label', t('graph.aria.graph', { formula: view.formula }));
    for (const el of nodeEls) {
      const n = view.nodes[Number(el.dataset.id)];
      const key = n?.op === 'input' ? 'graph.aria.input' : n?.op === 'const' ? 'graph.aria.const' : 'graph.aria.op';
      if (n) el.setAttribute('aria-label', t(key, { op: n.op, label: n.label }));
    }
  }

  function showFormula() {
    $('graph-formula').textContent = view.collapsed ? t('graph.formula-collapsed', { formula: view.formula }) : `f = ${view.formula}`;
  }

  function buildFields() {
    const names = view.values.map(([k]) => k);
    const key = `${state.source}|${names.join(',')}|${t('graph.inputs')}`;
    if (fields.dataset.key !== key) {
      fields.dataset.key = key;
      const legend = document.createElement('legend');
      legend.textContent = t(state.source === 'surface' ? 'graph.point' : 'graph.inputs');
      fields.replaceChildren(legend, ...names.map((name) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'text';
        input.inputMode = 'decimal';
        input.spellcheck = false;
        input.dataset.name = name;
        input.setAttribute('aria-label', t('graph.value-of', { name }));
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
      warn('field', 'page.field', { name, value: input.value.slice(0, 40), kept: String(view.values.find(([k]) => k === name)?.[1]) });
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
      const hide = (f >= 0 && at < f) || (b >= 0 && at < b);
      // Only what changes: the drawing arrives as at step 0.
      if (label[3] === hide) continue;
      label[3] = hide;
      if (hide) el.setAttribute('data-hidden', '');
      else el.removeAttribute('data-hidden');
    }
    const step = at > 0 ? view.plan[at - 1] : null;
    const active = new Set(step?.phase === 'backward' ? step.parts.map((p) => p.edge) : []);
    // Class changes only where a node's or an edge's state changed.
    nodeEls.forEach((el, id) => {
      const n = view.nodes[id];
      const now = `${n.known_from <= Math.min(at, F) && n.known_from > 0 ? ' done' : ''}${step?.node === id ? ' current' : ''}${selected === id ? ' selected' : ''}`;
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
    counter.textContent = at <= F ? t('graph.counter-forward', { k: Math.min(at, F), n: F }) : t('graph.counter-backward', { k: at - F, n: F });
    $('graph-play').textContent = t(playing ? 'transport.pause' : 'transport.play');
    explain.replaceChildren(...words(step));
    showCard();
  }

  /** A node in words: an input's or a constant's label, an operation's symbol and value. */
  const name = (id) => {
    const n = view.nodes[id];
    return n.op === 'input' || n.op === 'const' ? n.label : t('graph.node-name', { op: SYMBOL[n.op] ?? n.op, value: n.value });
  };
  /** What the step shown (`at`) does, in words, from the module's numbers. */
  function words(step) {
    const F = view.steps;
    if (!step) return [t('graph.start', { formula: view.formula })];
    const n = view.nodes[step.node];
    const k = at <= F ? at : at - F;
    if (step.phase === 'forward') {
      const a = step.operands;
      const sum = n.op === 'neg' ? `−(${a[0]})` : SYMBOL[n.op] ? `${a[0]} ${SYMBOL[n.op]} ${a[1]}` : `${n.op}(${a[0]})`;
      return [t(at === F ? 'graph.forward-last' : 'graph.forward-step', { k, n: F, sum, result: step.result, value: view.value })];
    }
    const span = document.createElement('span');
    span.className = 'bwd-text';
    const parts = step.parts.map((p) => {
      const kind = p.sum_before === null ? 'graph.to' : p.last ? 'graph.to-fan-complete' : 'graph.to-fan-partial';
      return t(kind, { node: name(p.from), upstream: step.upstream, local: p.local, contribution: p.contribution, before: p.sum_before, running: p.running });
    });
    span.textContent = t('graph.arrives', { upstream: step.upstream, node: name(step.node), parts: parts.join('; ') });
    const why = rule(n.op);
    const done = at === 2 * F ? ` ${t('graph.backward-done')}` : '';
    return [`${t('graph.backward', { k, n: F })}${why ? ` ${why}` : ''} `, span, done];
  }

  function showCard() {
    const head = document.createElement('h2');
    if (selected < 0 || !view.nodes[selected]) {
      head.textContent = t('graph.node');
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.textContent = t('graph.node-hint');
      card.replaceChildren(head, hint);
      return;
    }
    const n = view.nodes[selected];
    head.textContent = t(n.op === 'input' ? 'graph.card.input' : n.op === 'const' ? 'graph.card.constant' : 'graph.card.operation', { label: n.label, op: n.op });
    const dl = document.createElement('dl');
    const row = (term, value, cls) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      if (cls) dd.className = cls;
      dl.append(dt, dd);
    };
    row(t('graph.card.value'), n.value);
    row(t('graph.card.gradient'), n.grad);
    n.local.forEach((d, k) => row(t('graph.card.local', { node: name(n.inputs[k]) }), d));
    if (RULES.has(n.op)) row(t('graph.card.rule'), rule(n.op));
    row(t('graph.card.numerical'), n.numerical);
    row(t('graph.card.difference'), n.difference, 'check-ok');
    if (n.count > 1) row(t('graph.card.drawn-once'), t('graph.card.places', { count: n.count }));
    card.replaceChildren(head, dl);
  }

  function go(next) {
    if (!view) return;
    const t0 = performance.now();
    at = Math.max(0, Math.min(2 * view.steps, next));
    show();
    performance.measure('gradscape:graph-step', { start: t0, end: performance.now() });
  }
  function play() {
    if (!view) return;
    if (at >= 2 * view.steps) at = 0;
    playing = true;
    clearInterval(timer);
    timer = setInterval(() => {
      if (at >= 2 * view.steps) pause();
      else go(at + 1);
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
  $('graph-step').addEventListener('click', () => { pause(); go(at + 1); });
  $('graph-back').addEventListener('click', () => { pause(); go(at - 1); });
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
      ArrowRight: () => { pause(); go(at + 1); },
      ArrowLeft: () => { pause(); go(at - 1); },
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
    const why = messages.find((m) => m.param === 'build') ?? { kind: 'page.graph-bad-inputs' };
    state.values = new Map(EXAMPLES[state.source]?.inputs ?? []);
    state.own = null;
    follow.checked = true;
    rebuild();
    warn('inputs-start', state.source === 'surface' ? 'page.graph-start-point' : 'page.graph-start-example', { why });
  }

  // A new language: the view's own texts are made again.
  onLanguage(() => {
    showMessages();
    if (!view) return;
    view = localize(JSON.parse(built.view()));
    setLabels();
    nameDrawing();
    showFormula();
    buildFields();
    show();
  });

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
            warn('inputs', 'page.inputs-number', { name: k, value: String(given[k]).slice(0, 40) });
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
      return { graph: state.source, inputs: Object.fromEntries(view ? view.values : []), step: at, node: selected };
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

// The network view: a training race of the same optimizers on a small network (the book's
// chapters 4–6). Training runs in a worker thread (train-worker.js) while this page draws from
// its own copy of the race, which takes in the worker's progress; without a worker it runs in
// slices inside animation frames. Either way the page stays responsive, and every number comes
// from the view's own wasm module's Trainer (gradscape-core), which this file loads: the page
// imports it when the view is first needed, so a visit that never opens it never fetches it.
import init, { Trainer, provide_digits as provideDigits, digits_available as digitsAvailable, set_chart_words as setChartWords } from './pkg/gradscape_net.js';
import { buildOptimizerPanel, showWarnings, withOneMore, optimizerText } from './panel.js';
import { t, warning, failure, onLanguage, translatePage, addEnglish } from './i18n.js';
// The English words only the network and Graph views say (the built page gives this part of the
// catalog alone; scripts/pages.mjs).
import viewWords from './i18n/en.json' with { type: 'json' };
// The view's markup and styles, put in the page when it starts.
import markup from './network.html';
import { NET_KEYS } from './keys.js';
import { inlineBytes } from './inline.js';

export { NET_KEYS };

/** Starts the view's module once: from the page (standalone.html carries it as base64) or its
 * file. Resolves to the compiled module, which the training worker starts again. */
let moduleReady = null;
function loadModule() {
  moduleReady ??= (async () => {
    const inline = inlineBytes('net');
    let module;
    if (inline) {
      module = await WebAssembly.compile(inline);
    } else {
      const res = await fetch(new URL('./pkg/gradscape_net_bg.wasm', import.meta.url));
      if (!res.ok) throw failure('page.module-http', { status: String(res.status) });
      module = await WebAssembly.compile(await res.arrayBuffer());
    }
    await init({ module_or_path: module });
    return module;
  })().catch((e) => {
    moduleReady = null;
    throw e;
  });
  return moduleReady;
}

const $ = (id) => document.getElementById(id);

/** Numbers for people. */
function fmt(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}
const pct = (v) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);

/** The JavaScript time per frame aimed at (the browser needs the rest of the 16.7 ms to show
 * it): training gets what drawing leaves (at least 2 ms). With decision regions, drawing is most
 * of the frame, and the aim is 60 frames per second; without, more training per frame. */
const FRAME_TARGET_MS = { '2d': 8, other: 13 };
/** Decision regions: a 48 × 48 grid per optimizer, scaled up smoothly, redrawn every frame. */
const REGION_GRID = 48;
/** Landscape grid points per side. */
const LANDSCAPE_GRID = 25;

/** Fetches the digits data set once (it is not part of the module: most visits never use it),
 * ungzips it with the browser's DecompressionStream and gives it to the core. */
let digitsLoading = null;
/** The digits' text, once loaded, for the training worker. */
let digitsText = null;
function loadDigits() {
  if (digitsAvailable()) return Promise.resolve();
  if (!digitsLoading) {
    digitsLoading = (async () => {
      // standalone.html carries them in the page (base64), as it makes no request.
      let bytes = inlineBytes('digits');
      if (!bytes) {
        const res = await fetch(new URL('digits.csv.gz', import.meta.url));
        if (!res.ok) throw failure('page.digits-http', { status: String(res.status) });
        bytes = new Uint8Array(await res.arrayBuffer());
      }
      // A server may already have undone the gzip (Content-Encoding): then it is the text.
      const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const text = gzip
        ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
        : new TextDecoder().decode(bytes);
      provideDigits(text);
      digitsText = text;
    })().catch((e) => {
      digitsLoading = null;
      throw e;
    });
  }
  return digitsLoading;
}

/** Sets an element's text only when it changes: an unchanged write still costs the frame a
 * style and layout pass. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export async function startNetworkView({ query, cat, onChange, uiScale = () => 1 }) {
  const module = await loadModule();
  addEnglish(viewWords);
  $('net').innerHTML = markup;
  translatePage($('net'));
  setChartWords(t('chart.iteration'), t('chart.loss'), t('loss.log'));
  const keys = [];
  const values = [];
  for (const [k, v] of query) {
    if (NET_KEYS.includes(k)) {
      keys.push(k);
      values.push(v);
    }
  }
  let startWarnings = [];
  if (query.get('data')?.trim().toLowerCase() === 'digits') {
    try {
      await loadDigits();
    } catch (e) {
      startWarnings = [warning('data', 'page.data-used', { error: e })];
    }
  }
  const trainer = new Trainer(keys, values);
  const defaults = new Map(JSON.parse(new Trainer([], []).params()));
  let messages = [...JSON.parse(trainer.initial_warnings()), ...startWarnings];
  let active = false;
  let running = false;
  let msPerIteration = 0.5;
  let rafId = 0;
  let waiters = [];
  let lastSlow = 0;
  let accuracies = null;
  let drag = null; // plane coordinates of a start being dragged on the landscape

  // ---- the training worker ----------------------------------------------------------------------
  // `workerRace` is the worker's race that this page's copy follows (null: none yet); progress
  // of any other race is dropped. Any restart of the copy forgets it.
  let worker = null;
  let workerRace = null;
  let races = 0;
  let progressQueue = [];
  let workerTried = false;
  /** The worker, made when training first starts (a visit that never trains never loads it). */
  function ensureWorker() {
    if (workerTried) return;
    workerTried = true;
    // A page opened from disk (standalone.html) cannot start a worker from a file: it trains in
    // frames.
    if (!module || typeof Worker !== 'function' || location.protocol === 'file:') return;
    try {
      worker = new Worker(new URL('train-worker.js', import.meta.url), { type: 'module' });
      worker.postMessage({ type: 'init', module });
      worker.onmessage = ({ data: m }) => {
        if (m.type === 'progress' && m.race === workerRace) {
          progressQueue.push(m.progress);
          requestDraw();
        } else if (m.type === 'error') {
          workerFailed(m.kind ? { kind: m.kind, values: m.values, message: m.message } : m.message);
        }
      };
      worker.onerror = (e) => {
        e.preventDefault();
        workerFailed(e.message || { kind: 'page.worker-stopped' });
      };
    } catch {
      worker = null;
    }
  }
  /** Without its worker the page trains in frames, from the start of the race again. */
  function workerFailed(message) {
    if (!worker) return;
    worker.terminate();
    worker = null;
    const wasRunning = running;
    forgetWorkerRace();
    trainer.reset();
    accuracies = null;
    messages = [warning('train', 'page.worker-failed', { error: message })];
    showMessages();
    if (wasRunning) play();
  }
  function forgetWorkerRace() {
    if (worker) worker.postMessage({ type: 'pause' });
    workerRace = null;
    progressQueue = [];
  }
  /** Stops training (the worker too); its last progress still arrives and is taken in. */
  function halt() {
    running = false;
    if (worker) worker.postMessage({ type: 'pause' });
  }
  function absorbProgress() {
    const queue = progressQueue;
    progressQueue = [];
    for (const progress of queue) {
      try {
        trainer.absorb(progress);
      } catch (e) {
        workerFailed(e.message);
        return;
      }
    }
    if (queue.length && trainer.done()) finished();
  }

  // ---- settings -----------------------------------------------------------------------------
  const dataSelect = $('net-data');
  for (const d of cat.datasets) dataSelect.add(new Option(d, d));
  /** The data sets' names in the reader's language. */
  function nameOptions() {
    for (const o of dataSelect.options) o.text = t(`data.${o.value}`);
  }
  nameOptions();

  function params() {
    return JSON.parse(trainer.params());
  }

  function showMessages() {
    showWarnings($('net-messages'), messages);
  }

  function apply(entries) {
    const before = trainer.iteration();
    const warnings = JSON.parse(trainer.apply(entries.map((e) => e[0]), entries.map((e) => String(e[1]))));
    messages = warnings;
    showMessages();
    const restarted = trainer.iteration() === 0 && (before !== 0 || entries.some(([k]) => !['dirs', 'nlog'].includes(k)));
    if (restarted) {
      halt();
      forgetWorkerRace();
      accuracies = null;
      build();
    }
    syncControls();
    onChange();
    requestDraw();
    return warnings;
  }

  function syncControls() {
    const p = Object.fromEntries(params());
    dataSelect.value = p.data;
    for (const [id, key] of [['net-hidden', 'hidden'], ['net-batch', 'batch'], ['net-iters', 'iters'], ['net-seed', 'seed']]) {
      if (document.activeElement !== $(id)) $(id).value = p[key];
    }
    $('net-act').value = p.act;
    const init = $('net-init');
    if (![...init.options].some((o) => o.value === p.init)) init.add(new Option(p.init, p.init));
    init.value = p.init;
    $('land-dirs').value = p.dirs;
    $('net-log').checked = p.nlog === '1';
    syncTrainButton();
  }

  function syncTrainButton() {
    setText($('train'), t(running ? 'transport.pause' : trainer.done() ? 'net.done' : trainer.iteration() > 0 ? 'net.resume' : 'net.train'));
    const disabled = trainer.done() && !running;
    if ($('train').disabled !== disabled) $('train').disabled = disabled;
  }

  const fields = [['net-data', 'data'], ['net-hidden', 'hidden'], ['net-act', 'act'], ['net-init', 'init'], ['net-batch', 'batch'], ['net-iters', 'iters'], ['net-seed', 'seed']];
  for (const [id, key] of fields) {
    $(id).addEventListener('change', () => {
      const warnings = applyEntries([[key, $(id).value.trim()]]);
      $(id).setAttribute('aria-invalid', warnings.some((w) => w.param === key) ? 'true' : 'false');
    });
  }

  /** `apply`, first fetching the digits if they are asked for and not here yet (then the
   * settings apply when they arrive, and no warnings are returned now). */
  function applyEntries(entries) {
    const wantsDigits = entries.some(([k, v]) => k === 'data' && String(v).trim().toLowerCase() === 'digits');
    if (!wantsDigits || digitsAvailable()) return apply(entries);
    $('train-counter').textContent = t('net.loading-digits');
    loadDigits().then(
      () => apply(entries),
      (e) => {
        messages = [warning('data', 'page.data-kept', { error: e, data: Object.fromEntries(params()).data })];
        showMessages();
        syncControls();
      },
    );
    return [];
  }
  $('net-new-seed').addEventListener('click', () => apply([['seed', Math.floor(Math.random() * 1e9)]]));
  $('net-log').addEventListener('change', () => apply([['nlog', $('net-log').checked ? 1 : 0]]));
  $('land-dirs').addEventListener('change', () => apply([['dirs', $('land-dirs').value]]));

  function optimizerList() {
    return JSON.parse(trainer.optimizers());
  }
  function commitOptimizers(list) {
    const nopt = optimizerText(list);
    return apply([['nopt', nopt]]);
  }
  $('net-add-optimizer').addEventListener('click', () => commitOptimizers(withOneMore(optimizerList(), cat)));

  // ---- the panels that depend on the optimizers and the data ---------------------------------
  let panels = [];
  function build() {
    buildOptimizerPanel($('net-optimizers'), optimizerList(), commitOptimizers, 'nopt', cat, null);
    const list = optimizerList();
    const kind = trainer.kind();
    const regions = $('regions');
    regions.replaceChildren();
    panels = [];
    $('regions-title').hidden = kind !== '2d';
    $('regions-hint').hidden = kind !== '2d';
    if (kind === '2d') {
      list.forEach((o) => {
        const figure = document.createElement('figure');
        figure.className = 'region';
        // The regions on a small canvas the browser scales up, the points on one at the
        // screen's resolution over it, drawn once: training redraws only the small one.
        const box = document.createElement('div');
        box.className = 'region-box';
        const map = document.createElement('canvas');
        map.setAttribute('role', 'img');
        map.setAttribute('aria-label', t('net.regions-label', { name: o.name }));
        const points = document.createElement('canvas');
        points.setAttribute('aria-hidden', 'true');
        box.append(map, points);
        const caption = document.createElement('figcaption');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = o.colour;
        caption.append(swatch, document.createTextNode(o.name));
        figure.append(box, caption);
        regions.append(figure);
        panels.push({ map, points });
      });
    }
    $('digits').replaceChildren();
    for (const id of ['gradcheck-member', 'land-member', 'layers-member']) {
      const select = $(id);
      const keep = select.value;
      select.replaceChildren(...list.map((o, i) => new Option(`${i + 1}. ${o.name}`, String(i))));
      if (keep !== '' && Number(keep) < list.length) select.value = keep;
    }
    $('gradcheck-table').tBodies[0].replaceChildren();
    checkRows = [];
    trainer.points_changed();
    sizeCanvases();
  }

  // ---- sizes ----------------------------------------------------------------------------------
  let landSize = '';
  /** Canvases are sized in device pixels; the core draws on them in units of `uiScale()` CSS
   * pixels (the projector theme's larger type, lines and points), so its `dpr` is the screen's
   * times that and its sizes are divided by it. */
  function sizeCanvases() {
    const dpr = window.devicePixelRatio || 1;
    const ui = uiScale();
    const wrap = $('net-loss-wrap').getBoundingClientRect();
    for (const id of ['net-loss-axes', 'net-loss']) {
      const c = $(id);
      const w = Math.max(1, Math.round(wrap.width * dpr));
      const h = Math.max(1, Math.round(wrap.height * dpr));
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
        trainer.loss_resized();
      }
    }
    for (const { points: c } of panels) {
      const r = c.getBoundingClientRect();
      const w = Math.max(1, Math.round(r.width * dpr));
      if (c.width !== w || c.height !== w) {
        c.width = w;
        c.height = w;
      }
    }
    const land = $('land-wrap').getBoundingClientRect();
    const size = [land.width, land.height, dpr, ui].join();
    if (size !== landSize || !trainerLandscapeSized) {
      landSize = size;
      for (const id of ['land-surface', 'land-overlay']) {
        $(id).width = Math.max(1, Math.round(land.width * dpr));
        $(id).height = Math.max(1, Math.round(land.height * dpr));
      }
      trainer.resize_landscape(...landDims());
      trainerLandscapeSized = trainer.landscape_info() !== 'null';
    }
  }
  let trainerLandscapeSized = false;
  new ResizeObserver(() => {
    if (active) {
      sizeCanvases();
      requestDraw();
    }
  }).observe($('net'));

  // ---- training -------------------------------------------------------------------------------
  function requestDraw() {
    if (!rafId) rafId = requestAnimationFrame(frame);
  }

  function finished() {
    running = false;
    const done = waiters;
    waiters = [];
    // The curves only for a train() waiting on them.
    if (done.length) {
      const curves = lossCurves();
      for (const resolve of done) resolve(curves);
    }
  }

  let lastDrawMs = 4;
  let landscapeShown = true;
  function trainSlice() {
    const t0 = performance.now();
    const target = trainer.kind() === '2d' ? FRAME_TARGET_MS['2d'] : FRAME_TARGET_MS.other;
    const budget = Math.max(2, target - lastDrawMs);
    const n = Math.max(1, Math.min(Math.floor(budget / msPerIteration), trainer.iterations() - trainer.iteration()));
    const ran = trainer.run(n);
    const dt = performance.now() - t0;
    if (ran > 0) msPerIteration = Math.max(0.001, 0.7 * msPerIteration + 0.3 * (dt / ran));
    performance.measure('gradscape:train', { start: t0, end: t0 + dt });
    if (trainer.done()) finished();
  }

  function frame() {
    rafId = 0;
    if (worker) absorbProgress();
    else if (running) trainSlice();
    const info = JSON.parse(trainer.landscape_info());
    if (info && !info.done) {
      const began = performance.now();
      while (!(info.done = trainer.fill_landscape(1)) && performance.now() - began < 6);
    }
    if (active) draw(info);
    if (running || (info && !info.done)) requestDraw();
  }

  /** Draws the view; `info` is the landscape's (`landscape_info`), if the caller has it. */
  function draw(info = JSON.parse(trainer.landscape_info())) {
    const t0 = performance.now();
    const dpr = (window.devicePixelRatio || 1) * uiScale();
    trainer.render_loss($('net-loss-axes'), $('net-loss'), dpr, $('net-log').checked, running);
    const tLoss = performance.now();
    performance.measure('gradscape:net-loss', { start: t0, end: tLoss });
    const now = performance.now();
    const slow = now - lastSlow > 400 || !running;
    // The table's numbers change every frame while training, too fast to read: they are
    // updated with the accuracies, a few times a second (and at once when training stops).
    if (slow || !accuracies) {
      lastSlow = now;
      accuracies = JSON.parse(trainer.accuracies());
      updateTable();
    }
    const tRegions = performance.now();
    panels.forEach(({ map, points }, i) => trainer.render_regions(i, map, points, REGION_GRID, dpr));
    performance.measure('gradscape:net-regions', { start: tRegions, end: performance.now() });
    if (trainer.kind() === 'digits' && slow) drawDigits();
    if (!info) {
      // A new race (new settings) has no landscape yet: none is shown (cleared once, as an
      // untouched canvas costs the frame nothing).
      if (landscapeShown) {
        for (const id of ['land-surface', 'land-overlay']) $(id).getContext('2d').clearRect(0, 0, $(id).width, $(id).height);
        landscapeShown = false;
      }
      setText($('land-status'), t('land.not-made'));
      if ($('land-empty').hidden) $('land-empty').hidden = false;
    } else {
      if (!$('land-empty').hidden) $('land-empty').hidden = true;
      trainer.render_landscape($('land-surface'), $('land-overlay'), $('land-log').checked, drag);
      landscapeShown = true;
      setText($('land-status'), info.done
        ? t(info.directions === 'pca' ? 'land.status-pca' : 'land.status-random', { name: optimizerList()[info.member]?.name ?? '', extent: fmt(info.extent) })
        : t('land.computing'));
    }
    // The layers follow training a few times a second while their panel is open.
    if ($('layers-box').open && (slow || now - layersAt > 250)) {
      layersAt = now;
      showLayers();
    }
    const it = trainer.iteration();
    const total = trainer.iterations();
    if ($('train-progress').value !== it / total) $('train-progress').value = it / total;
    setText($('train-counter'), t('net.counter', { iteration: it, iterations: total }));
    syncTrainButton();
    const t1 = performance.now();
    lastDrawMs = 0.8 * lastDrawMs + 0.2 * (t1 - t0);
    performance.measure('gradscape:net-frame', { start: t0, end: t1 });
  }

  function updateTable() {
    const body = $('net-table').tBodies[0];
    const rows = JSON.parse(trainer.summaries());
    while (body.rows.length > rows.length) body.deleteRow(-1);
    while (body.rows.length < rows.length) {
      const tr = body.insertRow();
      for (let k = 0; k < 5; k++) tr.insertCell();
    }
    rows.forEach((s, i) => {
      const cells = body.rows[i].cells;
      const label = `<span class="swatch" style="background:${s.colour}"></span>`;
      if (cells[0].dataset.label !== s.label) {
        cells[0].innerHTML = label; // our own colour, from the palette
        cells[0].append(document.createTextNode(s.label));
        cells[0].dataset.label = s.label;
      }
      setText(cells[1], fmt(s.loss));
      const [train, test] = (accuracies && accuracies[i]) || [null, null];
      setText(cells[2], pct(train));
      setText(cells[3], pct(test));
      const diverged = s.divergedAt !== null && s.divergedAt !== undefined;
      setText(cells[4], diverged ? t('net.diverged', { iteration: s.divergedAt }) : '');
      if (cells[4].className !== (diverged ? 'error' : '')) cells[4].className = diverged ? 'error' : '';
    });
  }

  function drawDigits() {
    const { images, labels, predicted } = JSON.parse(trainer.digits(12));
    const box = $('digits');
    const names = optimizerList().map((o) => o.name);
    if (box.children.length !== images.length) {
      box.replaceChildren();
      images.forEach((pixels, k) => {
        const fig = document.createElement('figure');
        fig.className = 'digit';
        const c = document.createElement('canvas');
        c.width = 8;
        c.height = 8;
        c.setAttribute('role', 'img');
        c.setAttribute('aria-label', t('net.digit', { digit: labels[k] }));
        const img = c.getContext('2d').createImageData(8, 8);
        pixels.forEach((v, p) => {
          const g = Math.round(255 * (1 - v));
          img.data.set([g, g, g, 255], 4 * p);
        });
        c.getContext('2d').putImageData(img, 0, 0);
        const cap = document.createElement('figcaption');
        fig.append(c, cap);
        box.append(fig);
      });
    }
    [...box.children].forEach((fig, k) => {
      const cap = fig.querySelector('figcaption');
      cap.replaceChildren(document.createTextNode(`${labels[k]}:`));
      predicted.forEach((p, m) => {
        const s = document.createElement('span');
        s.className = p[k] === labels[k] ? 'right' : 'wrong';
        s.title = names[m] || '';
        s.textContent = ` ${p[k]}`;
        cap.append(s);
      });
    });
  }

  function play() {
    if (trainer.done()) return;
    running = true;
    ensureWorker();
    if (worker) {
      if (workerRace === null || trainer.iteration() === 0) {
        forgetWorkerRace();
        workerRace = ++races;
        const p = params();
        const data = Object.fromEntries(p).data;
        worker.postMessage({
          type: 'race',
          race: workerRace,
          keys: p.map((e) => e[0]),
          values: p.map((e) => e[1]),
          start: trainer.start_weights() ?? null,
          digits: data === 'digits' ? digitsText : null,
        });
      }
      worker.postMessage({ type: 'run', race: workerRace });
    }
    syncControls();
    requestDraw();
  }
  function pause() {
    halt();
    syncControls();
    requestDraw();
  }
  function reset() {
    halt();
    forgetWorkerRace();
    trainer.reset();
    accuracies = null;
    syncControls();
    onChange();
    requestDraw();
  }
  $('train').addEventListener('click', () => (running ? pause() : play()));
  $('train-reset').addEventListener('click', reset);

  // ---- gradient check -------------------------------------------------------------------------
  /** The last check's rows, to show again in another language. */
  let checkRows = [];
  function showCheck() {
    const body = $('gradcheck-table').tBodies[0];
    body.replaceChildren();
    for (const r of checkRows) {
      const tr = body.insertRow();
      tr.insertCell().textContent = r.name;
      tr.insertCell().textContent = r.difference.toExponential(2);
      tr.insertCell().textContent = r.checked === r.total ? t('gradcheck.all', { total: r.total }) : t('gradcheck.some', { checked: r.checked, total: r.total });
    }
  }
  $('gradcheck').addEventListener('click', () => {
    checkRows = JSON.parse(trainer.gradient_check(Number($('gradcheck-member').value) || 0));
    showCheck();
  });

  // ---- layers as a graph (its script fetched when the panel is first opened) ----------------
  let layers = null;
  let layersAt = 0;
  let layersKey = '';
  /** The layer graph, made by the Graph view's module (fetched the first time). */
  async function layerGraph(member, example) {
    layers ??= import('./layers.js');
    const { buildLayerGraph } = await layers;
    const setup = JSON.parse(trainer.layer_example(member, example));
    const params = trainer.member_params(member);
    return buildLayerGraph(setup, params, example);
  }
  async function showLayers(force = false) {
    if (!$('layers-box').open) return;
    const member = Number($('layers-member').value) || 0;
    const example = Number($('layers-example').value);
    const key = `${member}:${example}:${trainer.iteration()}`;
    if (!force && key === layersKey) return;
    layersKey = key;
    let graph;
    try {
      graph = await layerGraph(member, example);
    } catch (e) {
      if (e.kind === 'network.no-example' || String(e.message).includes('is not in the training set') || !layers) {
        messages = [...messages.filter((m) => m.param !== 'layers'), warning('layers', 'page.layers', { error: e })];
      } else {
        layers = null;
        messages = [...messages.filter((m) => m.param !== 'layers'), warning('layers', 'page.layers-failed', { error: e })];
      }
      showMessages();
      return;
    }
    messages = messages.filter((m) => m.param !== 'layers');
    showMessages();
    const { renderLayers } = await layers;
    renderLayers(graph, { graph: $('layers-graph'), detail: $('layers-detail'), summary: $('layers-summary') }, t);
  }
  $('layers-box').addEventListener('toggle', () => showLayers(true));
  $('layers-member').addEventListener('change', () => showLayers(true));
  $('layers-example').addEventListener('change', () => {
    const n = trainer.train_examples();
    const v = Number($('layers-example').value);
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      messages = [...messages.filter((m) => m.param !== 'layers'), warning('layers', 'page.layers-example', { value: $('layers-example').value.slice(0, 20), last: n - 1 })];
      showMessages();
      $('layers-example').value = layersKey.split(':')[1] ?? '0';
      return;
    }
    $('layers-example').max = String(n - 1);
    showLayers(true);
  });

  // ---- landscape ------------------------------------------------------------------------------
  $('land-make').addEventListener('click', () => makeLandscape());
  $('land-log').addEventListener('change', () => {
    trainer.resize_landscape(...landDims());
    requestDraw();
  });
  function landDims() {
    const r = $('land-wrap').getBoundingClientRect();
    const ui = uiScale();
    return [r.width / ui, r.height / ui, (window.devicePixelRatio || 1) * ui];
  }
  function makeLandscape() {
    trainer.make_landscape(Number($('land-member').value) || 0, LANDSCAPE_GRID);
    trainerLandscapeSized = false;
    sizeCanvases();
    requestDraw();
  }
  const landOverlay = $('land-overlay');
  function planeAt(e) {
    const r = landOverlay.getBoundingClientRect();
    const ui = uiScale();
    const p = trainer.landscape_at((e.clientX - r.left) / ui, (e.clientY - r.top) / ui);
    return p.length === 2 ? [p[0], p[1]] : null;
  }
  landOverlay.addEventListener('pointerdown', (e) => {
    const p = planeAt(e);
    if (!p) return;
    landOverlay.setPointerCapture(e.pointerId);
    drag = p;
    halt();
    requestDraw();
  });
  landOverlay.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const p = planeAt(e);
    if (p) drag = p;
    requestDraw();
  });
  function endDrag() {
    if (!drag) return;
    const [a, b] = drag;
    drag = null;
    try {
      trainer.start_from_landscape(a, b);
      forgetWorkerRace();
      accuracies = null;
      play();
    } catch (err) {
      messages = [warning('landscape', 'page.error', { error: err })];
      showMessages();
    }
  }
  landOverlay.addEventListener('pointerup', endDrag);
  landOverlay.addEventListener('pointercancel', () => {
    drag = null;
    requestDraw();
  });

  // ---- API --------------------------------------------------------------------------------------
  function lossCurves() {
    return JSON.parse(trainer.loss_curves()).map(({ optimizer, label, colour, ...rest }, i) =>
      ({ optimizer, label, colour, loss: Array.from(trainer.losses(i)), ...rest }));
  }

  build();
  syncControls();
  showMessages();
  // A new language: the texts made here are made again (the static ones are already).
  onLanguage(() => {
    setChartWords(t('chart.iteration'), t('chart.loss'), t('loss.log'));
    trainer.loss_resized();
    nameOptions();
    showMessages();
    showCheck();
    buildOptimizerPanel($('net-optimizers'), optimizerList(), commitOptimizers, 'nopt', cat, null);
    optimizerList().forEach((o, i) => panels[i]?.map.setAttribute('aria-label', t('net.regions-label', { name: o.name })));
    $('digits').replaceChildren();
    syncControls();
    requestDraw();
    showLayers(true);
  });

  return {
    /** Member `member`'s network on training example `example`, as the book's layers. */
    layerGraph,
    /** The settings that differ from the defaults, for the URL. */
    urlParams: () => params().filter(([k, v]) => defaults.get(k) !== v),
    params,
    keys: NET_KEYS,
    setState(partial) {
      return applyEntries(Object.entries(partial).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]));
    },
    /** The theme's scale changed: lay the charts out again. */
    restyle() {
      trainer.loss_resized();
      if (active) {
        sizeCanvases();
        requestDraw();
      }
    },
    show(on) {
      active = on;
      // The training worker starts while the view is looked at, so Train starts at once.
      if (on && !workerTried) setTimeout(ensureWorker, 0);
      if (on) {
        sizeCanvases();
        requestDraw();
      }
    },
    train() {
      const promise = new Promise((resolve) => waiters.push(resolve));
      if (trainer.done()) finished();
      else play();
      return promise;
    },
    pause,
    reset,
    lossCurves,
    status: () => ({ training: running, iteration: trainer.iteration(), iterations: trainer.iterations() }),
    makeLandscape(member = 0) {
      $('land-member').value = String(member);
      makeLandscape();
    },
    landscapeToClient(a, b) {
      const p = trainer.landscape_to_css(a, b);
      const r = landOverlay.getBoundingClientRect();
      return p.length === 2 ? { x: r.left + p[0] * uiScale(), y: r.top + p[1] * uiScale() } : null;
    },
    landscape: () => JSON.parse(trainer.landscape_info()),
    render() {
      if (active) draw();
    },
  };
}

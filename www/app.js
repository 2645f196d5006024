// The gradscape page: DOM, pointer events, the animation clock and the URL. Every number shown
// comes from the wasm module (gradscape-core); this file only wires it to the page.
import init, { Viz, catalog, memory_bytes as memoryBytes, set_chart_words as setChartWords } from './pkg/gradscape_web.js';
import { buildOptimizerPanel, showWarnings, withOneMore, optimizerText } from './panel.js';
import { NET_KEYS, NET_DEFAULTS } from './keys.js';
import { t, tOr, say, warning, failure, english, setLanguage, language, onLanguage, preferred, translatePage, addEnglish, LANGUAGES } from './i18n.js';

const $ = (id) => document.getElementById(id);
const loading = $('loading');

/** Whether WebGL2 is drawn in software here (SwiftShader, llvmpipe): asked once of a throwaway
 * context (about 15 ms in software), which is then let go. False where there is no WebGL2. */
function software() {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|software|softpipe/i.test(name);
}

/** Says in words that the page cannot run, in place of the loading text. */
function fatal(text) {
  loading.removeAttribute('data-i18n');
  loading.hidden = false;
  loading.textContent = text;
  loading.classList.add('error');
}

/** Numbers for people: short, but never hiding a tiny value as 0. */
function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

const pair = (p) => (p ? `(${fmt(p[0])}, ${fmt(p[1])})` : '–');

/** The module's warnings, each with its English `message` (the module gives kind and values). */
const inEnglish = (warnings) => warnings.map((w) => ({ ...w, message: english(w) }));
/** `f()`, an error from the module given its English `message` as it leaves the page's API. */
function inEnglishErrors(f) {
  try {
    return f();
  } catch (e) {
    if (e && typeof e.kind === 'string') e.message = english(e);
    throw e;
  }
}

/** A query value with the characters our grammar uses left readable: , ; ( ) = * ^ / : */
function encodeValue(v) {
  return encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3B/g, ';').replace(/%3D/g, '=')
    .replace(/%5E/g, '^').replace(/%2F/g, '/').replace(/%3A/g, ':');
}

/**
 * Canvases (stacked) that can be shown for a while as one still image, a bitmap renderer over
 * them, with the canvases themselves hidden (still drawn on and read): without a GPU, Chromium
 * copies every 2D canvas on the page in each frame that changes any of them, so while a start is
 * dragged the surface, which does not change then, and the loss chart, when it is out of view
 * and left alone, are held as stills. `release()` shows the canvases again: call it whenever one
 * is drawn on.
 */
function still(canvases, view) {
  const shown = typeof OffscreenCanvas === 'function' ? view.getContext('bitmaprenderer') : null;
  view.style.display = 'none';
  let held = false;
  return {
    hold() {
      const [{ width, height }] = canvases;
      if (held || !shown || !width || !height) return;
      const copy = new OffscreenCanvas(width, height);
      const ctx = copy.getContext('2d');
      for (const c of canvases) ctx.drawImage(c, 0, 0);
      shown.transferFromImageBitmap(copy.transferToImageBitmap());
      view.style.display = '';
      for (const c of canvases) c.style.visibility = 'hidden';
      held = true;
    },
    release() {
      if (!held) return;
      held = false;
      for (const c of canvases) c.style.visibility = '';
      view.style.display = 'none';
      shown.transferFromImageBitmap(null);
    },
  };
}

const OURS = new Set(['preset', 'f', 'opt', 'start', 'steps', 'view', 'log', 'hide', 'trail', 'speed', 'noise', 'tab', 'theme', 'lang', 'graph', 'inputs', 'mode', 'camera', 'height', 'contours', ...NET_KEYS]);
const TABS = ['surfaces', 'network', 'graph'];
/** Keys of the embedding host: kept in the address as given. */
const FLAGS = ['embed', 'autoplay'];
/** Themes (`theme=`): light, dark (the page dark, the figures on light cards) and projector
 * (large type, thick lines, high contrast). */
const THEMES = ['light', 'dark', 'projector'];
/** The surfaces drawn flat (a heat map) or in 3-D, and how f becomes a height in 3-D. */
const MODES = ['2d', '3d'];
const HEIGHTS = ['log', 'clip'];
/** The 3-D camera when none is asked for: azimuth and elevation in degrees, distance. */
const CAMERA = [-60, 50, 3.2];
/** A camera from text ("az,el,dist") or an array of three numbers; null unless all are finite. */
function cameraOf(value) {
  const parts = Array.isArray(value) ? value : String(value).split(',');
  if (parts.length !== 3) return null;
  const c = parts.map((v) => (typeof v === 'string' && v.trim() === '' ? NaN : Number(v)));
  return c.every(Number.isFinite) ? c : null;
}
/** How much larger the projector theme draws the plot and the loss chart. */
const PROJECTOR_SCALE = 1.4;

async function main() {
  const query = new URLSearchParams(location.search);
  // The reader's language: `lang=` in the address, else the browser's first that the page
  // speaks. Its catalog loads while the module starts. Only a language asked for (by the
  // address, the menu or setState) is written in the address; a shared link always has one.
  const langWarnings = [];
  const langParam = query.get('lang');
  let lang = preferred();
  let langAsked = false;
  if (langParam !== null) {
    const l = langParam.trim().toLowerCase();
    langAsked = LANGUAGES.includes(l);
    if (langAsked) lang = l;
    else {
      lang = 'en';
      langWarnings.push(warning('lang', 'page.lang-used', { value: langParam.slice(0, 60), languages: LANGUAGES.join(', ') }));
    }
  }
  const speaking = setLanguage(lang).catch((e) => {
    langWarnings.push(warning('lang', 'page.lang-load', { lang, error: e, kept: language() }));
  });
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    await speaking;
    fatal(t('start.no-wasm'));
    return;
  }
  // Whether WebGL2 is drawn in software here, and so is the page (no GPU, or one the browser will
  // not use): asked when first needed, after the first frame unless 3-D is asked for at once (the
  // question takes 10-15 ms of main thread in software, 35 ms of time to ready on a busy host).
  let soft = null;
  const drawnInSoftware = () => (soft ??= software());
  let compiled = null;
  try {
    // The module index.html began compiling, or (if that failed) the module file fetched here.
    compiled = await window.gradscapeModule;
    await init({ module_or_path: compiled || new URL('./pkg/gradscape_web_bg.wasm', import.meta.url) });
    performance.mark('gradscape:module');
  } catch (e) {
    await speaking;
    fatal(t('start.failed', { error: say(e) || String(e) }));
    throw e;
  }
  await speaking;
  const cat = JSON.parse(catalog());
  const extra = [...query].filter(([k]) => !OURS.has(k));
  const keys = [...query.keys()];
  const values = [...query.values()];

  const surface = $('surface');
  // The paths' canvas, which takes the pointer and the keys (replaced once, see desynchronize).
  let overlay = $('overlay');
  const loss = $('loss');
  setChartWords(t('chart.iteration'), t('chart.loss'), t('loss.log'));
  const viz = new Viz(surface, overlay, $('loss-axes'), loss, keys, values);
  performance.mark('gradscape:viz');
  const surfaceStill = still([surface], $('surface-still'));
  const lossStill = still([$('loss-axes'), loss], $('loss-still'));

  const anim = { playing: false, step: viz.steps(), last: 0, carry: 0 };
  // The update rule's panel (rule.js) is fetched once the page is ready, as it is drawn in the
  // frame after. Until it is there, this stands in for it: it keeps the runs and the run chosen.
  let rule = {
    runs: null,
    chosen: 0,
    setRuns(runs) { this.runs = runs; },
    select(r) { this.chosen = r; },
    selected() { return this.chosen; },
    update() {},
    invalidate() {},
  };
  let ruleLoad = null;
  /** The rule's box's line while its panel is fetched or could not be: a key of the catalogs
   * and its values, said again in another language. */
  let ruleNote = null;
  const sayRuleNote = () => {
    $('rule-caption').textContent = ruleNote ? say({ kind: ruleNote[0], values: ruleNote[1] }) : '';
  };
  /** Fetches the rule's panel and module (once) and puts the panel in the stand-in's place;
   * resolves to its `explain`. If the fetch fails, the rule's box says so and everything else
   * works on (it is tried again when the box is opened). */
  function loadRule() {
    if (!ruleLoad) {
      ruleNote = ['page.rule-loading', {}];
      sayRuleNote();
    }
    ruleLoad ??= import('./rule.js').then(async ({ startRule, createRulePanel }) => {
      const explain = await startRule(viz);
      const kept = rule;
      ruleNote = null;
      sayRuleNote();
      rule = createRulePanel({ explain, menu: $('rule-run'), body: $('rule'), caption: $('rule-caption') });
      if (kept.runs) rule.setRuns(kept.runs);
      if (kept.chosen) rule.select(kept.chosen);
      if (ruleShown()) rule.update(currentStep(), viz.steps());
      return explain;
    }, (e) => {
      ruleLoad = null;
      ruleNote = ['page.rule-load', { error: e && e.message ? e.message : String(e) }];
      sayRuleNote();
      throw e;
    });
    return ruleLoad;
  }
  const scrub = $('scrub');
  let theme = 'light';
  let uiScale = 1;
  const themeParam = query.get('theme');
  const themeWarnings = [];
  if (themeParam !== null) {
    const name = themeParam.trim().toLowerCase();
    if (THEMES.includes(name)) theme = name;
    else themeWarnings.push(warning('theme', 'page.theme-used', { value: themeParam.slice(0, 60), themes: THEMES.join(', ') }));
  }
  function setTheme(name) {
    theme = THEMES.includes(name) ? name : 'light';
    uiScale = theme === 'projector' ? PROJECTOR_SCALE : 1;
    document.documentElement.dataset.theme = theme;
    $('theme').value = theme;
  }
  // The network view: its script and module are fetched the first time it is needed (its tab,
  // its keys in the address, or a call of the API). Until then its settings are the address's.
  let network = null;
  let networkLoad = null;
  /** The network view's settings for when it starts: the address's, with the page's one seed. */
  function networkQuery() {
    const q = new URLSearchParams([...query].filter(([k]) => NET_KEYS.includes(k)));
    const seed = Object.fromEntries(JSON.parse(viz.params())).seed;
    if (seed !== undefined) q.set('seed', seed);
    return q;
  }
  function loadNetwork() {
    networkLoad ??= import('./network.js')
      .then((m) => m.startNetworkView({ query: networkQuery(), cat, onChange: () => { shareSeed('network'); syncUrl(); }, uiScale: () => uiScale }))
      .then((n) => {
        network = n;
        $('net-loading').hidden = true;
        n.show(currentTab === 'network');
        syncUrl();
        return n;
      })
      .catch((e) => {
        networkLoad = null;
        const note = warning('network-load', 'page.network-load', { error: e && e.message ? e : String(e) });
        const p = $('net-loading');
        p.removeAttribute('data-i18n');
        p.textContent = say(note);
        messages = [...messages.filter((m) => m.param !== 'network-load'), note];
        showMessages();
        throw e;
      });
    return networkLoad;
  }

  // ---- views ------------------------------------------------------------------------------
  /** What the Graph view needs of the surfaces: the formula, the runs and their points. */
  const graphSide = {
    formula() {
      const f = Object.fromEntries(JSON.parse(viz.params())).f;
      return cat.surfaces.find(([id]) => id === f)?.[2] ?? f;
    },
    runs: () => summaries().map((run) => ({ name: run.name, colour: run.colour })),
    selectedRun: () => rule.selected() ?? 0,
    point: (run) => JSON.parse(viz.step_views(currentStep()))[run]?.point ?? null,
    viewBox: () => viz.view_box(),
    /** The surface, the whole view, painted into the inset (its size in device pixels). */
    paintInset: (canvas, w, h) => viz.paint_inset(canvas, w, h, true),
  };
  let currentTab = 'surfaces';
  // The Graph view: its script and module are fetched the first time it is needed.
  let graphView = null;
  let graphLoad = null;
  function loadGraph() {
    graphLoad ??= import('./graph.js')
      // The words come with it: in the built page graph.js is a file of its own, and a copy of
      // i18n.js there would not know the page's language.
      .then((m) => m.startGraphView({ surfaces: graphSide, onChange: syncUrl, params: query, i18n: { t, say, warning, onLanguage, translatePage, addEnglish } }))
      .then((g) => {
        graphView = g;
        g.show(currentTab === 'graph');
        return g;
      })
      .catch((e) => {
        graphLoad = null;
        const note = warning('graph-load', 'page.graph-load', { error: e && e.message ? e : String(e) });
        const p = $('graph-loading');
        if (p) {
          p.removeAttribute('data-i18n');
          p.textContent = say(note);
        }
        messages = [...messages.filter((m) => m.param !== 'graph-load'), note];
        showMessages();
        throw e;
      });
    return graphLoad;
  }
  function showTab(tab) {
    currentTab = TABS.includes(tab) ? tab : 'surfaces';
    $('app').hidden = currentTab !== 'surfaces';
    $('net').hidden = currentTab !== 'network';
    $('graph').hidden = currentTab !== 'graph';
    for (const id of TABS) $(`tab-${id}`).setAttribute('aria-selected', String(currentTab === id));
    $('top-hint').textContent = t(`hint.${currentTab}`);
    network?.show(currentTab === 'network');
    graphView?.show(currentTab === 'graph');
    if (currentTab === 'graph' && !graphView) loadGraph().catch(() => {});
    if (currentTab === 'network' && !network) {
      if (!networkLoad) {
        // Shown while it is fetched (again, after a failure: opening the tab retries).
        const p = $('net-loading');
        p.hidden = false;
        p.setAttribute('data-i18n', 'net.loading');
        p.textContent = t('net.loading');
      }
      loadNetwork().catch(() => {});
    }
    if (currentTab === 'surfaces') requestAnimationFrame(() => resize());
    syncUrl();
  }
  for (const id of TABS) $(`tab-${id}`).addEventListener('click', () => showTab(id));
  let rafId = 0;
  let pendingDrag = null;
  let gesture = null; // {kind: 'start'|'pan'|'maybe-add'|'pinch', ...}
  // 3-D: mode=3d, height=log|clip and camera=azimuth,elevation,distance from the address.
  let mode = '2d';
  let heightScale = 'log';
  let cameraAsked = null;
  const modeWarnings = [];
  const modeParam = query.get('mode');
  if (modeParam !== null) {
    const m = modeParam.trim().toLowerCase();
    if (MODES.includes(m)) mode = m;
    else modeWarnings.push(warning('mode', 'page.mode-used', { value: modeParam.slice(0, 60), modes: MODES.join(', ') }));
  }
  const heightParam = query.get('height');
  if (heightParam !== null) {
    const h = heightParam.trim().toLowerCase();
    if (HEIGHTS.includes(h)) heightScale = h;
    else modeWarnings.push(warning('height', 'page.height-used', { value: heightParam.slice(0, 60), heights: HEIGHTS.join(', ') }));
  }
  const contoursParam = query.get('contours');
  let contoursOn = true;
  if (contoursParam !== null) {
    const v = contoursParam.trim().toLowerCase();
    if (['0', 'false'].includes(v)) contoursOn = false;
    else if (!['1', 'true', ''].includes(v)) modeWarnings.push(warning('contours', 'page.contours-used', { value: contoursParam.slice(0, 60) }));
  }
  if (query.has('camera')) {
    cameraAsked = cameraOf(query.get('camera'));
    if (!cameraAsked) modeWarnings.push(warning('camera', 'page.camera-used', { value: query.get('camera').slice(0, 60), camera: CAMERA.join(',') }));
  }
  let messages = [...inEnglish(JSON.parse(viz.initial_warnings())), ...themeWarnings, ...langWarnings, ...modeWarnings];

  // ---- messages -------------------------------------------------------------------------
  function showMessages() {
    showWarnings($('messages'), messages);
  }

  function applySettings(entries) {
    return inEnglish(JSON.parse(viz.apply(entries.map((e) => e[0]), entries.map((e) => String(e[1])))));
  }

  // ---- URL --------------------------------------------------------------------------------
  let urlTimer = 0;
  function syncUrl() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      history.replaceState(null, '', address());
    }, 60);
  }
  /** The address of the view as it is now (path, query and hash); `embed`: of its embedded
   * view (the surfaces, `embed=1`). */
  function address({ embed = false, share = embed } = {}) {
    const params = JSON.parse(viz.params());
    const tab = currentTab !== 'surfaces' && !embed ? [['tab', currentTab]] : [];
    const graph = currentTab === 'graph' && graphView && !embed ? graphView.urlParams() : query.has('graph') && !graphView && !embed ? [['graph', query.get('graph')], ...(query.has('inputs') ? [['inputs', query.get('inputs')]] : [])] : [];
    // One seed for the page, held by both views (shareSeed): written once, with the surfaces'.
    const net = (network ? network.urlParams() : [...query].filter(([k]) => NET_KEYS.includes(k))).filter(([k]) => !(k === 'seed' && params.some(([p]) => p === 'seed')));
    const host = embed ? [...extra.filter(([k]) => k !== 'embed'), ['embed', '1']] : extra;
    const look = theme === 'light' ? [] : [['theme', theme]];
    const speech = langAsked || share ? [['lang', language()]] : [];
    const three = mode === '3d' ? [['mode', '3d'], ['camera', cameraNow().map((v) => +v.toFixed(2)).join(',')]] : [];
    if (heightScale !== 'log') three.push(['height', heightScale]);
    if (mode === '3d' && !$('contours').checked) three.push(['contours', '0']);
    const parts = [...params, ...three, ...tab, ...graph, ...net, ...look, ...speech, ...host].map(([k, v]) => `${encodeURIComponent(k)}=${encodeValue(v)}`);
    return `${location.pathname}?${parts.join('&')}${location.hash}`;
  }

  // ---- drawing ----------------------------------------------------------------------------
  function currentStep() {
    return Math.min(anim.step, viz.steps());
  }

  let firstFrame = false;
  /** Whether the last frame of a start's drag drew the loss chart (the next one leaves it). */
  let lossDrawn = false;
  /** Frames drawn, so the page's own measures are counted (and cleared) now and then. */
  let framesDrawn = 0;
  /** Moves a dragged start to where the pointer last was (at most once a frame, however many
   * pointer events came); the time it took, in ms. */
  function applyDrag() {
    if (!pendingDrag) return 0;
    const { i, cx, cy, world } = pendingDrag;
    pendingDrag = null;
    const began = performance.now();
    try {
      // On the 3-D surface the point is the function's (x, y); in 2-D, the pointer's position.
      if (world) viz.set_start(i, cx, cy);
      else viz.drag_start(i, cx, cy);
    } catch (e) { messages = [warning('start', 'page.error', { error: e })]; showMessages(); }
    const took = performance.now() - began;
    performance.measure('gradscape:recompute', { start: began, end: began + took });
    summaryCache = null;
    trajectoriesCache = null;
    rule.invalidate();
    return took;
  }
  function drawNow() {
    const dragTime = applyDrag();
    const step = currentStep();
    // Marks for `npm run bench`: the surface (heatmap + contours), the overlay (axes + paths),
    // the loss chart (when drawn), and the whole frame.
    const t0 = performance.now();
    const flat = !three();
    if (flat && viz.render_surface()) surfaceStill.release();
    if (!flat) view3.draw(step);
    const t1 = performance.now();
    if (flat) viz.render_overlay(step, $('arrows').checked);
    const t2 = performance.now();
    // While a start is dragged the loss chart keeps its axes and redraws only its curves, every
    // other frame, and not at all when it was out of view as the drag began; the frame after the
    // drag ends draws it afresh, its axes fitted.
    const dragging = gesture && gesture.kind === 'start';
    const drawLoss = !dragging || (!lossDrawn && inView('loss-wrap'));
    if (drawLoss) {
      viz.render_loss(step, $('loss-log').checked, !dragging);
      lossStill.release();
    }
    lossDrawn = dragging && drawLoss;
    const t3 = performance.now();
    updateReadouts(step);
    const t4 = performance.now();
    performance.measure('gradscape:surface', { start: t0, end: t1 });
    performance.measure('gradscape:overlay', { start: t1, end: t2 });
    if (drawLoss) performance.measure('gradscape:loss', { start: t2, end: t3 });
    performance.measure('gradscape:frame', { start: t0 - dragTime, end: t4 });
    // Listing the measures costs a fraction of a millisecond once there are a thousand.
    framesDrawn += 1;
    if (framesDrawn % 200 === 0 && performance.getEntriesByType('measure').length > 2000) performance.clearMeasures();
    if (!firstFrame) {
      firstFrame = true;
      performance.mark('gradscape:first-frame');
    }
  }

  // What is out of view as the drag of a start begins (the table, the update rule or the loss
  // chart, below the plot on most screens) waits until the drag ends.
  let unseen = new Set();
  function noteUnseen() {
    unseen = new Set(['seen-box', 'rule-box', 'loss-wrap'].filter((id) => {
      const r = $(id).getBoundingClientRect();
      return r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth;
    }));
  }
  const inView = (id) => !unseen.has(id);

  function requestDraw() {
    onlyCamera = false;
    if (!rafId) rafId = requestAnimationFrame(frame);
  }
  // A frame for the 3-D camera alone (orbit, zoom): the loss chart, the readouts and the rule
  // have not changed, and are left alone.
  let onlyCamera = false;
  function requestCameraDraw() {
    const pending = rafId !== 0;
    requestDraw();
    if (!pending) onlyCamera = true;
  }

  function frame(now) {
    rafId = 0;
    if (onlyCamera && !anim.playing && three()) {
      onlyCamera = false;
      const t0 = performance.now();
      view3.draw(currentStep());
      performance.measure('gradscape:frame', { start: t0, end: performance.now() });
      return;
    }
    if (anim.playing) {
      if (!anim.last) anim.last = now;
      // A frame that comes late (a busy machine, a tab brought back) moves the animation as far as
      // a tenth of a second would, so a pause in drawing never skips the run to its end.
      anim.carry += (Math.min(now - anim.last, 100) / 1000) * viz.speed();
      anim.last = now;
      const whole = Math.floor(anim.carry);
      if (whole > 0) {
        anim.carry -= whole;
        anim.step = Math.min(anim.step + whole, viz.steps());
      }
      if (anim.step >= viz.steps()) pause();
      else requestDraw();
    }
    drawNow();
  }

  // ---- readouts ---------------------------------------------------------------------------
  let trajectoriesCache = null;
  let summaryCache = null;
  function trajectories() {
    if (!trajectoriesCache) {
      trajectoriesCache = JSON.parse(viz.trajectories());
      for (const run of trajectoriesCache) if (run.errorMessage) run.error = english(run.errorMessage);
    }
    return trajectoriesCache;
  }
  /** The runs without their points: what the readouts need, cheap enough for every frame. */
  function summaries() {
    if (!summaryCache) summaryCache = JSON.parse(viz.summaries());
    return summaryCache;
  }
  function changed() {
    trajectoriesCache = null;
    summaryCache = null;
    rule.invalidate();
  }
  /** Whether the update rule is on screen: its box open (and, embedded, its button pressed). */
  const ruleShown = () => $('rule-box').open && (!document.documentElement.classList.contains('embed') || document.documentElement.classList.contains('rule-open'));

  const setText = (el, text) => {
    if (el.textContent !== text) el.textContent = text;
  };
  let divergenceKey = '';
  let tableKey = '';
  let readoutTime = 0;
  /** The update rule waits for the frame after the page is ready: its MathML is the slowest part
   * of the first layout, and the plot, the table and the API need not wait for it. */
  let ruleLater = true;

  // Called on every frame: it touches the DOM only where a text changed.
  function updateReadouts(step) {
    setText($('counter'), t('transport.counter', { step, steps: viz.steps() }));
    // As wide as its longest text for these steps, so the bar (and with it the plot, in a
    // narrow embed) does not change its layout as the step counts up.
    const width = `${2 * String(viz.steps()).length + 9}ch`;
    if ($('counter').style.minWidth !== width) $('counter').style.minWidth = width;
    setText($('play'), t(anim.playing ? 'transport.pause' : 'transport.play'));
    const steps = String(viz.steps());
    if (scrub.max !== steps) scrub.max = steps;
    if (scrub.value !== String(step)) scrub.value = String(step);
    // What is said of the runs: the update rule and the table (which replay the optimizers'
    // states up to `step`), the notes of diverged runs and the description. While a start is
    // dragged, four updates a second are plenty for numbers nobody can read faster; they change
    // in the same frame, so the page is laid out once for all, and what was out of view as the
    // drag began waits for its end.
    const dragging = gesture && gesture.kind === 'start';
    const now = performance.now();
    if (dragging && now - readoutTime < 250) return;
    readoutTime = now;
    const runs = summaries();
    rule.setRuns(runs);
    if (ruleShown() && !ruleLater && !(dragging && !inView('rule-box'))) rule.update(step, viz.steps());
    const several = runs.some((run) => run.startIndex > 0);
    const notes = runs.filter((run) => run.visible && (run.error || run.divergedAt !== null)).map((run) => {
      const who = several ? t('run.from-start', { name: run.name, n: run.startIndex + 1 }) : run.name;
      // The core gives the error in English (`error`) and as data (`errorMessage`).
      return [run.colour, run.error ? t('run.error', { who, error: run.errorMessage ?? run.error }) : t('run.diverged', { who, step: run.divergedAt })];
    });
    const key = JSON.stringify(notes);
    if (key !== divergenceKey) {
      divergenceKey = key;
      $('divergence').replaceChildren(...notes.map(([colour, text]) => {
        const p = document.createElement('p');
        p.textContent = text;
        p.style.borderLeftColor = colour;
        return p;
      }));
    }
    describe(step, runs, several);
    if (!$('seen-box').open || (dragging && !inView('seen-box'))) return;
    const views = JSON.parse(viz.step_views(step));
    const body = $('seen').tBodies[0];
    const shown = runs.map((run, r) => [run, views[r], r]).filter(([run, v]) => run.visible && v);
    const rowsKey = shown.map(([run]) => `${run.optimizerIndex}:${run.startIndex}:${run.name}:${run.colour}`).join();
    if (rowsKey !== tableKey) {
      tableKey = rowsKey;
      body.replaceChildren(...shown.map(([run, , r]) => {
        const row = document.createElement('tr');
        // The table is the full page's legend: a click on a row shows that run's update rule.
        row.className = 'chooses-rule';
        row.title = t('rule.show', { name: run.name });
        row.addEventListener('click', () => chooseRule(r));
        const name = document.createElement('td');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = run.colour;
        name.append(swatch, `${run.name}${several ? ` · ${run.startIndex + 1}` : ''}`);
        row.append(name);
        for (let k = 0; k < 5; k += 1) row.append(document.createElement('td'));
        return row;
      }));
    }
    shown.forEach(([run, v], k) => {
      const cells = body.rows[k].cells;
      setText(cells[1], pair(v.point));
      setText(cells[2], fmt(v.value));
      setText(cells[3], pair(v.gradient));
      setText(cells[4], v.velocity ? pair(v.velocity) : '–');
      setText(cells[5], v.rates ? pair(v.rates) : `lr = ${fmt(Number(run.label.match(/lr=([^,)]+)/)?.[1]))}`);
    });
  }

  /** The plot in words, for screen readers (the overlay's description): the step, where each
   * shown optimizer is and its f, and any divergence. At most once a second while it moves. */
  let describedAt = 0;
  function describe(step, runs, several) {
    const now = performance.now();
    if ((anim.playing || (gesture && gesture.kind === 'start')) && now - describedAt < 1000) return;
    describedAt = now;
    const views = JSON.parse(viz.step_views(step));
    const parts = runs.map((run, r) => [run, views[r]]).filter(([run, v]) => run.visible && v).map(([run, v]) => {
      const who = several ? t('describe.from-start', { name: run.name, n: run.startIndex + 1 }) : run.name;
      const diverged = run.divergedAt !== null && run.divergedAt <= step;
      return t(diverged ? 'describe.run-diverged' : 'describe.run', { who, point: pair(v.point), value: fmt(v.value), step: run.divergedAt });
    });
    setText($('plot-description'), t('describe.step', { step, steps: viz.steps(), formula: $('formula').value, runs: parts.join(' ') }));
  }

  // ---- the animation contract ---------------------------------------------------------------
  function play() {
    if (anim.step >= viz.steps()) anim.step = 0;
    anim.playing = true;
    anim.last = 0;
    anim.carry = 0;
    requestDraw();
  }
  function pause() {
    anim.playing = false;
    requestDraw();
  }
  function stepBy(n = 1) {
    anim.playing = false;
    const k = Math.trunc(Number(n));
    if (!Number.isFinite(k)) return;
    if (anim.step >= viz.steps() && k > 0) anim.step = 0;
    anim.step = Math.max(0, Math.min(viz.steps(), anim.step + k));
    requestDraw();
  }
  function reset() {
    anim.playing = false;
    anim.step = 0;
    requestDraw();
  }

  // ---- controls ---------------------------------------------------------------------------
  // Presets and surfaces are named by the core in English and translated by their id.
  const presetName = (p) => tOr(`preset.${p.id}.name`, p.name);
  // The notes are the catalogs' in every language (the page's module carries no English ones).
  const presetNote = (p) => (p ? t(`preset.${p.id}.note`) : '');
  const presetSelect = $('preset');
  for (const p of cat.presets) presetSelect.add(new Option(presetName(p), p.id));
  const fnSelect = $('function-select');
  for (const [id, name] of cat.surfaces) fnSelect.add(new Option(tOr(`surface.${id}`, name), id));
  fnSelect.add(new Option(t('controls.typed-in'), ''));
  /** The menus' names in the reader's language. */
  function nameMenus() {
    for (const o of presetSelect.options) if (o.value) o.text = presetName(cat.presets.find((p) => p.id === o.value));
    for (const o of fnSelect.options) o.text = o.value ? tOr(`surface.${o.value}`, cat.surfaces.find(([id]) => id === o.value)[1]) : t('controls.typed-in');
    for (const o of $('theme').options) o.text = t(`theme.${o.value}`);
  }

  const speedInput = $('speed');
  // The slider is logarithmic: 0..100 spans 0.5 to 2000 updates per second.
  const speedFromSlider = (s) => Number((0.5 * Math.pow(4000, s / 100)).toPrecision(2));
  const sliderFromSpeed = (v) => Math.round((100 * Math.log(v / 0.5)) / Math.log(4000));

  function syncControls({ panel = true } = {}) {
    const params = Object.fromEntries(JSON.parse(viz.params()));
    const known = cat.surfaces.some(([id]) => id === params.f);
    fnSelect.value = known ? params.f : '';
    const formula = $('formula');
    if (document.activeElement !== formula) {
      formula.value = known ? cat.surfaces.find(([id]) => id === params.f)[2] : params.f;
    }
    // The preset's name and note stay while its surface does (its optimizers may be tuned);
    // another surface is no longer that preset.
    const chosen = cat.presets.find((x) => x.id === presetSelect.value);
    if (chosen && new URLSearchParams(chosen.query).get('f') !== params.f) {
      presetSelect.value = '';
      $('preset-note').textContent = '';
    }
    $('log').checked = params.log === '1';
    $('trail').checked = params.trail !== '0';
    if (document.activeElement !== $('steps')) $('steps').value = params.steps;
    speedInput.value = sliderFromSpeed(Number(params.speed));
    $('speed-out').textContent = t('transport.speed-value', { speed: params.speed });
    if (panel) buildOptimizers();
    buildStarts();
    const noise = params.noise ?? '0';
    if (document.activeElement !== $('noise-value')) $('noise-value').value = noise;
    $('noise').value = noise;
    if (document.activeElement !== $('noise-seed')) $('noise-seed').value = params.seed ?? '0';
  }

  /** `seed=` is the page's one seed: the surfaces' gradient noise and the network's data, weights
   * and batches. A change on either side is carried to the other, so the address holds one. */
  function shareSeed(from) {
    if (!network) return;
    const own = Object.fromEntries(JSON.parse(viz.params())).seed ?? '0';
    const theirs = String(Object.fromEntries(network.params()).seed ?? '0');
    if (own === theirs) return;
    if (from === 'network') {
      applySettings([['seed', theirs]]);
      changed();
      syncControls({ panel: false });
      requestDraw();
    } else {
      network.setState({ seed: own });
    }
  }

  function afterChange(warnings, { keepStep = false, panel = true } = {}) {
    changed();
    graphView?.surfacesChanged();
    messages = warnings;
    showMessages();
    if (!keepStep) anim.step = Math.min(anim.step, viz.steps());
    shareSeed('surfaces');
    syncControls({ panel });
    syncUrl();
    requestDraw();
    return warnings;
  }

  // The page's default view is the first preset (the book's figure), so it is named as one;
  // syncControls clears the name if the address asks for another surface.
  const loadedPreset = cat.presets.find((x) => x.id === query.get('preset')) ?? (query.has('preset') ? null : cat.presets[0]);
  if (loadedPreset) {
    presetSelect.value = loadedPreset.id;
    $('preset-note').textContent = presetNote(loadedPreset);
  }
  presetSelect.addEventListener('change', () => {
    if (!presetSelect.value) return;
    const warnings = applySettings([['preset', presetSelect.value]]);
    $('preset-note').textContent = presetNote(cat.presets.find((x) => x.id === presetSelect.value));
    anim.step = viz.steps();
    afterChange(warnings);
  });

  fnSelect.addEventListener('change', () => {
    if (!fnSelect.value) {
      $('formula').focus();
      return;
    }
    formulaBad = null;
    showFormulaError();
    afterChange(applySettings([['f', fnSelect.value]]));
  });

  let formulaTimer = 0;
  /** The typed formula's error (a core message), kept to say it again in another language. */
  let formulaBad = null;
  const showFormulaError = () => {
    $('formula-error').textContent = formulaBad ? say(formulaBad).replace(/^f: /, '') : '';
  };
  function applyFormula() {
    const text = $('formula').value;
    const warnings = applySettings([['f', text]]);
    const bad = warnings.find((w) => w.param === 'f');
    formulaBad = bad ?? null;
    showFormulaError();
    $('formula').setAttribute('aria-invalid', bad ? 'true' : 'false');
    afterChange(warnings.filter((w) => w.param !== 'f'));
  }
  $('formula').addEventListener('input', () => {
    clearTimeout(formulaTimer);
    formulaTimer = setTimeout(applyFormula, 400);
  });
  $('formula').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(formulaTimer);
      applyFormula();
    }
  });

  $('log').addEventListener('change', () => afterChange(applySettings([['log', $('log').checked ? '1' : '0']])));
  $('trail').addEventListener('change', () => afterChange(applySettings([['trail', $('trail').checked ? '1' : '0']]), { keepStep: true }));
  $('arrows').addEventListener('change', requestDraw);
  $('seen-box').addEventListener('toggle', requestDraw);
  $('loss-log').addEventListener('change', requestDraw);
  $('steps').addEventListener('change', () => {
    const warnings = applySettings([['steps', $('steps').value]]);
    anim.step = viz.steps();
    afterChange(warnings);
  });
  speedInput.addEventListener('input', () => {
    afterChange(applySettings([['speed', speedFromSlider(Number(speedInput.value))]]), { keepStep: true });
  });
  // Gradient noise: σ from the slider or typed, and its seed; a value the core refuses is named
  // in the messages and the last good one is kept.
  function applyNoise(key, field, value) {
    const warnings = applySettings([[key, value]]);
    field.setAttribute('aria-invalid', warnings.some((w) => w.param === key) ? 'true' : 'false');
    afterChange(warnings, { keepStep: true });
  }
  $('noise').addEventListener('input', () => {
    $('noise-value').value = $('noise').value;
    applyNoise('noise', $('noise-value'), $('noise').value);
  });
  $('noise-value').addEventListener('change', () => applyNoise('noise', $('noise-value'), $('noise-value').value));
  $('noise-seed').addEventListener('change', () => applyNoise('seed', $('noise-seed'), $('noise-seed').value));
  $('play').addEventListener('click', () => (anim.playing ? pause() : play()));
  $('step').addEventListener('click', () => stepBy(1));
  $('reset').addEventListener('click', reset);
  // The step slider: dragging it (or its arrow keys) opens any step; Space on it plays, as on
  // the plot.
  scrub.addEventListener('input', () => {
    anim.playing = false;
    anim.step = Math.max(0, Math.min(viz.steps(), Math.trunc(Number(scrub.value))));
    requestDraw();
  });
  scrub.addEventListener('keydown', (e) => {
    if (e.key === ' ' && !(e.ctrlKey || e.metaKey || e.altKey)) {
      e.preventDefault();
      if (anim.playing) pause();
      else play();
    }
  });
  $('rule-box').addEventListener('toggle', () => {
    if (!ruleLater && $('rule-box').open) loadRule().catch(() => {});
    requestDraw();
  });
  $('rule-button').addEventListener('click', () => {
    const on = document.documentElement.classList.toggle('rule-open');
    $('rule-button').setAttribute('aria-expanded', String(on));
    if (on) $('rule-box').open = true;
    if (on && !ruleLater) loadRule().catch(() => {});
    requestDraw();
  });
  /** Shows run `r`'s update rule (from a click on its path or its legend entry). */
  function chooseRule(r) {
    rule.select(r);
    requestDraw();
  }
  $('reset-view').addEventListener('click', () => {
    if (three()) {
      view3.setCamera(...CAMERA);
      requestDraw();
      syncUrl();
      return;
    }
    viz.reset_view();
    afterChange([], { keepStep: true });
  });

  // ---- the optimizer panel ------------------------------------------------------------------
  function optimizerList() {
    return JSON.parse(viz.optimizers());
  }

  function commitOptimizers(list, { panel = true } = {}) {
    const opt = optimizerText(list);
    const hide = list.map((o, i) => (o.visible ? -1 : i)).filter((i) => i >= 0).join(',');
    return afterChange(applySettings([['opt', opt], ['hide', hide]]), { keepStep: true, panel });
  }

  function buildOptimizers() {
    buildOptimizerPanel($('optimizers'), optimizerList(), commitOptimizers, 'opt', cat, (i, v) => {
      viz.set_visible(i, v);
      buildLegend();
    });
    buildLegend();
  }

  /** The optimizers shown, each in its colour: the embedded view's legend. */
  function buildLegend() {
    $('legend').replaceChildren(...optimizerList().map((o, i) => [o, i]).filter(([o]) => o.visible).map(([o, i]) => {
      const li = document.createElement('li');
      li.dataset.optimizer = String(i);
      li.title = t('rule.show', { name: o.name });
      li.addEventListener('click', () => {
        // The run of this optimizer from the start of the run shown, or from the first start.
        const runs = summaries();
        const now = runs[rule.selected()];
        const r = runs.findIndex((run) => run.optimizerIndex === i && run.startIndex === (now ? now.startIndex : 0));
        if (r >= 0) chooseRule(r);
      });
      const swatch = document.createElement('span');
      swatch.className = `swatch marker-${o.marker || 'circle'}`;
      swatch.style.background = o.colour;
      li.append(swatch, document.createTextNode(o.name));
      return li;
    }));
  }

  $('add-optimizer').addEventListener('click', () => commitOptimizers(withOneMore(optimizerList(), cat)));

  // ---- start points list ----------------------------------------------------------------------
  function buildStarts() {
    const box = $('starts');
    box.replaceChildren();
    const starts = JSON.parse(viz.start_points());
    starts.forEach((p, i) => {
      const li = document.createElement('li');
      li.append(`(${fmt(p[0])}, ${fmt(p[1])}) `);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove';
      remove.textContent = '×';
      remove.setAttribute('aria-label', t('controls.remove-start', { n: i + 1 }));
      remove.disabled = starts.length <= 1;
      remove.addEventListener('click', () => {
        viz.remove_start(i);
        afterChange([], { keepStep: true });
      });
      li.append(remove);
      box.append(li);
    });
  }

  // ---- pointer: drag starts, click to add, drag to pan, wheel and pinch to zoom ------------
  const pointers = new Map();
  // Pointer positions in the core's units (CSS pixels, or uiScale of them for the projector).
  const local = (e) => {
    const r = overlay.getBoundingClientRect();
    return [(e.clientX - r.left) / uiScale, (e.clientY - r.top) / uiScale];
  };

  // The overlay's listeners, kept to be put on the canvas that takes its place (desynchronize);
  // `held` counts the pointers pressed on it, which a new canvas would lose.
  const overlayListeners = [];
  const onOverlay = (type, listener) => {
    overlayListeners.push([type, listener]);
    overlay.addEventListener(type, listener);
  };
  let held = 0;
  let desynchronizeLater = false;
  onOverlay('pointerdown', () => (held += 1));
  for (const type of ['pointerup', 'pointercancel']) {
    onOverlay(type, () => {
      held = Math.max(0, held - 1);
      if (held === 0 && desynchronizeLater) setTimeout(desynchronize, 0);
    });
  }
  /** Where the page is drawn in software, the paths' canvas is replaced, once, by one whose 2-D
   * context is desynchronized, the browser's hint for low-latency drawing: its pixels are then
   * not copied for the compositor at each frame's commit, about 40% of a dragged start's main
   * thread (README, Speed). A context's kind is fixed when it is made, hence a new canvas: the
   * old one's attributes, listeners and focus, drawn at once in the same task. With a GPU there
   * is no such copy, and such canvases are reported to show blank on some GPUs: left as it is.
   * Asked after the first frame; a pointer pressed on the plot is let go first. */
  function desynchronize() {
    desynchronizeLater = held > 0;
    if (held > 0 || !drawnInSoftware() || overlay.getContext('2d').getContextAttributes().desynchronized) return;
    const fresh = overlay.cloneNode(false);
    fresh.getContext('2d', { desynchronized: true });
    viz.set_overlay(fresh);
    const focused = document.activeElement === overlay;
    overlay.replaceWith(fresh);
    overlay = fresh;
    for (const [type, listener] of overlayListeners) overlay.addEventListener(type, listener);
    if (focused) overlay.focus({ preventScroll: true });
    drawNow();
  }

  onOverlay('pointerdown', (e) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    if (three()) {
      view3.pointerDown(e);
      return;
    }
    overlay.setPointerCapture(e.pointerId);
    const [cx, cy] = local(e);
    pointers.set(e.pointerId, [cx, cy]);
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      gesture = { kind: 'pinch', distance: Math.hypot(a[0] - b[0], a[1] - b[1]) };
      return;
    }
    const radius = e.pointerType === 'touch' ? 22 : 12;
    const hit = viz.hit_start(cx, cy, radius);
    if (hit >= 0) {
      gesture = { kind: 'start', i: hit };
      selectedStart = hit;
      overlay.classList.add('dragging');
      noteUnseen();
      surfaceStill.hold();
      if (!inView('loss-wrap')) lossStill.hold();
    } else if (viz.in_plot(cx, cy)) {
      // On (within a few pixels of) a drawn path, a click shows that run's update rule instead
      // of adding a start.
      const path = viz.hit_path(cx, cy, e.pointerType === 'touch' ? 12 : 6, currentStep());
      gesture = { kind: 'maybe-add', x: cx, y: cy, lastX: cx, lastY: cy, path };
    }
    // No text selection or native drag; the plot takes the keyboard, so a click then Space plays.
    e.preventDefault();
    overlay.focus({ preventScroll: true });
  });

  onOverlay('pointermove', (e) => {
    if (three()) {
      view3.pointerMove(e);
      return;
    }
    const [cx, cy] = local(e);
    if (pointers.has(e.pointerId)) pointers.set(e.pointerId, [cx, cy]);
    if (!gesture) {
      const probe = JSON.parse(viz.inspect(cx, cy));
      $('probe').textContent = probe && viz.in_plot(cx, cy)
        ? t('probe.reading', { x: fmt(probe.x), y: fmt(probe.y), f: fmt(probe.f), gradient: pair(probe.gradient), numerical: pair(probe.numerical) })
        : t('probe.hint');
      overlay.style.cursor = viz.hit_start(cx, cy, 12) >= 0 ? 'grab' : 'crosshair';
      return;
    }
    if (gesture.kind === 'start') {
      pendingDrag = { i: gesture.i, cx, cy };
      trajectoriesCache = null;
      requestDraw();
    } else if (gesture.kind === 'maybe-add' || gesture.kind === 'pan') {
      if (gesture.kind === 'maybe-add' && Math.hypot(cx - gesture.x, cy - gesture.y) > 4) gesture.kind = 'pan';
      if (gesture.kind === 'pan') {
        viz.pan(cx - gesture.lastX, cy - gesture.lastY);
        gesture.lastX = cx;
        gesture.lastY = cy;
        requestDraw();
      }
    } else if (gesture.kind === 'pinch' && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (gesture.distance > 0 && distance > 0) {
        viz.zoom((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, distance / gesture.distance);
        gesture.distance = distance;
        requestDraw();
      }
    }
  });

  function endPointer(e) {
    if (three()) {
      view3.pointerUp(e);
      return;
    }
    pointers.delete(e.pointerId);
    surfaceStill.release();
    lossStill.release();
    if (!gesture) return;
    if (gesture.kind === 'maybe-add' && e.type === 'pointerup' && gesture.path >= 0) {
      chooseRule(gesture.path);
    } else if (gesture.kind === 'maybe-add' && e.type === 'pointerup') {
      try {
        viz.add_start_at(gesture.x, gesture.y);
        selectedStart = JSON.parse(viz.start_points()).length - 1;
      } catch (err) {
        messages = [warning('start', 'page.start', { error: err })];
        showMessages();
      }
    }
    if (gesture.kind === 'start') {
      readoutTime = 0;
      drawNow();
    }
    overlay.classList.remove('dragging');
    gesture = pointers.size ? gesture : null;
    if (!gesture || gesture.kind !== 'pinch') afterChange(messages, { keepStep: true });
    if (pointers.size === 0) gesture = null;
  }
  onOverlay('pointerup', endPointer);
  onOverlay('pointercancel', endPointer);
  onOverlay('pointerleave', () => {
    if (!gesture) $('probe').textContent = t('probe.hint');
  });

  onOverlay('wheel', (e) => {
    e.preventDefault();
    if (three()) {
      view3.wheel(e);
      return;
    }
    const [cx, cy] = local(e);
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    viz.zoom(cx, cy, Math.exp(-delta * 0.0015));
    requestDraw();
    syncUrl();
  }, { passive: false });


  // ---- 3-D: the surface as a mesh, orbited by a drag, a start dragged on it ---------------------
  // Its module is fetched when 3-D is first chosen (the switch, mode=3d, setState); until it is
  // there, and where WebGL2 is missing, the 2-D view is drawn.
  let view3 = null;
  let view3Load = null;
  const glCanvas = $('gl');
  const three = () => mode === '3d' && view3 !== null;
  function cameraNow() {
    return view3 ? view3.camera() : cameraAsked ?? CAMERA;
  }
  function showMode() {
    $('plot').classList.toggle('three', three());
    const pending = mode === '3d' && !view3;
    $('plot').classList.toggle('pending-3d', pending);
    if (pending) $('view3d-status').textContent = t('mode.loading');
    $('view3d-status').hidden = !pending;
    $('mode-2d').setAttribute('aria-pressed', String(mode !== '3d'));
    $('mode-3d').setAttribute('aria-pressed', String(mode === '3d'));
    $('height-box').hidden = mode !== '3d';
    $('contours-box').hidden = mode !== '3d';
  }
  /** What the 3-D view needs of the page: the runs, redrawing, and telling of changes. */
  const view3Host = {
    summaries,
    requestCameraDraw,
    height: () => heightScale,
    contours: () => $('contours').checked,
    arrows: () => $('arrows').checked,
    requestDraw,
    syncUrl,
    /** Start `i` dragged to the surface's point (x, y): moved, and the runs computed again, at
     * the next frame (one recompute a frame however many pointer events come). */
    dragTo(i, x, y) {
      pendingDrag = { i, cx: x, cy: y, world: true };
      requestDraw();
    },
    /** Starts added or moved for good, or a warning. */
    changed(warnings) {
      applyDrag();
      afterChange(warnings ?? messages, { keepStep: true });
    },
    warn(param, kind, error) {
      messages = [warning(param, kind, { error })];
      showMessages();
    },
    select: (i) => {
      selectedStart = i;
    },
    probe(reading) {
      $('probe').textContent = reading
        ? t('probe.reading', { x: fmt(reading.x), y: fmt(reading.y), f: fmt(reading.f), gradient: pair(reading.gradient), numerical: pair(reading.numerical) })
        : t('probe.hint');
    },
    gesture: (g) => {
      gesture = g;
    },
  };
  /** A warning when the camera asked for is beyond its bounds (elevation 5–89°, distance
   * 1.2–10) and was brought within them; none for an azimuth turned into −180–180°. */
  function cameraKept(asked, got) {
    if (Math.abs(asked[1] - got[1]) < 1e-9 && Math.abs(asked[2] - got[2]) < 1e-9) return null;
    return warning('camera', 'page.camera-clamped', { value: asked.join(',').slice(0, 60), camera: got.map((v) => +v.toFixed(2)).join(',') });
  }
  function loadView3d() {
    view3Load ??= (async () => {
      const m = await import('./view3d.js');
      const v = await m.startView3d({ viz, canvas: glCanvas, overlay: () => overlay, host: view3Host, soft: drawnInSoftware() });
      const c = cameraAsked ?? CAMERA;
      v.setCamera(c[0], c[1], c[2]);
      const kept = cameraKept(c, v.camera());
      if (kept) {
        messages = [...messages.filter((m) => m.param !== 'camera'), kept];
        showMessages();
      }
      view3 = v;
      showMode();
      lastSize = '';
      resize();
      return v;
    })().catch((e) => {
      view3Load = null;
      mode = '2d';
      const note = e && e.webgl
        ? warning('mode', 'page.no-webgl', { error: e.message || String(e) })
        : warning('mode', 'page.view3d-load', { error: e && e.message ? e : String(e) });
      if (e && e.webgl) {
        $('mode-3d').disabled = true;
        $('mode-3d').title = say(note);
      }
      messages = [...messages.filter((m) => m.param !== 'mode'), note];
      showMessages();
      showMode();
      syncUrl();
      throw e;
    });
    return view3Load;
  }
  /** Shows the surfaces in 2-D or 3-D; 3-D's module is loaded first if need be. */
  function setMode(m) {
    mode = m;
    // A camera moving as the mode changes (a key pressed mid-orbit) comes to rest.
    view3?.rest();
    showMode();
    syncUrl();
    const done = m === '3d' && !view3 ? loadView3d().then(() => undefined) : Promise.resolve();
    requestDraw();
    return done.then(() => {
      showMode();
      requestDraw();
    });
  }
  $('mode-2d').addEventListener('click', () => setMode('2d'));
  $('mode-3d').addEventListener('click', () => setMode('3d').catch(() => {}));
  $('height').value = heightScale;
  $('contours').checked = contoursOn;
  $('contours').addEventListener('change', () => {
    requestDraw();
    syncUrl();
  });
  $('height').addEventListener('change', () => {
    heightScale = HEIGHTS.includes($('height').value) ? $('height').value : 'log';
    requestDraw();
    syncUrl();
  });
  /** The client position of the surface point (x, y, f(x, y)) in 3-D, or null (hidden, off the
   * plot, or not in 3-D). */
  const worldToClient3d = (x, y) => (three() && typeof x === 'number' && typeof y === 'number' ? view3.worldToClient(x, y) : null);

  // ---- saving and sharing (www/outputs.js, fetched when first used) ---------------------------
  let outputs = null;
  let outputsLoaded = null;
  const outputsPage = {
    viz, surface, glCanvas, anim, surfaceStill, address, sizeViz, drawNow, pause, currentStep, three,
    overlay: () => overlay,
    view3: () => view3,
    uiScale: () => uiScale,
  };
  /** The saving and sharing code, fetched once; if the fetch fails, the failure says so (and the
   * next use tries again). */
  function loadOutputs() {
    outputs ??= import('./outputs.js').then(({ exporters, sharer }) => (outputsLoaded = { ...exporters(outputsPage), share: sharer(outputsPage) }));
    return outputs.catch((e) => {
      outputs = null;
      throw failure('page.outputs-load', { error: e && e.message ? e : String(e) });
    });
  }
  $('share-button').addEventListener('click', async () => {
    try {
      (await busy($('share-button'), loadOutputs)).share.show($('share').hidden);
    } catch (e) {
      messages = [warning('share', 'page.error', { error: e })];
      showMessages();
    }
  });

  // ---- keys, when the plot has focus --------------------------------------------------------
  // Space play/pause, → and ← a step, R reset, + and − zoom, Shift+arrows move the selected start
  // (the last one dragged or clicked), ? the list of keys.
  let selectedStart = 0;
  const keysBox = $('keys');
  function showKeys(on) {
    keysBox.hidden = !on;
    if (!on) overlay.focus();
  }
  $('keys-close').addEventListener('click', () => showKeys(false));
  $('keys-button').addEventListener('click', () => {
    showKeys(keysBox.hidden);
    if (!keysBox.hidden) $('keys-close').focus();
  });
  keysBox.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || e.key === '?') {
      e.preventDefault();
      showKeys(false);
    }
  });
  onOverlay('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const r = overlay.getBoundingClientRect();
    let handled = true;
    if (e.shiftKey && arrows[e.key]) {
      // 1% of the plot's width per press, in the arrow's direction on screen.
      const starts = JSON.parse(viz.start_points());
      const i = Math.min(selectedStart, starts.length - 1);
      if (i >= 0) {
        const [cx, cy] = viz.world_to_css(starts[i][0], starts[i][1]);
        const [dx, dy] = arrows[e.key].map((d) => (d * 0.01 * r.width) / uiScale);
        const [x, y] = viz.css_to_world(cx + dx, cy + dy);
        api.setStart(i, x, y);
        syncUrl();
      }
    } else if (e.key === ' ') {
      if (anim.playing) pause();
      else play();
    } else if (e.key === 'ArrowRight') stepBy(1);
    else if (e.key === 'ArrowLeft') stepBy(-1);
    else if (e.key === 'r' || e.key === 'R') reset();
    else if ((e.key === '+' || e.key === '=' || e.key === '-' || e.key === '_') && three()) {
      // In 3-D the camera comes nearer or goes farther.
      view3.zoom(e.key === '+' || e.key === '=' ? 1.25 : 0.8);
      requestCameraDraw();
      syncUrl();
    } else if (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '_') {
      viz.zoom(r.width / 2 / uiScale, r.height / 2 / uiScale, e.key === '+' || e.key === '=' ? 1.25 : 0.8);
      afterChange([], { keepStep: true });
    } else if (e.key === '?') {
      showKeys(true);
      $('keys-close').focus();
    } else handled = false;
    if (handled) e.preventDefault();
  });

  // ---- theme ---------------------------------------------------------------------------------
  function applyTheme(name) {
    setTheme(name);
    network?.restyle();
    lastSize = '';
    requestAnimationFrame(() => resize());
    syncUrl();
  }
  for (const id of THEMES) $('theme').add(new Option(t(`theme.${id}`), id));
  $('theme').addEventListener('change', () => applyTheme($('theme').value));
  setTheme(theme);

  // ---- language ------------------------------------------------------------------------------
  const langMenu = $('lang');
  langMenu.value = language();
  /** Speaks `l` from now on (the menu, setState); it is written in the address from then on. */
  function chooseLanguage(l) {
    langAsked = true;
    setLanguage(l).then(syncUrl, (e) => {
      langMenu.value = language();
      messages = [...messages.filter((m) => m.param !== 'lang'), warning('lang', 'page.lang-load', { lang: l, error: e, kept: language() })];
      showMessages();
    });
  }
  langMenu.addEventListener('change', () => chooseLanguage(langMenu.value));
  // The static page is translated by setLanguage; the texts made here are made again.
  onLanguage(() => {
    langMenu.value = language();
    // The loss charts' axis titles are drawn on their canvases: new words, drawn again.
    setChartWords(t('chart.iteration'), t('chart.loss'), t('loss.log'));
    resize();
    nameMenus();
    $('top-hint').textContent = t(`hint.${currentTab}`);
    $('preset-note').textContent = presetNote(cat.presets.find((x) => x.id === presetSelect.value));
    if (!gesture) $('probe').textContent = t('probe.hint');
    showMessages();
    showFormulaError();
    outputsLoaded?.share.language();
    tableKey = '';
    describedAt = 0;
    rule.invalidate({ rebuild: true });
    if (ruleNote) sayRuleNote();
    syncControls();
    requestDraw();
    syncUrl();
    if (window.parent !== window) window.parent.postMessage({ gradscapeTitle: t('share.frame-title') }, '*');
  });

  // ---- size ---------------------------------------------------------------------------------
  let lastSize = '';
  /** Sizes the plot and the loss chart to their boxes at `resolution` × the screen's. The
   * projector theme draws them `uiScale` times larger (type, lines, markers): the core lays
   * them out in units of uiScale CSS pixels, at the same device resolution. */
  function sizeViz(resolution = 1) {
    const box = $('plot').getBoundingClientRect();
    const lossBox = $('loss-wrap').getBoundingClientRect();
    const dpr = (window.devicePixelRatio || 1) * resolution * uiScale;
    viz.resize(box.width / uiScale, box.height / uiScale, dpr, lossBox.width / uiScale, lossBox.height / uiScale);
    view3?.resize(box.width, box.height, (window.devicePixelRatio || 1) * resolution);
    // Resized canvases are cleared, and drawn again: no still of them holds.
    surfaceStill.release();
    lossStill.release();
    return [box.width, box.height, dpr, lossBox.width, lossBox.height].join();
  }
  function resize() {
    const box = $('plot').getBoundingClientRect();
    const lossBox = $('loss-wrap').getBoundingClientRect();
    const size = [box.width, box.height, window.devicePixelRatio || 1, lossBox.width, lossBox.height, uiScale].join();
    if (size === lastSize) return; // the observer's first call repeats the start-up size
    lastSize = size;
    sizeViz();
    drawNow();
  }
  new ResizeObserver(() => requestAnimationFrame(resize)).observe($('plot'));
  matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`).addEventListener('change', resize);

  // ---- the page's API -------------------------------------------------------------------------
  function state() {
    const out = {};
    const own = JSON.parse(viz.params());
    // The network view's settings: its own once loaded; before, its defaults.
    for (const [k, v] of network ? network.params() : [...NET_DEFAULTS, ...[...query].filter(([k]) => NET_KEYS.includes(k))]) out[k] = v;
    // Both views hold the page's one seed (shareSeed); the surfaces' keys come last.
    for (const [k, v] of own) out[k] = v;
    out.tab = currentTab;
    if (graphView) Object.assign(out, { graph: graphView.state().graph, inputs: graphView.state().inputs });
    out.theme = theme;
    out.lang = language();
    out.mode = mode;
    out.camera = cameraNow();
    out.height = heightScale;
    out.contours = $('contours').checked;
    for (const k of ['batch', 'iters', 'seed']) out[k] = Number(out[k]);
    out.noise = Number(out.noise ?? 0);
    out.nlog = out.nlog === '1';
    out.steps = Number(out.steps);
    out.speed = Number(out.speed);
    out.log = out.log === '1';
    out.trail = out.trail !== '0';
    return out;
  }

  const exportPNG = async (options) => (await loadOutputs()).exportPNG(options);
  const exportSVG = async () => (await loadOutputs()).exportSVG();
  const exportWebM = async (options) => (await loadOutputs()).exportWebM(options);
  const download = (blob, name) => outputsLoaded.download(blob, name);
  /** Runs `work` with `button` marked busy (aria-busy: a progress cursor) until it settles: the
   * first Save or Share fetches their script, the first SVG the export's module too. */
  async function busy(button, work) {
    button.setAttribute('aria-busy', 'true');
    try {
      return await work();
    } finally {
      button.removeAttribute('aria-busy');
    }
  }
  $('save-webm').addEventListener('click', async () => {
    $('save-webm').disabled = true;
    try {
      download(await busy($('save-webm'), exportWebM), 'gradscape.webm');
    } catch (e) {
      messages = [warning('export', 'page.export', { error: e })];
      showMessages();
    } finally {
      $('save-webm').disabled = false;
    }
  });
  $('save-svg').addEventListener('click', async () => {
    try {
      download(new Blob([await busy($('save-svg'), exportSVG)], { type: 'image/svg+xml' }), 'gradscape.svg');
    } catch (e) {
      messages = [warning('export', 'page.export', { error: e })];
      showMessages();
    }
  });
  $('save-png').addEventListener('click', async () => {
    try {
      download(await busy($('save-png'), () => exportPNG({ scale: 2 })), 'gradscape.png');
    } catch (e) {
      messages = [warning('export', 'page.export', { error: e })];
      showMessages();
    }
  });

  const api = {
    /** The computational graph on the Graph view (loading the view if it is not yet). */
    graph: async () => (await loadGraph()).graph(),
    exportPNG,
    exportSVG,
    exportWebM: ({ fps } = {}) => exportWebM({ fps }),
    state,
    setState(partial) {
      const all = Object.entries(partial || {});
      const netPart = Object.fromEntries(all.filter(([k]) => NET_KEYS.includes(k)));
      // The network view's keys before its module is loaded: the warnings are a promise.
      const later = Object.keys(netPart).length && !network ? loadNetwork().then((n) => n.setState(netPart)) : null;
      const netWarnings = Object.keys(netPart).length && network ? network.setState(netPart) : [];
      if ('tab' in (partial || {})) {
        const tab = String(partial.tab);
        if (!TABS.includes(tab)) netWarnings.push(warning('tab', 'page.tab-kept', { value: tab.slice(0, 60), tabs: TABS.join(', '), tab: currentTab }));
        else showTab(tab);
      }
      const graphPart = Object.fromEntries(all.filter(([k]) => k === 'graph' || k === 'inputs'));
      if (Object.keys(graphPart).length) {
        if (graphView) graphView.setState(graphPart);
        else loadGraph().then((g) => g.setState(graphPart)).catch(() => {});
      }
      const themeWarning = [];
      let loading3d = null;
      if ('height' in (partial || {})) {
        const h = String(partial.height).trim().toLowerCase();
        if (HEIGHTS.includes(h)) {
          heightScale = h;
          $('height').value = h;
        } else themeWarning.push(warning('height', 'page.height-kept', { value: String(partial.height).slice(0, 60), heights: HEIGHTS.join(', '), height: heightScale }));
      }
      if ('camera' in (partial || {})) {
        const c = cameraOf(partial.camera);
        if (!c) themeWarning.push(warning('camera', 'page.camera-kept', { value: String(partial.camera).slice(0, 60) }));
        else if (view3) {
          view3.setCamera(c[0], c[1], c[2]);
          const kept = cameraKept(c, view3.camera());
          if (kept) themeWarning.push(kept);
        }
        else cameraAsked = c;
      }
      if ('mode' in (partial || {})) {
        const m = String(partial.mode).trim().toLowerCase();
        if (MODES.includes(m)) loading3d = setMode(m);
        else themeWarning.push(warning('mode', 'page.mode-kept', { value: String(partial.mode).slice(0, 60), modes: MODES.join(', '), mode }));
      }
      if ('theme' in (partial || {})) {
        const name = String(partial.theme).trim().toLowerCase();
        if (THEMES.includes(name)) applyTheme(name);
        else themeWarning.push(warning('theme', 'page.theme-kept', { value: String(partial.theme).slice(0, 60), themes: THEMES.join(', '), theme }));
      }
      if ('lang' in (partial || {})) {
        const l = String(partial.lang).trim().toLowerCase();
        if (LANGUAGES.includes(l)) chooseLanguage(l);
        else themeWarning.push(warning('lang', 'page.lang-kept', { value: String(partial.lang).slice(0, 60), languages: LANGUAGES.join(', '), lang: language() }));
      }
      // `seed` is the page's one seed: the network view takes it and shareSeed carries it here.
      if ('contours' in (partial || {})) {
        const c = String(partial.contours).trim().toLowerCase();
        if (['1', 'true', '0', 'false'].includes(c)) {
          $('contours').checked = c === '1' || c === 'true';
          requestDraw();
        } else themeWarning.push(warning('contours', 'page.contours-kept', { value: String(partial.contours).slice(0, 60), contours: $('contours').checked ? '1' : '0' }));
      }
      const entries = all.filter(([k]) => !NET_KEYS.includes(k) && !['tab', 'theme', 'lang', 'graph', 'inputs', 'mode', 'camera', 'height', 'contours'].includes(k)).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]);
      const warnings = [...applySettings(entries), ...netWarnings, ...themeWarning];
      if ('steps' in (partial || {}) || 'preset' in (partial || {})) anim.step = viz.steps();
      afterChange(warnings);
      drawNow();
      // 3-D's module loading, or the network view's: the warnings are a promise.
      if (loading3d && !view3) {
        const both = Promise.all([later ?? Promise.resolve([]), loading3d.then(() => [], () => messages.filter((m) => m.param === 'mode'))]);
        return both.then(([w, w3]) => [...warnings, ...w, ...w3]);
      }
      return later ? later.then((w) => [...warnings, ...w]) : warnings;
    },
    worldToClient3d,
    trajectories: () => trajectories().map((run) => ({ ...run })),
    /** The update from `step` to `step + 1` of run `run` (an index into trajectories()): a
     * promise, as the update rule's module may still be on its way (see loadRule). */
    async explain(run, step) {
      for (const [name, v] of [['run', run], ['step', step]]) {
        if (typeof v !== 'number') throw new TypeError(`explain: ${name} must be a number, not ${v === null ? 'null' : typeof v}`);
      }
      const explain = await loadRule();
      return JSON.parse(inEnglishErrors(() => explain(run, step)));
    },
    startPoints: () => JSON.parse(viz.start_points()),
    setStart(i, x, y) {
      inEnglishErrors(() => viz.set_start(i, x, y));
      afterChange([], { keepStep: true });
      drawNow();
    },
    setView(xmin, xmax, ymin, ymax) {
      inEnglishErrors(() => viz.set_view(xmin, xmax, ymin, ymax));
      afterChange([], { keepStep: true });
      drawNow();
    },
    worldToClient(x, y) {
      const [cx, cy] = viz.world_to_css(x, y);
      const r = overlay.getBoundingClientRect();
      return { x: r.left + cx * uiScale, y: r.top + cy * uiScale };
    },
    clientToWorld(x, y) {
      const r = overlay.getBoundingClientRect();
      const [wx, wy] = viz.css_to_world((x - r.left) / uiScale, (y - r.top) / uiScale);
      return { x: wx, y: wy };
    },
    play,
    pause,
    step: stepBy,
    reset,
    status: () => ({ playing: anim.playing, step: currentStep() }),
    render: drawNow,
    memory: () => ({ wasmBytes: memoryBytes() }),
    // The network view: each loads the view's module if it is not yet, and then answers with a
    // promise; once it is loaded, as the view answers.
    train: withNetwork((n) => n.train()),
    pauseTraining: withNetwork((n) => n.pause()),
    resetTraining: withNetwork((n) => n.reset()),
    lossCurves: withNetwork((n) => n.lossCurves()),
    trainStatus: withNetwork((n) => n.status()),
    makeLandscape: withNetwork((n, member) => n.makeLandscape(member)),
    /** Optimizer `member`'s network on training example `example`, as the book's layers. */
    layerGraph: withNetwork((n, member = 0, example = 0) => n.layerGraph(member, example)),
    landscape: withNetwork((n) => n.landscape()),
    landscapeToClient: withNetwork((n, a, b) => n.landscapeToClient(a, b)),
    /** A promise that the network view's module is loaded (it is fetched the first time). */
    loadNetwork: () => loadNetwork().then(() => undefined),
  };
  /** `f(network view, ...args)`: at once if the view is loaded, else a promise, once loaded. */
  function withNetwork(f) {
    return (...args) => (network ? f(network, ...args) : loadNetwork().then((n) => f(n, ...args)));
  }

  loading.hidden = true;
  syncControls();
  showTab(query.get('tab'));
  if (query.has('tab') && !TABS.includes(query.get('tab'))) {
    messages.push(warning('tab', 'page.tab-showed', { value: query.get('tab').slice(0, 60), tabs: TABS.join(', ') }));
  }
  // ?embed=1: only the plot, a compact bar and the legend (index.html sets the class before the
  // first paint, from the same test); ?autoplay=1: plays while the plot is on screen.
  const flags = {};
  for (const key of FLAGS) {
    const value = query.get(key);
    if (value === null) continue;
    const v = value.trim().toLowerCase();
    if (['1', 'true', ''].includes(v)) flags[key] = true;
    else if (['0', 'false'].includes(v)) flags[key] = false;
    else messages.push(warning(key, 'page.flag', { key, value: value.slice(0, 60) }));
  }
  document.documentElement.classList.toggle('embed', Boolean(flags.embed));
  if (flags.autoplay && 'IntersectionObserver' in window) {
    // Plays when at least half the plot is visible, pauses when it is not, so slides that are
    // not shown do not run.
    // (isIntersecting stays true for a plot only partly shown: the ratio decides.)
    new IntersectionObserver((entries) => {
      const shown = entries.at(-1).intersectionRatio >= 0.5;
      if (shown && !anim.playing) play();
      else if (!shown && anim.playing) pause();
    }, { threshold: [0, 0.5, 1] }).observe($('plot'));
  }
  showMessages();
  showMode();
  resize();
  // 3-D asked for in the address: drawn when its module is there (the plot says it is loading).
  if (mode === '3d') setTimeout(() => loadView3d().then(() => requestDraw()).catch(() => {}), 0);
  // The network view's keys in the address (other than the shared seed): it is loaded after the
  // first frame, so its own state() and warnings are there soon.
  if (!network && [...query.keys()].some((k) => NET_KEYS.includes(k) && k !== 'seed')) setTimeout(() => loadNetwork().catch(() => {}), 0);
  // Opened on the network view (showTab began loading it): it is there when the page is ready.
  if (currentTab === 'network') await networkLoad?.catch(() => {});
  syncUrl();
  window.gradscape = api;
  window.dispatchEvent(new CustomEvent('gradscape:ready'));
  if (window.parent !== window) answerHost();
  requestAnimationFrame(() => {
    ruleLater = false;
    loadRule().catch(() => {});
    desynchronize();
  });
}

/** In a frame (the <gradscape-viz> element's, or any host's), the API answers messages
 * `{gradscape: id, method, args}` with `{gradscape: id, result}` or `{gradscape: id, error}`, and
 * says `{gradscapeReady: true}` once. Nothing the API gives is private to the page. */
function answerHost() {
  const api = window.gradscape;
  window.addEventListener('message', async ({ data, source }) => {
    if (!data || typeof data !== 'object' || typeof data.gradscape !== 'number' || !source) return;
    const reply = (m) => source.postMessage({ gradscape: data.gradscape, ...m }, '*');
    const method = api[data.method];
    if (typeof method !== 'function' || !Object.hasOwn(api, data.method)) {
      reply({ error: `no method '${String(data.method).slice(0, 40)}'` });
      return;
    }
    try {
      reply({ result: await method(...(Array.isArray(data.args) ? data.args : [])) });
    } catch (e) {
      reply({ error: e && e.message ? e.message : String(e) });
    }
  });
  window.parent.postMessage({ gradscapeReady: true, gradscapeTitle: t('share.frame-title') }, '*');
}

main().catch((e) => {
  if (!loading.classList.contains('error')) fatal(t('start.stopped', { error: (e && say(e)) || String(e) }));
  console.error(e);
});

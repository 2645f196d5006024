// The first load: what the default page fetches before it is ready (files and gzipped bytes),
// that each other view's module is fetched once, when that view is first opened by a real click,
// and that a view whose module cannot be fetched says so while the surfaces work on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { start, open, drag } from './harness.mjs';
import { noteReady, startedBeforeReady } from '../scripts/ready.mjs';

/** The most the default page may fetch, gzipped, before `gradscape:ready` (see README, "Where the bytes go"):
 * 120 KB, below TensorFlow Playground's 121 KB. */
const FIRST_LOAD_LIMIT = 120 * 1024;

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/**
 * Opens `path` in a new browser context and counts every request started before the page fired
 * `gradscape:ready`: `{files: [path], gzipped, raw, text}`, each body gzipped at level 9 as a
 * server would send it; `text` is the bodies of the page and its scripts.
 */
async function firstLoad(path) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await noteReady(context);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await page.goto(env.base + path);
  await page.waitForFunction(() => window.gradscapeReadyAt !== undefined, null, { timeout: 20000 });
  // The requests started before ready (scripts/ready.mjs), once every one has ended.
  await page.waitForLoadState('networkidle');
  const started = new Set(await startedBeforeReady(page));
  const files = [];
  let gzipped = 0;
  let raw = 0;
  let text = '';
  for (const r of responses) {
    const url = new URL(r.url());
    if (url.protocol === 'data:') continue;
    if (r.request().resourceType() !== 'document' && !started.has(r.url())) continue;
    const body = await r.body();
    if (!url.pathname.endsWith('.wasm')) text += body.toString('utf8');
    files.push(url.pathname);
    raw += body.length;
    gzipped += gzipSync(body, { level: 9 }).length;
  }
  await context.close();
  assert.deepEqual(errors, []);
  return { files, gzipped, raw, text };
}

test('the default page, the embedded view and the element fetch the surfaces view alone, within the first-load budget', async () => {
  for (const path of ['', '?embed=1', '?embed=1&autoplay=1&f=rosenbrock']) {
    const { files, gzipped, text } = await firstLoad(path);
    const kb = (gzipped / 1024).toFixed(1);
    // Nor the other views' markup and English words: they come with those views.
    for (const words of ['Make landscape', 'Decision regions', 'All at once', 'Layers as a graph', 'mean |backprop']) {
      assert.ok(!text.includes(words), `${path || 'the default page'} carries "${words}" of another view`);
    }
    assert.ok(text.includes('Add optimizer'), 'the surfaces view\'s words are in the first load');
    // The update rule's panel (it writes MathML) comes once the page is ready.
    assert.ok(!text.includes('1998/Math/MathML'), `${path || 'the default page'} carries the update rule's panel`);
    // The page, its script and the chunks it shares with the views (the words; the optimizer
    // panel), the surfaces' module: nothing of another view.
    assert.ok(files.some((f) => f.endsWith('/gradscape_web_bg.wasm')), files.join(', '));
    for (const other of ['network', 'gradscape_net', 'graph', 'layers', 'gradscape_export', 'digits', 'i18n/', 'train-worker', 'view3d', 'gradscape_3d']) {
      assert.ok(!files.some((f) => f.includes(other)), `${path || 'the default page'} fetched ${other}: ${files.join(', ')}`);
    }
    assert.ok(files.length <= 6, `${files.length} files: ${files.join(', ')}`);
    assert.ok(gzipped <= FIRST_LOAD_LIMIT, `${path || 'the default page'}: ${kb} KB gzipped before ready (${files.join(', ')})`);
  }
});

test('each other view is fetched once, when a real click first opens it', async () => {
  const t = await open(env, '');
  const { page } = t;
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const count = (name) => fetched.filter((p) => p.endsWith(name)).length;
  await page.waitForTimeout(300);
  assert.equal(count('/gradscape_net_bg.wasm'), 0, 'the network view is not fetched before it is opened');
  // The network view: its tab, then training by a click on Train (the worker is given the
  // compiled module, not a second fetch).
  await page.click('#tab-network');
  await page.waitForSelector('#net-loading', { state: 'hidden' });
  await page.fill('#net-iters', '40');
  await page.press('#net-iters', 'Enter');
  await page.click('#train');
  await page.waitForFunction(() => window.gradscape.trainStatus().iteration === 40, null, { timeout: 20000 });
  await page.click('#tab-graph');
  await page.waitForSelector('#graph-canvas svg', { timeout: 20000 });
  for (const tab of ['surfaces', 'network', 'graph', 'network', 'surfaces']) await page.click(`#tab-${tab}`);
  // The network's layers, drawn by the Graph view's module (already here).
  await page.click('#tab-network');
  await page.click('#layers-box summary');
  await page.waitForSelector('.layer-node');
  for (const file of ['/network.js', '/gradscape_net_bg.wasm', '/graph.js', '/gradscape_graph_bg.wasm', '/layers.js']) {
    assert.equal(count(file), 1, `${file} fetched ${count(file)} times: ${fetched.join(', ')}`);
  }
  t.check();
  await t.close();
});

/**
 * The default page in a new context where fetches of `file` fail as offline; `online()` lets
 * them through again. Page errors are collected in `errors`.
 */
async function offlineFor(file) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const offline = (route) => route.abort('internetdisconnected');
  await context.route(file, offline);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.base);
  await page.waitForFunction(() => window.gradscape !== undefined);
  return { context, page, errors, online: () => context.unroute(file, offline) };
}

/**
 * Opens the default page with the script chunk whose text holds `marker` (chunks are named by a
 * hash) failing to fetch until `online()`; once online, each fetch of it is counted (`fetched()`)
 * and answered after `delay` ms, a slow network.
 */
async function offlineChunk(marker, { delay = 0, ...contextOptions } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  let offline = true;
  let fetched = 0;
  await context.route(/\/www\/chunk-[^/]*\.js$/, async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    if (!body.includes(marker)) return route.fulfill({ response, body });
    if (offline) return route.abort('internetdisconnected');
    fetched += 1;
    await new Promise((ok) => setTimeout(ok, delay));
    return route.fulfill({ response, body });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.base);
  await page.waitForFunction(() => window.gradscape !== undefined);
  return { context, page, errors, online: () => (offline = false), fetched: () => fetched };
}

/** A real drag of the first start in 2-D moves it, and its paths, to where it was dropped. */
async function dragStartIn2d(page) {
  const [before] = await page.evaluate(() => window.gradscape.startPoints());
  const from = await page.evaluate(([x, y]) => window.gradscape.worldToClient(x, y), before);
  await drag(page, from, { x: from.x + 60, y: from.y + 40 });
  const [after] = await page.evaluate(() => window.gradscape.startPoints());
  const moved = await page.evaluate(([x, y]) => window.gradscape.worldToClient(x, y), after);
  assert.ok(Math.abs(moved.x - (from.x + 60)) < 1.5 && Math.abs(moved.y - (from.y + 40)) < 1.5, `the start is at ${JSON.stringify(moved)}`);
  assert.deepEqual((await page.evaluate(() => window.gradscape.trajectories()))[0].points[0], after);
}

test('when the network view cannot be fetched, it says so, the surfaces work on, and opening it again retries', async () => {
  const { context, page, errors, online } = await offlineFor(/gradscape_net_bg\.wasm/);
  await page.click('#tab-network');
  await page.waitForFunction(() => /could not be loaded/.test(document.querySelector('#net-loading').textContent));
  assert.equal(await page.isVisible('#train'), false, 'the network view\'s controls wait for its module');
  // The surfaces: the message is there too, and a start dragged with the mouse moves its paths.
  await page.click('#tab-surfaces');
  assert.match(await page.textContent('#messages'), /network view could not be loaded/);
  await dragStartIn2d(page);
  // Back online: the tab loads the view.
  await online();
  await page.click('#tab-network');
  await page.waitForSelector('#net-loading', { state: 'hidden' });
  assert.equal(await page.isVisible('#train'), true);
  assert.equal(errors.length, 0, errors.join('\n'));
  await context.close();
});

test('when the 3-D view cannot be fetched, it says so, the 2-D view works on, and choosing 3-D again retries', async () => {
  const { context, page, errors, online } = await offlineFor(/gradscape_3d_bg\.wasm/);
  await page.click('#mode-3d');
  await page.waitForFunction(() => /3-D view could not be loaded/.test(document.querySelector('#messages').textContent));
  assert.equal((await page.evaluate(() => window.gradscape.state())).mode, '2d');
  assert.equal(await page.evaluate(() => document.getElementById('plot').classList.contains('three')), false);
  assert.equal(await page.isDisabled('#mode-3d'), false, 'a fetch that failed does not say WebGL is missing');
  await dragStartIn2d(page);
  // Back online: the switch loads the view.
  await online();
  await page.click('#mode-3d');
  await page.waitForFunction(() => document.getElementById('plot').classList.contains('three'));
  assert.equal((await page.evaluate(() => window.gradscape.state())).mode, '3d');
  assert.equal(errors.length, 0, errors.join('\n'));
  await context.close();
});

test('the update rule\'s panel comes after ready; when it cannot be fetched its box says so, the plot works on, and reopening the box retries', async () => {
  // Its chunk is the one that writes MathML.
  const { context, page, errors, online } = await offlineChunk('1998/Math/MathML');
  await page.waitForFunction(() => /update rule could not be loaded/.test(document.getElementById('rule-caption').textContent));
  assert.equal(await page.locator('#rule [data-line]').count(), 0);
  await dragStartIn2d(page);
  // Back online: closing and opening the box (real clicks on its summary) loads the panel, which
  // shows the rule of the first optimizer at the current step.
  online();
  await page.click('#rule-box summary');
  await page.click('#rule-box summary');
  await page.waitForSelector('#rule [data-line]');
  assert.match(await page.textContent('#rule-caption'), /^SGD: update from step \d+ to/);
  assert.equal(errors.length, 0, errors.join('\n'));
  await context.close();
});

test('saving and sharing are fetched once, at their first use, the button showing that it waits; when they cannot be fetched, Save PNG says so, the plot works on, and the next click retries', async () => {
  // Their chunk is the one that records WebM video; once online, a slow network (the button
  // shows that it waits).
  const { context, page, errors, online, fetched } = await offlineChunk('video/webm;codecs=vp9', { delay: 400, acceptDownloads: true });
  await page.click('#save-png');
  await page.waitForFunction(() => /saving and sharing could not be loaded/.test(document.getElementById('messages').textContent));
  await dragStartIn2d(page);
  // Back online: the same button saves the image (a PNG file: its signature, and the plot's size
  // at twice the screen's resolution), and the Share button then opens its dialog with the page's
  // address, from the same fetch.
  online();
  const downloaded = page.waitForEvent('download');
  await page.click('#save-png');
  assert.equal(await page.getAttribute('#save-png', 'aria-busy'), 'true', 'the button says it waits');
  const download = await downloaded;
  assert.equal(await page.getAttribute('#save-png', 'aria-busy'), null);
  assert.equal(download.suggestedFilename(), 'gradscape.png');
  const png = await readFile(await download.path());
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const box = await page.evaluate(() => {
    const r = document.getElementById('plot').getBoundingClientRect();
    return [r.width, r.height];
  });
  assert.ok(Math.abs(width - 2 * box[0]) <= 2 && Math.abs(height - 2 * box[1]) <= 2, `${width}×${height} for a ${box} plot`);
  await page.click('#share-button');
  await page.waitForSelector('#share', { state: 'visible' });
  assert.ok((await page.inputValue('#share-link')).startsWith(env.base), 'the link is the page\'s address');
  assert.equal(fetched(), 1);
  assert.equal(errors.length, 0, errors.join('\n'));
  await context.close();
});

test('before the network view is fetched, state() gives its settings as the view itself gives them once loaded', async () => {
  // (A network key in the address would fetch the view at once.)
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const keys = ['data', 'hidden', 'act', 'init', 'batch', 'iters', 'seed', 'nopt', 'dirs', 'nlog'];
  const pick = (s) => Object.fromEntries(keys.map((k) => [k, s[k]]));
  const before = pick(await page.evaluate(() => window.gradscape.state()));
  // Nothing of the view fetched yet.
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => /network\.js|gradscape_net/.test(e.name))), false);
  // ReLU with He's initial weights, as the book's chapter 6 pairs them.
  assert.equal(before.act, 'relu');
  assert.equal(before.init, 'he');
  await page.evaluate(() => window.gradscape.loadNetwork());
  const after = pick(await page.evaluate(() => window.gradscape.state()));
  assert.deepEqual(before, after);
  p.check();
  await p.close();
});

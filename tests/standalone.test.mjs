// dist/standalone.html opened from disk, as from a USB stick in a room without a network: the
// page and both views work, with the same URL parameters, and it requests nothing at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { start } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const FILE = resolve('dist/standalone.html');

async function openFile(query) {
  assert.ok(existsSync(FILE), 'dist/standalone.html is missing: run npm run build');
  const url = pathToFileURL(FILE).href;
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Any request but the file itself fails the test (and is refused).
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.split('?')[0] === url) return route.continue();
    problems.push(`request: ${u}`);
    return route.abort();
  });
  page.on('request', (r) => {
    if (r.url().split('?')[0] !== url && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(url + query);
  await page.waitForFunction(() => window.gradscape !== undefined, null, { timeout: 20000 });
  return { context, page, problems };
}

test('standalone.html from file:// draws the book preset and trains, with no request', async () => {
  const { context, page, problems } = await openFile('?preset=book-6-8');
  assert.match(page.url(), /^file:\/\//);
  // Deep Learning from Scratch, Figure 6-8: SGD after 30 updates from (−7, 2).
  const runs = await page.evaluate(() => window.gradscape.trajectories());
  assert.deepEqual(runs[0].points.at(-1), [-0.3503929957523197, 0.0847823165504322]);
  assert.equal(await page.evaluate(() => document.getElementById('surface').width > 0), true);
  // The SVG export's module is in the file too.
  const svg = await page.evaluate(() => window.gradscape.exportSVG());
  assert.match(svg, /^<svg [^>]*width="\d+"/);
  // A coloured polyline per optimizer (and Momentum's velocity arrow).
  assert.ok((svg.match(/<polyline [^>]*stroke="#(?!FFFFFF|000000)/g) || []).length >= 4, 'a coloured path per optimizer');
  // Saving and sharing are in the file: the share dialog, opened by a click, gives its address.
  await page.click('#share-button');
  await page.waitForSelector('#share', { state: 'visible' });
  assert.match(await page.inputValue('#share-link'), /^file:\/\/.*standalone\.html\?/);
  await page.click('#share-close');
  // The 3-D view, its script and module carried in the file.
  await page.click('#mode-3d');
  await page.waitForFunction(() => document.getElementById('plot').classList.contains('three'), null, { timeout: 20000 });
  assert.ok(await page.evaluate(() => window.gradscape.worldToClient3d(-7, 2)), 'the start is drawn in 3-D');
  await page.click('#mode-2d');
  // The network view, the digits carried in the file, trained in frames (no worker from disk).
  await page.evaluate(() => window.gradscape.setState({ tab: 'network', data: 'digits', hidden: '20', iters: 30, batch: 20 }));
  await page.waitForFunction(() => window.gradscape.state().data === 'digits', null, { timeout: 20000 });
  const curves = await page.evaluate(() => window.gradscape.train());
  assert.equal(curves.length, 4);
  assert.equal(curves[0].loss.length, 30);
  assert.ok(curves.every((c) => c.loss.every(Number.isFinite)));
  // The network's layers, through the Graph view's module carried in the file.
  const layers = await page.evaluate(() => window.gradscape.layerGraph(0, 0));
  assert.equal(layers.layers.at(-1).name, 'SoftmaxWithLoss');
  // The Graph view, its script and module carried in the file: the book's apples, 220.
  await page.click('#tab-graph');
  await page.evaluate(() => window.gradscape.setState({ graph: 'apple' }));
  const graph = await page.evaluate(() => window.gradscape.graph());
  assert.ok(Math.abs(graph.nodes[graph.output].value - 220) < 1e-9);
  assert.equal(await page.locator('#graph-canvas svg g.node').count(), 5);
  assert.deepEqual(problems, [], problems.join('\n'));
  await context.close();
});

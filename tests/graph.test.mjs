// The Graph view: the book's chapter 5 examples, the graph at an optimizer's point agreeing bit
// for bit with the gradient the optimizer takes, stepping by real clicks and keys, a node's card,
// fan-out sums, the inset dragged with the mouse, bad input, and the view's module fetched only
// when the view is opened (and a failed fetch leaving the other views working).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, open } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const close = (a, b, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const input = (g, name) => g.nodes.find((n) => n.op === 'input' && n.label === name);
/** The texts of the graph's labels of one class that are shown now. */
const shown = (page, cls) => page.$$eval(`#graph-canvas text.${cls}`, (els) => els.filter((e) => !e.hasAttribute('data-hidden')).map((e) => e.textContent));

async function graphShown(page) {
  await page.waitForSelector('#graph-canvas svg', { timeout: 20000 });
}

test('the Graph view is fetched only when opened, once, by a real click on its tab', async () => {
  const t = await open(env, '');
  const { page } = t;
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.waitForTimeout(300);
  assert.ok(!fetched.some((p) => p.includes('graph')), `the default page fetched ${fetched.join(', ')}`);
  await page.click('#tab-graph');
  await graphShown(page);
  await page.click('#tab-surfaces');
  await page.click('#tab-graph');
  const graphFiles = fetched.filter((p) => p.includes('graph'));
  assert.deepEqual(graphFiles.sort(), ['/www/graph.js', '/www/pkg/gradscape_graph_bg.wasm']);
  await page.waitForFunction(() => /tab=graph/.test(location.search));
  t.check();
  await t.close();
});

test('apples, as in figure 5-16: 220 forward; 2.2, 110 and 200 backward, stepped by keys', async () => {
  const t = await open(env, '?tab=graph&graph=apple');
  const { page } = t;
  await graphShown(page);
  // Nothing computed yet: only the inputs' values show.
  assert.deepEqual((await shown(page, 'fwd')).sort(), ['1.1', '100', '2']);
  assert.deepEqual(await shown(page, 'bwd'), []);
  await page.click('#graph-canvas', { position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#graph-explain'), /100 × 2 = 200/);
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#graph-explain'), /200 × 1\.1 = 220\b/);
  assert.ok((await shown(page, 'fwd')).includes('220'), 'f = 220 (f64 gives 220.00000000000003)');
  await page.keyboard.press('ArrowRight');
  // Backward through the last multiply node: it swaps its inputs.
  assert.match(await page.textContent('#graph-explain'), /swaps its inputs/);
  assert.match(await page.textContent('#graph-explain'), /1 × 1\.1 = 1\.1.*1 × 200 = 200/);
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#graph-explain'), /1\.1 × 2 = 2\.2.*1\.1 × 100 = 110/);
  assert.deepEqual((await shown(page, 'bwd')).sort(), ['1', '1.1', '110', '2.2', '200']);
  // ← goes back a step.
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual((await shown(page, 'bwd')).sort(), ['1', '1.1', '200']);
  const g = await page.evaluate(() => window.gradscape.graph());
  assert.ok(close(g.nodes[g.output].value, 220));
  assert.ok(close(input(g, 'apple').grad, 2.2));
  assert.ok(close(input(g, 'apple_num').grad, 110));
  assert.ok(close(input(g, 'tax').grad, 200));
  assert.deepEqual(g.nodes.map((n) => n.op), ['input', 'input', 'mul', 'input', 'mul']);
  t.check();
  await t.close();
});

test('apples and oranges, as in figure 5-17, through setState and all at once', async () => {
  const t = await open(env, '');
  const { page } = t;
  await page.evaluate(() => window.gradscape.setState({ tab: 'graph', graph: 'apple-orange' }));
  await page.waitForFunction(() => document.querySelector('#graph-formula')?.textContent.includes('orange'));
  await page.click('#graph-all');
  const g = await page.evaluate(() => window.gradscape.graph());
  assert.ok(close(g.nodes[g.output].value, 715));
  for (const [name, want] of [['apple', 2.2], ['apple_num', 110], ['orange', 3.3], ['orange_num', 165], ['tax', 650]]) {
    assert.ok(close(input(g, name).grad, want), `${name}: ${input(g, name).grad}`);
  }
  // Each edge's contribution: the add node passes 1.1 to both products, tax gets 650.
  assert.deepEqual((await shown(page, 'bwd')).sort(), ['1', '1.1', '1.1', '1.1', '110', '165', '2.2', '3.3', '650']);
  // Inputs edited from the API: 3 apples → (300 + 450) × 1.1 = 825.
  await page.evaluate(() => window.gradscape.setState({ inputs: { apple_num: 3 } }));
  const h = await page.evaluate(() => window.gradscape.graph());
  assert.ok(close(h.nodes[h.output].value, 825));
  await page.waitForFunction(() => /graph=apple-orange&inputs=apple_num:3/.test(location.search));
  t.check();
  await t.close();
});

test('the sigmoid node by node: ×(−1), exp, +1, /, and dy/dx = y(1 − y)', async () => {
  const t = await open(env, '?tab=graph&graph=sigmoid&inputs=x:0.8');
  const { page } = t;
  await graphShown(page);
  const g = await page.evaluate(() => window.gradscape.graph());
  assert.deepEqual(g.nodes.filter((n) => !['input', 'const'].includes(n.op)).map((n) => n.op), ['mul', 'exp', 'add', 'div']);
  const y = 1 / (1 + Math.exp(-0.8));
  assert.ok(close(g.nodes[g.output].value, y, 1e-15));
  assert.ok(close(input(g, 'x').grad, y * (1 - y), 1e-14));
  t.check();
  await t.close();
});

test('at the optimizer\'s point, the graph\'s ∂f/∂x and ∂f/∂y are the gradient the optimizer takes, bit for bit', async () => {
  for (const f of ['elongated', 'rosenbrock', 'beale', 'ackley', 'goldstein-price', 'sin(x)*y^2 - exp(x/3)']) {
    const t = await open(env, `?f=${encodeURIComponent(f)}&opt=sgd(lr=0.001),adam(lr=0.05)&start=0.3,-0.4&steps=25`);
    const { page } = t;
    // A real click on the tab, then the run chosen by its menu.
    // The surfaces view at step 2, then a real click on the tab and the run chosen by its menu.
    await page.click('#reset');
    await page.click('#step');
    await page.click('#step');
    await page.waitForFunction(() => window.gradscape.status().step === 2);
    await page.click('#tab-graph');
    await graphShown(page);
    for (const run of [0, 1]) {
      await page.selectOption('#graph-run', String(run));
      const g = await page.evaluate(() => window.gradscape.graph());
      const e = await page.evaluate((r) => window.gradscape.explain(r, 2), run);
      assert.equal(input(g, 'x').value, e.point[0], `${f}: x`);
      assert.equal(input(g, 'y').value, e.point[1], `${f}: y`);
      assert.equal(input(g, 'x').grad, e.gradient[0], `${f} run ${run}: ∂f/∂x`);
      assert.equal(input(g, 'y').grad, e.gradient[1], `${f} run ${run}: ∂f/∂y`);
      // And against central differences (h = 1e-4), as every node's card shows, where that step
      // is small enough for the difference to be trusted.
      const f0 = g.nodes[g.output].value;
      for (const n of g.nodes.filter((m) => m.grad !== null && m.numerical !== null && Math.abs(f0) < 1e4)) {
        assert.ok(Math.abs(n.grad - n.numerical) <= 1e-4 * Math.max(1, Math.abs(n.grad)), `${f}: node ${n.id} ${n.label}: ${n.grad} vs ${n.numerical}`);
      }
    }
    t.check();
    await t.close();
  }
});

test('a value used twice sums what comes back (x·y + x at (3, 4): 4 + 1 = 5), and a click on a node shows its card', async () => {
  const t = await open(env, `?f=${encodeURIComponent('x*y + x')}&tab=graph&graph=surface&inputs=x:3,y:4`);
  const { page } = t;
  await graphShown(page);
  await page.click('#graph-all');
  assert.deepEqual(await shown(page, 'grad'), ['Σ 5']);
  await page.click('#graph-reset');
  await page.click('#graph-canvas', { position: { x: 5, y: 5 } });
  // Forward: × then +; backward: + hands x 1, then × hands it y = 4, 1 + 4 = 5.
  for (let k = 0; k < 4; k += 1) await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#graph-explain'), /fans out: 1 \+ 4 = 5, complete/);
  // A real click on the x node.
  const x = await page.$('#graph-canvas g.node.input[data-id="0"]');
  await x.click();
  const card = await page.textContent('#graph-card');
  assert.match(card, /Input x/);
  assert.match(card, /value3/);
  assert.match(card, /∂f\/∂\(this value\)5/);
  assert.match(card, /central difference \(h = 1e-4\)5/);
  // ↓ goes to the next node.
  await page.keyboard.press('ArrowDown');
  assert.match(await page.textContent('#graph-card'), /Input y/);
  t.check();
  await t.close();
});

test('dragging the inset with the mouse moves the graph\'s point', async () => {
  const t = await open(env, '?f=sphere&start=-7,2');
  const { page } = t;
  await page.click('#tab-graph');
  await graphShown(page);
  const box = await page.locator('#graph-inset').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.25, { steps: 4 });
  await page.mouse.up();
  const g = await page.evaluate(() => window.gradscape.graph());
  const [x, y] = [input(g, 'x').value, input(g, 'y').value];
  // Three quarters across and a quarter down the view is (xmin + ¾·width, ymax − ¼·height).
  const [xmin, xmax, ymin, ymax] = (await page.evaluate(() => window.gradscape.state().view)).split(',').map(Number);
  const want = [xmin + 0.75 * (xmax - xmin), ymax - 0.25 * (ymax - ymin)];
  const tol = (xmax - xmin) / box.width;
  assert.ok(Math.abs(x - want[0]) <= tol && Math.abs(y - want[1]) <= tol, `(${x}, ${y}) vs ${want}`);
  assert.equal(await page.isChecked('#graph-follow'), false);
  // f = x² + y² and its gradient (2x, 2y) there.
  assert.ok(close(g.nodes[g.output].value, x * x + y * y));
  assert.equal(input(g, 'x').grad, 2 * x);
  await page.waitForFunction(() => /inputs=x:/.test(location.search));
  // The drag's click gave the inset the keys: → moves the point a fiftieth of the view right.
  await page.keyboard.press('ArrowRight');
  const h = await page.evaluate(() => window.gradscape.graph());
  assert.ok(Math.abs(input(h, 'x').value - (x + 0.02 * (xmax - xmin))) < 1e-9 * (xmax - xmin), `${input(h, 'x').value}`);
  assert.ok(Math.abs(input(h, 'y').value - y) < 1e-9 * (ymax - ymin));
  t.check();
  await t.close();
});

test('bad input is named and the view keeps working', async () => {
  const t = await open(env, '?tab=graph&graph=apple&inputs=apple:abc,pear:3');
  const { page } = t;
  await graphShown(page);
  const text = await page.textContent('#graph-messages');
  assert.match(text, /'apple' must be a finite number, not 'abc'/);
  assert.match(text, /'pear'/);
  let g = await page.evaluate(() => window.gradscape.graph());
  assert.ok(close(g.nodes[g.output].value, 220), 'the example with its own values');
  // A typed field that is not a number.
  await page.fill('#graph-inputs input[data-name="tax"]', '1.1.1');
  await page.press('#graph-inputs input[data-name="tax"]', 'Enter');
  assert.match(await page.textContent('#graph-messages'), /tax: '1\.1\.1' is not a finite number/);
  await page.fill('#graph-inputs input[data-name="tax"]', '1.5');
  await page.press('#graph-inputs input[data-name="tax"]', 'Enter');
  g = await page.evaluate(() => window.gradscape.graph());
  assert.ok(close(g.nodes[g.output].value, 300));
  // An unknown graph.
  await page.evaluate(() => window.gradscape.setState({ graph: 'pears' }));
  assert.match(await page.textContent('#graph-messages'), /no graph 'pears'/);
  // A 10,000-character formula on the surfaces view: too many nodes, said so, the last graph kept.
  const big = Array.from({ length: 1200 }, (_, k) => `${k}*x`).join('+').slice(0, 9990).replace(/\+[^+]*$/, '');
  await page.evaluate(() => window.gradscape.setState({ graph: 'surface' }));
  await page.evaluate((f) => window.gradscape.setState({ f }), big);
  assert.match(await page.textContent('#graph-messages'), /the graph has \d+ nodes/);
  await page.evaluate(() => window.gradscape.setState({ f: 'x^2 + y^2' }));
  g = await page.evaluate(() => window.gradscape.graph());
  assert.equal(g.nodes.length, 7);
  assert.equal(await page.textContent('#graph-messages'), '');
  t.check();
  await t.close();
});

test('when the Graph view cannot be fetched, it says so and the surfaces work on', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route(/graph/, (route) => route.abort());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.base);
  await page.waitForFunction(() => window.gradscape !== undefined);
  await page.click('#tab-graph');
  await page.waitForFunction(() => /could not be loaded/.test(document.querySelector('#graph-loading')?.textContent ?? ''));
  await page.click('#tab-surfaces');
  assert.match(await page.textContent('#messages'), /Graph view could not be loaded/);
  await page.click('#step');
  assert.equal(errors.length, 0, errors.join('\n'));
  await context.close();
});

test('the network as a graph: a real click opens its layers; the numbers agree with the book\'s formulas and with central differences', async () => {
  const t = await open(env, '?tab=network&data=xor&hidden=6&act=sigmoid&iters=20');
  const { page } = t;
  await page.click('#layers-box summary');
  await page.waitForSelector('.layer-node');
  const names = await page.$$eval('.layer-node strong', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, ['Affine1', 'Sigmoid1', 'Affine2', 'SoftmaxWithLoss']);
  const edges = await page.$$eval('.layer-edge .shape', (els) => els.map((e) => e.textContent));
  assert.deepEqual(edges.slice(0, 4), ['x (1, 2)', '(1, 6)', '(1, 6)', '(1, 2)']);
  for (const example of [0, 7]) {
    const g = await page.evaluate((k) => window.gradscape.layerGraph(0, k), example);
    const [affine1, sigmoid, affine2, softmax] = g.layers;
    // Softmax-with-Loss backward is y − t, from the scores (Affine2's output), written here.
    const scores = affine2.forward;
    const top = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - top));
    const total = exps.reduce((a, b) => a + b, 0);
    const y = exps.map((e) => e / total);
    y.forEach((p, i) => assert.ok(Math.abs(softmax.backward[i] - (p - (i === g.label ? 1 : 0))) < 1e-12, `y − t at ${i}`));
    assert.ok(Math.abs(g.loss + Math.log(y[g.label] + 1e-7)) < 1e-12, 'L = −log(y_t + 1e-7)');
    // Sigmoid backward: dL/dx = dL/dy · y(1 − y), with dL/dy Affine2's backward.
    sigmoid.forward.forEach((s, i) => assert.ok(Math.abs(sigmoid.backward[i] - affine2.backward[i] * s * (1 - s)) < 1e-12));
    // Affine backward: dL/dx = dout · Wᵀ, with W from the W part and dout the sigmoid's backward.
    const W = affine1.parts.find((p) => p.op === 'param' && p.label.startsWith('W'));
    const [rows, cols] = W.shape;
    for (let i = 0; i < rows; i += 1) {
      let s = 0;
      for (let j = 0; j < cols; j += 1) s += sigmoid.backward[j] * W.forward[i * cols + j];
      assert.ok(Math.abs(affine1.backward[i] - s) < 1e-12);
    }
    // Every checked weight gradient against its central difference (h = 1e-4).
    for (const layer of [affine1, affine2]) {
      for (const p of layer.params) {
        for (const e of p.entries) assert.ok(Math.abs(e.backprop - e.numerical) < 1e-6, `${p.name}[${e.index}]`);
      }
    }
  }
  // A real click on the sigmoid layer: its figure in the book, four nodes.
  await page.click('.layer-node[data-layer="1"]');
  const parts = await page.$$eval('#layers-detail .part strong', (els) => els.map((e) => e.textContent));
  assert.deepEqual(parts, ['x', '×(−1)', 'exp', '+1', '/']);
  await page.click('.layer-node[data-layer="3"]');
  const loss = await page.$$eval('#layers-detail .part strong', (els) => els.map((e) => e.textContent));
  assert.ok(loss.includes('Softmax') && loss.includes('Cross Entropy Error'), loss.join());
  // An example that is not there: named, the last one kept.
  await page.fill('#layers-example', '100000');
  await page.press('#layers-example', 'Enter');
  await page.waitForFunction(() => /not one of the training examples/.test(document.querySelector('#net-messages').textContent));
  assert.equal(await page.inputValue('#layers-example'), '0');
  t.check();
  await t.close();
});

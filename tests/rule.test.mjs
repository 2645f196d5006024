// The update rule panel and window.gradscape.explain: the numbers the panel shows redo by hand
// to its results, explain agrees with the runs and with the CLI, schedules and noise from the
// address and the fields, and the plot taking the keyboard from a real click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, open as openPage } from './harness.mjs';

/** The page, once its update rule's panel (fetched after ready) has filled its menu. */
async function open(...args) {
  const p = await openPage(...args);
  await p.page.waitForSelector('#rule-run option', { state: 'attached' });
  return p;
}

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const EPS = 1e-7;
/** The book's formulas, written here from the book, not from the page or the core. */
const BOOK = {
  rate: ([eta, s]) => eta * s,
  noise: ([g, sigma, e]) => g + sigma * e,
  sgd: ([w, lr, g]) => w - lr * g,
  velocity: ([a, v, lr, g]) => a * v - lr * g,
  'add-velocity': ([w, v]) => w + v,
  nesterov: ([w, a, v, lr, g]) => w + a * a * v - (1 + a) * lr * g,
  'ada-grad-h': ([h, g]) => h + g * g,
  'rms-prop-h': ([rho, h, g]) => rho * h + (1 - rho) * g * g,
  scaled: ([w, lr, g, h], eps) => w - (lr * g) / (Math.sqrt(h) + eps),
  'adam-rate': ([lr, b1, b2, t]) => (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t),
  'adam-m': ([m, b1, g]) => m + (1 - b1) * (g - m),
  'adam-v': ([v, b2, g]) => v + (1 - b2) * (g * g - v),
  'adam-step': ([w, lrt, m, v], eps) => w - (lrt * m) / (Math.sqrt(v) + eps),
};

/** One unit of the last shown digit of `text` ("-6.335" → 0.001, "1.5e-7" → 1e-8). */
function lastPlace(text) {
  const [mantissa, exponent = '0'] = text.split('e');
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  return 10 ** (Number(exponent) - decimals);
}

/** A number as the panel draws it, read back: (−7) → -7, 1.5×10−7 → 1.5e-7. */
function readShown(text) {
  const t = text.replace(/[()]/g, '').replace(/−/g, '-');
  const [mantissa, exponent] = t.split('×10');
  return Number(exponent === undefined ? mantissa : `${mantissa}e${exponent}`);
}

/** A number as drawn, written back as text: (−7) → "-7", 1.5×10−7 → "1.5e-7". */
const asText = (drawn) => drawn.replace(/[()]/g, '').replace(/−/g, '-').replace('×10', 'e');

/** Every numeric row of the panel, read from the DOM: its formula, the operands as drawn, the
 * result as drawn, and whether it shows the 1e-7. */
async function readRows(page) {
  const rows = await readDrawn(page);
  for (const row of rows) {
    for (const o of row.operands) o.value = asText(o.text);
    row.result.value = asText(row.result.text);
  }
  return rows;
}

function readDrawn(page) {
  return page.$$eval('#rule [data-line]', (rows) => rows.map((r) => {
    const operands = [];
    for (const slot of r.querySelectorAll('[data-operand]')) {
      const i = Number(slot.dataset.operand);
      if (operands[i] === undefined) operands[i] = { text: slot.textContent };
    }
    const eps = r.querySelector('[data-epsilon]');
    const result = r.querySelector('[data-result]');
    return {
      formula: r.dataset.formula,
      quantity: r.dataset.quantity,
      coordinate: r.dataset.coordinate,
      text: r.textContent,
      operands,
      result: { text: result.textContent },
      epsilon: Boolean(eps) && eps.style.display !== 'none',
    };
  }));
}

async function showStep(page, label, step) {
  await page.selectOption('#rule-run', { label });
  await page.evaluate((k) => {
    window.gradscape.reset();
    window.gradscape.step(k);
  }, step);
  await page.waitForFunction(([name, k]) => document.getElementById('rule-caption').textContent.startsWith(`${name}: update from step ${k} to`), [label, step]);
}

test('the Figure 6-8 page: the panel shows the first updates as worked by hand', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  assert.equal(await page.locator('#rule-box').isVisible(), true);
  await showStep(page, 'SGD', 0);
  let rows = await readRows(page);
  assert.equal(rows.length, 2);
  // ∇f = (x/10, 2y) at (−7, 2) is (−0.7, 4); W ← W − 0.95·∇f.
  assert.deepEqual(rows[0].operands.map((o) => o.value), ['-7', '0.95', '-0.7']);
  assert.equal(rows[0].result.value, '-6.335');
  assert.equal(rows[0].text, 'Wx←(−7)−0.95×(−0.7)=−6.335');
  assert.deepEqual(rows[1].operands.map((o) => o.value), ['2', '0.95', '4']);
  assert.equal(rows[1].result.value, '-1.8');
  assert.equal(rows[1].text, 'Wy←2−0.95×4=−1.8');
  // The rule in the book's notation is there as MathML, for the eye and for screen readers.
  assert.equal(await page.locator('#rule math.rule-symbolic').count(), 1);

  await showStep(page, 'Momentum', 0);
  rows = await readRows(page);
  const v = rows.filter((r) => r.quantity === 'v').map((r) => r.result.value);
  assert.deepEqual(v, ['0.07', '-0.4']);

  await showStep(page, 'AdaGrad', 0);
  rows = await readRows(page);
  assert.deepEqual(rows.filter((r) => r.quantity === 'h').map((r) => r.result.value), ['0.49', '16']);
  p.check();
  await p.close();
});

test('every line of every optimizer, redone with the book\'s formula from the numbers shown, gives the result shown', async () => {
  for (const path of ['?preset=book-6-8', '?f=rosenbrock&opt=nesterov(lr=0.001,momentum=0.9),rmsprop(lr=0.01,decay-rate=0.9),sgd(lr=0.001,schedule=inv:0.1),adam(lr=0.1,schedule=cos:20)&noise=0.5&seed=2']) {
    const p = await open(env, path);
    const { page } = p;
    const names = await page.$$eval('#rule-run option', (os) => os.map((o) => o.textContent));
    for (const name of names) {
      for (const step of [0, 1, 15, 29]) {
        await showStep(page, name, step);
        const rows = await readRows(page);
        assert.ok(rows.length >= 2, `${name} step ${step}: rows shown`);
        for (const row of rows) {
          const shown = row.operands.map((o) => readShown(o.text));
          assert.ok(shown.every(Number.isFinite), `${path} ${name} ${step} ${row.text}: every number reads`);
          const result = readShown(row.result.text);
          const redone = BOOK[row.formula](shown, row.epsilon ? EPS : 0);
          const tolerance = 0.5 * lastPlace(row.result.value) * (1 + 1e-9);
          assert.ok(Math.abs(redone - result) <= tolerance, `${path} ${name} step ${step}: ${row.text} redone gives ${redone}`);
        }
      }
    }
    p.check();
    await p.close();
  }
});

test('explain: the runs\' own points, η·s(t), errors in words, and the same as the CLI', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  const { runs, explained } = await page.evaluate(async () => {
    const runs = window.gradscape.trajectories();
    const explain = (r) => Promise.all([0, 1, 15, 29].map((s) => window.gradscape.explain(r, s)));
    return { runs, explained: await Promise.all(runs.map((_, r) => explain(r))) };
  });
  runs.forEach((t, r) => {
    [0, 1, 15, 29].forEach((s, k) => {
      const e = explained[r][k];
      assert.deepEqual(Object.keys(e).filter((key) => ['optimizer', 'hyperparameters', 'step', 'lr', 'point', 'gradient', 'before', 'after', 'next'].includes(key)).length, 9);
      assert.equal(e.optimizer, t.optimizer);
      assert.equal(e.step, s);
      assert.deepEqual(e.point, t.points[s]);
      assert.deepEqual(e.next, t.points[s + 1]);
    });
  });
  // Bad runs and steps are errors with a message, never an answer.
  const errors = await page.evaluate(() => Promise.all([[-1, 0], [99, 0], [1.5, 0], [NaN, 0], [0, -1], [0, 30], [0, 1.5], [0, NaN], ['0', 0]].map(async ([r, s]) => {
    try {
      await window.gradscape.explain(r, s);
      return null;
    } catch (e) {
      return { error: e instanceof Error, message: e.message };
    }
  })));
  for (const e of errors) {
    assert.ok(e && e.error && e.message.length > 10, JSON.stringify(e));
  }
  assert.match(errors[0].message, /run/);
  assert.match(errors[5].message, /step/);

  await page.evaluate(() => window.gradscape.setState({ opt: 'sgd(lr=0.95,schedule=inv:0.1)' }));
  assert.equal(await page.evaluate(async () => (await window.gradscape.explain(0, 10)).lr), 0.95 / 2);
  p.check();
  await p.close();

  // The page and `gradscape explain` explain the same update alike.
  const q = await open(env, '?f=elongated&opt=momentum(lr=0.1,momentum=0.9)&start=-7,2');
  const mine = await q.page.evaluate(() => window.gradscape.explain(0, 3));
  q.check();
  await q.close();
  const cli = JSON.parse(execFileSync('cargo', ['run', '-q', '-p', 'gradscape-cli', '--', 'explain', '--function', 'elongated', '--optimizer', 'momentum',
    '--lr', '0.1', '--momentum', '0.9', '--start=-7,2', '--step', '3', '--format', 'json'], { encoding: 'utf8' }));
  for (const key of ['optimizer', 'hyperparameters', 'step', 'lr', 'point', 'gradient', 'before', 'after', 'next']) {
    assert.deepEqual(mine[key], cli[key], key);
  }
});

test('noise: σ = 0 is no noise; with σ > 0 every optimizer sees the same ε', async () => {
  const a = await open(env, '?preset=book-6-8');
  const b = await open(env, '?preset=book-6-8&noise=0');
  assert.deepEqual(await b.page.evaluate(() => window.gradscape.trajectories()), await a.page.evaluate(() => window.gradscape.trajectories()));
  a.check();
  b.check();
  await a.close();
  await b.close();

  const p = await open(env, '?preset=book-6-8&noise=0.5&seed=3');
  const offsets = await p.page.evaluate(() => Promise.all([0, 5, 20].map((s) => Promise.all([0, 1].map(async (r) => {
    const e = await window.gradscape.explain(r, s);
    // ∇f of x²/20 + y² is (x/10, 2y).
    return [e.gradient[0] - e.point[0] / 10, e.gradient[1] - 2 * e.point[1]];
  })))));
  for (const [sgd, momentum] of offsets) {
    assert.ok(Math.hypot(sgd[0], sgd[1]) > 1e-3, 'the gradient is noisy');
    assert.ok(Math.abs(sgd[0] - momentum[0]) < 1e-12 && Math.abs(sgd[1] - momentum[1]) < 1e-12, JSON.stringify([sgd, momentum]));
  }
  // The panel shows the noise line: g̃ = ∇f + σ·ε.
  assert.ok((await readRows(p.page)).some((r) => r.formula === 'noise'));
  p.check();
  await p.close();
});

/** A point in the plot's empty middle-left region, away from the preset's paths. */
const emptySpot = (page) => page.evaluate(() => window.gradscape.worldToClient(-6, -7));

test('a real click on the plot gives it the keys: Space plays, → steps; the slider scrubs', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  await page.evaluate(() => window.gradscape.reset());
  const spot = await emptySpot(page);
  await page.mouse.click(spot.x, spot.y);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'overlay');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.gradscape.status().playing && window.gradscape.status().step > 0);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !window.gradscape.status().playing);
  const at = await page.evaluate(() => window.gradscape.status().step);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => window.gradscape.status().step), Math.min(at + 1, 30));

  // The slider, moved by the mouse, opens a step; the counter follows.
  const box = await page.locator('#scrub').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const step = await page.evaluate(() => window.gradscape.status().step);
  assert.ok(step >= 10 && step <= 20, `the middle of the slider is about step 15: ${step}`);
  assert.equal(await page.inputValue('#scrub'), String(step));
  await page.waitForFunction((s) => document.getElementById('counter').textContent === `step ${s} / 30`, step);
  // Space on the slider plays as on the plot.
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.gradscape.status().playing);
  await page.evaluate(() => window.gradscape.pause());
  // The animation moves the slider.
  await page.evaluate(() => window.gradscape.step(3));
  await page.waitForFunction(() => document.getElementById('scrub').value === String(window.gradscape.status().step));

  // A click on the plot's axes gives it the keys and changes nothing else: no start is added.
  await page.click('#scrub');
  const starts = (await page.evaluate(() => window.gradscape.startPoints())).length;
  const axis = await page.evaluate(() => window.gradscape.worldToClient(0, -10));
  await page.mouse.click(axis.x, axis.y + 12);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'overlay');
  await page.keyboard.press('r');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => window.gradscape.status().step), 1);
  assert.equal((await page.evaluate(() => window.gradscape.startPoints())).length, starts);
  p.check();
  await p.close();
});

test('inside an iframe embed: a click on the plot, then Space plays; the legend chooses the rule', async () => {
  const context = await env.browser.newContext({ viewport: { width: 900, height: 600 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.setContent(`<!doctype html><body style="margin:0"><iframe src="${env.base}?embed=1&preset=book-6-8" width="640" height="360" style="border:0"></iframe></body>`);
  const frame = page.frame({ url: /embed=1/ });
  await frame.waitForFunction(() => window.gradscape !== undefined, null, { timeout: 20000 });
  await frame.evaluate(() => window.gradscape.reset());
  // Client positions inside the frame equal the host's here: the frame sits at (0, 0).
  const spot = await emptySpot(frame);
  await page.mouse.click(spot.x, spot.y);
  await page.keyboard.press('Space');
  await frame.waitForFunction(() => window.gradscape.status().playing && window.gradscape.status().step > 0);
  await page.keyboard.press('Space');
  await frame.waitForFunction(() => !window.gradscape.status().playing);
  const at = await frame.evaluate(() => window.gradscape.status().step);
  await page.keyboard.press('ArrowRight');
  assert.equal(await frame.evaluate(() => window.gradscape.status().step), Math.min(at + 1, 30));

  // The rule hides behind the bar's Rule button; a legend entry chooses whose rule it shows.
  assert.equal(await frame.locator('#rule-box').isVisible(), false);
  await frame.click('#rule-button');
  assert.equal(await frame.locator('#rule-box').isVisible(), true);
  await frame.locator('#legend li', { hasText: 'Adam' }).click();
  await frame.waitForFunction(() => document.getElementById('rule-run').value === '3');
  await frame.waitForFunction(() => document.querySelector('#rule [data-formula="adam-step"]') !== null);
  const noScroll = await frame.evaluate(() => document.documentElement.scrollHeight <= document.documentElement.clientHeight);
  assert.ok(noScroll, 'no scrollbars with the rule open');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a click on a path, or on its row of the table, shows that optimizer\'s rule, without adding a start', async () => {
  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  // The point of Momentum's path farthest from every other path, on screen.
  const spot = await page.evaluate(() => {
    const g = window.gradscape;
    const runs = g.trajectories().map((t) => t.points.map(([x, y]) => g.worldToClient(x, y)));
    const dist = (p, a, b) => {
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const l = dx * dx + dy * dy;
      const t = l ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l)) : 0;
      return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
    };
    let best = null;
    for (const q of runs[1].slice(1)) {
      let clear = Infinity;
      runs.forEach((pts, r) => {
        if (r === 1) return;
        for (let k = 1; k < pts.length; k += 1) clear = Math.min(clear, dist(q, pts[k - 1], pts[k]));
      });
      if (!best || clear > best.clear) best = { ...q, clear };
    }
    return best;
  });
  assert.ok(spot.clear > 8, `a point of Momentum's path clear of the others: ${JSON.stringify(spot)}`);
  assert.equal(await page.inputValue('#rule-run'), '0');
  await page.mouse.click(spot.x, spot.y);
  assert.equal(await page.inputValue('#rule-run'), '1');
  assert.equal((await page.evaluate(() => window.gradscape.startPoints())).length, 1);
  // On the full page the table of what each optimizer sees is the legend: a click on Adam's row.
  await page.click('#seen tbody tr:nth-child(4)');
  assert.equal(await page.inputValue('#rule-run'), '3');
  // The panel is drawn again in the next frame.
  await page.waitForFunction(() => /^Adam: /.test(document.getElementById('rule-caption').textContent));
  p.check();
  await p.close();
});

test('bad schedules and bad noise, from the address or typed, are named and the last good value kept', async () => {
  for (const [query, param, word] of [
    ['opt=sgd(schedule=inv:-1)', 'opt', 'schedule'],
    ['opt=sgd(schedule=step:0:0.5)', 'opt', 'schedule'],
    ['opt=sgd(schedule=exp:NaN)', 'opt', 'schedule'],
    ['opt=sgd(schedule=cos:0)', 'opt', 'schedule'],
    ['noise=-1', 'noise', 'noise'],
    ['noise=1e400', 'noise', 'noise'],
  ]) {
    const p = await open(env, `?preset=book-6-8&${query}`);
    const message = await p.page.textContent(`#messages p[data-param="${param}"]`);
    assert.ok(message.includes(word), `${query}: ${message}`);
    const state = await p.page.evaluate(() => window.gradscape.state());
    assert.ok(state.opt.startsWith('sgd(lr=0.95),momentum('), `${query}: kept ${state.opt}`);
    assert.equal(state.noise, 0);
    p.check();
    await p.close();
  }

  const p = await open(env, '?preset=book-6-8');
  const { page } = p;
  // A schedule typed into the first card.
  await page.fill('#opt-0-schedule', 'inv:0.1');
  await page.press('#opt-0-schedule', 'Enter');
  await page.waitForFunction(() => window.gradscape.state().opt.startsWith('sgd(lr=0.95,schedule=inv:0.1)'));
  for (const bad of ['inv:-1', 'step:0:0.5', 'exp:NaN', 'cos:0']) {
    await page.fill('#opt-0-schedule', bad);
    await page.press('#opt-0-schedule', 'Enter');
    const message = await page.textContent('#messages p[data-param="opt"]');
    assert.match(message, /schedule/, bad);
    assert.equal(await page.getAttribute('#opt-0-schedule', 'aria-invalid'), 'true');
    assert.ok((await page.evaluate(() => window.gradscape.state().opt)).startsWith('sgd(lr=0.95,schedule=inv:0.1)'), bad);
  }
  // The panel shows η at this step: η·s(t).
  await showStep(page, 'SGD', 10);
  assert.match(await page.textContent('#rule-caption'), /0\.95 × 0\.5 = 0\.475/);
  // The noise field.
  for (const bad of ['-1', '1e400']) {
    await page.fill('#noise-value', bad);
    await page.press('#noise-value', 'Enter');
    assert.match(await page.textContent('#messages p[data-param="noise"]'), /noise/);
    assert.equal(await page.evaluate(() => window.gradscape.state().noise), 0);
  }
  await page.fill('#noise-value', '0.5');
  await page.press('#noise-value', 'Enter');
  assert.equal(await page.evaluate(() => window.gradscape.state().noise), 0.5);
  await page.fill('#noise-seed', '7');
  await page.press('#noise-seed', 'Enter');
  assert.equal(await page.evaluate(() => window.gradscape.state().seed), 7);
  p.check();
  await p.close();
});

test('seed= is the page\'s one seed: a change on either view reaches the other and the address holds one', async () => {
  const p = await open(env, '?preset=noisy-gradients&seed=4');
  const { page } = p;
  const seeds = () => page.evaluate(() => new URLSearchParams(location.search).getAll('seed'));
  const epsilon = () => page.evaluate(async () => (await window.gradscape.explain(0, 0)).noise.epsilon);
  assert.equal(await page.evaluate(() => window.gradscape.state().seed), 4);
  assert.equal(await page.inputValue('#noise-seed'), '4');
  const first = await epsilon();

  // The network view's seed field, typed into as a person does.
  await page.click('#tab-network');
  await page.fill('#net-seed', '11');
  await page.press('#net-seed', 'Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('seed') === '11');
  assert.deepEqual(await seeds(), ['11']);
  await page.click('#tab-surfaces');
  assert.equal(await page.inputValue('#noise-seed'), '11');
  const second = await epsilon();
  assert.notDeepEqual(second, first, 'another seed draws other noise');

  // The noise's seed field: the network view follows.
  await page.fill('#noise-seed', '4');
  await page.press('#noise-seed', 'Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('seed') === '4');
  assert.deepEqual(await seeds(), ['4']);
  assert.deepEqual(await epsilon(), first, 'the same seed draws the same noise');
  await page.click('#tab-network');
  assert.equal(await page.inputValue('#net-seed'), '4');
  assert.equal(await page.evaluate(() => window.gradscape.state().seed), 4);
  p.check();
  await p.close();
});

test('the why-AdaGrad preset: its two SGDs are told apart, and the decayed rate is η/(1 + 0.1·10) at update 11', async () => {
  const p = await open(env, '?preset=why-adagrad');
  const { page } = p;
  const names = await page.$$eval('#rule-run option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(names, ['sgd(lr=0.95,schedule=inv:0.1)', 'AdaGrad', 'sgd(lr=0.95)']);
  await showStep(page, 'sgd(lr=0.95,schedule=inv:0.1)', 10);
  const rows = await readRows(page);
  const rate = rows.find((r) => r.formula === 'rate');
  assert.deepEqual(rate.operands.map((o) => o.value), ['0.95', '0.5']);
  assert.equal(rate.result.value, '0.475');
  // The W rows use the decayed rate.
  assert.ok(rows.filter((r) => r.formula === 'sgd').every((r) => r.operands[1].value === '0.475'));
  assert.match(await page.textContent('#rule-caption'), /η·s\(t\) = 0\.95 × 0\.5 = 0\.475/);
  p.check();
  await p.close();
});

test('the same seed gives the same noisy runs in the page and in gradscape trajectory, bit for bit', async () => {
  const p = await open(env, '?preset=book-6-8&noise=0.5&seed=3');
  const runs = await p.page.evaluate(() => window.gradscape.trajectories());
  const explained = await p.page.evaluate(() => Promise.all([0, 1, 17].map((k) => window.gradscape.explain(1, k))));
  const cli = (optimizer, ...flags) => JSON.parse(execFileSync('cargo', ['run', '-q', '-p', 'gradscape-cli', '--', 'trajectory', '--function', 'elongated',
    '--optimizer', optimizer, ...flags, '--start=-7,2', '--steps', '30', '--noise', '0.5', '--seed', '3', '--format', 'json'], { encoding: 'utf8' }));
  const sgd = cli('sgd', '--lr', '0.95');
  const momentum = cli('momentum', '--lr', '0.1', '--momentum', '0.9');
  assert.deepEqual(runs[0].points, sgd.points.map((r) => [r.x, r.y]));
  assert.deepEqual(runs[1].points, momentum.points.map((r) => [r.x, r.y]));
  // The gradient each update used: the page's explain and the CLI's ngx, ngy.
  for (const e of explained) assert.deepEqual(e.gradient, [momentum.points[e.step].ngx, momentum.points[e.step].ngy]);
  // Both noisy gradients are ∇f + σ·ε with one ε: the CLI's SGD and Momentum rows agree on it.
  for (const k of [0, 9, 29]) {
    const eps = (row) => [(row.ngx - row.gx) / 0.5, (row.ngy - row.gy) / 0.5];
    const [a, b] = [eps(sgd.points[k]), eps(momentum.points[k])];
    assert.ok(Math.abs(a[0] - b[0]) < 1e-12 && Math.abs(a[1] - b[1]) < 1e-12, `${k}: ${a} ${b}`);
  }
  p.check();
  await p.close();
});

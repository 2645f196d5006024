// The reader's language: every view in Korean and Japanese with no English words left (names
// such as SGD, Adam and ReLU aside), every message of bad input translated, the choice of
// language (the address over the browser's, a bad one named), the element's `lang`, Hangul drawn
// as letters, and catalogs with no key missing or unused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { start, open } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

/** Latin words allowed in a Korean or Japanese page: names the issue keeps (optimizers, layers,
 * f(x, y)), the functions and hyperparameter names of the formula and address grammar, key caps,
 * the book examples' input names (identifiers in a formula), units and the colour map. */
const NAMES = new Set(`SGD Momentum Nesterov AdaGrad RMSprop Adam ReLU Sigmoid Affine Softmax
  SoftmaxWithLoss Cross Entropy Error sgd momentum nesterov adagrad rmsprop adam relu sigmoid
  lr beta beta1 beta2 rho eps exp sin cos tan tanh sqrt abs log ln pi constant inv step schedule
  Space Shift Esc Enter Tab PNG SVG WebM URL HTML iframe viridis He Xavier std
  apple apple_num orange orange_num tax x y f W b t X Y L h v m dW db loss
  spiral circles xor moons blobs digits gradscape MathML Rosenbrock Beale Himmelblau Booth Ackley
  Rastrigin Goldstein Price Figure Deep Learning`.split(/\s+/).filter(Boolean));

/** The Latin words of the page's visible text, outside formulas, fields and drawings. */
function latinWords(page, root = 'body') {
  return page.evaluate((selector) => {
    const skip = 'script, style, math, kbd, code, input, textarea, select, option, svg, canvas, .formula, .graph-formula, #rule-caption, .swatch';
    const words = [];
    const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest(skip) || !el.checkVisibility({ visibilityProperty: true })) continue;
      // Formulas and numbers as the page writes them: opt=…, view=…, 1e-7, sgd(lr=0.95).
      const text = n.textContent.replace(/[a-z_]+\([^)]*\)/gi, ' ').replace(/\b\d[\w.+-]*\b/g, ' ');
      for (const w of text.match(/[A-Za-z][A-Za-z_]*/g) ?? []) words.push(w);
    }
    // Tooltips and the names screen readers say.
    for (const el of document.querySelector(selector).querySelectorAll('[title], [aria-label]')) {
      if (el.closest('math, svg') || !el.checkVisibility({ visibilityProperty: true })) continue;
      for (const a of ['title', 'aria-label']) {
        const text = (el.getAttribute(a) ?? '').replace(/[a-z_]+\([^)]*\)/gi, ' ').replace(/\b\d[\w.+-]*\b/g, ' ');
        for (const w of text.match(/[A-Za-z][A-Za-z_]*/g) ?? []) words.push(w);
      }
    }
    return words;
  }, root);
}

async function foreign(page, root) {
  const words = await latinWords(page, root);
  return [...new Set(words.filter((w) => !NAMES.has(w) && !NAMES.has(w.toLowerCase()) && w.length > 1))];
}

for (const lang of ['ko', 'ja']) {
  test(`every view in ${lang}: no English word left`, async () => {
    const t = await open(env, `?lang=${lang}`);
    const { page } = t;
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    // The update rule open, as a reader opens it.
    if (!(await page.evaluate(() => document.getElementById('rule-box').open))) await page.click('#rule-box summary');
    await page.waitForSelector('#rule [data-line]');
    assert.deepEqual(await foreign(page, 'body'), [], 'the surfaces view');
    // The keys list, by its key.
    await page.click('#overlay', { position: { x: 20, y: 20 } });
    await page.keyboard.press('?');
    assert.deepEqual(await foreign(page, '#keys'), [], 'the keys list');
    await page.keyboard.press('Escape');
    // The surfaces in 3-D, by a click on the switch, with its height and contour controls.
    await page.click('#mode-3d');
    await page.waitForFunction(() => document.getElementById('plot').classList.contains('three'));
    assert.deepEqual(await foreign(page, 'body'), [], 'the surfaces in 3-D');
    await page.click('#mode-2d');
    // The share and embed dialog.
    await page.click('#share-button');
    await page.waitForSelector('#share', { state: 'visible' });
    assert.deepEqual(await foreign(page, '#share'), [], 'the share dialog');
    // The network view, trained a little, its layers opened.
    await page.click('#tab-network');
    // Thirty iterations typed in, then a real click on Train.
    await page.fill('#net-iters', '30');
    await page.press('#net-iters', 'Enter');
    await page.click('#train');
    await page.waitForFunction(() => window.gradscape.trainStatus().iteration === 30, null, { timeout: 20000 });
    await page.click('#layers-box summary');
    await page.waitForSelector('.layer-node');
    await page.click('#gradcheck-box summary');
    await page.click('#gradcheck');
    assert.deepEqual(await foreign(page, 'body'), [], 'the network view');
    // The Graph view, stepped into the backward pass, a node's card open.
    await page.click('#tab-graph');
    await page.waitForSelector('#graph-canvas svg');
    await page.click('#graph-canvas', { position: { x: 4, y: 4 } });
    for (let k = 0; k < 6; k += 1) await page.keyboard.press('ArrowRight');
    await page.click('#graph-canvas g.node[data-id="0"]');
    assert.deepEqual(await foreign(page, 'body'), [], 'the Graph view');
    t.check();
    await t.close();
  });
}

test('every message of bad input is in Korean', async () => {
  const bad = [
    'f=x^^2', 'opt=sgd(lr=-1),adam(beta1=2)', 'start=nan,1', 'steps=1e12', 'view=-1e308,1e308,-1,1',
    'log=maybe', 'hide=99', 'trail=7', 'speed=-2', 'noise=-1', 'seed=-1', 'preset=nope', 'theme=pink',
    'tab=nope', 'embed=2', 'data=pears', 'hidden=abc', 'act=tanh', 'init=zero', 'batch=0', 'iters=NaN',
    'nopt=sgd(schedule=inv:-1)', 'dirs=up', 'nlog=2',
  ];
  const t = await open(env, `?lang=ko&${bad.join('&')}`);
  const { page } = t;
  // The network view's keys load its module after the first frame; its messages come with it.
  await page.evaluate(() => window.gradscape.loadNetwork());
  const texts = await page.$$eval('#messages p, #net-messages p', (ps) => ps.map((p) => p.textContent));
  assert.ok(texts.length >= 15, texts.join('\n'));
  // Each in Korean; what stays Latin is the address's own names and values (opt, steps, pink,
  // the presets' ids), never English words around them.
  const english = /\b(the|is|not|must|used|kept|unknown|there|are|an|of|be|number|between|from|no|with|and|or)\b/i;
  for (const text of texts) {
    assert.match(text, /[\uac00-\ud7a3]/, `not in Korean: ${text}`);
    assert.doesNotMatch(text.replace(/'[^']*'/g, ''), english, `English words in: ${text}`);
  }
  // A typed-in formula with an error, by the keyboard.
  await page.fill('#formula', 'sin(x');
  await page.press('#formula', 'Enter');
  await page.waitForFunction(() => document.querySelector('#formula-error').textContent !== '');
  assert.match(await page.textContent('#formula-error'), /[\uac00-\ud7a3]/);
  assert.match(await page.textContent('#formula-error'), /4|5/, 'the column stays a number');
  // The Graph view's bad inputs (its markup comes with its module).
  await page.evaluate(() => window.gradscape.setState({ tab: 'graph', graph: 'apple', inputs: 'apple:abc' }));
  await page.waitForFunction(() => (document.querySelector('#graph-messages')?.textContent ?? '') !== '');
  assert.match(await page.textContent('#graph-messages'), /[\uac00-\ud7a3]/);
  assert.match(await page.textContent('#graph-messages'), /apple/);
  // Steps reduced: 30 starts × 4 optimizers × 20,000 steps is over the 2,000,000 updates.
  const starts = Array.from({ length: 30 }, (_, k) => `${k % 6},${Math.floor(k / 6)}`).join(';');
  await page.evaluate((start) => window.gradscape.setState({ start, steps: 20000 }), starts);
  const reduced = await page.$$eval('#messages p', (ps) => ps.map((p) => p.textContent).join('\n'));
  assert.match(reduced, /[\uac00-\ud7a3]/);
  assert.match(reduced, /steps|단계/);
  // Divergence: SGD with a large rate on Rosenbrock.
  await page.evaluate(() => window.gradscape.setState({ tab: 'surfaces', f: 'rosenbrock', opt: 'sgd(lr=0.1)', start: '3,3', steps: 50 }));
  await page.waitForFunction(() => document.querySelector('#divergence').textContent !== '');
  assert.match(await page.textContent('#divergence'), /SGD.*[\uac00-\ud7a3]/);
  t.check();
  await t.close();
});

test('the address chooses the language over the browser\'s; a bad one is named and English used', async () => {
  // A Japanese browser, nothing asked: Japanese.
  let t = await open(env, '', { locale: 'ja-JP' });
  assert.equal(await t.page.evaluate(() => document.documentElement.lang), 'ja');
  assert.match(await t.page.textContent('#tab-network'), /[\u3040-\u30ff\u4e00-\u9fff]/);
  t.check();
  await t.close();
  // Every marked text and attribute of the page, as the English page shows them.
  const marked = () => [...document.querySelectorAll('[data-i18n], [data-i18n-attr]')].map((el) => [
    el.dataset.i18n ? el.textContent : '',
    ...(el.dataset.i18nAttr ?? '').split(';').map((pair) => el.getAttribute(pair.split(':')[0].trim())),
  ]);
  t = await open(env, '');
  const english = await t.page.evaluate(marked);
  t.check();
  await t.close();
  // The same browser, the address asking for Korean: Korean, and a shared link keeps it.
  t = await open(env, '?lang=ko', { locale: 'ja-JP' });
  assert.equal(await t.page.evaluate(() => document.documentElement.lang), 'ko');
  await t.page.waitForFunction(() => /lang=ko/.test(location.search));
  // The menu: a real choice, and the page speaks it at once.
  await t.page.selectOption('#lang', 'en');
  await t.page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await t.page.textContent('#tab-network'), 'Network');
  // Back in English, the page reads as the English page does, word for word (the built page
  // takes the words its HTML carries from the HTML).
  assert.deepEqual(await t.page.evaluate(marked), english);
  await t.page.waitForFunction(() => /lang=en/.test(location.search));
  t.check();
  await t.close();
  // setState({lang}), and the catalogs fetched only when chosen, once.
  t = await open(env, '');
  const fetched = [];
  t.page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  assert.equal(await t.page.evaluate(() => document.documentElement.lang), 'en');
  await t.page.evaluate(() => window.gradscape.setState({ lang: 'ja' }));
  await t.page.waitForFunction(() => document.documentElement.lang === 'ja');
  assert.equal((await t.page.evaluate(() => window.gradscape.state())).lang, 'ja');
  await t.page.evaluate(() => window.gradscape.setState({ lang: 'en' }));
  await t.page.evaluate(() => window.gradscape.setState({ lang: 'ja' }));
  assert.deepEqual(fetched.filter((p) => p.includes('i18n')), ['/www/i18n/ja.json']);
  t.check();
  await t.close();
  // A language the page does not speak: said, in English, and English shown.
  t = await open(env, '?lang=xx', { locale: 'ko-KR' });
  assert.equal(await t.page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await t.page.textContent('#messages'), /lang.*xx/);
  t.check();
  await t.close();
});

test('the element with lang="ja" shows its view in Japanese', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${env.base}examples/lecture/`);
  await page.setContent(`<script type="module" src="${env.base}www/gradscape.js"></script>
    <gradscape-viz id="v" lang="ja" preset="book-6-8" style="width:640px"></gradscape-viz>`);
  await page.waitForFunction(() => customElements.get('gradscape-viz') !== undefined);
  await page.evaluate(() => document.getElementById('v').whenReady);
  const frame = page.frames().find((f) => f.url().includes('embed=1'));
  assert.ok(frame, 'the element\'s frame');
  await frame.waitForFunction(() => document.documentElement.lang === 'ja');
  assert.match(await frame.textContent('#play'), /[\u3040-\u30ff\u4e00-\u9fff]/);
  assert.equal((await page.evaluate(() => document.getElementById('v').state())).lang, 'ja');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Hangul and kana are drawn as letters, not boxes, with the page\'s fonts', async (t) => {
  let fonts = '';
  try {
    fonts = execFileSync('fc-list', [':lang=ko'], { encoding: 'utf8' });
  } catch {
    fonts = '';
  }
  if (!fonts.trim()) {
    t.skip('no Korean font on this machine (Debian: apt-get install fonts-noto-cjk; the test setup installs it)');
    return;
  }
  const p = await open(env, '?lang=ko');
  // Each character drawn alone in the page's font: letters differ from one another; a missing
  // glyph is the same box for every character (U+10FFFD has no glyph anywhere).
  const shapes = await p.page.evaluate(() => {
    const font = getComputedStyle(document.body).fontFamily;
    return ['한', '국', '어', 'の', '勾', '\u{10FFFD}', '\u{10FFFC}'].map((ch) => {
      const c = document.createElement('canvas');
      c.width = 40;
      c.height = 40;
      const ctx = c.getContext('2d');
      ctx.font = `32px ${font}`;
      ctx.fillText(ch, 2, 32);
      return Array.from(ctx.getImageData(0, 0, 40, 40).data.filter((_, i) => i % 4 === 3)).join(',');
    });
  });
  const [han, guk, eo, no, kou, box1, box2] = shapes;
  assert.equal(box1, box2, 'characters with no glyph draw the same box');
  for (const [name, s] of [['한', han], ['국', guk], ['어', eo], ['の', no], ['勾', kou]]) {
    assert.notEqual(s, box1, `${name} is drawn as a box`);
    assert.ok(s.split(',').some((v) => v !== '0'), `${name} is drawn`);
  }
  assert.equal(new Set([han, guk, eo, no, kou]).size, 5);
  // And the page itself: the tab's name in Korean, on screen.
  const shot = await p.page.locator('#tab-network').screenshot();
  assert.ok(shot.length > 0);
  p.check();
  await p.close();
});

test('the catalogs: every key in all three, none unused', () => {
  const read = (l) => JSON.parse(readFileSync(`www/i18n/${l}.json`, 'utf8'));
  const [en, ko, ja] = ['en', 'ko', 'ja'].map(read);
  for (const [name, cat] of [['ko', ko], ['ja', ja]]) {
    assert.deepEqual(Object.keys(cat).sort(), Object.keys(en).sort(), `${name} has the keys of en`);
    for (const k of Object.keys(en)) assert.ok(cat[k].trim() !== '', `${name}: ${k} is empty`);
  }
  // Where keys are used: the page's markup (its views' too) and every script of www/ (static keys by name; keys made from an
  // id, by their families), the core's message kinds (crates/core/src/message.rs).
  const sources = ['index.html', ...readdirSync('www').filter((f) => /\.(js|html)$/.test(f)).map((f) => `www/${f}`)]
    .map((f) => readFileSync(f, 'utf8')).join('\n');
  const core = readFileSync('crates/core/src/message.rs', 'utf8');
  const dynamic = /^(hint|theme|data|hyper|layers|graph\.rule|preset|surface)\./;
  const unused = Object.keys(en).filter((k) => {
    if (k.startsWith('msg.')) {
      const kind = k.slice(4);
      return !core.includes(`"${kind}"`) && !sources.includes(`'${kind}'`);
    }
    if (dynamic.test(k)) return !sources.includes(k.split('.')[0]);
    return !sources.includes(`'${k}'`) && !sources.includes(`"${k}"`) && !sources.includes(`:${k}`) && !sources.includes(`\`${k}`);
  });
  assert.deepEqual(unused, [], 'keys no code uses');
});

// The example lecture deck (examples/lecture, reveal.js): visualizers on several slides, the
// presenter's keys stepping each race, then moving on.
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

test('the example deck: the presenter\'s keys step the race on each slide, then move on', async () => {
  const p = await open(env, 'examples/lecture/index.html', { waitFor: () => window.deck !== undefined });
  const { page } = p;
  await page.waitForFunction(() => window.deck?.isReady());
  await page.evaluate(() => Promise.all([...document.querySelectorAll('gradscape-viz')].map((el) => el.whenReady)));
  const slide = () => page.evaluate(() => window.deck.getIndices().h);
  const step = (id) => page.evaluate(async (i) => (await document.getElementById(i).status()).step, id);
  const key = async (k, expect) => {
    await page.keyboard.press(k);
    if (expect) await page.waitForFunction(expect[0], expect[1], { polling: 50 });
  };
  assert.equal(await slide(), 0);
  await key('ArrowRight');
  assert.equal(await slide(), 1);
  await page.waitForFunction(async () => (await document.getElementById('book').status()).step === 0, null, { polling: 50 });
  // Five steps of the book's 30 per key.
  for (const expected of [5, 10, 15]) {
    await key('ArrowRight');
    await page.waitForFunction(async (n) => (await document.getElementById('book').status()).step === n, expected, { polling: 50 });
  }
  await key('ArrowLeft');
  await page.waitForFunction(async () => (await document.getElementById('book').status()).step === 10, null, { polling: 50 });
  for (let k = 0; k < 4; k += 1) await key('ArrowRight');
  await page.waitForFunction(async () => (await document.getElementById('book').status()).step === 30, null, { polling: 50 });
  assert.equal(await slide(), 1, 'the race is shown before the deck moves on');
  await key('ArrowRight');
  assert.equal(await slide(), 2);
  assert.equal(await step('himmelblau'), 0);
  await key('ArrowRight');
  await page.waitForFunction(async () => (await document.getElementById('himmelblau').status()).step === 60, null, { polling: 50 });
  // Back to the book's slide: its race is shown whole again.
  await key('ArrowLeft');
  await key('ArrowLeft');
  assert.equal(await slide(), 1);
  await page.waitForFunction(async () => (await document.getElementById('book').status()).step === 30, null, { polling: 50 });
  // The book's numbers, in the deck's visualizer: SGD after 30 updates from (−7, 2).
  const runs = await page.evaluate(() => document.getElementById('book').trajectories());
  assert.deepEqual(runs[0].points.at(-1), [-0.3503929957523197, 0.0847823165504322]);
  p.check();
  await p.close();
});

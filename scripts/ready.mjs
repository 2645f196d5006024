// What counts as the first load, for the load test (tests/load.test.mjs) and the bench
// (scripts/bench.mjs) alike: the requests a page started before it fired `gradscape:ready`, by
// the page's own clock. What it asks for once ready (the update rule's panel) is not counted.

/** Makes each page of `context` note when it fired gradscape:ready (`window.gradscapeReadyAt`,
 * from navigation). */
export function noteReady(context) {
  return context.addInitScript(() => window.addEventListener('gradscape:ready', () => {
    window.gradscapeReadyAt = performance.now();
  }));
}

/** The addresses of the requests `page` started before it was ready, once it is. */
export function startedBeforeReady(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.startTime <= window.gradscapeReadyAt).map((e) => e.name));
}

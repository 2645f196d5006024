// The update rule panel: for one run and the current step, the book's update rule in its
// notation (MathML, which the browser draws and screen readers read), then each line of it for x
// and y with the numbers of this update. The numbers come from the core as text
// (`Rule::explain_lines`, in the update rule's module, fetched with this script once the page is
// ready), rounded there so that each line redone by hand gives its result; the panel only places
// them. The MathML is built once per optimizer; each frame sets only the numbers that changed.
import init, { Rule } from './pkg/gradscape_rule.js';
import { inlineBytes } from './inline.js';
import { t, addEnglish, say } from './i18n.js';
// The English words this script says; the built page's script leaves them out (scripts/pages.mjs).
import ownWords from './i18n/en.json' with { type: 'json' };

addEnglish(ownWords);

const MATHML = 'http://www.w3.org/1998/Math/MathML';

/** A MathML element with children (elements or text for an <mi>/<mo>/<mn>). */
function m(tag, ...children) {
  const e = document.createElementNS(MATHML, tag);
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}
const mi = (text) => m('mi', text);
const mo = (text) => m('mo', text);
const mn = (text) => m('mn', text);
const row = (...c) => m('mrow', ...c);
const sub = (a, b) => m('msub', typeof a === 'string' ? mi(a) : a, typeof b === 'string' ? mi(b) : b);
const sup = (a, b) => m('msup', a, b);
const frac = (a, b) => m('mfrac', a, b);
const sqrt = (...c) => m('msqrt', ...c);
const paren = (...c) => row(mo('('), ...c, mo(')'));
const times = () => mo('×');
/** ∂L/∂W, or ∂L/∂x for one coordinate. */
const dL = (w = 'W') => frac(row(mi('∂'), mi('L')), row(mi('∂'), mi(w)));
const tenMinus7 = () => sup(mn('10'), mn('−7'));

/** What a line's result is called: W, v, h, m, lr_t, η_t or g̃, with x or y. */
function quantity(q, coordinate) {
  const c = coordinate === 0 ? 'x' : coordinate === 1 ? 'y' : null;
  const base = q === 'g' ? m('mover', mi('g'), mo('~')) : q === 'lr_t' ? sub('lr', 't') : q === 'η' ? sub('η', 't') : mi(q);
  return c ? sub(base, c) : base;
}

/** The rule in the book's notation, one row per line (η_t when the rate is scheduled). */
function symbolic(optimizer, scheduled, noisy) {
  const eta = () => (scheduled ? sub('η', 't') : mi('η'));
  // With noise the rule uses g̃, the gradient with its noise, where the book has ∂L/∂W.
  const g = () => (noisy ? m('mover', mi('g'), mo('~')) : dL());
  const gg = () => row(g(), mo('⊙'), g());
  const scaled = (h) => [mi('W'), mo('←'), mi('W'), mo('−'), eta(), paren(frac(mn('1'), sqrt(mi(h)))), g()];
  const rows = [];
  if (scheduled) rows.push([sub('η', 't'), mo('='), mi('η'), mo('·'), mi('s'), paren(mi('t'))]);
  if (noisy) rows.push([m('mover', mi('g'), mo('~')), mo('='), mo('∇'), mi('f'), mo('+'), mi('σ'), mi('ε')]);
  switch (optimizer) {
    case 'sgd':
      rows.push([mi('W'), mo('←'), mi('W'), mo('−'), eta(), g()]);
      break;
    case 'momentum':
      rows.push([mi('v'), mo('←'), mi('α'), mi('v'), mo('−'), eta(), g()], [mi('W'), mo('←'), mi('W'), mo('+'), mi('v')]);
      break;
    case 'nesterov':
      rows.push(
        [mi('W'), mo('←'), mi('W'), mo('+'), mi('α'), mi('α'), mi('v'), mo('−'), paren(mn('1'), mo('+'), mi('α')), eta(), g()],
        [mi('v'), mo('←'), mi('α'), mi('v'), mo('−'), eta(), g()],
      );
      break;
    case 'adagrad':
      rows.push([mi('h'), mo('←'), mi('h'), mo('+'), gg()], scaled('h'));
      break;
    case 'rmsprop':
      rows.push([mi('h'), mo('←'), mi('ρ'), mi('h'), mo('+'), paren(mn('1'), mo('−'), mi('ρ')), gg()], scaled('h'));
      break;
    case 'adam':
      rows.push(
        [sub('lr', 't'), mo('='), eta(), frac(sqrt(mn('1'), mo('−'), m('msubsup', mi('β'), mn('2'), mi('t'))), row(mn('1'), mo('−'), m('msubsup', mi('β'), mn('1'), mi('t'))))],
        [mi('m'), mo('←'), mi('m'), mo('+'), paren(mn('1'), mo('−'), sub(mi('β'), mn('1'))), paren(g(), mo('−'), mi('m'))],
        [mi('v'), mo('←'), mi('v'), mo('+'), paren(mn('1'), mo('−'), sub(mi('β'), mn('2'))), paren(gg(), mo('−'), mi('v'))],
        [mi('W'), mo('←'), mi('W'), mo('−'), sub('lr', 't'), frac(mi('m'), row(sqrt(mi('v')), mo('+'), tenMinus7()))],
      );
      break;
    default:
      break;
  }
  return rows;
}

/** The numeric row of a formula: operand slots `o(i)` (the same operand may appear twice). */
function numeric(formula, o, eps) {
  switch (formula) {
    case 'rate': return [o(0), times(), o(1)];
    case 'noise': return [o(0), mo('+'), o(1), times(), o(2)];
    case 'sgd': return [o(0), mo('−'), o(1), times(), o(2)];
    case 'velocity': return [o(0), times(), o(1), mo('−'), o(2), times(), o(3)];
    case 'add-velocity': return [o(0), mo('+'), o(1)];
    case 'nesterov': return [o(0), mo('+'), o(1), times(), o(1), times(), o(2), mo('−'), paren(mn('1'), mo('+'), o(1)), times(), o(3), times(), o(4)];
    case 'ada-grad-h': return [o(0), mo('+'), o(1), times(), o(1)];
    case 'rms-prop-h': return [o(0), times(), o(1), mo('+'), paren(mn('1'), mo('−'), o(0)), times(), o(2), times(), o(2)];
    case 'scaled': return [o(0), mo('−'), o(1), times(), frac(o(2), row(sqrt(o(3)), eps()))];
    case 'adam-rate': return [o(0), times(), frac(sqrt(mn('1'), mo('−'), sup(o(2), o(3))), row(mn('1'), mo('−'), sup(o(1), o(3))))];
    case 'adam-m': return [o(0), mo('+'), paren(mn('1'), mo('−'), o(1)), times(), paren(o(2), mo('−'), o(0))];
    case 'adam-v': return [o(0), mo('+'), paren(mn('1'), mo('−'), o(1)), times(), paren(o(2), times(), o(2), mo('−'), o(0))];
    case 'adam-step': return [o(0), mo('−'), o(1), times(), frac(o(2), row(sqrt(o(3)), eps()))];
    default: return [];
  }
}

const minus = (text) => text.replace('-', '−');

/** Fills a number's slot: parentheses, the mantissa and ×10ⁿ, each an element made once. The
 * parts a number does not have are hidden and emptied (an empty MathML element still takes
 * space; a hidden one still has its text). A number that changes sign or gains an exponent
 * while the race plays then costs a few changes of text and style, not new elements. What the
 * slot shows is kept on it (`shown`, `texts`, `has`), so a frame reads nothing back. */
function setNumber(slot, text, operand) {
  if (slot.shown === text) return;
  slot.shown = text;
  if (!slot.texts) {
    const parts = [mo('('), mn(''), mo('×'), sup(mn('10'), mn('')), mo(')')];
    slot.replaceChildren(...parts);
    const [open, mantissa, times, power, close] = parts;
    slot.groups = { paren: [open, close], power: [times, power] };
    slot.has = { paren: true, power: true };
    // The text nodes: (, mantissa, ×, 10, exponent, ).
    slot.texts = [open, mantissa, times, power.firstChild, power.lastChild, close].map((e) => e.firstChild);
  }
  const [mantissa, exponent = ''] = text.split('e');
  const has = { paren: operand && text.startsWith('-'), power: exponent !== '' };
  for (const group of ['paren', 'power']) {
    if (slot.has[group] !== has[group]) {
      slot.has[group] = has[group];
      for (const e of slot.groups[group]) e.style.display = has[group] ? '' : 'none';
    }
  }
  const want = [has.paren ? '(' : '', minus(mantissa), has.power ? '×' : '', has.power ? '10' : '', minus(exponent), has.paren ? ')' : ''];
  slot.texts.forEach((node, k) => {
    if (node.data !== want[k]) node.data = want[k];
  });
}

/**
 * The update rule's module, started (once), and `explain(run, step, lines)`: the update from
 * `step` of run `run` of the surfaces' module `viz`, as the core explains it (with the rule's
 * lines when `lines`), as JSON text. The run's path is copied from `viz` when its runs have
 * been recomputed since; a run or step that is not there throws the message of `viz`.
 */
export async function startRule(viz) {
  await init({ module_or_path: inlineBytes('rule') ?? new URL('./pkg/gradscape_rule_bg.wasm', import.meta.url) });
  const rule = new Rule();
  return (run, step, lines = false) => {
    const config = viz.rule_run(run, step);
    const generation = viz.generation();
    if (!rule.holds(run, generation)) {
      // The noise as the URL has it (σ and the seed as text, which read back as the same bits).
      const { noise = '0', seed = '0', steps } = Object.fromEntries(JSON.parse(viz.params()));
      rule.hold(run, generation, config, viz.rule_path(run), Number(noise), seed, Number(steps));
    }
    return lines ? rule.explain_lines(run, step) : rule.explain(run, step);
  };
}

/**
 * The panel in `box` (a <details>): `menu` the <select> of runs, `body` where the rule goes,
 * `caption` the line naming the update and η. `explain(run, step, true)` (startRule's) gives
 * the numbers.
 */
export function createRulePanel({ explain, menu, body, caption }) {
  let run = -1;
  let runsKey = '';
  let structure = '';
  let lineSlots = [];
  let shownStep = -1;

  function setRuns(runs) {
    const several = runs.some((x) => x.startIndex > 0);
    // Two optimizers of one kind (SGD with and without a schedule) are told apart by their settings.
    const count = new Map();
    for (const run of runs) if (run.startIndex === 0) count.set(run.name, (count.get(run.name) || 0) + 1);
    const named = (run) => (count.get(run.name) > 1 ? run.label : run.name);
    const key = runs.map((run) => `${named(run)}:${run.startIndex}:${run.visible}`).join();
    if (key === runsKey) return;
    runsKey = key;
    menu.replaceChildren(...runs.map((run, r) => {
      const o = new Option(several ? t('rule.run-from', { name: named(run), n: run.startIndex + 1 }) : named(run), String(r));
      o.style.color = '';
      return o;
    }));
    if (!(run >= 0 && run < runs.length && runs[run].visible)) {
      const first = runs.findIndex((x) => x.visible);
      run = first >= 0 ? first : 0;
    }
    menu.value = String(run);
    structure = '';
    shownStep = -1;
  }

  function select(r) {
    if (r === run) return;
    run = r;
    menu.value = String(r);
    structure = '';
    shownStep = -1;
  }
  menu.addEventListener('change', () => select(Number(menu.value)));

  /** Builds the rows for this optimizer and this list of lines. */
  function build(out) {
    const e = out.explanation;
    const scheduled = e.hyperparameters.schedule !== 'constant';
    const rows = symbolic(e.optimizer, scheduled, Boolean(e.noise));
    const rule = m('math', m('mtable', ...rows.map((r) => m('mtr', m('mtd', row(...r))))));
    rule.setAttribute('class', 'rule-symbolic');
    rule.setAttribute('aria-label', t('rule.label', { optimizer: e.optimizer }));
    lineSlots = [];
    const numbers = out.lines.map((line, k) => {
      const slots = [];
      const o = (i) => {
        const s = row();
        s.dataset.operand = String(i);
        slots.push([s, i]);
        return s;
      };
      let epsSlot = null;
      const eps = () => {
        epsSlot = row(mo('+'), tenMinus7());
        epsSlot.dataset.epsilon = '';
        return epsSlot;
      };
      const result = row();
      result.dataset.result = '';
      const arrow = line.formula === 'rate' || line.formula === 'adam-rate' || line.formula === 'noise' ? '=' : '←';
      const r = row(quantity(line.quantity, line.coordinate), mo(arrow), ...numeric(line.formula, o, eps), mo('='), result);
      r.dataset.line = String(k);
      r.dataset.formula = line.formula;
      r.dataset.quantity = line.quantity;
      r.dataset.coordinate = line.coordinate === null ? '' : String(line.coordinate);
      lineSlots.push({ slots, result, epsSlot, row: r });
      return m('mtr', m('mtd', r));
    });
    const table = m('math', m('mtable', ...numbers));
    table.setAttribute('class', 'rule-numbers');
    body.replaceChildren(rule, table);
  }

  /** Shows the update leaving `step` (the last update when `step` is the end). */
  function update(step, steps) {
    if (run < 0) return;
    const s = Math.max(0, Math.min(step, steps - 1));
    if (s === shownStep && structure) return;
    const t0 = performance.now();
    let out;
    try {
      out = JSON.parse(explain(run, s, true));
      performance.measure('gradscape:rule-core', { start: t0, end: performance.now() });
    } catch (err) {
      structure = '';
      shownStep = -1;
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = say(err);
      body.replaceChildren(p);
      caption.textContent = '';
      return;
    }
    const e = out.explanation;
    const key = `${run}|${e.optimizer}|${out.lines.map((l) => `${l.formula}${l.coordinate}`).join()}`;
    if (key !== structure) {
      structure = key;
      build(out);
    }
    out.lines.forEach((line, k) => {
      const { slots, result, epsSlot } = lineSlots[k];
      for (const [slot, i] of slots) setNumber(slot, line.shown[i], true);
      setNumber(result, line.shown_result, false);
      if (epsSlot && epsSlot.shown !== line.epsilon) {
        epsSlot.shown = line.epsilon;
        epsSlot.style.display = line.epsilon ? '' : 'none';
      }
    });
    shownStep = s;
    const rate = e.hyperparameters.schedule === 'constant'
      ? `η = ${e.lr}`
      : t('rule.rate-scheduled', { lr: e.hyperparameters.lr, factor: Number(e.factor.toPrecision(6)), rate: Number(e.lr.toPrecision(6)), schedule: e.hyperparameters.schedule });
    const who = menu.selectedOptions[0] ? menu.selectedOptions[0].textContent : e.optimizer;
    const text = t('rule.caption', { who, from: s, to: s + 1, rate });
    if (caption.textContent !== text) caption.textContent = text;
    performance.measure('gradscape:rule', { start: t0, end: performance.now() });
  }

  /** The numbers are shown again at the next update; with `rebuild` (a new language) the menu
   * and the rule too. */
  function invalidate({ rebuild = false } = {}) {
    shownStep = -1;
    if (rebuild) {
      runsKey = '';
      structure = '';
    }
  }

  return { setRuns, select, update, selected: () => run, invalidate };
}

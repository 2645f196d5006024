// The optimizer panel, shared by the surface view and the network view: one card per optimizer
// with its kind, show/hide, remove, and a slider with an editable number per hyperparameter;
// and the warnings box both views show.
import { t, say } from './i18n.js';

/** Shows `messages` ([{param, message, kind?, values?}]) in `box`, one paragraph each, in the
 * reader's language, as text: never markup, as values come from the URL or the fields. */
export function showWarnings(box, messages) {
  box.replaceChildren();
  for (const w of messages) {
    const p = document.createElement('p');
    p.className = 'warning';
    p.dataset.param = w.param;
    p.textContent = say(w);
    box.append(p);
  }
}

/** Builds the cards for `list` ([{id, name, colour, visible, hyperparameters: [[name, value]]}])
 * in `box`; `commitOptimizers(list, {panel})` applies an edited list and returns its warnings. */
export function buildOptimizerPanel(box, list, commitOptimizers, prefix, cat, setVisible) {
  const focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
  box.replaceChildren();
  list.forEach((o, i) => {
    const card = document.createElement('fieldset');
    card.className = 'optimizer';
    card.style.borderLeftColor = o.colour;
    const legend = document.createElement('legend');
    const swatch = document.createElement('span');
    swatch.className = `swatch marker-${o.marker || 'circle'}`;
    swatch.style.background = o.colour;
    const kind = document.createElement('select');
    kind.id = `${prefix}-${i}-kind`;
    kind.setAttribute('aria-label', t('panel.optimizer', { n: i + 1 }));
    for (const c of cat.optimizers) kind.add(new Option(c.name, c.id));
    kind.value = o.id;
    kind.addEventListener('change', () => {
      const def = cat.optimizers.find((c) => c.id === kind.value);
      list[i] = { ...o, id: def.id, hyperparameters: def.hyperparameters.map((h) => [h.name, h.default]) };
      commitOptimizers(list);
    });
    const show = document.createElement('input');
    show.type = 'checkbox';
    show.id = `${prefix}-${i}-visible`;
    show.checked = o.visible;
    show.hidden = !setVisible;
    show.title = t('panel.show-title');
    show.setAttribute('aria-label', t('panel.show', { name: o.name }));
    show.addEventListener('change', () => {
      if (setVisible) setVisible(i, show.checked);
      list[i].visible = show.checked;
      commitOptimizers(list);
    });
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '×';
    remove.title = t('panel.remove', { name: o.name });
    remove.setAttribute('aria-label', t('panel.remove', { name: o.name }));
    remove.disabled = list.length <= 1;
    remove.addEventListener('click', () => {
      list.splice(i, 1);
      commitOptimizers(list);
    });
    legend.append(swatch, kind, show, remove);
    card.append(legend);
    const def = cat.optimizers.find((c) => c.id === o.id);
    o.hyperparameters.forEach(([name, value], h) => {
      const meta = def.hyperparameters.find((x) => x.name === name);
      const row = document.createElement('div');
      row.className = 'hyper';
      const label = document.createElement('label');
      label.textContent = name;
      // The name is the address's (lr, momentum, …); what it means, in words, on hover.
      label.title = t(`hyper.${name}`);
      label.htmlFor = `${prefix}-${i}-${name}`;
      const slider = document.createElement('input');
      slider.type = 'range';
      slider.setAttribute('aria-label', t('panel.slider', { name: o.name, hyperparameter: name }));
      const toSlider = (v) => (meta.log ? Math.log10(v) : v);
      const fromSlider = (s) => (meta.log ? Number(Math.pow(10, s).toPrecision(3)) : Number(Number(s).toFixed(4)));
      slider.min = toSlider(meta.min);
      slider.max = toSlider(meta.max);
      slider.step = meta.log ? 0.01 : 0.001;
      slider.value = toSlider(value);
      const number = document.createElement('input');
      number.type = 'text';
      number.inputMode = 'decimal';
      number.id = `${prefix}-${i}-${name}`;
      number.value = String(value);
      number.size = 8;
      // While a slider moves, the panel is not rebuilt (that would end the drag).
      const setValue = (v, panel) => {
        const before = list[i].hyperparameters[h][1];
        list[i].hyperparameters[h] = [name, v];
        const warnings = commitOptimizers(list, { panel });
        const bad = warnings.some((w) => w.param === 'opt' || w.param === 'nopt');
        number.setAttribute('aria-invalid', bad ? 'true' : 'false');
        if (bad) list[i].hyperparameters[h] = [name, before];
      };
      slider.addEventListener('input', () => {
        const v = fromSlider(Number(slider.value));
        number.value = String(v);
        setValue(v, false);
      });
      number.addEventListener('change', () => setValue(number.value.trim(), false));
      row.append(label, slider, number);
      card.append(row);
    });
    // The learning-rate schedule, in the text form of the URL: constant, inv:k, exp:γ,
    // step:n:γ, cos:T. A schedule the core refuses is marked, named in the messages, and the
    // last good one is kept.
    const schedule = document.createElement('input');
    schedule.type = 'text';
    schedule.id = `${prefix}-${i}-schedule`;
    schedule.value = o.schedule || 'constant';
    schedule.spellcheck = false;
    schedule.autocomplete = 'off';
    schedule.setAttribute('list', 'schedules');
    schedule.title = t('panel.schedule-title');
    const scheduleLabel = document.createElement('label');
    scheduleLabel.className = 'schedule';
    scheduleLabel.append(`${t('panel.schedule')} `, schedule);
    schedule.addEventListener('change', () => {
      const before = list[i].schedule || 'constant';
      list[i].schedule = schedule.value.trim() || 'constant';
      const warnings = commitOptimizers(list, { panel: false });
      const bad = warnings.some((w) => w.param === 'opt' || w.param === 'nopt');
      schedule.setAttribute('aria-invalid', bad ? 'true' : 'false');
      if (bad) list[i].schedule = before;
    });
    card.append(scheduleLabel);
    box.append(card);
  });
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

/** The `opt=`/`nopt=` text of a list: `sgd(lr=0.95),adam(lr=0.3,schedule=cos:100)`. */
export function optimizerText(list) {
  return list.map((o) => {
    const parts = o.hyperparameters.map(([k, v]) => `${k}=${v}`);
    if (o.schedule && o.schedule !== 'constant') parts.push(`schedule=${o.schedule}`);
    return `${o.id}(${parts.join(',')})`;
  }).join(',');
}

/** The list with one more optimizer: the first kind not in it yet. */
export function withOneMore(list, cat) {
  const used = new Set(list.map((o) => o.id));
  const next = cat.optimizers.find((c) => !used.has(c.id)) || cat.optimizers[0];
  return [...list, { id: next.id, visible: true, hyperparameters: next.hyperparameters.map((h) => [h.name, h.default]), schedule: 'constant' }];
}

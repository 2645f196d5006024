// The page's words in the reader's language: Korean, Japanese or English.
// Every text the page shows comes from a catalog in www/i18n/ (plain JSON, "dotted.key": "text
// with {placeholders}", for translators who never read this code). English is part of the page,
// so an English reader waits for nothing; Korean and Japanese are fetched only when chosen (the
// one-file page carries them in window.gradscapeInline, as it makes no request). Numbers are
// never formatted here: callers pass them as the text the page already shows, in every language.
import en from './i18n/en.json' with { type: 'json' };

/** Adds English words that come with a view. In the built page the first load carries the
 * surfaces view's words alone, and each other view brings its own (scripts/pages.mjs). */
export function addEnglish(words) {
  for (const [key, text] of Object.entries(words)) en[key] ??= text;
}

/** Adds the English words of the marked elements under `root` as the HTML has them (their text,
 * and the attributes `data-i18n-attr` names): the built page's catalog leaves out the words its
 * HTML already carries (scripts/pages.mjs), which are read here before anything is translated. */
function addEnglishFrom(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) en[el.dataset.i18n] ??= el.textContent;
  for (const [el, attr, key] of markedAttributes(root)) {
    if (el.hasAttribute(attr)) en[key] ??= el.getAttribute(attr);
  }
}

/** Each `[element, attribute, key]` that `data-i18n-attr="title:key;aria-label:key"` marks
 * under `root`. */
function* markedAttributes(root) {
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) yield [el, attr, key];
    }
  }
}
if (globalThis.document) addEnglishFrom(document);

/** The languages the page speaks, in the order of its language menu. */
export const LANGUAGES = ['ko', 'ja', 'en'];

const catalogs = { en };
let current = 'en';
let catalog = en;
let asked = 0;
const listeners = new Set();

/** `text` with each {name} replaced by `values[name]` as a template literal would put it; a
 * value that is a message is said too. */
function fill(cat, text, values) {
  return text.replace(/\{([\w.-]+)\}/g, (whole, name) => {
    if (!values || !(name in values)) return whole;
    const v = values[name];
    return v === null || v === undefined ? String(v) : sayIn(cat, v);
  });
}

/** A message in `cat`: `{kind, values}` as the catalog's `msg.<kind>`, else its own English
 * `message` (a kind this page does not know yet still reads, in English; a nested one, which
 * has none, as its kind and values, as the core words it then); text and numbers as they are. */
function sayIn(cat, m) {
  if (m === null || m === undefined) return '';
  if (typeof m !== 'object') return String(m);
  const text = m.kind ? cat[`msg.${m.kind}`] ?? en[`msg.${m.kind}`] : undefined;
  if (text !== undefined) return fill(cat, text, m.values);
  if (m.message !== undefined || !m.kind) return String(m.message ?? '');
  const values = Object.entries(m.values ?? {}).map(([k, v]) => `${k}: ${sayIn(cat, v)}`);
  return values.length ? `${m.kind} (${values.join(', ')})` : m.kind;
}

/** The text of `key` in the reader's language (English where its catalog lacks it), with
 * `values` in its {placeholders}. */
export function t(key, values) {
  const text = catalog[key] ?? en[key];
  return text === undefined ? key : fill(catalog, text, values);
}

/** The text of `key` in the reader's language; else `english`, the text the core gave. English
 * readers get the core's text as it is, so the page and the core never disagree in English. */
export function tOr(key, english) {
  return current !== 'en' && catalog[key] !== undefined ? catalog[key] : english;
}

/** A message of the core (`{param, message, kind, values}`, or a thrown error with `kind` and
 * `values`) in the reader's language. */
export const say = (message) => sayIn(catalog, message);

/** A message composed by the page, shaped as the core's: `message` is English (as the API has
 * always returned), `kind` and `values` let say() put it in the reader's language. Errors in
 * `values` become plain `{kind, values, message}`, so the message survives postMessage. */
/** A message from the surfaces' module, `{kind, values}`, in English: that module leaves its
 * English out (the core's `english` feature), and the English catalog's `msg.<kind>` is the
 * core's English word for word (a test holds them to it). */
export const english = (m) => sayIn(en, m);

export function warning(param, kind, values = {}) {
  const plain = Object.fromEntries(Object.entries(values).map(([k, v]) =>
    [k, v !== null && typeof v === 'object' ? { kind: v.kind, values: v.values, message: v.message === undefined ? undefined : String(v.message) } : v]));
  return { param, kind, values: plain, message: sayIn(en, { kind, values: plain }) };
}

/** An error (of `Type`) of the page with an English message, and `kind` and `values` for say(). */
export function failure(kind, values = {}, Type = Error) {
  const w = warning('', kind, values);
  return Object.assign(new Type(w.message), { kind, values: w.values });
}

export const language = () => current;

/** Calls `fn(lang)` after each change of language, once the page's static text is translated. */
export function onLanguage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The first of the browser's preferred languages that the page speaks (ko-KR is ko), else
 * English. */
export function preferred(list = navigator.languages?.length ? navigator.languages : [navigator.language]) {
  for (const tag of list) {
    const code = String(tag ?? '').toLowerCase().split('-')[0];
    if (LANGUAGES.includes(code)) return code;
  }
  return 'en';
}

async function load(lang) {
  const inline = globalThis.gradscapeInline?.[lang];
  if (inline) return inline;
  const res = await fetch(new URL(`./i18n/${lang}.json`, import.meta.url));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

/** Speaks `lang` (one of LANGUAGES): loads its catalog, translates the static page, then tells
 * the listeners, which put their own texts in it. If loading fails the page keeps its language
 * and the promise rejects. When asked twice quickly, the later choice wins. */
export async function setLanguage(lang) {
  const want = LANGUAGES.includes(lang) ? lang : 'en';
  const ticket = ++asked;
  catalogs[want] ??= await load(want);
  if (ticket !== asked) return;
  current = want;
  catalog = catalogs[want];
  document.documentElement.lang = want;
  translatePage(document);
  for (const fn of listeners) fn(want);
}

/** Translates the marked elements under `root`: `data-i18n="key"` sets the text, and
 * `data-i18n-attr="title:key;aria-label:key"` the attributes. The HTML keeps its English, so
 * the page reads before this runs. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const text = t(el.dataset.i18n);
    if (el.textContent !== text) el.textContent = text;
  }
  for (const [el, attr, key] of markedAttributes(root)) el.setAttribute(attr, t(key));
}

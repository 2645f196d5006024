// What the one-file page (dist/standalone.html) carries in itself, as it makes no request: each
// module and the digits as base64 in window.gradscapeInline.

/** The bytes carried under `key`, or null on a served page. */
export function inlineBytes(key) {
  const text = globalThis.gradscapeInline?.[key];
  return typeof text === 'string' ? Uint8Array.from(atob(text), (c) => c.charCodeAt(0)) : null;
}

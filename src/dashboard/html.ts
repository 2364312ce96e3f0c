// The dashboard's one escaping helper. Pages are built with the `html` tag: every interpolated value is
// escaped unless it is itself the result of `html` (or an array of them), so a guest's `<script>` is text
// wherever it lands, in an element or in a quoted attribute. There is no other way to put a string in a page.
// Bidirectional controls are dropped from every value: a guest name with U+202E ("Ana \u202Egpj.exe") would
// otherwise show staff reordered text, and reorder what follows it on the line.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup that is already safe (built by `html`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** The embeddings, overrides and isolates (U+202A–202E, U+2066–2069), the marks U+200E/U+200F and U+061C. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;

/** Text for an element's content or a quoted attribute value, without bidirectional controls. */
export function escapeHtml(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value as string | number | boolean));
}

/** Template tag: the literal parts are markup, every value is escaped (SafeHtml and arrays of it pass as markup). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

// The dashboard's one escaping helper. Pages are built with the `html` tag: every interpolated value is
// escaped unless it is itself the result of `html` (or an array of them), so a guest's `<script>` is text
// wherever it lands, in an element or in a quoted attribute. There is no other way to put a string in a page.
// Bidirectional controls are dropped from every value (src/core/html-escape.ts).

import { escapeHtml } from '../core/html-escape.js';

export { escapeHtml };

/** Markup that is already safe (built by `html`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
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

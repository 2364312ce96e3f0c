// The one HTML escaping of stored strings, for the staff dashboard, the HTML report and the comparison's page.
// Bidirectional controls are dropped too: a guest name with U+202E ("Ana \u202Egpj.exe") would otherwise show
// staff reordered text, and reorder what follows it on the line.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The embeddings, overrides and isolates (U+202A–202E, U+2066–2069), the marks U+200E/U+200F and U+061C. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;

/** Text for an element's content or a quoted attribute value, without bidirectional controls. */
export function escapeHtml(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

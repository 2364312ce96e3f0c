// The body of a staff e-mail. The model's text is not trusted markup (a guest can get it to write anything),
// so it is sent as plain text plus an HTML rendering of that same text in which everything is escaped: blank
// lines make paragraphs and single line breaks make `<br>`, nothing else is interpreted.

export interface EmailBody {
  text: string;
  html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function renderBody(text: string): EmailBody {
  const normalized = text.replace(/\r\n?/g, '\n');
  const paragraphs = normalized
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>\n')}</p>`);
  const html =
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n<body>\n' + paragraphs.join('\n') + '\n</body></html>\n';
  return { text: normalized, html };
}

// A small MIME reader for the tests: headers (unfolded, RFC 2047 words decoded), multipart bodies split on
// their boundaries, and leaf parts decoded from quoted-printable or base64 as UTF-8, so an assertion sees
// what a mail client would show rather than the wire encoding.

export interface MimePart {
  headers: Map<string, string>;
  /** Decoded text of a leaf part; '' for a multipart. */
  text: string;
  parts: MimePart[];
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(qpBytes(data.replace(/_/g, ' '))).toString('utf8'),
    );
}

function qpBytes(text: string): number[] {
  const bytes: number[] = [];
  const src = Buffer.from(text, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    const hex = i + 2 < src.length ? String.fromCharCode(src[i + 1]!, src[i + 2]!) : '';
    if (b === 0x3d && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(b);
    }
  }
  return bytes;
}

export function decodeQuotedPrintable(text: string): string {
  return Buffer.from(qpBytes(text.replace(/=\r?\n/g, ''))).toString('utf8');
}

function param(header: string | undefined, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(header ?? '');
  return m?.[1];
}

export function parseMime(raw: string): MimePart {
  const source = raw.replace(/\r\n/g, '\n');
  const split = source.indexOf('\n\n');
  const head = split >= 0 ? source.slice(0, split) : source;
  const body = split >= 0 ? source.slice(split + 2) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = param(type, 'boundary');
  if (/^multipart\//i.test(type) && boundary) {
    const pieces = body.split(`--${boundary}`);
    const parts = pieces
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => parseMime(p.replace(/^\n/, '').replace(/\n$/, '')));
    return { headers, text: '', parts };
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : body;
  return { headers, text, parts: [] };
}

/** Every leaf part, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}

/** The decoded text of the first leaf of this content type (`text/plain`, `text/html`). */
export function partText(raw: string, contentType: string): string | undefined {
  return leaves(parseMime(raw)).find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(contentType))?.text;
}

// Small real files made by the tests: a valid 1×1 PNG, a one-page PDF and a minimal Ogg/Opus page.

/** A valid 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A minimal JPEG header (SOI + APP0 JFIF); enough for content sniffing. */
export const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0', 'latin1'),
  Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
]);

/** A one-page PDF ("Comprobante de pago"). */
export const PDF = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >> endobj',
    '4 0 obj << /Length 44 >> stream',
    'BT /F1 12 Tf 20 50 Td (Comprobante de pago) Tj ET',
    'endstream endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n'),
  'latin1',
);

/** One Ogg page holding an OpusHead packet: what a WhatsApp voice note starts with. */
export function oggOpus(): Buffer {
  const opusHead = Buffer.concat([
    Buffer.from('OpusHead', 'latin1'),
    Buffer.from([1, 1, 0x38, 0x01, 0x80, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00]),
  ]);
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[4] = 0; // version
  header[5] = 2; // beginning of stream
  header.writeUInt32LE(0x1234, 14); // serial
  header[26] = 1; // one segment
  return Buffer.concat([header, Buffer.from([opusHead.length]), opusHead]);
}

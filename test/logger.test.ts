// Log output waiting for a slow stdout is bounded: past the limit lines are dropped and counted instead of
// piling up in the heap (issue 8 §8: a consumer that falls behind made memory grow with every webhook).
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createStdoutLogger, type Logger } from '../src/core/logger.js';

let dir: string | undefined;
let logger: Logger | undefined;
afterEach(async () => {
  // The logger's stream owns the pipe's descriptor: ending it flushes what is left and closes it.
  const stream = logger
    ? ((logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as NodeJS.EventEmitter & { end(): void })
    : undefined;
  if (stream) {
    const closed = new Promise((r) => stream.once('close', r));
    stream.end();
    await closed;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  logger = undefined;
  dir = undefined;
});

/** A pipe nobody reads until `drain` is called: what a stalled journald or terminal looks like. */
function stalledPipe(): { fd: number; drain: () => string } {
  dir = mkdtempSync(join(tmpdir(), 'watibot3-log-'));
  const path = join(dir, 'stdout');
  execFileSync('mkfifo', [path]);
  // Read-write so the open needs no reader; non-blocking so a full pipe answers EAGAIN instead of blocking.
  const pipeFd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const drain = () => {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65_536);
    for (;;) {
      let n: number;
      try {
        n = readSync(pipeFd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw err;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  };
  return { fd: pipeFd, drain };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stdout logger', () => {
  it('keeps at most its buffer limit while stdout is stalled, and reports what it dropped', async () => {
    const pipe = stalledPipe();
    const maxBufferBytes = 256 * 1024;
    const log = (logger = createStdoutLogger('info', { fd: pipe.fd, maxBufferBytes, dropReportMs: 50 }));
    const lines = 20_000;
    const filler = 'x'.repeat(200);
    for (let i = 0; i < lines; i++) log.info({ i, filler }, 'message buffered');
    await sleep(150); // the drop report is due

    // Everything that was not dropped is in the pipe (≤ 64 KiB on Linux, more on some systems) or in the
    // bounded buffer; drain repeatedly so the buffered part and the warning come out too.
    let out = '';
    for (let round = 0; round < 100; round++) {
      out += pipe.drain();
      if (out.includes('lines were dropped')) break;
      await sleep(120);
    }
    out += pipe.drain();
    const written = out.split('\n').filter((l) => l.includes('"msg":"message buffered"')).length;
    const report = out.split('\n').find((l) => l.includes('lines were dropped'));
    expect(report).toBeDefined();
    const droppedLines = (JSON.parse(report as string) as { droppedLines: number }).droppedLines;
    const lineBytes = Buffer.byteLength(out.split('\n')[0] as string) + 1;
    expect(written).toBeLessThan(lines);
    expect(written + droppedLines).toBe(lines);
    // What was held back while nobody read: the buffer limit plus what the pipe itself takes (1 MiB at most).
    expect(written * lineBytes).toBeLessThanOrEqual(maxBufferBytes + 1024 * 1024);
  });

  it('drops nothing when stdout keeps up', async () => {
    const pipe = stalledPipe();
    const log = (logger = createStdoutLogger('info', { fd: pipe.fd, maxBufferBytes: 256 * 1024, dropReportMs: 20 }));
    let out = '';
    for (let i = 0; i < 200; i++) {
      log.info({ i }, 'message buffered');
      if (i % 20 === 0) {
        await sleep(5);
        out += pipe.drain();
      }
    }
    await sleep(100);
    out += pipe.drain();
    expect(out.split('\n').filter((l) => l.includes('"msg":"message buffered"'))).toHaveLength(200);
    expect(out).not.toContain('lines were dropped');
  });
});

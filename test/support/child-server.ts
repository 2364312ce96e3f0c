// The real server in a child process, for crash tests. Its agent asks a control server (the test) for each
// reply over loopback HTTP, so the test decides when a turn finishes — or kills the process mid-turn.
// The control server may also give media parts (as a tool would add them) to send before the reply.
// Env: the usual configuration plus CONTROL_URL (and TEST_RESOURCES_DIR for media). Without CONTROL_URL the real
// OpenAI agent runs (pointed at a fake model by OPENAI_BASE_URL). Prints "LISTENING <url>" once ready.
import type { OutboxMedia } from '../../src/core/outbox-parts.js';
import { request } from 'undici';
import { buildApp } from '../../src/app.js';
import type { Agent } from '../../src/agent/types.js';
import { loadConfig } from '../../src/config.js';

const controlUrl = process.env.CONTROL_URL;

const controlAgent: Agent = {
  readiness: () => ({ ready: true, reasons: [] }),
  async respond(turn) {
    const res = await request(`${controlUrl}/turn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: turn.conversationId, texts: turn.messages.map((m) => m.text), pid: process.pid }),
      signal: turn.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const body = (await res.body.json()) as { reply: string; media?: OutboxMedia[] };
    return { outcome: 'answered', reply: body.reply, effects: (body.media ?? []).map((part) => ({ type: 'outbox' as const, part })) };
  },
};

// CHILD_HOLD=1: a standby for a restart. The modules are loaded (the slow part of a start: every source file
// compiled); the server is built only once the test writes a line on stdin, i.e. after it killed the process
// that had the database. A test that ends without using it closes stdin and the standby exits.
if (process.env.CHILD_HOLD === '1') {
  process.stdout.write('LOADED\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => process.exit(0));
  });
}

const config = loadConfig(process.env);
const resourcesDir = process.env.TEST_RESOURCES_DIR;
const agent = controlUrl ? controlAgent : undefined;
const app = await buildApp({ config, ...(agent ? { agent } : {}), sendRetry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 }, ...(resourcesDir ? { resourcesDir } : {}) });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`LISTENING ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

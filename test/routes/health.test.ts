import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent } from '../support/test-agent.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('service routes', () => {
  it('GET / names the service and GET /health is live', async () => {
    h = await startHarness({ agent: createTestAgent() });
    expect((await h.get('/')).body).toEqual({ service: 'watibot3', version: expect.any(String) });
    expect(await h.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET /ready is 200 when configured and 503 with reasons otherwise', async () => {
    h = await startHarness({ agent: createTestAgent() });
    expect(await h.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready', reasons: [] } });
    await h.close();

    const notReadyAgent = { ...createTestAgent(), readiness: () => ({ ready: false, reasons: ['OPENAI_API_KEY is not set'] }) };
    h = await startHarness({ agent: notReadyAgent, env: { WEBHOOK_PASSKEY: '' } });
    const res = await h.get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'not_ready', reasons: ['WEBHOOK_PASSKEY is not set', 'OPENAI_API_KEY is not set'] });
  });

  it('serves pictures and nothing else under resources/', async () => {
    const resources = mkdtempSync(join(tmpdir(), 'watibot3-res-'));
    mkdirSync(join(resources, 'pictures', 'bungalows'), { recursive: true });
    writeFileSync(join(resources, 'pictures', 'bungalows', 'vista.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(resources, 'system_instructions.txt'), 'secret prompt');
    h = await startHarness({ agent: createTestAgent(), resourcesDir: resources });

    const ok = await h.get('/pictures/bungalows/vista.png');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.body).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    for (const path of ['/pictures/../system_instructions.txt', '/pictures/%2e%2e/system_instructions.txt', '/pictures/missing.png', '/files/system_instructions.txt', '/pictures/bungalows']) {
      expect((await h.get(path)).status, path).toBe(404);
    }
  });
});

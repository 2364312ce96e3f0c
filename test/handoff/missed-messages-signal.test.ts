// The missed-messages block is built under a deadline tied to the signal the scheduler passes each turn,
// which is its shutdown signal, shared by every turn: the deadline must let go of that signal when the
// block is built, or one abort listener per turn stays for the life of the process.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConversationId } from '../../src/core/conversation-id.js';
import { createMissedMessagesBlock } from '../../src/handoff/missed-messages.js';
import { createServices, type Services } from '../../src/services.js';
import { startFakeWati, type FakeWati } from '../support/fake-wati.js';
import { testConfig } from '../support/test-config.js';

let wati: FakeWati;
let services: Services;
beforeAll(async () => {
  wati = await startFakeWati();
  services = await createServices(testConfig({ WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey }), { shutdownGraceMs: 500 });
});
afterAll(async () => {
  await services?.close();
  await wati?.close();
});

it('leaves no abort listener on the shared turn signal once a block is built, whatever WATI answered', async () => {
  const block = createMissedMessagesBlock({
    history: services.history,
    config: services.config,
    platforms: services.platforms,
    handoff: services.handoff,
    clock: services.clock,
  });
  const shutdown = new AbortController();
  const ref = parseConversationId('50377000009');
  for (let turn = 0; turn < 25; turn++) {
    // A conversation new to the store: each call asks WATI for the first-contact history.
    await block(ref, { batchId: turn + 1, conversationId: ref.conversationId, messages: [], maxClaimCount: 1 }, services.log, shutdown.signal);
  }
  expect(wati.requests.filter((r) => r.path.includes('/getMessages/')).length).toBeGreaterThan(0);
  expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
});

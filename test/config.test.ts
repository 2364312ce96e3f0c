import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8003,
      host: '0.0.0.0',
      dbPath: './data/watibot3.db',
      buffer: { quietMs: 10_000, mediaQuietMs: 30_000, maxWaitMs: 45_000, maxConcurrentTurns: 8 },
      manychat: { baseUrl: 'https://api.manychat.com' },
      webhookPasskey: undefined,
    });
  });

  it('accepts the legacy passkey name, decimal seconds and a WATI URL ending in /api/v1', () => {
    const c = loadConfig({
      WATIBOT4_PASSKEY: 'legacy',
      BUFFER_QUIET_SECONDS: '0.2',
      WATI_API_URL: 'https://live-mt-server.wati.io/123456/api/v1/',
    });
    expect(c.webhookPasskey).toBe('legacy');
    expect(c.buffer.quietMs).toBe(200);
    expect(c.wati.baseUrl).toBe('https://live-mt-server.wati.io/123456');
    expect(loadConfig({ WEBHOOK_PASSKEY: 'new', WATIBOT4_PASSKEY: 'legacy' }).webhookPasskey).toBe('new');
  });

  it('names every invalid variable', () => {
    try {
      loadConfig({ PORT: 'eighty', BUFFER_QUIET_SECONDS: '-1', WATI_API_URL: 'not a url', LLM_API: 'assistants' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of ['PORT', 'BUFFER_QUIET_SECONDS', 'WATI_API_URL', 'LLM_API']) expect(message).toContain(name);
    }
    expect(() => loadConfig({ BUFFER_QUIET_SECONDS: '60', BUFFER_MAX_WAIT_SECONDS: '30' })).toThrow(/BUFFER_MAX_WAIT_SECONDS/);
  });

  it('reads the handoff settings with the original defaults', () => {
    const c = loadConfig({});
    expect(c.handoff).toMatchObject({
      operatorEmail: undefined,
      botOperatorNames: ['bot'],
      pauseMs: 12 * 3600_000,
      contextGapMs: 5 * 60_000,
      historyImportMessages: 30,
    });
    expect(c.handoff.messageClosed).toContain('lunes a viernes');
    expect(c.adminToken).toBeUndefined();
    const custom = loadConfig({ BOT_OPERATOR_NAMES: 'Bot, Asistente Virtual ', BOT_PAUSE_HOURS: '0.5', ADMIN_TOKEN: 't', HISTORY_IMPORT_MESSAGES: '0' });
    expect(custom.handoff.botOperatorNames).toEqual(['bot', 'asistente virtual']);
    expect(custom.handoff.pauseMs).toBe(1_800_000);
    expect(custom.handoff.historyImportMessages).toBe(0);
    expect(custom.adminToken).toBe('t');
    expect(() => loadConfig({ BOT_PAUSE_HOURS: '0' })).toThrow(/BOT_PAUSE_HOURS/);
  });
});

// WATI's v1 sendTemplateMessage against the fake WATI: the wire format, a 2xx with result false as a final
// refusal, 5xx / 429 / timeouts as retryable, WhatsApp's rules for parameter values.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWatiTemplateSender, templateParameterValue } from '../../../src/platforms/wati/templates.js';
import { startFakeWati, type FakeWati } from '../../support/fake-wati.js';
import { failure } from '../../channels/helpers.js';

const STAFF = '50370009999';
const message = {
  templateName: 'staff_alert',
  broadcastName: 'staff_alert_operations_202612241005',
  parameters: [{ name: 'title', value: 'Operaciones: Limpieza/Cleaning' }, { name: 'details', value: 'Huésped: Ana · Habitación 12' }],
};

let wati: FakeWati;
beforeAll(async () => {
  wati = await startFakeWati({ apiKey: 'wati-secret' });
});
afterEach(() => wati.reset());
afterAll(async () => {
  await wati.close();
});

const sender = (timeoutMs?: number) =>
  createWatiTemplateSender({ baseUrl: `${wati.url}/api/v1/`, apiKey: wati.apiKey }, timeoutMs ? { timeoutMs } : {});

describe('createWatiTemplateSender', () => {
  it('posts the template as JSON to the v1 route with the number in the query and bearer auth', async () => {
    const sent = await sender().sendTemplate(STAFF, message);
    expect(wati.sentTemplates(STAFF)).toEqual([
      { waId: STAFF, templateName: 'staff_alert', broadcastName: message.broadcastName, parameters: message.parameters, localMessageId: expect.any(String) },
    ]);
    expect(sent.platformMessageId).toBe(wati.templates[0]?.localMessageId);
    const req = wati.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/${wati.tenantId}/api/v1/sendTemplateMessage`);
    expect(req.query.get('whatsappNumber')).toBe(STAFF);
    expect(req.bearer).toBe('wati-secret');
    expect(req.json).toEqual({ template_name: 'staff_alert', broadcast_name: message.broadcastName, parameters: message.parameters });
  });

  it('is disabled without credentials and refuses what is not a WhatsApp number, without a request', async () => {
    const disabled = createWatiTemplateSender({ baseUrl: wati.url });
    expect(disabled.disabledReason).toMatch(/WATI_API_KEY/);
    expect(await failure(disabled.sendTemplate(STAFF, message))).toMatchObject({ code: 'CHANNEL_DISABLED', retryable: false });
    expect(await failure(sender().sendTemplate('facebook:1', message))).toMatchObject({ code: 'REJECTED', retryable: false });
    expect(wati.requests).toHaveLength(0);
  });

  it('takes a 2xx whose body says result false, or an invalid number, as a final refusal', async () => {
    wati.queueResponses(
      { status: 200, body: { result: false, info: 'Template not found' } },
      { status: 200, body: { result: true, receivers: [{ localMessageId: 'x', waId: STAFF, isValidWhatsAppNumber: false, errors: [] }] } },
      { status: 200, body: 'OK' },
    );
    const notFound = await failure(sender().sendTemplate(STAFF, message));
    expect(notFound).toMatchObject({ code: 'REJECTED', retryable: false });
    expect(notFound.message).toMatch(/Template not found/);
    expect((await failure(sender().sendTemplate(STAFF, message))).message).toMatch(/not a valid WhatsApp number/);
    expect(await failure(sender().sendTemplate(STAFF, message))).toMatchObject({ code: 'REJECTED' });
    expect(wati.templates).toHaveLength(0);
  });

  it('reports 5xx, 429 and timeouts as retryable; other 4xx as final', async () => {
    wati.queueResponses({ status: 502, body: { message: 'bad gateway' } }, { status: 429, headers: { 'retry-after': '3' }, body: {} }, { status: 400, body: { info: 'bad' } }, { status: 200, hang: true });
    expect(await failure(sender().sendTemplate(STAFF, message))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(await failure(sender().sendTemplate(STAFF, message))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, options: { retryAfterMs: 3000 } });
    expect(await failure(sender().sendTemplate(STAFF, message))).toMatchObject({ code: 'REJECTED', retryable: false });
    expect(await failure(sender(100).sendTemplate(STAFF, message))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });

  it('cancels with the caller’s signal', async () => {
    wati.queueResponses({ status: 200, hang: true });
    const ac = new AbortController();
    const pending = sender().sendTemplate(STAFF, message, ac.signal);
    setTimeout(() => ac.abort(new Error('shutdown')), 20);
    await expect(pending).rejects.toThrow('shutdown');
  });
});

describe('templateParameterValue', () => {
  it('flattens newlines, tabs and runs of spaces, never leaves a value empty, and caps its length', () => {
    expect(templateParameterValue('Línea 1\nLínea 2\tx      y ')).toBe('Línea 1 Línea 2 x y');
    expect(templateParameterValue(' \n ')).toBe('-');
    const long = templateParameterValue('a'.repeat(1_500));
    expect(long).toHaveLength(1_000);
    expect(long.endsWith('…')).toBe(true);
  });
});

// mark_customer_frustrated: the handoff effect, and staff alerts carrying the channel, the guest (the number
// in full in the alert only, never in a log), the reason and the last 8 messages with their local times.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/core/messages.js';
import { STAFF_ALERT_JOB, type StaffAlertPayload } from '../../../src/staff/staff-alerts.js';
import { BufferStore } from '../../../src/store/buffer-store.js';
import { ConversationHistoryRepository } from '../../../src/store/conversation-history-repository.js';
import { createMarkCustomerFrustratedTool, formatRecentMessage } from '../../../src/tools/staff/mark-customer-frustrated.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { startFakeWati, type FakeWati } from '../../support/fake-wati.js';
import { tempDbPath } from '../../support/test-config.js';
import { openMigratedDatabase } from '../../support/test-db.js';
import { T0, jobsOf, recordingLogger, runJobs, staffAlertsFor, toolContext } from './staff-alert-helpers.js';

const STAFF = '50370009991';
const GUEST = '50370000099';
const MIN = 60_000;

let wati: FakeWati;
beforeAll(async () => {
  wati = await startFakeWati();
});
afterEach(() => wati.reset());
afterAll(async () => {
  await wati.close();
});

let n = 0;
const guestMessage = (text: string): InboundMessage => ({
  conversationId: GUEST,
  channel: 'whatsapp',
  externalUserId: GUEST,
  platformMessageId: `wamid.g${++n}`,
  kind: 'text',
  text,
  mediaRef: undefined,
  replyContextId: undefined,
  senderName: undefined,
});

describe('mark_customer_frustrated', () => {
  it('hands the guest to staff and alerts them with the guest’s number and the last 8 messages', async () => {
    const db = openMigratedDatabase(tempDbPath());
    const store = new BufferStore(db);
    const history = new ConversationHistoryRepository(db);
    // Five exchanges (10 messages) before 10:05 El Salvador time; the alert quotes the last 8.
    for (let i = 0; i < 5; i++) {
      const at = T0 - (10 - 2 * i) * MIN;
      store.accept([guestMessage(i === 4 ? `¡Quiero mi reembolso! ${'muy molesto '.repeat(40)}` : `mensaje ${i}`)], at);
      store.claimBatch(GUEST, at);
      store.recordNotice(GUEST, `respuesta ${i}`, `wamid.b${i}`, at + MIN);
    }
    const logs = recordingLogger();
    const staffAlerts = staffAlertsFor(wati, { STAFF_WHATSAPP_NUMBERS: STAFF }, logs.log);
    const registry = new ToolRegistry([
      createMarkCustomerFrustratedTool({ staffAlerts, lastMessages: (id, limit) => history.lastMessages(id, limit) }),
    ]);

    const r = await registry.execute(
      'mark_customer_frustrated',
      JSON.stringify({ phone_number: '50399999999', reason: 'pide reembolso' }),
      toolContext('whatsapp', GUEST, { guestName: 'Ana', log: logs.log }),
    );
    expect(r.ok).toBe(true);
    expect(JSON.parse(r.output)).toEqual({
      success: true,
      status: 'escalated',
      staff_alerted: true,
      note: expect.stringContaining('no escribas otro mensaje'),
    });
    expect(r.effects.filter((e) => e.type === 'handoff')).toEqual([{ type: 'handoff', reason: 'cliente frustrado: pide reembolso' }]);
    const jobs = jobsOf(r.effects);
    expect(jobs.map((j) => [j.kind, j.conversationId])).toEqual([[STAFF_ALERT_JOB, GUEST]]);
    const payload = jobs[0]?.payload as StaffAlertPayload;
    expect(payload.title).toBe('Cliente frustrado (WhatsApp): atender ahora');
    expect(payload.lines.slice(0, 6)).toEqual([
      'Canal: WhatsApp',
      expect.stringMatching(/^Conversación: wa:…0099:[0-9a-f]{10}$/),
      `WhatsApp del huésped: +${GUEST}`,
      'Nombre: Ana',
      'Motivo: pide reembolso',
      'Últimos mensajes:',
    ]);
    const quoted = payload.lines.slice(6);
    expect(quoted).toHaveLength(8);
    // The oldest two (mensaje 0, respuesta 0) are left out; times are El Salvador's.
    expect(quoted[0]).toBe('[24/12 09:57] Huésped: mensaje 1');
    expect(quoted[1]).toBe('[24/12 09:58] Asistente: respuesta 1');
    expect(quoted[6]).toMatch(/^\[24\/12 10:03\] Huésped: ¡Quiero mi reembolso! muy molesto .*…$/);
    expect(quoted[6]!.length).toBeLessThan(340);
    expect(quoted[7]).toBe('[24/12 10:04] Asistente: respuesta 4');
    expect(payload.lines.join('\n')).not.toContain('50399999999'); // the model's phone_number is ignored

    // Delivered through the worker: the staff get the number in full; the logs never do.
    expect(await runJobs(db, staffAlerts.jobKinds, jobs, logs.log)).toEqual(['done']);
    const [text] = wati.sentTexts(STAFF);
    expect(text).toContain(`🔔 Cliente frustrado (WhatsApp): atender ahora\nCanal: WhatsApp`);
    expect(text).toContain(`WhatsApp del huésped: +${GUEST}`);
    expect(text).toContain('[24/12 10:04] Asistente: respuesta 4');
    expect(logs.text()).not.toContain(GUEST);
    expect(logs.text()).not.toContain(STAFF);
    db.close();
  });

  it('names the ManyChat subscriber off WhatsApp', async () => {
    const logs = recordingLogger();
    const staffAlerts = staffAlertsFor(wati, { STAFF_WHATSAPP_NUMBERS: STAFF }, logs.log);
    const registry = new ToolRegistry([createMarkCustomerFrustratedTool({ staffAlerts, lastMessages: () => [] })]);
    const r = await registry.execute('mark_customer_frustrated', '{}', toolContext('instagram', '987', { log: logs.log }));
    expect(r.effects[0]).toEqual({ type: 'handoff', reason: 'cliente frustrado: sin motivo indicado' });
    const payload = jobsOf(r.effects)[0]?.payload as StaffAlertPayload;
    expect(payload.lines).toEqual([
      'Canal: Instagram',
      expect.stringMatching(/^Conversación: ig:…987:/),
      'Suscriptor ManyChat: 987',
      'Motivo: sin motivo indicado',
    ]);
  });

  it('still hands the guest over when no staff destination is configured, and says staff were not alerted', async () => {
    const logs = recordingLogger();
    const staffAlerts = staffAlertsFor(wati, {}, logs.log);
    let asked = 0;
    const registry = new ToolRegistry([
      createMarkCustomerFrustratedTool({
        staffAlerts,
        lastMessages: () => {
          asked++;
          return [];
        },
      }),
    ]);
    const r = await registry.execute('mark_customer_frustrated', JSON.stringify({ reason: 'enojado' }), toolContext('whatsapp', GUEST, { log: logs.log }));
    expect(r.effects).toEqual([{ type: 'handoff', reason: 'cliente frustrado: enojado' }]);
    const out = JSON.parse(r.output) as { staff_alerted: boolean; note: string; status: string };
    expect(out).toMatchObject({ success: true, status: 'escalated', staff_alerted: false });
    expect(out.note).toMatch(/no fue alertado/);
    expect(asked).toBe(0);
    expect(logs.text()).toContain('without a staff alert');
  });

  it('formats a message with its local time and clips it', () => {
    const line = formatRecentMessage({ role: 'staff', text: `a\n${'b'.repeat(400)}`, at: T0 }, 'America/El_Salvador');
    expect(line.startsWith('[24/12 10:05] Agente: a b')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
  });
});

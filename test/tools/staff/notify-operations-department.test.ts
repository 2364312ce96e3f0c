// notify_operations_department: the alert goes out as staff.alert jobs with the reply (never a number in
// the description or the output in full), with the original's defaults and output keys.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ALERT_JOB, type StaffAlertPayload } from '../../../src/staff/staff-alerts.js';
import { createNotifyOperationsDepartmentTool } from '../../../src/tools/staff/notify-operations-department.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { startFakeWati, type FakeWati } from '../../support/fake-wati.js';
import { tempDbPath } from '../../support/test-config.js';
import { openMigratedDatabase } from '../../support/test-db.js';
import { jobsOf, recordingLogger, runJobs, staffAlertsFor, toolContext } from './staff-alert-helpers.js';

const STAFF = '50370009991';
const GUEST = '50370000099';

let wati: FakeWati;
beforeAll(async () => {
  wati = await startFakeWati();
});
afterEach(() => wati.reset());
afterAll(async () => {
  await wati.close();
});

describe('notify_operations_department', () => {
  it('enqueues the alert with the reply and answers with the original’s keys, the staff number masked', async () => {
    const logs = recordingLogger();
    const staffAlerts = staffAlertsFor(wati, { STAFF_WHATSAPP_NUMBERS: STAFF, STAFF_ALERT_TEMPLATE: 'staff_alert', STAFF_ALERT_TEMPLATE_PARAMS: 'title,details' }, logs.log);
    const registry = new ToolRegistry([createNotifyOperationsDepartmentTool({ staffAlerts })]);
    expect(JSON.stringify(registry.specs)).not.toMatch(/\d{8,}/);

    const r = await registry.execute(
      'notify_operations_department',
      JSON.stringify({ issue_type: 'Limpieza/Cleaning', issue_description: 'No hay toallas', guest_location: 'Bungalow 4' }),
      toolContext('whatsapp', GUEST, { guestName: 'Ana', log: logs.log }),
    );
    expect(r.ok).toBe(true);
    const out = JSON.parse(r.output) as Record<string, unknown>;
    expect(out).toEqual({
      success: true,
      message: expect.stringContaining('Operaciones'),
      operations_phone: 'WhatsApp de Operaciones (…9991)',
      guest_info: { name: 'Ana', phone: GUEST, issue_type: 'Limpieza/Cleaning' },
    });
    expect(r.output).not.toContain(STAFF);
    expect(r.effects.some((e) => e.type === 'handoff')).toBe(false);
    const jobs = jobsOf(r.effects);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: STAFF_ALERT_JOB, conversationId: GUEST });
    expect((jobs[0]?.payload as StaffAlertPayload).lines).toEqual([
      'Huésped: Ana',
      `Teléfono: ${GUEST}`,
      'Ubicación: Bungalow 4',
      'Tipo: Limpieza/Cleaning',
      'Descripción: No hay toallas',
    ]);

    // The job, run by the worker, sends the template to the staff number.
    const db = openMigratedDatabase(tempDbPath());
    expect(await runJobs(db, staffAlerts.jobKinds, jobs, logs.log)).toEqual(['done']);
    expect(wati.sentTemplates(STAFF).map((t) => t.parameters)).toEqual([
      [
        { name: 'title', value: 'Operaciones: Limpieza/Cleaning' },
        { name: 'details', value: `Huésped: Ana · Teléfono: ${GUEST} · Ubicación: Bungalow 4 · Tipo: Limpieza/Cleaning · Descripción: No hay toallas` },
      ],
    ]);
    expect(logs.text()).not.toContain(STAFF);
    expect(logs.text()).not.toContain(GUEST);
    db.close();
  });

  it('uses the original’s defaults off WhatsApp and the model’s values when given', async () => {
    const logs = recordingLogger();
    const staffAlerts = staffAlertsFor(wati, { STAFF_WHATSAPP_NUMBERS: STAFF }, logs.log);
    const registry = new ToolRegistry([createNotifyOperationsDepartmentTool({ staffAlerts })]);
    const ctx = toolContext('facebook', '123', { log: logs.log });
    const r = await registry.execute('notify_operations_department', JSON.stringify({ issue_type: 'Otro/Other', issue_description: 'Ruido' }), ctx);
    expect(JSON.parse(r.output)).toMatchObject({ success: true, guest_info: { name: 'Huésped', phone: 'contacto vía asistente', issue_type: 'Otro/Other' } });
    expect((jobsOf(r.effects)[0]?.payload as StaffAlertPayload).lines.slice(0, 3)).toEqual([
      'Huésped: Huésped',
      'Teléfono: contacto vía asistente',
      'Ubicación: Instalaciones del hotel',
    ]);

    const given = await registry.execute(
      'notify_operations_department',
      JSON.stringify({ issue_type: 'Otro/Other', issue_description: 'Ruido', guest_name: 'Luis', guest_phone: '+503 7000 0101' }),
      ctx,
    );
    expect(JSON.parse(given.output)).toMatchObject({ guest_info: { name: 'Luis', phone: '+503 7000 0101' } });

    const bad = await registry.execute('notify_operations_department', JSON.stringify({ issue_type: 'Piscina', issue_description: 'x' }), ctx);
    expect(bad).toMatchObject({ ok: false, error: 'invalid_arguments', effects: [] });
  });

  it('says no one was alerted when no staff destination is configured', async () => {
    const logs = recordingLogger();
    const staffAlerts = staffAlertsFor(wati, {}, logs.log);
    const registry = new ToolRegistry([createNotifyOperationsDepartmentTool({ staffAlerts })]);
    const r = await registry.execute(
      'notify_operations_department',
      JSON.stringify({ issue_type: 'Servicio/Service', issue_description: 'Sin agua caliente' }),
      toolContext('whatsapp', GUEST, { log: logs.log }),
    );
    expect(JSON.parse(r.output)).toMatchObject({ success: false, error: 'not_configured' });
    expect(r.effects).toEqual([]);
    expect(logs.text()).toContain('operations alert not sent');
  });
});

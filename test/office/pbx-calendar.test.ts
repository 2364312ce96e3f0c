// The office calendar with the phone system's closure rules, through a fake source: closure by rule, the
// configured calendar when no rule matches, the fallback (with a note) when the source fails or its rules
// are stale, the one-minute cache and one read at a time.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createOfficeCalendar, PBX_MAX_AGE_MS, type PbxClosureRules } from '../../src/office/schedule.js';

const TZ = 'America/El_Salvador';
/** An instant given as El Salvador wall-clock time (UTC-6, no DST). */
const sv = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h + 6, mi);
const HOURS = 'mon-fri 08:00-17:00; sat 09:00-13:00';
const SECOND = 1000;

interface FakePbx extends PbxClosureRules {
  calls: number;
  rules: string[];
  failWith: Error | undefined;
  /** When set, reads wait for it. */
  gate: Promise<void> | undefined;
}

function fakePbx(rules: string[] = []): FakePbx {
  const fake: FakePbx = {
    calls: 0,
    rules,
    failWith: undefined,
    gate: undefined,
    async closureRules() {
      fake.calls++;
      if (fake.gate) await fake.gate;
      if (fake.failWith) throw fake.failWith;
      return [...fake.rules];
    },
  };
  return fake;
}

interface Warning {
  obj: Record<string, unknown>;
  msg: string;
}

function calendar(pbx: FakePbx | undefined, closures = '') {
  const warnings: Warning[] = [];
  const log = pino({ level: 'warn' }, {
    write(line: string) {
      const { msg, ...obj } = JSON.parse(line) as Record<string, unknown>;
      warnings.push({ obj, msg: String(msg) });
    },
  });
  const office = createOfficeCalendar({ hours: HOURS, closures, timezone: TZ, pbxSource: pbx, log });
  return { office, warnings };
}

describe('OfficeCalendar with PBX closure rules', () => {
  it('is closed when a rule matches, naming the rule', async () => {
    const pbx = fakePbx(['*|*|24-25|dec']);
    const { office } = calendar(pbx);
    const now = sv(2026, 12, 24, 10, 0); // a Thursday, inside OFFICE_HOURS
    await office.refresh(now);
    const s = office.status(now);
    expect(s).toMatchObject({ office_status: 'closed', can_automate: true, closure_rules: 'pbx' });
    expect(s.reason).toContain('Oficina cerrada según la central telefónica (regla "*|*|24-25|dec").');
    expect(s.reason).toContain('del 24 al 25 de diciembre');
    expect(s.reason).toContain('jueves 2026-12-24 10:00 (America/El_Salvador)');
    expect(s.note).toBeUndefined();
    expect(office.isOpen(now)).toBe(false);
  });

  it('leaves the decision to the configured calendar when no rule matches', async () => {
    const pbx = fakePbx(['*|*|24-25|dec', '*|*|15|sep']);
    const { office } = calendar(pbx, '2026-03-05');
    const at = async (now: number) => {
      await office.refresh(now);
      return office.status(now);
    };
    const open = await at(sv(2026, 3, 3, 10, 0));
    expect(open).toMatchObject({ office_status: 'open', can_automate: false, closure_rules: 'pbx' });
    expect(open.note).toBeUndefined();
    // OFFICE_HOURS, OFFICE_CLOSURES and holidays still close it
    expect(await at(sv(2026, 3, 3, 18, 0))).toMatchObject({ office_status: 'closed', closure_rules: 'pbx' });
    expect((await at(sv(2026, 3, 5, 10, 0))).reason).toContain('cierre programado (2026-03-05)');
    expect((await at(sv(2026, 4, 2, 10, 0))).reason).toContain('Jueves Santo');
    expect(pbx.calls).toBe(4);
  });

  it('falls back to the configured calendar, with a note, when the PBX cannot be read', async () => {
    const pbx = fakePbx(['*|*|24-25|dec']);
    pbx.failWith = Object.assign(new Error('hotel database: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9'), { code: 'unavailable' });
    const { office, warnings } = calendar(pbx);
    const now = sv(2026, 12, 24, 10, 0);
    await expect(office.refresh(now)).resolves.toBeUndefined();
    const s = office.status(now);
    expect(s).toMatchObject({ office_status: 'open', can_automate: false, closure_rules: 'config' });
    expect(s.note).toBe(
      'No se pudo consultar la central telefónica (sin conexión): se usaron el horario y los cierres configurados (OFFICE_HOURS, OFFICE_CLOSURES y feriados).',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/could not read the PBX closure rules/);
    expect(warnings[0]?.obj.err).toContain('ECONNREFUSED');
  });

  it('says so when status is asked before any refresh', () => {
    const { office } = calendar(fakePbx());
    expect(office.status(sv(2026, 3, 3, 10, 0))).toMatchObject({ closure_rules: 'config', note: expect.stringContaining('aún no consultada') });
  });

  it('has no note and closure_rules "config" without a PBX, and refresh does nothing', async () => {
    const { office } = calendar(undefined);
    const now = sv(2026, 12, 24, 10, 0);
    await office.refresh(now);
    const s = office.status(now);
    expect(s).toMatchObject({ office_status: 'open', closure_rules: 'config' });
    expect('note' in s).toBe(false);
  });

  it('reads the PBX at most once a minute', async () => {
    const pbx = fakePbx(['*|*|24-25|dec']);
    const { office } = calendar(pbx);
    const t0 = sv(2026, 3, 3, 10, 0);
    await office.refresh(t0);
    office.status(t0);
    await office.refresh(t0 + 30 * SECOND);
    office.status(t0 + 30 * SECOND);
    expect(pbx.calls).toBe(1);
    await office.refresh(t0 + 61 * SECOND);
    expect(pbx.calls).toBe(2);
    // a failed read is not repeated sooner either
    pbx.failWith = new Error('down');
    await office.refresh(t0 + 122 * SECOND);
    await office.refresh(t0 + 130 * SECOND);
    expect(pbx.calls).toBe(3);
  });

  it('sends concurrent refreshes to one read', async () => {
    const pbx = fakePbx(['*|*|24-25|dec']);
    let release = () => {};
    pbx.gate = new Promise<void>((r) => (release = r));
    const { office } = calendar(pbx);
    const now = sv(2026, 12, 24, 10, 0);
    const refreshes = [office.refresh(now), office.refresh(now), office.refresh(now + 61 * SECOND)];
    release();
    await Promise.all(refreshes);
    expect(pbx.calls).toBe(1);
    expect(office.status(now).closure_rules).toBe('pbx');
  });

  it('stops waiting when the caller aborts, and the read still completes for the next status', async () => {
    const pbx = fakePbx(['*|*|24-25|dec']);
    let release = () => {};
    pbx.gate = new Promise<void>((r) => (release = r));
    const { office } = calendar(pbx);
    const now = sv(2026, 12, 24, 10, 0);
    const controller = new AbortController();
    const waiting = office.refresh(now, controller.signal);
    controller.abort(new Error('turn aborted'));
    await expect(waiting).resolves.toBeUndefined();
    expect(office.status(now).closure_rules).toBe('config');
    release();
    await office.refresh(now);
    expect(office.status(now)).toMatchObject({ office_status: 'closed', closure_rules: 'pbx' });
    expect(pbx.calls).toBe(1);
  });

  it('keeps using rules up to 5 minutes old when a later read fails, then falls back with a note', async () => {
    const pbx = fakePbx(['*|*|24-25|dec']);
    const { office } = calendar(pbx);
    const t0 = sv(2026, 12, 24, 10, 0);
    await office.refresh(t0);
    pbx.failWith = Object.assign(new Error('no answer'), { code: 'timeout' });
    await office.refresh(t0 + 61 * SECOND);
    expect(office.status(t0 + 61 * SECOND)).toMatchObject({ office_status: 'closed', closure_rules: 'pbx' });
    expect(office.status(t0 + PBX_MAX_AGE_MS)).toMatchObject({ office_status: 'closed', closure_rules: 'pbx' });

    const late = t0 + PBX_MAX_AGE_MS + SECOND;
    await office.refresh(late);
    const s = office.status(late);
    expect(s).toMatchObject({ office_status: 'open', closure_rules: 'config' });
    expect(s.note).toContain('No se pudo consultar la central telefónica (sin respuesta a tiempo)');
  });

  it('falls back with a note when the rules are stale and no read was attempted', async () => {
    const { office } = calendar(fakePbx(['*|*|24-25|dec']));
    const t0 = sv(2026, 12, 24, 10, 0);
    await office.refresh(t0);
    const s = office.status(t0 + 6 * 60 * SECOND);
    expect(s).toMatchObject({ office_status: 'open', closure_rules: 'config' });
    expect(s.note).toContain('reglas sin actualizar desde hace 6 min');
  });

  it('skips a rule that does not parse, warns once per text and mentions it in the note', async () => {
    const pbx = fakePbx(['*|*|24-25|dic', '*|*|24-25|dec', 'garbage|x']);
    const { office, warnings } = calendar(pbx);
    const t0 = sv(2026, 12, 24, 10, 0);
    await office.refresh(t0);
    await office.refresh(t0 + 61 * SECOND);
    expect(pbx.calls).toBe(2);
    const s = office.status(t0);
    expect(s).toMatchObject({ office_status: 'closed', closure_rules: 'pbx' });
    expect(s.reason).toContain('regla "*|*|24-25|dec"');
    expect(s.note).toBe('Se ignoraron reglas de la central telefónica que no se pudieron interpretar: "*|*|24-25|dic", "garbage|x".');
    expect(warnings.map((w) => w.obj.spec)).toEqual(['*|*|24-25|dic', 'garbage|x']);
    expect(warnings[0]?.obj.err).toMatch(/month "dic"/);
  });
});

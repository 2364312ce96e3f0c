// Office hours, El Salvador public holidays and a configurable closure calendar. The service builds one
// OfficeCalendar from the config and hands it to whoever asks whether the office is open.
//
// OFFICE_HOURS syntax: entries separated by ";", each "<days> <ranges>".
//   days:   mon tue wed thu fri sat sun, ranges "mon-fri" (may wrap: "fri-mon"), lists "mon,wed,fri"
//   ranges: "HH:MM-HH:MM", several separated by ","; end is exclusive and may be 24:00
//   e.g. "mon-fri 08:00-12:00,13:00-17:00; sat 09:00-13:00"   (days not listed are closed)
// OFFICE_CLOSURES syntax: entries separated by ";", each "<date>[..<date>] [ranges]".
//   "2026-12-24" closes the whole day, "2026-12-31 12:00-23:59" part of it,
//   "2026-12-24..2026-12-26" a span of days (optionally with ranges applied to each day).
// Everything is evaluated in TIMEZONE.
//
// With a phone system (OFFICE_DB_*), the closure rules of its time group (Asterisk time specs, see
// pbx-time-rules.ts) close the office too, as in the original. They are read by refresh() at most once a
// minute and used while at most 5 minutes old; without them the configured calendar alone decides, and
// the status says so in a note.
import type { Logger } from 'pino';
import type { HotelDbErrorCode } from '../store/hotel-db.js';
import { deadline } from '../core/abort.js';
import { describePbxRule, matchesPbxRule, parsePbxTimeRule, type PbxTimeRule } from './pbx-time-rules.js';
import { hhmm, isoDate, SPANISH_WEEKDAYS, zonedParts, type ZonedParts } from '../core/zoned-time.js';

export interface MinuteRange {
  /** Minutes since midnight, inclusive. */
  start: number;
  /** Minutes since midnight, exclusive (≤ 1440). */
  end: number;
}

/** Opening ranges per weekday, 0 = Sunday. */
export type WeeklySchedule = MinuteRange[][];

export interface Closure {
  /** Inclusive ISO dates. */
  from: string;
  to: string;
  /** Empty = the whole day. */
  ranges: MinuteRange[];
}

export class ScheduleSyntaxError extends Error {
  override readonly name = 'ScheduleSyntaxError';
}

const DAY_INDEX: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

function parseTime(text: string, allow24: boolean): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) throw new ScheduleSyntaxError(`"${text}" is not a time (HH:MM)`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !allow24))) {
    throw new ScheduleSyntaxError(`"${text}" is not a valid time`);
  }
  return h * 60 + min;
}

function parseRanges(text: string): MinuteRange[] {
  return text.split(',').map((part) => {
    const m = /^\s*([\d:]+)\s*-\s*([\d:]+)\s*$/.exec(part);
    if (!m) throw new ScheduleSyntaxError(`"${part.trim()}" is not a time range (HH:MM-HH:MM)`);
    const start = parseTime(m[1] as string, false);
    const end = parseTime(m[2] as string, true);
    if (end <= start) throw new ScheduleSyntaxError(`"${part.trim()}" ends before it starts`);
    return { start, end };
  });
}

function parseDays(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(',')) {
    const [a, b, extra] = part.trim().split('-');
    const from = DAY_INDEX[a ?? ''];
    const to = b === undefined ? from : DAY_INDEX[b];
    if (from === undefined || to === undefined || extra !== undefined) {
      throw new ScheduleSyntaxError(`"${part.trim()}" is not a day or day range (mon … sun, e.g. mon-fri)`);
    }
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days];
}

export function parseOfficeHours(text: string): WeeklySchedule {
  const week: WeeklySchedule = [[], [], [], [], [], [], []];
  for (const entry of text.split(';')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const m = /^(\S+)\s+(.+)$/.exec(trimmed);
    if (!m) throw new ScheduleSyntaxError(`"${trimmed}" must be "<days> <HH:MM-HH:MM>"`);
    const ranges = parseRanges(m[2] as string);
    for (const day of parseDays(m[1] as string)) (week[day] as MinuteRange[]).push(...ranges);
  }
  return week;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(text: string): string {
  const m = ISO_DATE.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw new ScheduleSyntaxError(`"${text}" is not a date (YYYY-MM-DD)`);
  }
  return text;
}

export function parseClosures(text: string): Closure[] {
  const closures: Closure[] = [];
  for (const entry of text.split(';')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const m = /^(\S+?)(?:\.\.(\S+))?(?:\s+(.+))?$/.exec(trimmed);
    if (!m) throw new ScheduleSyntaxError(`"${trimmed}" must be "YYYY-MM-DD[..YYYY-MM-DD] [HH:MM-HH:MM]"`);
    const from = checkDate(m[1] as string);
    const to = m[2] ? checkDate(m[2]) : from;
    if (to < from) throw new ScheduleSyntaxError(`"${trimmed}" ends before it starts`);
    closures.push({ from, to, ranges: m[3] ? parseRanges(m[3]) : [] });
  }
  return closures;
}

/** Gregorian Easter Sunday (anonymous Gregorian / Meeus–Jones–Butcher algorithm). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

function shiftDate(year: number, month: number, day: number, days: number): string {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return isoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

const holidayCache = new Map<number, ReadonlyMap<string, string>>();

/**
 * Days the office is closed as public holidays: El Salvador's national paid holidays (Código de Trabajo
 * art. 190 and later decrees: 1 Jan; Holy Thursday, Friday and Saturday; 1 May; 10 May; 17 Jun; 6 Aug;
 * 15 Sep; 2 Nov; 25 Dec), the same set the original service took from python-holidays. Local days the
 * office also observes (3–5 Aug in San Salvador, 22 Jun…) go in OFFICE_CLOSURES.
 */
export function elSalvadorHolidays(year: number): ReadonlyMap<string, string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const easter = easterSunday(year);
  const fixed = (month: number, day: number) => isoDate({ year, month, day });
  const map = new Map<string, string>([
    [fixed(1, 1), 'Año Nuevo'],
    [shiftDate(year, easter.month, easter.day, -3), 'Jueves Santo'],
    [shiftDate(year, easter.month, easter.day, -2), 'Viernes Santo'],
    [shiftDate(year, easter.month, easter.day, -1), 'Sábado Santo'],
    [fixed(5, 1), 'Día del Trabajo'],
    [fixed(5, 10), 'Día de la Madre'],
    [fixed(6, 17), 'Día del Padre'],
    [fixed(8, 6), 'Fiestas Agostinas (Divino Salvador del Mundo)'],
    [fixed(9, 15), 'Día de la Independencia'],
    [fixed(11, 2), 'Día de los Difuntos'],
    [fixed(12, 25), 'Navidad'],
  ]);
  holidayCache.set(year, map);
  return map;
}

export interface OfficeStatus {
  office_status: 'open' | 'closed';
  reason: string;
  can_automate: boolean;
  automation_reason: string;
  /** Whether the phone system's closure rules were applied ('pbx') or only the configured calendar ('config'). */
  closure_rules: 'pbx' | 'config';
  /** Set when a phone system is configured but its rules could not be read (or some could not be parsed). */
  note?: string;
}

function inRanges(minute: number, ranges: readonly MinuteRange[]): boolean {
  return ranges.some((r) => minute >= r.start && minute < r.end);
}

function describeNow(p: ZonedParts, timeZone: string): string {
  return `${SPANISH_WEEKDAYS[p.weekday]} ${isoDate(p)} ${hhmm(p)} (${timeZone})`;
}

/** The office's calendar, parsed once: weekly hours, closures and holidays in one time zone. */
export interface OfficeCalendar {
  /**
   * What check_office_status answers: open or closed at `now`, why, and whether the assistant may book.
   * Synchronous: it uses the phone system's rules as the last refresh() left them.
   */
  status(now: number): OfficeStatus;
  isOpen(now: number): boolean;
  /**
   * Reads the phone system's closure rules when the cached ones are older than a minute (one read at a
   * time, bounded). Never throws: a failure is remembered for status() and logged. No-op without a PBX.
   */
  refresh(now: number, signal?: AbortSignal): Promise<void>;
}

/** Where the phone system's closure rules come from (createPbxClosureSource, or a fake in tests). */
export interface PbxClosureRules {
  /** The time specs of the office's closure time group, unparsed. */
  closureRules(signal?: AbortSignal): Promise<string[]>;
}

export interface OfficeCalendarOptions {
  /** OFFICE_HOURS text (also quoted in the status' reason). */
  hours: string;
  /** OFFICE_CLOSURES text. */
  closures: string;
  /** IANA time zone everything is evaluated in (TIMEZONE). */
  timezone: string;
  /**
   * The phone system's closure rules (createPbxClosureSource(config.office.pbx, log)); without it the
   * configured calendar alone decides. Not named `pbx`: callers spread config.office, whose `pbx` is the
   * connection config.
   */
  pbxSource?: PbxClosureRules | undefined;
  /** For failures to read the phone system and rules that do not parse. */
  log?: Pick<Logger, 'warn'> | undefined;
}

/** Rules older than this are read again on the next refresh (and a failed read is not retried sooner). */
export const PBX_REFRESH_MS = 60_000;
/** Rules older than this are not used: the configured calendar decides, with a note. */
export const PBX_MAX_AGE_MS = 5 * 60_000;
/** Backstop for one read, beyond the pool's own connect and query timeouts. */
const PBX_READ_BOUND_MS = 8_000;

interface PbxRulesRead {
  rules: PbxTimeRule[];
  /** Specs that did not parse (skipped). */
  skipped: string[];
  /** `now` of the refresh that read them. */
  readAt: number;
}

const SHORT_REASON: Record<HotelDbErrorCode, string> = {
  unavailable: 'sin conexión',
  timeout: 'sin respuesta a tiempo',
  query_failed: 'la consulta falló',
  bad_row: 'respuesta inesperada',
};

/** A few Spanish words for the note; the log has the whole error. */
function shortReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return SHORT_REASON.timeout;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in SHORT_REASON) return SHORT_REASON[code as HotelDbErrorCode];
  return 'error al consultar';
}

const minutesAgo = (ms: number) => `hace ${Math.max(1, Math.round(ms / 60_000))} min`;

/** Parses OFFICE_HOURS and OFFICE_CLOSURES once; throws ScheduleSyntaxError on bad syntax. */
export function createOfficeCalendar(options: OfficeCalendarOptions): OfficeCalendar {
  const schedule = parseOfficeHours(options.hours);
  const closures = parseClosures(options.closures);
  const { pbxSource: pbx, log } = options;
  let read: PbxRulesRead | undefined;
  let failure: { reason: string; at: number } | undefined;
  let lastAttempt: number | undefined;
  let inFlight: Promise<void> | undefined;
  const warnedSpecs = new Set<string>();

  function parseAll(specs: readonly string[], now: number): PbxRulesRead {
    const rules: PbxTimeRule[] = [];
    const skipped: string[] = [];
    for (const spec of specs) {
      try {
        rules.push(parsePbxTimeRule(spec));
      } catch (err) {
        skipped.push(spec);
        if (!warnedSpecs.has(spec)) {
          warnedSpecs.add(spec);
          log?.warn({ spec, err: err instanceof Error ? err.message : String(err) }, 'office: PBX closure rule skipped (not an Asterisk time spec)');
        }
      }
    }
    return { rules, skipped, readAt: now };
  }

  async function readRules(source: PbxClosureRules, now: number): Promise<void> {
    // Not the caller's signal: one caller giving up must not turn a good read into a remembered failure.
    const bound = deadline(PBX_READ_BOUND_MS);
    try {
      read = parseAll(await source.closureRules(bound.signal), now);
      failure = undefined;
    } catch (err) {
      failure = { reason: shortReason(err), at: now };
      log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'office: could not read the PBX closure rules; using the configured hours and closures');
    } finally {
      bound.clear();
    }
  }

  async function refresh(now: number, signal?: AbortSignal): Promise<void> {
    if (!pbx) return;
    if (!inFlight) {
      // A clock set back (now < lastAttempt) reads again rather than trusting rules "from the future".
      if (lastAttempt !== undefined && now >= lastAttempt && now - lastAttempt < PBX_REFRESH_MS) return;
      lastAttempt = now;
      inFlight = readRules(pbx, now).finally(() => {
        inFlight = undefined;
      });
    }
    await untilAborted(inFlight, signal);
  }

  /** The rules status() may use at `now`, or why there are none. */
  function currentRules(now: number): { rules: PbxRulesRead } | { missing: string } {
    if (read && now - read.readAt <= PBX_MAX_AGE_MS) return { rules: read };
    if (failure) return { missing: failure.reason };
    if (read) return { missing: `reglas sin actualizar desde ${minutesAgo(now - read.readAt)}` };
    return { missing: 'aún no consultada' };
  }

  function status(now: number): OfficeStatus {
    const base = (pbxRules: readonly PbxTimeRule[]) => officeStatus(now, options.timezone, schedule, closures, options.hours, pbxRules);
    if (!pbx) return { ...base([]), closure_rules: 'config' };
    const current = currentRules(now);
    if ('missing' in current) {
      return {
        ...base([]),
        closure_rules: 'config',
        note:
          `No se pudo consultar la central telefónica (${current.missing}): se usaron el horario y los cierres ` +
          'configurados (OFFICE_HOURS, OFFICE_CLOSURES y feriados).',
      };
    }
    const result: OfficeStatus = { ...base(current.rules.rules), closure_rules: 'pbx' };
    if (current.rules.skipped.length > 0) {
      result.note = `Se ignoraron reglas de la central telefónica que no se pudieron interpretar: ${current.rules.skipped.map((s) => JSON.stringify(s)).join(', ')}.`;
    }
    return result;
  }

  return { status, isOpen: (now) => status(now).office_status === 'open', refresh };
}

/** Waits for `work` (which never rejects) or until the signal aborts, whichever comes first. */
function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void work.then(done);
  });
}

/**
 * Whether the reservations office is open now. When it is closed the assistant may complete bookings
 * itself (can_automate); when it is open, bookings are left to the office staff.
 */
function officeStatus(
  now: number,
  timeZone: string,
  schedule: WeeklySchedule,
  closures: readonly Closure[],
  hoursText: string,
  pbxRules: readonly PbxTimeRule[],
): Omit<OfficeStatus, 'closure_rules' | 'note'> {
  const p = zonedParts(now, timeZone);
  const date = isoDate(p);
  const minute = p.hour * 60 + p.minute;
  const when = `Hora actual: ${describeNow(p, timeZone)}.`;
  const closed = (reason: string): Omit<OfficeStatus, 'closure_rules' | 'note'> => ({
    office_status: 'closed',
    reason: `${reason} ${when}`,
    can_automate: true,
    automation_reason: 'La oficina de reservas está cerrada: el asistente puede completar la reserva automáticamente.',
  });

  // The phone system's rules first: the staff keep them up to date there.
  const rule = pbxRules.find((r) => matchesPbxRule(r, p));
  if (rule) return closed(`Oficina cerrada según la central telefónica (regla "${rule.text}"). Cierre: ${describePbxRule(rule)}.`);

  const closure = closures.find(
    (c) => date >= c.from && date <= c.to && (c.ranges.length === 0 || inRanges(minute, c.ranges)),
  );
  if (closure) return closed(`Oficina cerrada por cierre programado (${closure.from === closure.to ? closure.from : `${closure.from} a ${closure.to}`}).`);

  const holiday = elSalvadorHolidays(p.year).get(date);
  if (holiday) return closed(`Oficina cerrada: hoy es feriado en El Salvador (${holiday}).`);

  if (!inRanges(minute, schedule[p.weekday] ?? [])) {
    return closed(`Oficina cerrada: fuera del horario de atención (${hoursText}).`);
  }
  return {
    office_status: 'open',
    reason: `Oficina abierta: dentro del horario de atención (${hoursText}). ${when}`,
    can_automate: false,
    automation_reason:
      'La oficina de reservas está abierta: las reservas las completa el equipo de reservas, no el asistente.',
  };
}

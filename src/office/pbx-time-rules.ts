// Asterisk time specs, as FreePBX stores them in `timegroups_details.time`: "HH:MM-HH:MM|dow|dom|month".
// Missing trailing parts and empty parts mean "*" (any). Every range may wrap: "23:00-02:00", "fri-mon",
// "28-3", "nov-feb". Like Asterisk's ast_check_timing, each part is checked on its own against the local
// time, so "23:00-02:00|fri" matches Friday 23:30 and Friday 01:00 (not Saturday 01:00).
import { SPANISH_MONTHS, SPANISH_WEEKDAYS, type ZonedParts } from '../core/zoned-time.js';

export type PbxRulePart = 'rule' | 'time' | 'dow' | 'dom' | 'month';

export class PbxRuleSyntaxError extends Error {
  override readonly name = 'PbxRuleSyntaxError';
  constructor(
    /** Which part of the spec is wrong. */
    readonly part: PbxRulePart,
    message: string,
  ) {
    super(message);
  }
}

/** Inclusive at both ends; `from > to` wraps (e.g. minutes 1380…120, weekdays 5…1). */
export interface WrappingRange {
  from: number;
  to: number;
}

export interface PbxTimeRule {
  /** The spec as read, trimmed (quoted in the office status' reason). */
  text: string;
  /** Minutes since midnight; undefined = any time. */
  time: WrappingRange | undefined;
  /** 0 = Sunday … 6 = Saturday; undefined = any weekday. */
  weekdays: WrappingRange | undefined;
  /** 1–31; undefined = any day of the month. */
  days: WrappingRange | undefined;
  /** 1–12; undefined = any month. */
  months: WrappingRange | undefined;
}

const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

const PART_LABEL: Record<Exclude<PbxRulePart, 'rule'>, string> = {
  time: 'time range',
  dow: 'day of week',
  dom: 'day of month',
  month: 'month',
};

const isAny = (text: string) => text === '' || text === '*';

/** "a" or "a-b", each end read by `one` (undefined = not valid). */
function parseRange(part: Exclude<PbxRulePart, 'rule'>, text: string, one: (t: string) => number | undefined, expected: string): WrappingRange {
  const ends = text.split('-').map((t) => t.trim());
  const from = ends.length <= 2 ? one(ends[0] ?? '') : undefined;
  const to = ends.length === 2 ? one(ends[1] ?? '') : from;
  if (from === undefined || to === undefined) {
    throw new PbxRuleSyntaxError(part, `${PART_LABEL[part]} "${text}" is not ${expected}`);
  }
  return { from, to };
}

function minuteOf(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 23 && min <= 59 ? h * 60 + min : undefined;
}

function nameIndex(names: readonly string[], base: number): (text: string) => number | undefined {
  return (text) => {
    const i = names.indexOf(text);
    return i < 0 ? undefined : i + base;
  };
}

function dayOfMonth(text: string): number | undefined {
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const d = Number(text);
  return d >= 1 && d <= 31 ? d : undefined;
}

/** Parses one spec; throws PbxRuleSyntaxError naming the part that is wrong. */
export function parsePbxTimeRule(input: string): PbxTimeRule {
  const text = input.trim();
  // An empty row would mean "always" to Asterisk; as a closure rule that is far more likely a mistake.
  if (text === '') throw new PbxRuleSyntaxError('rule', 'empty time spec (expected "HH:MM-HH:MM|dow|dom|month")');
  const parts = text.toLowerCase().split('|').map((p) => p.trim());
  if (parts.length > 4) {
    throw new PbxRuleSyntaxError('rule', `"${text}" has ${parts.length} parts separated by "|" (at most 4: HH:MM-HH:MM|dow|dom|month)`);
  }
  const [time = '*', dow = '*', dom = '*', month = '*'] = parts;
  return {
    text,
    time: isAny(time) ? undefined : parseRange('time', time, minuteOf, 'HH:MM or HH:MM-HH:MM (00:00 … 23:59)'),
    weekdays: isAny(dow) ? undefined : parseRange('dow', dow, nameIndex(WEEKDAY_NAMES, 0), 'a day or day range (mon … sun, e.g. mon-fri)'),
    days: isAny(dom) ? undefined : parseRange('dom', dom, dayOfMonth, 'a day or day range (1 … 31, e.g. 24-25)'),
    months: isAny(month) ? undefined : parseRange('month', month, nameIndex(MONTH_NAMES, 1), 'a month or month range (jan … dec, e.g. nov-feb)'),
  };
}

function inRange(value: number, range: WrappingRange | undefined): boolean {
  if (!range) return true;
  return range.from <= range.to ? value >= range.from && value <= range.to : value >= range.from || value <= range.to;
}

/** Whether the local time `parts` falls in the rule (each part checked on its own, as Asterisk does). */
export function matchesPbxRule(rule: PbxTimeRule, parts: ZonedParts): boolean {
  return (
    inRange(parts.hour * 60 + parts.minute, rule.time) &&
    inRange(parts.weekday, rule.weekdays) &&
    inRange(parts.day, rule.days) &&
    inRange(parts.month, rule.months)
  );
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const span = (r: WrappingRange, name: (n: number) => string, single: string, between: (a: string, b: string) => string) =>
  r.from === r.to ? `${single}${name(r.from)}` : between(name(r.from), name(r.to));

/** The rule in Spanish, e.g. "del 24 al 25 de diciembre", "de jueves a domingo, de 12:00 a 23:59". */
export function describePbxRule(rule: PbxTimeRule): string {
  const month = (n: number) => SPANISH_MONTHS[n - 1] ?? String(n);
  const weekday = (n: number) => SPANISH_WEEKDAYS[n] ?? String(n);
  const pieces: string[] = [];
  const { days, months } = rule;
  if (days && months) {
    pieces.push(
      days.from === days.to
        ? `el ${days.from} de ${span(months, month, '', (a, b) => `${a} a ${b}`)}`
        : `del ${days.from} al ${days.to} de ${span(months, month, '', (a, b) => `${a} a ${b}`)}`,
    );
  } else if (days) {
    pieces.push(span(days, String, 'el día ', (a, b) => `del día ${a} al ${b}`) + ' de cada mes');
  } else if (months) {
    pieces.push(span(months, month, 'en ', (a, b) => `de ${a} a ${b}`));
  }
  if (rule.weekdays) {
    const w = rule.weekdays;
    // "los viernes", "los sábados": only sábado and domingo change in the plural.
    pieces.push(w.from === w.to ? `los ${weekday(w.from).replace(/([^s])$/, '$1s')}` : `de ${weekday(w.from)} a ${weekday(w.to)}`);
  }
  if (rule.time) pieces.push(span(rule.time, clock, 'a las ', (a, b) => `de ${a} a ${b}`));
  return pieces.length === 0 ? 'siempre' : pieces.join(', ');
}

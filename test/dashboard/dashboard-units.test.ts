// The dashboard's pieces on their own: the escaping tag, sessions, conversation references, the origin check,
// day boundaries in the hotel's zone and the SVG chart.
import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/dashboard/chart.js';
import { ConversationRefs } from '../../src/dashboard/conversation-ref.js';
import { escapeHtml, html } from '../../src/dashboard/html.js';
import { cookieValue, isSameOrigin } from '../../src/dashboard/security.js';
import { foldName, parseSearchQuery } from '../../src/dashboard/search.js';
import { SessionStore } from '../../src/dashboard/session-store.js';
import { formatDateTime, lastDays, startOfDay } from '../../src/dashboard/zoned-days.js';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes, and passes nested html as markup', () => {
    const guest = `<script>alert('x')</script> & "y"`;
    const out = html`<p title="${guest}">${guest}</p>${[html`<b>${'<i>'}</b>`, 1, null, undefined, false]}`;
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;</p><b>&lt;i&gt;</b>1',
    );
    expect(escapeHtml('a<b>&')).toBe('a&lt;b&gt;&amp;');
  });

  it('drops every bidirectional control from values, in text and attributes', () => {
    const controls = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
    const name = `Ana ${controls.join('x')} Ruiz`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(`<td title="Ana ${'x'.repeat(11)} Ruiz">Ana ${'x'.repeat(11)} Ruiz</td>`);
    // Right-to-left letters themselves are kept.
    expect(escapeHtml('\u05e9\u05dc\u05d5\u05dd')).toBe('\u05e9\u05dc\u05d5\u05dd');
  });
});

describe('SessionStore', () => {
  it('issues random ids valid until they expire or are deleted', () => {
    const store = new SessionStore(1_000);
    const a = store.create(0);
    const b = store.create(0);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.isValid(a.id, 999)).toBe(true);
    expect(store.isValid(a.id, 1_000)).toBe(false);
    expect(store.isValid(b.id, 500)).toBe(true);
    store.delete(b.id);
    expect(store.isValid(b.id, 500)).toBe(false);
    expect(store.isValid(undefined, 0)).toBe(false);
    expect(store.isValid('', 0)).toBe(false);
  });

  it('keeps a bounded number of sessions, dropping the oldest', () => {
    const store = new SessionStore(10_000);
    const first = store.create(0);
    for (let i = 0; i < 250; i++) store.create(1);
    expect(store.size).toBe(200);
    expect(store.isValid(first.id, 2)).toBe(false);
  });
});

describe('ConversationRefs', () => {
  it('round-trips, is stable, hides the number and refuses forged or foreign references', () => {
    const refs = new ConversationRefs('a'.repeat(64));
    const ref = refs.refFor('50377001001');
    expect(ref).not.toContain('50377001001');
    expect(refs.refFor('50377001001')).toBe(ref);
    expect(refs.refFor('50377001002')).not.toBe(ref);
    expect(refs.conversationIdOf(ref)).toBe('50377001001');
    expect(refs.conversationIdOf(refs.refFor('facebook:123'))).toBe('facebook:123');
    const flipped = `${ref.slice(0, 20)}${ref[20] === 'A' ? 'B' : 'A'}${ref.slice(21)}`;
    expect(refs.conversationIdOf(flipped)).toBeUndefined();
    expect(new ConversationRefs('b'.repeat(64)).conversationIdOf(ref)).toBeUndefined();
    expect(refs.conversationIdOf('50377001001')).toBeUndefined();
    expect(refs.conversationIdOf('../../etc')).toBeUndefined();
  });
});

describe('isSameOrigin', () => {
  it('compares the Origin (else the Referer) host with the Host header, default ports included', () => {
    expect(isSameOrigin({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' })).toBe(true);
    expect(isSameOrigin({ host: 'bot.example.com', origin: 'https://bot.example.com' })).toBe(true);
    expect(isSameOrigin({ host: 'bot.example.com:443', origin: 'https://bot.example.com' })).toBe(true);
    expect(isSameOrigin({ host: 'bot.example.com', referer: 'https://bot.example.com/admin/x' })).toBe(true);
    expect(isSameOrigin({ host: 'bot.example.com', origin: 'https://evil.example', referer: 'https://bot.example.com/' })).toBe(false);
    expect(isSameOrigin({ host: 'bot.example.com', origin: 'null' })).toBe(false);
    expect(isSameOrigin({ host: 'bot.example.com' })).toBe(false);
    expect(isSameOrigin({ origin: 'https://bot.example.com' })).toBe(false);
    expect(isSameOrigin({ host: 'bot.example.com', origin: 'ftp://bot.example.com' })).toBe(false);
    expect(isSameOrigin({ host: 'bot.example.com', origin: 'https://bot.example.com.evil.example' })).toBe(false);
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; watibot3_admin=xyz; b=2', 'watibot3_admin')).toBe('xyz');
    expect(cookieValue('xwatibot3_admin=1', 'watibot3_admin')).toBeUndefined();
    expect(cookieValue(undefined, 'watibot3_admin')).toBeUndefined();
  });
});

describe('days in the hotel zone', () => {
  it('starts days at local midnight (El Salvador, UTC-6) and formats local times', () => {
    const now = Date.parse('2026-12-02T03:30:00Z'); // 21:30 on 1 December in San Salvador
    expect(new Date(startOfDay(now, 'America/El_Salvador')).toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(formatDateTime(now, 'America/El_Salvador')).toBe('01/12/2026 21:30');
    const days = lastDays(now, 14, 'America/El_Salvador');
    expect(days).toHaveLength(14);
    expect(days[13]).toMatchObject({ label: '01/12', start: Date.parse('2026-12-01T06:00:00Z'), end: Date.parse('2026-12-02T06:00:00Z') });
    expect(days[0]?.label).toBe('18/11');
    for (let i = 1; i < days.length; i++) expect(days[i]?.start).toBe(days[i - 1]?.end);
  });

  it('handles a 23-hour day (Madrid, end of March)', () => {
    const days = lastDays(Date.parse('2026-03-30T12:00:00Z'), 3, 'Europe/Madrid');
    expect(days.map((d) => d.label)).toEqual(['28/03', '29/03', '30/03']);
    expect((days[1]!.end - days[1]!.start) / 3_600_000).toBe(23);
    expect(new Date(days[2]!.start).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
});

describe('barChart', () => {
  it('draws one bar per day and series, with escaped titles', () => {
    const svg = barChart({
      title: 'Turnos <y> fallos',
      labels: ['01/12', '02/12'],
      series: [
        { name: 'Turnos', color: '#0969da', values: [3, 7] },
        { name: 'Fallos', color: '#cf222e', values: [0, 1] },
      ],
    }).value;
    expect(svg.startsWith('<svg class="chart"')).toBe(true);
    expect(svg).toContain('aria-label="Turnos &lt;y&gt; fallos"');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4);
    expect(svg).toContain('<title>02/12: 7 turnos</title>');
    expect(svg).not.toContain('style=');
  });
});

describe('parseSearchQuery', () => {
  it('reads a number in any writing as its digits, and anything else as part of a name', () => {
    expect(parseSearchQuery('+503 7000-1234')).toEqual({ kind: 'number', digits: '50370001234' });
    expect(parseSearchQuery(' (503) 7000.1234 ')).toEqual({ kind: 'number', digits: '50370001234' });
    expect(parseSearchQuery('1234')).toEqual({ kind: 'number', digits: '1234' });
    expect(parseSearchQuery('00503 7000 1234')).toEqual({ kind: 'number', digits: '50370001234' });
    expect(parseSearchQuery('0012')).toEqual({ kind: 'number', digits: '0012' });
    expect(parseSearchQuery('  JOSÉ   Pérez\u200b ')).toEqual({ kind: 'name', text: 'JOSÉ Pérez', folded: 'jose perez' });
    expect(parseSearchQuery('Ana 2')).toMatchObject({ kind: 'name', folded: 'ana 2' });
    expect(parseSearchQuery('123')).toMatchObject({ kind: 'invalid', error: expect.stringContaining('4 dígitos') });
    expect(parseSearchQuery('1'.repeat(21))).toMatchObject({ kind: 'invalid' });
    expect(parseSearchQuery('é')).toMatchObject({ kind: 'invalid', error: expect.stringContaining('2 letras') });
    expect(parseSearchQuery('--')).toMatchObject({ kind: 'invalid' });
    expect(parseSearchQuery('\u0000\t')).toMatchObject({ kind: 'invalid' });
    expect(parseSearchQuery('a'.repeat(101))).toMatchObject({ kind: 'invalid', error: expect.stringContaining('100') });
  });

  it('folds case, accents and spaces alike for names and queries', () => {
    expect(foldName('Núñez  MARÍA')).toBe('nunez maria');
    expect(foldName('Nu\u0301n\u0303ez')).toBe('nunez');
  });
});

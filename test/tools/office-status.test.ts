import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createOfficeCalendar } from '../../src/office/schedule.js';
import { createCheckOfficeStatusTool } from '../../src/tools/info/check-office-status.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import { googleMapsSearchUrl, sendLocationPinTool } from '../../src/tools/info/send-location-pin.js';

/** An instant given as El Salvador wall-clock time (UTC-6, no DST). */
const sv = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h + 6, mi);

describe('tools', () => {
  const ctx = {
    conversationId: 'facebook:123',
    channel: 'facebook' as const,
    waId: undefined,
    subscriberId: '123',
    guestName: undefined,
    channels: undefined,
    logger: pino({ level: 'silent' }),
    clock: { now: () => sv(2026, 12, 24, 10, 0) },
    config: loadConfig({}),
  };

  it('check_office_status answers from the office calendar built from the config', async () => {
    const config = loadConfig({ OFFICE_CLOSURES: '2026-12-24' });
    const office = createOfficeCalendar({ ...config.office, timezone: config.timezone });
    const registry = new ToolRegistry([createCheckOfficeStatusTool({ office })]);
    const r = await registry.execute('check_office_status', '{}', ctx);
    expect(JSON.parse(r.output)).toMatchObject({ office_status: 'closed', can_automate: true });
  });

  it('send_location_pin returns the Spanish sentence with a Google Maps search URL', async () => {
    const registry = new ToolRegistry([sendLocationPinTool]);
    const r = await registry.execute(
      'send_location_pin',
      JSON.stringify({ latitude: 13.3021, longitude: -89.0148, name: 'Brisa Azul', address: 'Playa Los Almendros, La Paz' }),
      ctx,
    );
    expect(r.output).toBe(
      '📍 Brisa Azul se encuentra en Playa Los Almendros, La Paz. Puede ver la ubicación en Google Maps: ' +
        'https://www.google.com/maps/search/?api=1&query=13.3021,-89.0148',
    );
    expect(googleMapsSearchUrl(1, 2)).toBe('https://www.google.com/maps/search/?api=1&query=1,2');
  });
});

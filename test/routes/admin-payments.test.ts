// POST /admin/payments/sync for staff and cron: answers at once, the sync runs on (here: the BAC replica in
// the real Chromium into the MariaDB ledger); 409 when no portal is configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { startBacReplica, type BacReplica } from '../support/portals/bac-replica.js';
import { createTestAgent } from '../support/test-agent.js';
import { until } from '../support/wait.js';
import { hotelDbEnv } from '../support/hotel-fixtures.js';

const auth = { authorization: 'Bearer admin-secret-0123456789abcdef' };

describe('POST /admin/payments/sync without portals', () => {
  it('answers 409 naming what is not configured', async () => {
    const h = await startHarness({ agent: createTestAgent(), env: { ADMIN_TOKEN: 'admin-secret-0123456789abcdef' } });
    try {
      expect(await h.post('/admin/payments/sync', {}, { headers: auth })).toMatchObject({ status: 409, body: { message: 'no payment portal is configured' } });
      expect(await h.post('/admin/payments/sync', { portal: 'bac' }, { headers: auth })).toMatchObject({ status: 409, body: { message: 'the bac portal is not configured' } });
      expect((await h.post('/admin/payments/sync', { portal: 'paypal' }, { headers: auth })).status).toBe(400);
      expect((await h.post('/admin/payments/sync', {})).status).toBe(401);
    } finally {
      await h.close();
    }
  });
});

describeWithChromium('POST /admin/payments/sync', () => {
  describeWithMariaDb('with the BAC portal', () => {
    const hotel = useHotelDatabase();
    let bac: BacReplica;
    let h: Harness;
    beforeAll(async () => {
      bac = await startBacReplica({ username: 'hotel', password: 'bac-pass' });
      const c = hotel.connection;
      h = await startHarness({
        agent: createTestAgent(),
        env: {
          ADMIN_TOKEN: 'admin-secret-0123456789abcdef',
          ...hotelDbEnv(c),
          CHROMIUM_PATH: chromiumPath ?? '',
          BAC_PORTAL_URL: bac.loginUrl, BAC_USERNAME: 'hotel', BAC_PASSWORD: 'bac-pass',
        },
      });
    });
    afterAll(async () => {
      await h?.close();
      await bac?.close();
    });

    it('starts the sync and answers before it ends; the statement lands in the ledger', async () => {
      const before = (await hotel.query('SELECT id FROM bac')).length;
      expect(await h.post('/admin/payments/sync', {}, { headers: auth })).toEqual({ status: 202, body: { started: ['bac'] } });
      await until(async () => (await hotel.query('SELECT id FROM bac')).length > before, 'the statement lines in the ledger', 60_000);
      expect((await h.get('/ready')).body).toMatchObject({ checks: { hotel: { bacPortal: 'configured' } } });
    }, 90_000);
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { issuesOf } from '../support/config-issues.js';

describe('office config: the phone system', () => {
  it('has no PBX without OFFICE_DB_HOST (no default host), and keeps hours and closures', () => {
    const office = loadConfig({ OFFICE_DB_USER: 'freepbx', OFFICE_CLOSURES: '2026-12-24' }).office;
    expect(office).toStrictEqual({ hours: 'mon-fri 08:00-17:00; sat 09:00-13:00', closures: '2026-12-24' });
    expect(office.pbx).toBeUndefined();
    expect(loadConfig({ OFFICE_DB_HOST: '  ' }).office.pbx).toBeUndefined();
  });

  it('reads OFFICE_DB_* with their defaults; the password as written', () => {
    expect(loadConfig({ OFFICE_DB_HOST: ' pbx.lan ', OFFICE_DB_USER: 'freepbx', OFFICE_DB_PASSWORD: ' s3cret ' }).office.pbx).toEqual({
      host: 'pbx.lan',
      port: 3306,
      user: 'freepbx',
      password: ' s3cret ',
      database: 'asterisk',
      timegroupId: 3,
    });
    expect(
      loadConfig({ OFFICE_DB_HOST: '10.0.0.5', OFFICE_DB_PORT: '3307', OFFICE_DB_NAME: 'pbx', OFFICE_DB_USER: 'u', OFFICE_TIMEGROUP_ID: '7' }).office.pbx,
    ).toEqual({ host: '10.0.0.5', port: 3307, user: 'u', password: '', database: 'pbx', timegroupId: 7 });
  });

  it('names the variable when OFFICE_DB_USER is missing or a number is wrong', () => {
    expect(issuesOf({ OFFICE_DB_HOST: 'pbx.lan' })).toEqual(['OFFICE_DB_USER: is required when OFFICE_DB_HOST is set']);
    expect(issuesOf({ OFFICE_DB_HOST: 'pbx.lan', OFFICE_DB_USER: 'u', OFFICE_DB_PORT: '70000' })[0]).toMatch(/^OFFICE_DB_PORT: /);
    expect(issuesOf({ OFFICE_DB_HOST: 'pbx.lan', OFFICE_DB_USER: 'u', OFFICE_TIMEGROUP_ID: 'three' })[0]).toMatch(/^OFFICE_TIMEGROUP_ID: /);
  });
});

// The e-mail configuration slice alone: which transport, the From address, the allow-list, and every bad
// variable named (never quoting a secret).
import { describe, expect, it } from 'vitest';
import { emailConfig } from '../../src/email/config.js';

function parse(env: Record<string, string | undefined>) {
  return emailConfig.safeParse(env);
}

function issues(env: Record<string, string | undefined>): string[] {
  const r = parse(env);
  if (r.success) throw new Error('expected configuration issues');
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const GMAIL = {
  GMAIL_CLIENT_ID: 'id.apps.googleusercontent.com',
  GMAIL_CLIENT_SECRET: 'GOCSPX-secret',
  GMAIL_REFRESH_TOKEN: '1//refresh-token',
  GMAIL_SENDER_EMAIL: 'bot@hotel.example',
};

describe('emailConfig', () => {
  it('sends nothing when no transport is configured', () => {
    expect(parse({})).toEqual({ success: true, data: { transport: undefined, from: undefined, allowedRecipients: [] } });
    expect(parse({ SMTP_URL: '  ', EMAIL_FROM: '' }).data?.transport).toBeUndefined();
  });

  it('uses SMTP_URL with EMAIL_FROM, and names EMAIL_FROM when it is missing', () => {
    expect(parse({ SMTP_URL: 'smtps://bot:p%40ss@mail.hotel.example:465', EMAIL_FROM: 'Hotel Bot <bot@hotel.example>' }).data).toEqual({
      transport: { type: 'smtp', url: 'smtps://bot:p%40ss@mail.hotel.example:465' },
      from: 'Hotel Bot <bot@hotel.example>',
      allowedRecipients: [],
    });
    expect(issues({ SMTP_URL: 'smtp://relay.hotel.example' })).toEqual(['EMAIL_FROM: is required when SMTP_URL is set']);
  });

  it('refuses an SMTP_URL of another scheme or with options, without quoting it', () => {
    for (const url of ['https://bot:hunter2@mail.example', 'not a url hunter2', 'smtp://bot:hunter2@relay.example?pool=true']) {
      const found = issues({ SMTP_URL: url, EMAIL_FROM: 'bot@hotel.example' });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^SMTP_URL: /);
      expect(found[0]).not.toContain('hunter2');
    }
  });

  it('uses the Gmail API with the original variables, From defaulting to the sender', () => {
    expect(parse(GMAIL).data).toEqual({
      transport: {
        type: 'gmail',
        clientId: GMAIL.GMAIL_CLIENT_ID,
        clientSecret: GMAIL.GMAIL_CLIENT_SECRET,
        refreshToken: GMAIL.GMAIL_REFRESH_TOKEN,
        sender: 'bot@hotel.example',
      },
      from: 'bot@hotel.example',
      allowedRecipients: [],
    });
    expect(parse({ ...GMAIL, EMAIL_FROM: 'Reservas <bot@hotel.example>' }).data?.from).toBe('Reservas <bot@hotel.example>');
  });

  it('names the missing Gmail variables when only some are set', () => {
    const found = issues({ GMAIL_CLIENT_ID: 'id', GMAIL_REFRESH_TOKEN: 'r' });
    expect(found).toEqual([
      'GMAIL_CLIENT_SECRET: is required with the other Gmail variables (missing: GMAIL_CLIENT_SECRET, GMAIL_SENDER_EMAIL)',
      'GMAIL_SENDER_EMAIL: is required with the other Gmail variables (missing: GMAIL_CLIENT_SECRET, GMAIL_SENDER_EMAIL)',
    ]);
    expect(issues({ ...GMAIL, GMAIL_SENDER_EMAIL: 'bot' })).toEqual(['GMAIL_SENDER_EMAIL: must be an e-mail address']);
  });

  it('prefers SMTP_URL when both are set (incomplete Gmail variables then do not matter)', () => {
    expect(parse({ ...GMAIL, SMTP_URL: 'smtp://relay.hotel.example:25', EMAIL_FROM: 'bot@hotel.example' }).data?.transport).toEqual({
      type: 'smtp',
      url: 'smtp://relay.hotel.example:25',
    });
    expect(parse({ GMAIL_CLIENT_ID: 'id', SMTP_URL: 'smtp://relay.hotel.example', EMAIL_FROM: 'bot@hotel.example' }).success).toBe(true);
    // From does not fall back to the Gmail sender for SMTP.
    expect(issues({ ...GMAIL, SMTP_URL: 'smtp://relay.hotel.example' })).toEqual(['EMAIL_FROM: is required when SMTP_URL is set']);
  });

  it('checks EMAIL_FROM', () => {
    expect(issues({ ...GMAIL, EMAIL_FROM: 'Hotel <bot>' })).toEqual(['EMAIL_FROM: must be an e-mail address or "Name <address>"']);
  });

  it('reads the allow-list: labels lower-cased, bare addresses, blanks ignored', () => {
    const r = parse({ EMAIL_ALLOWED_RECIPIENTS: ' Ventas = ventas@hotel.example ,, reservas@hotel.example, grupos_2=Grupos@Hotel.example ' });
    expect(r.data?.allowedRecipients).toEqual([
      { label: 'ventas', address: 'ventas@hotel.example' },
      { label: undefined, address: 'reservas@hotel.example' },
      { label: 'grupos_2', address: 'Grupos@Hotel.example' },
    ]);
  });

  it('quotes each bad allow-list entry', () => {
    expect(
      issues({
        EMAIL_ALLOWED_RECIPIENTS:
          'ventas=ventas@hotel.example, mal etiqueta=a@hotel.example, rrhh=no-es-correo, ventas=otro@hotel.example, =x@hotel.example',
      }),
    ).toEqual([
      'EMAIL_ALLOWED_RECIPIENTS: "mal etiqueta=a@hotel.example": the label must be 1 to 32 of a-z, 0-9, _ and -',
      'EMAIL_ALLOWED_RECIPIENTS: "rrhh=no-es-correo": not an e-mail address',
      'EMAIL_ALLOWED_RECIPIENTS: "ventas=otro@hotel.example": the label ventas is used twice',
      'EMAIL_ALLOWED_RECIPIENTS: "=x@hotel.example": the label must be 1 to 32 of a-z, 0-9, _ and -',
    ]);
    expect(issues({ EMAIL_ALLOWED_RECIPIENTS: `${'a'.repeat(33)}=a@hotel.example` })).toHaveLength(1);
  });
});

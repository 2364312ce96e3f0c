// The staff alerts slice alone: numbers normalised to digits (a bad one quoted masked), the template with its
// parameter names, the mailboxes.
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../src/core/errors.js';
import { staffConfig } from '../../src/staff/config.js';

const issues = (env: Record<string, string>) => {
  const parsed = staffConfig.safeParse(env);
  return parsed.success ? [] : describeIssues(parsed.error.issues, '(env)');
};

describe('staff config', () => {
  it('is empty when nothing is set (blank counts as unset)', () => {
    expect(staffConfig.parse({})).toEqual({ whatsappNumbers: [], template: undefined, emails: [] });
    expect(staffConfig.parse({ STAFF_WHATSAPP_NUMBERS: ' ', STAFF_ALERT_TEMPLATE: '', STAFF_ALERT_EMAIL: ' ' })).toEqual({
      whatsappNumbers: [],
      template: undefined,
      emails: [],
    });
  });

  it('normalises the numbers to digits, once each, and reads the template and the mailboxes', () => {
    expect(
      staffConfig.parse({
        STAFF_WHATSAPP_NUMBERS: '+503 7000 1234, 50370005678,,50370001234',
        STAFF_ALERT_TEMPLATE: 'staff_alert',
        STAFF_ALERT_TEMPLATE_PARAMS: 'title, details',
        STAFF_ALERT_EMAIL: 'operaciones@hotel.example, reservas@hotel.example',
      }),
    ).toEqual({
      whatsappNumbers: ['50370001234', '50370005678'],
      template: { name: 'staff_alert', params: ['title', 'details'] },
      emails: ['operaciones@hotel.example', 'reservas@hotel.example'],
    });
  });

  it('names a bad number masked, never in full', () => {
    const found = issues({ STAFF_WHATSAPP_NUMBERS: '50370001234, 503-7000-9876, 1234567, 5037000123456789' });
    expect(found).toEqual([
      'STAFF_WHATSAPP_NUMBERS: "…9876" is not a WhatsApp number (8 to 15 digits, optionally with + and spaces)',
      'STAFF_WHATSAPP_NUMBERS: "…4567" is not a WhatsApp number (8 to 15 digits, optionally with + and spaces)',
      'STAFF_WHATSAPP_NUMBERS: "…6789" is not a WhatsApp number (8 to 15 digits, optionally with + and spaces)',
    ]);
    expect(found.join('\n')).not.toMatch(/503-7000|1234567|50370001234/);
  });

  it('requires the parameter names with a template, and checks them and the mailboxes', () => {
    expect(issues({ STAFF_ALERT_TEMPLATE: 'staff_alert' })).toEqual([
      "STAFF_ALERT_TEMPLATE_PARAMS: is required when STAFF_ALERT_TEMPLATE is set (the names of the template's body parameters, comma-separated)",
    ]);
    expect(issues({ STAFF_ALERT_TEMPLATE: 'staff_alert', STAFF_ALERT_TEMPLATE_PARAMS: 'title, two words' })).toEqual([
      'STAFF_ALERT_TEMPLATE_PARAMS: "two words" is not a template parameter name (letters, digits and _)',
    ]);
    expect(issues({ STAFF_ALERT_EMAIL: 'ops@hotel.example, not-an-address' })).toEqual([
      'STAFF_ALERT_EMAIL: "not-an-address" is not an e-mail address',
    ]);
  });
});

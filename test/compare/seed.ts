// A migrated database with recorded conversations for the comparison's tests, written through the real
// ConversationStore (the items, turns and calls the server records):
//   ANA (WhatsApp): #1 asks about the office (check_office_status), #2 books (make_booking → HR123);
//   BETO (Messenger): #3 a message with markup, answered without tools;
//   CARLA (WhatsApp): #4 and #5, two short exchanges;
//   plus a notice the server recorded outside a turn (not a guest turn) and a console trial.
import { ConversationStore } from '../../src/store/conversation-store.js';
import type { NewTranscriptItem } from '../../src/core/transcript.js';
import type { Db } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';

export const ANA = '50370000001';
export const BETO = 'facebook:123456789';
export const CARLA = '50370000003';
export const EVIL_TEXT = '<script>alert("x")</script> ¿Tienen piscina & bar?';

/** Tuesday 2026-11-24 10:00 in El Salvador (UTC−6). */
export const T0 = Date.UTC(2026, 10, 24, 16, 0);

export const BOOKING_ARGS = {
  customer_name: 'Ana Pérez',
  email: 'ana@example.com',
  city: 'San Salvador',
  dui_passport: '01234567-8',
  nationality: 'Salvadoreña',
  payment_method: 'CompraClick',
  payment_amount: 150,
  payment_maker_name: 'Ana Pérez',
  authorization_number: '123456',
  check_in_date: '2026-12-10',
  check_out_date: '2026-12-11',
  adults: 2,
  bungalow_type: 'Junior',
  package_type: 'Las Hojas',
};

export const BOOKING_OUTPUT = JSON.stringify({ success: true, reserva: 'HR123', message: 'Reserva creada' });
export const ORIGINAL_BOOKING_REPLY = '¡Listo, Ana! Su reserva quedó confirmada con el código HR123.';

function note(at: number): NewTranscriptItem {
  return { item: { kind: 'developer', text: `Contexto del turno: ${new Date(at).toISOString()}. Canal: WhatsApp.` }, boundary: 2 };
}

function user(text: string): NewTranscriptItem {
  return { item: { kind: 'user', text }, boundary: 1 };
}

function call(callId: string, name: string, args: unknown): NewTranscriptItem {
  return { item: { kind: 'function_call', callId, name, arguments: JSON.stringify(args) }, boundary: 1 };
}

function output(callId: string, text: string): NewTranscriptItem {
  return { item: { kind: 'function_output', callId, output: text }, boundary: 0 };
}

function reply(text: string): NewTranscriptItem {
  return { item: { kind: 'assistant', text }, boundary: 1 };
}

export interface SeededTurn {
  conversationId: string;
  at: number;
  items: NewTranscriptItem[];
}

export const SEEDED_TURNS: readonly SeededTurn[] = [
  {
    conversationId: ANA,
    at: T0,
    items: [
      note(T0),
      user('Hola, ¿está abierta la oficina?'),
      call('call_orig_1', 'check_office_status', {}),
      output('call_orig_1', '{"office_status":"open","can_automate":false}'),
      reply('Sí, la oficina de reservas está abierta.'),
    ],
  },
  {
    conversationId: ANA,
    at: T0 + 600_000,
    items: [
      note(T0 + 600_000),
      user('Quiero reservar el Junior del 10 al 11 de diciembre, ya pagué (autorización 123456).'),
      call('call_orig_2', 'validate_compraclick_payment', { authorization_number: '123456', booking_total: 150 }),
      output('call_orig_2', '{"success":true,"is_valid":true}'),
      call('call_orig_3', 'make_booking', BOOKING_ARGS),
      output('call_orig_3', BOOKING_OUTPUT),
      reply(ORIGINAL_BOOKING_REPLY),
    ],
  },
  {
    conversationId: BETO,
    at: T0 + 1_200_000,
    items: [note(T0 + 1_200_000), user(EVIL_TEXT), reply('Sí, tenemos piscina y bar.')],
  },
  {
    conversationId: CARLA,
    at: T0 + 1_800_000,
    items: [note(T0 + 1_800_000), user('Buenas tardes'), reply('¡Buenas tardes! ¿En qué le ayudo?')],
  },
  {
    conversationId: CARLA,
    at: T0 + 2_400_000,
    items: [note(T0 + 2_400_000), user('¿A qué hora es el check-in?'), reply('El check-in es a las 3 p. m.')],
  },
];

/** Writes one turn as the turn runner would (through ConversationStore.commitTurn). */
export function commitSeededTurn(store: ConversationStore, turn: SeededTurn): void {
  const channel = turn.conversationId.startsWith('facebook:') ? 'facebook' : 'whatsapp';
  store.commitTurn({
    conversationId: turn.conversationId,
    channel,
    guest: channel === 'whatsapp' ? { waId: turn.conversationId, name: 'Huésped' } : { subscriberId: turn.conversationId.slice(9), name: 'Beto' },
    startedAt: turn.at,
    endedAt: turn.at + 2_000,
    model: 'gpt-5',
    api: 'responses',
    rounds: turn.items.filter((i) => i.item.kind === 'function_call').length,
    status: 'answered',
    historyItems: 0,
    historyTokens: 0,
    items: turn.items,
    calls: [{ purpose: 'tools', startedAt: turn.at, durationMs: 900, status: 'ok', usage: { inputTokens: 1000, cachedTokens: 0, outputTokens: 50, reasoningTokens: 0 } }],
  });
}

/** Seeds the database at `path` (created and migrated) and returns it open for writing. */
export function seedCompareDatabase(path: string): Db {
  const db = openMigratedDatabase(path);
  const store = new ConversationStore(db);
  for (const turn of SEEDED_TURNS) commitSeededTurn(store, turn);
  // Not guest turns: a notice, and a chat console trial (left out unless asked for by id).
  store.recordNotice({ conversationId: ANA, channel: 'whatsapp', guest: { waId: ANA }, text: 'Su pago fue confirmado.', at: T0 + 3_000_000, model: 'gpt-5', api: 'responses' });
  commitSeededTurn(store, { conversationId: 'console:prueba', at: T0 + 3_600_000, items: [note(T0 + 3_600_000), user('prueba'), reply('ok')] });
  return db;
}

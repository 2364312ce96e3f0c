// What make_booking and make_multi_room_booking share: the guest's data (checked for the placeholders
// models invent), the payment reference, identity from the conversation (never from the model), and how a
// booking outcome is told to the model in the original's output keys.
import { z } from 'zod';
import type { BookingOutcome, PaidStay } from '../../hotel/booking-outcome.js';
import type { BookingRequest } from '../../hotel/booking-request.js';
import { hasFirstAndLastName, isPlaceholder, isPlausibleEmail, localPhone, phoneFromWaId, splitName } from '../../hotel-rules/guest-identity.js';
import { normalizePaymentMethod } from '../../hotel-rules/rooms.js';
import { formatAmount, formatDmyDate, fromCents, toCents } from '../../hotel-rules/values.js';
import type { PaymentMethod } from '../../hotel-rules/types.js';
import type { ToolContext } from '../types.js';
import type { BookingGate } from './hotel-tool-deps.js';

const guestText = z.string().max(200);

/** The parameters both booking tools take, with the original's names (as make_multi_room_booking shows them). */
export const guestFields = {
  customer_name: guestText,
  email: guestText,
  phone_number: z.string().max(40).optional(),
  city: guestText,
  dui_passport: guestText,
  nationality: guestText,
  payment_method: z.string().max(40),
  payment_amount: z.number().positive().max(1_000_000),
  payment_maker_name: guestText,
  authorization_number: z.string().max(40).optional(),
  transfer_id: z.string().max(40).optional(),
  extra_beds: z.number().int().min(0).max(10).default(0),
  extra_beds_cost: z.number().min(0).max(10_000).default(0),
  customer_instructions: z.string().max(1000).default(''),
  /** Ignored: identity comes from the conversation. */
  wa_id: z.string().max(64).optional(),
};

/**
 * The same with make_booking's one-line rules; make_multi_room_booking refers to them rather than repeating
 * them (every schema is sent on every call).
 */
export const guestArguments = {
  ...guestFields,
  customer_name: guestFields.customer_name.describe('Nombre y apellido del titular'),
  phone_number: guestFields.phone_number.describe('WhatsApp: "AUTO"'),
  payment_method: guestFields.payment_method.describe('"CompraClick" o "Depósito BAC"'),
  payment_amount: guestFields.payment_amount.describe('USD pagados'),
  authorization_number: guestFields.authorization_number.describe('CompraClick: el validado'),
  transfer_id: guestFields.transfer_id.describe('Depósito BAC: el de validate_bank_transfer'),
  extra_beds_cost: guestFields.extra_beds_cost.describe('$15 por cama cuando aplica'),
};

type GuestArgs = {
  customer_name: string;
  email: string;
  phone_number?: string | undefined;
  city: string;
  dui_passport: string;
  nationality: string;
  payment_method: string;
  payment_amount: number;
  payment_maker_name: string;
  authorization_number?: string | undefined;
  transfer_id?: string | undefined;
  extra_beds: number;
  extra_beds_cost: number;
  customer_instructions: string;
};

export type Checked<T> = { ok: true; value: T } | { ok: false; output: Record<string, unknown> };

export interface GuestData {
  guest: BookingRequest['guest'];
  holder: string;
  payment: BookingRequest['payment'];
  extraBeds: number;
  extraBedsCostCents: number;
  customerInstructions: string;
}

/** The guest fields every booking path takes (make_booking, and the follow-ups' booking_data). */
export interface GuestFields {
  customer_name: string;
  email: string;
  phone_number?: string | undefined;
  city: string;
  dui_passport: string;
  nationality: string;
}

/** The guest and who is booking, or the output asking the model for what is missing (with `also` checked too). */
export function checkGuest(
  context: Pick<ToolContext, 'waId' | 'subscriberId'>,
  args: GuestFields,
  also: Record<string, string | undefined> = {},
): Checked<{ guest: BookingRequest['guest']; holder: string }> {
  const missing: string[] = [];
  const value = (field: string, text: string | undefined) => {
    const trimmed = (text ?? '').trim();
    if (isPlaceholder(trimmed)) missing.push(field);
    return trimmed;
  };
  const name = value('customer_name', args.customer_name);
  if (!missing.includes('customer_name') && !hasFirstAndLastName(name)) missing.push('customer_name');
  const email = value('email', args.email);
  if (!missing.includes('email') && !isPlausibleEmail(email)) missing.push('email');
  const city = value('city', args.city);
  const dui = value('dui_passport', args.dui_passport);
  const nationality = value('nationality', args.nationality);
  for (const [field, text] of Object.entries(also)) value(field, text);

  // The WhatsApp guest's number is the conversation's; on Messenger/Instagram the guest must give one.
  let phone: string;
  if (context.waId) phone = phoneFromWaId(context.waId);
  else {
    phone = localPhone(args.phone_number ?? '');
    if (isPlaceholder(args.phone_number ?? '') || phone.length < 7) missing.push('phone_number');
  }
  const holder = context.waId ?? context.subscriberId ?? '';

  if (missing.length > 0) {
    return {
      ok: false,
      output: {
        success: false,
        error: 'missing_customer_data',
        missing_fields: missing,
        assistant_action: 'ASK_CUSTOMER_FOR_MISSING_DATA_NATURALLY',
        customer_message:
          'Para completar su reserva necesito: ' +
          missing.map((f) => FIELD_NAMES[f] ?? f).join(', ') +
          '. El nombre debe incluir nombre y apellido.',
      },
    };
  }
  const { firstname, lastname } = splitName(name);
  return { ok: true, value: { guest: { firstname, lastname, email, phone, city, dui, nationality }, holder } };
}

/** The guest, the payment and who is booking, or the output asking the model for what is missing. */
export function checkGuestData(context: Pick<ToolContext, 'waId' | 'subscriberId'>, args: GuestArgs): Checked<GuestData> {
  const who = checkGuest(context, args, { payment_maker_name: args.payment_maker_name });
  if (!who.ok) return who;
  const method = normalizePaymentMethod(args.payment_method);
  if (!method) {
    return { ok: false, output: { success: false, error: 'payment_method must be "CompraClick" or "Depósito BAC"' } };
  }
  const payment = paymentOf(method, args);
  if (!payment.ok) return payment;
  return {
    ok: true,
    value: {
      ...who.value,
      payment: { ...payment.value, makerName: args.payment_maker_name.trim() },
      extraBeds: args.extra_beds,
      extraBedsCostCents: toCents(args.extra_beds_cost),
      customerInstructions: args.customer_instructions,
    },
  };
}

const FIELD_NAMES: Record<string, string> = {
  customer_name: 'nombre completo',
  email: 'correo electrónico',
  phone_number: 'número de teléfono',
  city: 'ciudad',
  dui_passport: 'DUI o pasaporte',
  nationality: 'nacionalidad',
  payment_maker_name: 'nombre de quien realizó el pago',
};

function paymentOf(method: PaymentMethod, args: GuestArgs): Checked<Omit<BookingRequest['payment'], 'makerName'>> {
  const amountCents = toCents(args.payment_amount);
  if (method === 'CompraClick') {
    const code = (args.authorization_number ?? '').replace(/\s+/g, '').toUpperCase();
    if (!/^[0-9A-Z]{4,12}$/.test(code)) {
      return {
        ok: false,
        output: {
          success: false,
          error: 'missing_authorization_number',
          assistant_instruction: 'Valida primero el pago con validate_compraclick_payment (o su versión fallback) y pasa su authorization_number.',
        },
      };
    }
    return { ok: true, value: { method, authorization: code, amountCents } };
  }
  const id = (args.transfer_id ?? '').trim();
  if (!/^\d{1,10}$/.test(id) || Number(id) < 1) {
    return {
      ok: false,
      output: {
        success: false,
        error: 'missing_transfer_id',
        assistant_instruction: 'Valida primero la transferencia con validate_bank_transfer y pasa el transfer_id que devuelve.',
      },
    };
  }
  return { ok: true, value: { method, bacId: Number(id), amountCents } };
}

/** The automation rule's refusal, as an instruction to hand the guest to a person. */
export async function gateRefusal(gate: BookingGate, now: number, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
  const verdict = await gate.allowed(now, signal);
  if (verdict.allowed) return undefined;
  return {
    success: false,
    error: 'booking_not_automated',
    reason: verdict.reason,
    assistant_instruction:
      'En este momento el asistente no completa reservas: transfiere al huésped a un ejecutivo del equipo de reservas ' +
      'con transfer_to_human_agent, con un resumen de la reserva y del pago. No digas que la reserva está hecha.',
  };
}

/** The validators' error names for the same refusals (the payment rule's reasons). */
const REJECTION_ERROR: Record<Extract<BookingOutcome, { kind: 'payment_rejected' }>['reason'], string> = {
  already_used: 'already_used_for_booking',
  not_found: 'payment_not_found',
  voided: 'payment_voided',
  reserved_without_booking: 'payment_reserved_without_booking',
  insufficient: 'insufficient_payment',
};

const dollars = (cents: number) => `$${formatAmount(cents)}`;

/** "HR28610 (del 12/03/2027 al 14/03/2027)", the way the guest reads their own booking. */
function stayText(stay: PaidStay): string {
  const dates = stay.checkIn === stay.checkOut ? `el ${formatDmyDate(stay.checkIn)}` : `del ${formatDmyDate(stay.checkIn)} al ${formatDmyDate(stay.checkOut)}`;
  return stay.code ? `${stay.code} (${dates})` : `(${dates})`;
}

const staysText = (stays: readonly PaidStay[]) => stays.map(stayText).join(', ');

/** A stay for the model, in the tools' own keys. */
const stayOutput = (stay: PaidStay) => ({
  ...(stay.code ? { codigo_reserva: stay.code } : {}),
  check_in_date: stay.checkIn,
  check_out_date: stay.checkOut,
  rooms: stay.rooms,
});

/** What the model must not do with a refusal that names the guest's earlier booking. */
const NOT_A_CONFIRMATION =
  'La reserva pedida ahora NO se hizo: esto no es una confirmación. No le digas al huésped que esta reserva quedó hecha; ' +
  'explícale que este pago ya se usó para la reserva indicada (con sus fechas) y que para otra estadía hace falta un pago nuevo.';

/** A booking outcome in the original's keys (success, reserva, customer_message, error, …). */
export function outcomeOutput(outcome: BookingOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'booked':
      return {
        success: true,
        reserva: outcome.reserva,
        codigo_reserva: `HR${outcome.reserva}`,
        rooms_booked: outcome.rooms,
        total_rooms: outcome.rooms.length,
        booking_total: fromCents(outcome.quote.totalCents),
        ...(outcome.repeated ? { already_booked: true, note: 'This payment was already booked; this is that booking, not a new one.' } : {}),
        customer_message:
          `¡Su reserva está confirmada! Código de reserva: HR${outcome.reserva}. ` +
          'Recibirá la confirmación en su correo electrónico.',
      };
    case 'pending':
      return {
        success: false,
        error: 'booking_pending_confirmation',
        pending_confirmation: true,
        already_booked: true,
        customer_message:
          outcome.state === 'staff'
            ? 'Su pago está registrado y un miembro de nuestro equipo está confirmando su reserva; le escribirá en breve.'
            : 'Su pago está registrado y su reserva se está confirmando. En cuanto quede lista le enviaré su código de reserva por aquí.',
        assistant_instruction: 'No llames make_booking otra vez con este pago. Dile al huésped que su reserva se está confirmando.',
      };
    case 'payment_held':
      return {
        success: false,
        error: 'payment_in_use_for_another_booking',
        pending_booking: stayOutput(outcome.stay),
        customer_message:
          `Este pago se está aplicando a su reserva ${stayText(outcome.stay)}, que se está confirmando; ` +
          'no puedo usarlo para otra reserva mientras tanto.',
        note: `This payment is being applied to the guest's booking ${outcome.stay.checkIn} to ${outcome.stay.checkOut}; the stay asked now was NOT booked. This is not a confirmation.`,
        assistant_instruction:
          'La reserva pedida ahora NO se hizo: esto no es una confirmación. No llames make_booking otra vez con este pago para otras fechas; ' +
          'dile al huésped que ese pago está aplicándose a la reserva indicada y, si quiere otra estadía, que hace falta un pago nuevo.',
      };
    case 'payment_in_use':
      // Another guest's payment (or one the Python service used): nothing of that booking is told.
      return {
        success: false,
        error: 'payment_already_used',
        customer_message: 'Este pago ya fue utilizado para otra reserva.',
        assistant_instruction: 'No reserves con este pago. Si el huésped cree que es un error, ofrécele un ejecutivo (transfer_to_human_agent) para que lo revise.',
      };
    case 'payment_rejected':
      if (outcome.paidStays && outcome.paidStays.length > 0) return ownStaysRefusal(outcome, outcome.paidStays);
      return {
        success: false,
        error: REJECTION_ERROR[outcome.reason],
        ...(outcome.bookingCode ? { booking_code: outcome.bookingCode, bookings_paid: outcome.bookingCode.split(',') } : {}),
        // What is left is told of the guest's own payment only (not of money taken without a booking named).
        ...(outcome.remainingCents !== undefined && outcome.reason !== 'reserved_without_booking' ? { available_balance: fromCents(outcome.remainingCents) } : {}),
        customer_message:
          outcome.reason === 'already_used'
            ? `Este pago ya fue aplicado a la reserva ${outcome.bookingCode ?? ''}.`.replace(' .', '.')
            : outcome.reason === 'not_found'
              ? 'No encuentro ese pago en el sistema todavía.'
              : outcome.reason === 'voided'
                ? 'Ese pago aparece anulado en el sistema.'
                : outcome.reason === 'reserved_without_booking'
                  ? 'Ese pago ya está apartado en el sistema pero sin una reserva asociada; un ejecutivo lo revisará.'
                  : 'El saldo disponible de ese pago no alcanza el 50 % del total de la reserva.',
        assistant_instruction:
          outcome.reason === 'reserved_without_booking'
            ? 'No intentes reservar con este pago. Transfiere al huésped a un ejecutivo (transfer_to_human_agent) para que revise el pago.'
            : outcome.reason === 'insufficient'
              ? 'Lo que queda de este pago (available_balance) no cubre el 50 % de esta reserva: hace falta un pago nuevo que lo cubra; si el huésped tiene dudas, ofrece un ejecutivo.'
              : 'No reserves con este pago. Si el huésped cree que es un error, ofrécele un ejecutivo (transfer_to_human_agent).',
      };
    case 'deposit_too_small':
      return {
        success: false,
        error: 'payment_below_deposit',
        booking_total: fromCents(outcome.totalCents),
        minimum_deposit: fromCents(outcome.requiredCents),
        customer_message: `El total de la reserva es ${dollars(outcome.totalCents)}; para confirmarla se requiere al menos el 50 % (${dollars(outcome.requiredCents)}).`,
      };
    case 'rates_missing':
      return {
        success: false,
        error: 'rates_unavailable',
        dates: outcome.dates,
        assistant_instruction: 'No hay tarifas cargadas para esas fechas: transfiere al huésped a un ejecutivo (transfer_to_human_agent).',
      };
    case 'sold_out':
      return {
        success: false,
        error: 'no_availability',
        requested_type: outcome.requested.join(' + '),
        available_types: {
          bungalow_familiar: outcome.free.familiar,
          bungalow_junior: outcome.free.junior,
          bungalow_matrimonial: outcome.free.matrimonial,
          habitacion: outcome.free.habitacion,
        },
        compatible_single_room: outcome.alternatives.singleRoom,
        compatible_multi_room: outcome.alternatives.multiRoom,
        has_compatible_alternatives: outcome.alternatives.singleRoom.length + outcome.alternatives.multiRoom.length > 0,
        customer_message:
          'Lamentablemente ya no tenemos disponibilidad del tipo de habitación solicitado para esas fechas. Podemos ' +
          'ofrecerle otro tipo de alojamiento compatible, cambiar la fecha, o gestionar el reembolso total de su pago.',
        assistant_instruction:
          'No se tomó ningún pago. Ofrece las alternativas compatibles (sin dar cantidades exactas), otra fecha o el reembolso (con un ejecutivo).',
      };
    case 'failed':
      return {
        success: false,
        error: 'booking_failed',
        detail: outcome.detail,
        customer_message: 'No pude completar la reserva en este momento. Un miembro de nuestro equipo le ayudará a finalizarla.',
        assistant_instruction: 'No se hizo la reserva y el pago no se aplicó. Transfiere al huésped a un ejecutivo (transfer_to_human_agent).',
      };
  }
}

/** A payment this guest's own bookings took (all of it, or all but too little): which bookings, with their dates. */
function ownStaysRefusal(outcome: Extract<BookingOutcome, { kind: 'payment_rejected' }>, stays: readonly PaidStay[]): Record<string, unknown> {
  const usedUp = outcome.reason === 'already_used';
  const codes = stays.map((s) => s.code).filter((c) => c !== undefined);
  return {
    success: false,
    error: REJECTION_ERROR[outcome.reason],
    ...(outcome.bookingCode ? { booking_code: outcome.bookingCode, bookings_paid: outcome.bookingCode.split(',') } : {}),
    paid_bookings: stays.map(stayOutput),
    ...(outcome.remainingCents !== undefined ? { available_balance: fromCents(outcome.remainingCents) } : {}),
    customer_message: usedUp
      ? `Este pago ya fue utilizado para ${stays.length > 1 ? 'sus reservas' : 'su reserva'} ${staysText(stays)}; no cubre otra reserva.`
      : `Lo que queda de este pago después de ${stays.length > 1 ? 'sus reservas' : 'su reserva'} ${staysText(stays)} no alcanza el 50 % del total de esta reserva.`,
    note:
      `This payment already paid the guest's booking${codes.length > 1 ? 's' : ''} ${stays.map((s) => `${s.code ?? ''} ${s.checkIn} to ${s.checkOut}`.trim()).join('; ')}; ` +
      'the stay asked now was NOT booked. This is not a confirmation.',
    assistant_instruction: NOT_A_CONFIRMATION,
  };
}

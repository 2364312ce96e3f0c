// A booking as the booking tools validated it, and the form the booking API receives for it
// (hotel-backends.md §2.2: field names and values as the original sent them, which the backend accepts).
import { z } from 'zod';
import type { BookingForm } from './booking-api.js';
import { titleFor } from '../hotel-rules/guest-identity.js';
import type { PriceQuote } from '../hotel-rules/pricing.js';
import { PACKAGES, PAYMENT_METHODS, type BookableType, type PackageType, type PaymentMethod } from '../hotel-rules/types.js';
import { formatAmount, formatUsDate } from '../hotel-rules/values.js';

const party = z.object({ adults: z.number().int().min(0), children0to5: z.number().int().min(0), children6to10: z.number().int().min(0) });

/** Stored with the attempt (JSON) and read back by the recovery jobs, so it is a schema, not only a type. */
export const bookingRequestSchema = z.object({
  conversationId: z.string(),
  /** booking_locks.wa_id: the WhatsApp id, or the ManyChat subscriber id. */
  holder: z.string(),
  guest: z.object({
    firstname: z.string(),
    lastname: z.string(),
    email: z.string(),
    phone: z.string(),
    city: z.string(),
    dui: z.string(),
    nationality: z.string(),
  }),
  checkIn: z.string(),
  checkOut: z.string(),
  /** The nights priced (a day pass: its day). */
  nights: z.array(z.string()).min(1),
  pkg: z.enum(PACKAGES),
  rooms: z.array(z.object({ type: z.enum(['Familiar', 'Junior', 'Matrimonial', 'Habitación', 'Pasadía']), party })).min(1),
  payment: z.object({
    method: z.enum(PAYMENT_METHODS),
    /** CompraClick authorization code, or the bac.id of the transfer. */
    authorization: z.string().optional(),
    bacId: z.number().int().optional(),
    amountCents: z.number().int().positive(),
    makerName: z.string(),
  }),
  extraBeds: z.number().int().min(0),
  extraBedsCostCents: z.number().int().min(0),
  customerInstructions: z.string(),
});
export type BookingRequest = z.output<typeof bookingRequestSchema>;

/** What the booking backend shows staff as the accommodation (NOT NULL in user_books). */
const ACCOMMODATION: Record<BookableType, string> = {
  Familiar: 'Bungalow Familiar: 2 ambientes, 4 camas, 2 baños, terraza para hamacas.',
  Junior: 'Bungalow Junior: 1 ambiente, 2 camas, 1 baño, terraza para hamacas.',
  Matrimonial: 'Bungalow Matrimonial: 1 ambiente, 1 cama matrimonial, 1 baño, terraza para hamacas.',
  Habitación: 'Habitación: 1 ambiente, 2 camas, 1 baño.',
  Pasadía: 'Pasadía: Acceso a todas las instalaciones del resort por el día.',
};

const SERVICE: Record<PackageType, string> = {
  'Las Hojas': 'Paquete Las Hojas',
  Escapadita: 'Paquete Escapadita',
  Pasadía: 'Pasadía',
  Romántico: 'Paquete Romántico',
};

const PAYWAY: Record<PaymentMethod, string> = {
  CompraClick: 'Tarjeta de crédito',
  'Depósito BAC': 'Depósito a cuenta BAC',
};

/** The booking agent's name in the backend: the original's bot persona, so staff reports keep working. */
const BOOKING_AGENT = 'VM';

function accommodationOf(types: readonly BookableType[]): string {
  const distinct = [...new Set(types)];
  if (distinct.length === 1) return ACCOMMODATION[distinct[0] as BookableType];
  const counts = distinct.map((t) => `${types.filter((x) => x === t).length}x ${t}`);
  return `Reserva múltiple: ${counts.join(', ')}`;
}

function staffComment(request: BookingRequest, rooms: readonly string[]): string {
  const parts = [
    rooms.length > 1 ? `Reserva de ${rooms.length} habitaciones realizada por el asistente virtual` : 'Reserva realizada por el asistente virtual',
  ];
  if (request.extraBeds > 0) {
    parts.push(
      request.extraBedsCostCents > 0
        ? `${request.extraBeds} cama(s) extra: $${formatAmount(request.extraBedsCostCents)} a cobrar en recepción`
        : `${request.extraBeds} cama(s) extra sin costo`,
    );
  }
  if (request.pkg === 'Romántico' && request.rooms.some((r) => r.type === 'Habitación')) {
    parts.push('Paquete Romántico en Habitación doble: sugerir cambio a Bungalow Matrimonial si hay disponibilidad');
  }
  if (request.customerInstructions.trim()) parts.push(`Indicaciones del huésped: ${request.customerInstructions.trim()}`);
  return parts.join(' | ');
}

/** The addBookingUserRest form for the request in the chosen rooms (one per requested room, same order). */
export function bookingForm(request: BookingRequest, rooms: readonly string[], quote: PriceQuote): BookingForm {
  const multi = rooms.length > 1;
  const join = (pick: (p: BookingRequest['rooms'][number]['party']) => number) => request.rooms.map((r) => String(pick(r.party))).join('+');
  const comment = staffComment(request, rooms);
  return {
    titulo: titleFor(request.guest.firstname, rooms.length),
    firstname: request.guest.firstname,
    lastname: request.guest.lastname,
    phone: request.guest.phone,
    reserverooms: multi ? rooms.join('+') : `1-${rooms[0] ?? ''}`,
    ciudad: request.guest.city,
    checkIn: formatUsDate(request.checkIn),
    checkOut: formatUsDate(request.checkOut),
    acomodacion: accommodationOf(request.rooms.map((r) => r.type)),
    adultcount: join((p) => p.adults),
    childcount: join((p) => p.children0to5),
    childcount1: join((p) => p.children6to10),
    payway: PAYWAY[request.payment.method],
    loadamount: formatAmount(request.payment.amountCents),
    reseramount: formatAmount(quote.totalCents),
    adultrate: formatAmount(quote.adultRateCents),
    childrate: formatAmount(quote.childRateCents),
    email: request.guest.email,
    dui: request.guest.dui,
    national: request.guest.nationality,
    cardusername: request.payment.makerName,
    cardnumer: '0',
    duedate: '0',
    compraclick: request.payment.method === 'CompraClick' ? (request.payment.authorization ?? '') : '',
    username: BOOKING_AGENT,
    cancel_flag: 'no',
    service: SERVICE[request.pkg],
    commenthotel: comment,
    comment,
  };
}

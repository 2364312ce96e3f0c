// What the follow-up tools share: the booking they will make once the payment appears (the original's
// `booking_data`), checked now like make_booking's arguments, so a follow-up never waits hours to fail on
// a missing name; and the reassurance texts the guest gets with this turn's reply.
import { z } from 'zod';
import type { FollowUpPayload } from '../../hotel/payment-check.js';
import { normalizeRoomType } from '../../hotel-rules/rooms.js';
import type { BookableType, Party } from '../../hotel-rules/types.js';
import { toCents } from '../../hotel-rules/values.js';
import { summarizeForModel, type ToolContext } from '../types.js';
import { checkGuest, type Checked } from '../booking/booking-arguments.js';
import { checkPackage, occupancyRefusal } from '../booking/make-booking.js';
import { checkStay, dateError } from '../booking/stay-arguments.js';

const count = z.number().int().min(0).max(200);

export const bookingDataSchema = summarizeForModel(
  z
  .object({
    customer_name: z.string().max(200),
    email: z.string().max(200),
    city: z.string().max(200),
    dui_passport: z.string().max(200),
    nationality: z.string().max(200),
    check_in_date: z.string().max(40),
    check_out_date: z.string().max(40),
    adults: count.default(0),
    children_0_5: count.default(0),
    children_6_10: count.default(0),
    bungalow_type: z.string().max(40).default(''),
    package_type: z.string().max(40),
    extra_beds: z.number().int().min(0).max(10).default(0),
    extra_beds_cost: z.number().min(0).max(10_000).default(0),
    customer_instructions: z.string().max(1000).default(''),
    room_bookings: z
      .array(z.object({ bungalow_type: z.string().max(40), adults: count, children_0_5: count.default(0), children_6_10: count.default(0) }))
      .max(20)
      .optional()
      .describe('Varias habitaciones: una por habitación'),
  })
  .describe('La reserva a hacer cuando aparezca el pago, campos de make_booking'),
);

export type BookingData = z.output<typeof bookingDataSchema>;

/** The booking of a follow-up, checked as make_booking would check it now. */
export function checkFollowUpBooking(
  context: Pick<ToolContext, 'clock' | 'waId' | 'subscriberId' | 'conversationId'>,
  timezone: string,
  data: BookingData,
  phoneNumber: string | undefined,
): Checked<Omit<FollowUpPayload, 'bank' | 'card'>> {
  const kind = checkPackage(data.package_type, data.bungalow_type || (data.room_bookings?.[0]?.bungalow_type ?? ''));
  const stay = checkStay(context, timezone, data, kind.ok && kind.type === 'Pasadía');
  if (!stay.ok) return { ok: false, output: dateError(stay) };
  if (!kind.ok) return { ok: false, output: { success: false, error: kind.error } };
  const rooms: { type: BookableType; party: Party }[] = [];
  const entries = data.room_bookings && data.room_bookings.length > 1 ? data.room_bookings : [data];
  for (const [index, room] of entries.entries()) {
    const type = kind.type === 'Pasadía' ? 'Pasadía' : normalizeRoomType(room.bungalow_type);
    if (!type) return { ok: false, output: { success: false, error: `booking_data.room_bookings.${index}.bungalow_type is not a room type` } };
    const party: Party = { adults: room.adults, children0to5: room.children_0_5, children6to10: room.children_6_10 };
    const refused = occupancyRefusal(type, party);
    if (refused) return { ok: false, output: { ...refused, room_index: index } };
    rooms.push({ type, party });
  }
  const who = checkGuest(context, { ...data, phone_number: phoneNumber });
  if (!who.ok) return who;
  return {
    ok: true,
    value: {
      booking: {
        conversationId: context.conversationId,
        ...who.value,
        checkIn: stay.checkIn,
        checkOut: stay.checkOut,
        nights: stay.nights,
        pkg: kind.pkg,
        rooms,
        extraBeds: data.extra_beds,
        extraBedsCostCents: toCents(data.extra_beds_cost),
        customerInstructions: data.customer_instructions,
      },
      makerName: data.customer_name.trim(),
    },
  };
}

export const BANK_REASSURANCE =
  'Su comprobante se ve correcto. Las transferencias pueden tardar en reflejarse en nuestra cuenta; lo estaremos verificando ' +
  'automáticamente y en cuanto aparezca confirmaremos su reserva y le enviaremos el código por aquí.';
export const CARD_REASSURANCE =
  'Su comprobante de pago se ve correcto. El banco puede tardar unos minutos en reportar el pago; lo estaremos verificando ' +
  'automáticamente y en cuanto aparezca confirmaremos su reserva y le enviaremos el código por aquí.';

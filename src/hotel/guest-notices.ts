// What the hotel's background work tells the guest outside a turn, in the resort's Spanish: a booking whose
// confirmation was lost turns out to be made, a payment follow-up finds the payment (or asks, or gives up and
// hands the guest to the reservations team). The wiring only says how a text reaches the guest (tellGuest) and
// how a conversation goes to staff with a last text (toStaff); the words are the hotel's.
import type { BookingNotifier } from './booking-jobs.js';
import type { FollowUpNotifier } from './payment-follow-up.js';

export interface GuestMessenger {
  /** Sends the guest a text (a durable job, inside the caller's transaction). */
  tellGuest(conversationId: string, text: string): void;
  /** Hands the conversation to staff and sends the guest this last text. */
  toStaff(conversationId: string, text: string): void;
}

/** What the guest is told when a booking whose confirmation was lost turns out to have been made. */
export function bookingConfirmedNotice(reserva: string): string {
  return `¡Buenas noticias! Su reserva quedó confirmada. Código de reserva: HR${reserva}. Recibirá la confirmación en su correo electrónico.`;
}

/** A payment follow-up found the payment and booked. */
export function paymentFoundNotice(reserva: string): string {
  return `¡Buenas noticias! Ya recibimos su pago y su reserva quedó confirmada. Código de reserva: HR${reserva}. Recibirá la confirmación en su correo electrónico.`;
}

export const TRANSFER_TYPE_QUESTION =
  'Seguimos verificando su transferencia. Para ayudarle mejor: ¿la realizó como Transferencia 365 o como transferencia UNI?';

export const BANK_NOT_FOUND_APOLOGY =
  'Lamentamos la demora: su transferencia todavía no aparece en nuestra cuenta. Un miembro de nuestro equipo de reservas revisará su caso y le escribirá en breve.';

export const CARD_NOT_FOUND_APOLOGY =
  'Lamentamos la demora: su pago con tarjeta todavía no aparece en nuestro sistema. Un miembro de nuestro equipo de reservas revisará su caso y le escribirá en breve.';

export const BOOKING_TO_STAFF_NOTICE =
  'Su pago está registrado. Un miembro de nuestro equipo de reservas está terminando de confirmar su reserva y le escribirá en breve con su código. ¡Gracias por su paciencia!';

/** The booking and follow-up notifiers that say the texts above through `guest`. */
export function guestNotifiers(guest: GuestMessenger): { notifier: BookingNotifier; followUpNotifier: FollowUpNotifier } {
  return {
    notifier: {
      confirmed: (conversationId, reserva) => guest.tellGuest(conversationId, bookingConfirmedNotice(reserva)),
      needsStaff: (conversationId) => guest.toStaff(conversationId, BOOKING_TO_STAFF_NOTICE),
    },
    followUpNotifier: {
      confirmed: (followUp, reserva) => guest.tellGuest(followUp.conversationId, paymentFoundNotice(reserva)),
      askTransferType: (followUp) => guest.tellGuest(followUp.conversationId, TRANSFER_TYPE_QUESTION),
      escalate: (followUp) => guest.toStaff(followUp.conversationId, followUp.kind === 'bank' ? BANK_NOT_FOUND_APOLOGY : CARD_NOT_FOUND_APOLOGY),
    },
  };
}

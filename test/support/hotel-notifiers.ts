// Notifiers for building the hotel backends in tests that do not look at what guests are told.
import type { BookingNotifier } from '../../src/hotel/booking-jobs.js';
import type { FollowUpNotifier } from '../../src/hotel/payment-follow-up.js';

export const silentHotelNotifiers: { notifier: BookingNotifier; followUpNotifier: FollowUpNotifier; isHandedOff: (conversationId: string) => boolean } = {
  notifier: { confirmed: () => undefined, needsStaff: () => undefined },
  followUpNotifier: { confirmed: () => undefined, askTransferType: () => undefined, escalate: () => undefined },
  isHandedOff: () => false,
};

/** Notifiers that write what the guest (or staff) would be told into `told`, one line each. */
export function recordingHotelNotifiers(told: string[]): typeof silentHotelNotifiers {
  return {
    notifier: { confirmed: (_c, reserva) => void told.push(`booking confirmed HR${reserva}`), needsStaff: () => void told.push('booking to staff') },
    followUpNotifier: {
      confirmed: (_f, reserva) => void told.push(`found, booked HR${reserva}`),
      askTransferType: () => void told.push('365 or UNI?'),
      escalate: (_f, reason) => void told.push(`escalated ${reason}`),
    },
    isHandedOff: () => false,
  };
}

// Notifiers for building the hotel backends in tests that do not look at what guests are told.
import type { BookingNotifier } from '../../src/hotel/booking-jobs.js';
import type { FollowUpNotifier } from '../../src/hotel/payment-follow-up.js';

export const silentHotelNotifiers: { notifier: BookingNotifier; followUpNotifier: FollowUpNotifier; isHandedOff: (conversationId: string) => boolean } = {
  notifier: { confirmed: () => undefined, needsStaff: () => undefined },
  followUpNotifier: { confirmed: () => undefined, askTransferType: () => undefined, escalate: () => undefined },
  isHandedOff: () => false,
};

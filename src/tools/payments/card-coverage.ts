// The CompraClick coverage rule shared by both card validators: a payment is valid for a booking when its
// unused balance covers at least half of the booking total (the hotel's 50 % deposit). Read-only: the
// money is reserved by make_booking, under a lock. A balance taken without a booking code is reported to
// the model, never silently reset (the original's "orphan recovery" raced with bookings in flight).
import { isVoidedStatus, type CardPayment } from '../../store/hotel/payment-ledgers.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import { formatAmount, fromCents } from '../../hotel/values.js';


export function cardCoverage(
  payments: readonly CardPayment[],
  bookingTotalCents: number,
  attempts: Pick<BookingAttemptsRepository, 'livePayment'>,
  conversationId: string,
  authorization: string,
): Record<string, unknown> {
  const live = attempts.livePayment(`CC_${authorization}`);
  if (live && live.conversationId === conversationId && live.state === 'booked') {
    return {
      success: false,
      error: 'already_used_for_booking',
      booking_code: `HR${live.reserva ?? ''}`,
      customer_message: `Este pago ya fue aplicado a su reserva HR${live.reserva ?? ''}.`,
    };
  }
  if (live && live.state !== 'booked') {
    return {
      success: false,
      error: 'payment_in_process',
      customer_message: 'Este pago ya se está aplicando a una reserva; en breve se confirma.',
      assistant_instruction: 'No llames make_booking otra vez con este pago: la reserva ya está en proceso.',
    };
  }
  const usable = payments.filter((p) => !isVoidedStatus(p.status));
  if (usable.length === 0) {
    return {
      success: false,
      error: 'payment_voided',
      customer_message: 'Ese pago aparece anulado en el sistema de la tarjeta. Por favor verifique el comprobante.',
      assistant_instruction: 'Ofrece transferir al huésped a un ejecutivo si insiste en que el pago es válido.',
    };
  }
  const best = [...usable].sort((a, b) => b.amountCents - b.usedCents - (a.amountCents - a.usedCents))[0] as CardPayment;
  const remaining = best.amountCents - best.usedCents;
  const coverage = bookingTotalCents > 0 ? Math.round((remaining / bookingTotalCents) * 1000) / 10 : 100;
  const isValid = remaining * 2 >= bookingTotalCents && remaining > 0;
  const data = {
    authorization_code: authorization,
    amount_paid: fromCents(best.amountCents),
    remaining_amount: fromCents(remaining),
    booking_total: fromCents(bookingTotalCents),
    coverage_percentage: coverage,
    is_valid: isValid,
  };
  if (isValid) return { success: true, data, error: '' };
  if (best.bookingCode) {
    return {
      success: false,
      data,
      error: 'already_used_for_booking',
      booking_code: best.bookingCode,
      date_used: best.dateUsed,
      customer_message: `Este pago ya fue aplicado a la reserva ${best.bookingCode}.`,
    };
  }
  if (best.usedCents > 0) {
    return {
      success: false,
      data,
      error: 'payment_reserved_without_booking',
      customer_message: 'Ese pago ya está apartado en el sistema pero sin una reserva asociada; un ejecutivo lo revisará.',
      assistant_instruction: 'No intentes reservar con este pago. Transfiere al huésped a un ejecutivo (transfer_to_human_agent) para que revise el pago.',
    };
  }
  return {
    success: false,
    data,
    error: 'insufficient_amount',
    customer_message: `El pago de $${formatAmount(remaining)} cubre menos del 50 % del total de la reserva ($${formatAmount(bookingTotalCents)}).`,
  };
}

// The CompraClick coverage shared by both card validators, by the payment rule (hotel-rules/payment-rule.ts): a
// payment is valid for a booking when its unused balance covers at least the deposit (half the booking
// total), after this conversation's earlier bookings; a sale another guest (or the Python service) used is
// refused as already used, without naming that booking or its amounts. Read-only: the money is reserved by make_booking,
// under a lock. A balance taken without a booking code is reported to the model, never silently reset
// (the original's "orphan recovery" raced with bookings in flight).
import { chooseRow, minimumDepositCents, seenBy } from '../../hotel-rules/payment-rule.js';
import { paymentUsedByOther } from './validate-bank-transfer.js';
import { cardRowState, type CardPayment } from '../../store/hotel/payment-ledgers.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import { formatAmount, fromCents } from '../../hotel-rules/values.js';

export function cardCoverage(
  payments: readonly CardPayment[],
  bookingTotalCents: number,
  attempts: Pick<BookingAttemptsRepository, 'paymentUse'>,
  conversationId: string,
  authorization: string,
): Record<string, unknown> {
  const { inFlight, booked } = attempts.paymentUse(`CC_${authorization}`);
  if (inFlight) {
    return {
      success: false,
      error: 'payment_in_process',
      customer_message: 'Este pago ya se está aplicando a una reserva; en breve se confirma.',
      assistant_instruction:
        inFlight.conversationId === conversationId
          ? 'No llames make_booking otra vez con este pago: la reserva ya está en proceso.'
          : 'No reserves con este pago mientras se aplica a otra reserva; si el huésped insiste, ofrece un ejecutivo.',
    };
  }
  const chosen = chooseRow(
    payments.map((p) => seenBy(cardRowState(p), booked, conversationId)),
    minimumDepositCents(bookingTotalCents),
  );
  if (!chosen) return { success: false, error: 'Authorization code not found' };
  const { row, verdict } = chosen;
  const payment = payments.find((p) => p.id === row.id) as CardPayment;
  const remaining = verdict.unusedCents;
  const coverage = bookingTotalCents > 0 ? Math.round((remaining / bookingTotalCents) * 1000) / 10 : 100;
  const codes = row.bookingCodes;
  const data = {
    authorization_code: authorization,
    amount_paid: fromCents(row.amountCents),
    remaining_amount: fromCents(remaining),
    booking_total: fromCents(bookingTotalCents),
    coverage_percentage: coverage,
    is_valid: verdict.ok,
    ...(codes.length > 0 ? { bookings_paid: codes } : {}),
  };
  // What make_booking takes of it: the payment_amount given, at most this.
  if (verdict.ok) return { success: true, data, available_amount: fromCents(remaining), error: '' };
  switch (verdict.reason) {
    case 'voided':
      return {
        success: false,
        error: 'payment_voided',
        customer_message: 'Ese pago aparece anulado en el sistema de la tarjeta. Por favor verifique el comprobante.',
        assistant_instruction: 'Ofrece transferir al huésped a un ejecutivo si insiste en que el pago es válido.',
      };
    case 'used_by_other':
      return paymentUsedByOther('pago');
    case 'used_up':
      return {
        success: false,
        data,
        error: 'already_used_for_booking',
        booking_code: codes.join(','),
        date_used: payment.dateUsed,
        customer_message: `Este pago ya fue aplicado a la reserva ${codes.join(', ')}.`,
      };
    case 'reserved_without_booking':
      // Whose money was taken is unknown (perhaps another guest's booking that crashed): no amounts told.
      return {
        success: false,
        error: 'payment_reserved_without_booking',
        customer_message: 'Ese pago ya está apartado en el sistema pero sin una reserva asociada; un ejecutivo lo revisará.',
        assistant_instruction: 'No intentes reservar con este pago. Transfiere al huésped a un ejecutivo (transfer_to_human_agent) para que revise el pago.',
      };
    case 'insufficient':
      return {
        success: false,
        data,
        error: 'insufficient_amount',
        customer_message:
          codes.length > 0
            ? `Ese pago ya se aplicó a la reserva ${codes.join(', ')}; el saldo restante de $${formatAmount(remaining)} cubre menos del 50 % del total de la reserva ($${formatAmount(bookingTotalCents)}).`
            : `El pago de $${formatAmount(remaining)} cubre menos del 50 % del total de la reserva ($${formatAmount(bookingTotalCents)}).`,
      };
  }
}

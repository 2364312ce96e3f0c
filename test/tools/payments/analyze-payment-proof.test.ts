// The payment-proof result shape and the destination-account check (the vision call itself is tested
// end to end in test/media/media.test.ts).
import { describe, expect, it } from 'vitest';
import {
  destinationMatches,
  PAYMENT_PROOF_SCHEMA,
  paymentProofInstructions,
  toOriginalShape,
  uniTiming,
  type PaymentProofExtraction,
} from '../../../src/tools/payments/analyze-payment-proof.js';

const transfer: PaymentProofExtraction = {
  receipt_type: 'bank_transfer',
  is_valid_receipt: true,
  detection_confidence: 1.4,
  detected_indicators: [],
  amount: '$80.00',
  customer_name: 'Luis',
  transaction_id: '123',
  timestamp: null,
  card_last_four: null,
  target_account: '999-888777-1',
  recipient_account_type: 'ahorro',
  transfer_method: 'UNI',
  reasons: ['r'],
  comments: '',
};

describe('analyze_payment_proof result', () => {
  it('compares the destination account by digits, masked accounts by their last four', () => {
    expect(destinationMatches('200-123456-7', '2001234567')).toBe(true);
    expect(destinationMatches('****4567', '200-123456-7')).toBe(true);
    expect(destinationMatches('****9999', '200-123456-7')).toBe(false);
    expect(destinationMatches('999', '200-123456-7')).toBe(false);
    expect(destinationMatches(null, '200-123456-7')).toBeNull();
    expect(destinationMatches('200', undefined)).toBeNull();
  });

  it('marks a transfer to another or a savings account, keeping the original shape', () => {
    const r = toOriginalShape('m_1', transfer, '200-123456-7');
    expect(r).toMatchObject({
      success: true,
      is_valid_receipt: false,
      receipt_type: 'bank_transfer',
      transfer_method: 'UNI',
      detection_confidence: 1,
      extracted_info: { amount: '$80.00', additional_info: { target_account: '999-888777-1', recipient_account_type: 'ahorro' } },
      account_type_validation: { is_correct_account_type: false, expected_account_type: 'corriente' },
      destination_account_validation: { expected_account: '200-123456-7', matches: false },
      error: null,
    });
    expect(r.comments).toMatch(/ahorro/);
    expect(r.comments).toMatch(/no coincide/);
  });

  it('puts the configured account in the prompt and every schema property in required (strict)', () => {
    expect(paymentProofInstructions('200-123456-7')).toContain('200-123456-7');
    expect([...PAYMENT_PROOF_SCHEMA.required].sort()).toEqual(Object.keys(PAYMENT_PROOF_SCHEMA.properties).sort());
  });
  it('says when a UNI transfer made outside banking hours will be processed, and that the follow-up starts then', () => {
    const saturday = Date.UTC(2027, 1, 27, 17); // Saturday 11:00 in El Salvador
    expect(uniTiming(saturday, 'America/El_Salvador')).toMatchObject({
      is_outside_business_hours: true,
      available_from: 'el lunes 1 de marzo a las 9:00 a. m.',
      start_after_iso: '2027-03-01T15:00:00.000Z',
      assistant_instruction: expect.stringContaining('start_bank_transfer_retry_process'),
    });
    const tuesdayMorning = Date.UTC(2027, 2, 2, 16); // Tuesday 10:00
    expect(uniTiming(tuesdayMorning, 'America/El_Salvador')).toEqual({ is_outside_business_hours: false });
  });
});

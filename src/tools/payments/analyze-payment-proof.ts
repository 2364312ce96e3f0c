// analyze_payment_proof: reads a payment receipt (image or PDF) the guest sent in THIS conversation,
// named by the media id the model saw in the turn input, with one vision call constrained by a JSON
// schema (structured outputs). Returns the original service's result shape so the existing system
// instructions keep working. The hotel's destination account is configuration.
import type OpenAI from 'openai';
import { z } from 'zod';
import { uniProcessingStart } from '../../hotel/follow-up-schedule.js';
import { SPANISH_MONTHS, SPANISH_WEEKDAYS, zonedParts } from '../../core/zoned-time.js';
import type { AgentConfig } from '../../core/llm-config.js';
import type { MediaConfig } from '../../media/config.js';
import { IMAGE_TYPES, PDF_TYPE } from '../../core/content-type.js';
import type { MediaStore } from '../../media/media-store.js';
import { takesReasoningEffort, usesOpenAiDialect } from '../../core/model-rules.js';
import { defineTool, ToolError } from '../types.js';
import { declareTool } from '../declaration.js';

export const ANALYZE_PAYMENT_PROOF = declareTool({ name: 'analyze_payment_proof', needs: ['vision-model'], does: 'reads' });

const nullableString = { type: ['string', 'null'] } as const;

/** The JSON schema of the vision call's answer (strict: every property required, nulls allowed). */
export const PAYMENT_PROOF_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    receipt_type: { type: 'string', enum: ['compraclick', 'bank_transfer', 'unknown'] },
    is_valid_receipt: { type: 'boolean' },
    detection_confidence: { type: 'number' },
    detected_indicators: { type: 'array', items: { type: 'string' } },
    amount: { ...nullableString, description: 'Monto pagado tal como aparece, p. ej. "$150.00"' },
    customer_name: { ...nullableString, description: 'Nombre de quien paga' },
    transaction_id: {
      ...nullableString,
      description: 'CompraClick: el código del campo "Autorización". Transferencia: número de referencia/transacción',
    },
    timestamp: { ...nullableString, description: 'Fecha y hora del pago tal como aparecen' },
    card_last_four: nullableString,
    target_account: { ...nullableString, description: 'Cuenta de destino (transferencias)' },
    recipient_account_type: { type: 'string', enum: ['corriente', 'ahorro', 'unknown'] },
    transfer_method: { type: 'string', enum: ['UNI', '365', 'unknown'] },
    reasons: { type: 'array', items: { type: 'string' }, description: 'Razones del veredicto de validez' },
    comments: { type: 'string' },
  },
  required: [
    'receipt_type',
    'is_valid_receipt',
    'detection_confidence',
    'detected_indicators',
    'amount',
    'customer_name',
    'transaction_id',
    'timestamp',
    'card_last_four',
    'target_account',
    'recipient_account_type',
    'transfer_method',
    'reasons',
    'comments',
  ],
} as const;

const Extraction = z.object({
  receipt_type: z.enum(['compraclick', 'bank_transfer', 'unknown']),
  is_valid_receipt: z.boolean(),
  detection_confidence: z.number(),
  detected_indicators: z.array(z.string()),
  amount: z.string().nullable(),
  customer_name: z.string().nullable(),
  transaction_id: z.string().nullable(),
  timestamp: z.string().nullable(),
  card_last_four: z.string().nullable(),
  target_account: z.string().nullable(),
  recipient_account_type: z.enum(['corriente', 'ahorro', 'unknown']),
  transfer_method: z.enum(['UNI', '365', 'unknown']),
  reasons: z.array(z.string()),
  comments: z.string(),
});
export type PaymentProofExtraction = z.infer<typeof Extraction>;

export function paymentProofInstructions(destinationAccount: string | undefined): string {
  return [
    'Analizas comprobantes de pago enviados a un hotel de playa en El Salvador. Responde solo con el JSON pedido.',
    'Decide el tipo: "compraclick" (pago con tarjeta por enlace CompraClick) o "bank_transfer" (transferencia bancaria); "unknown" si no es un comprobante de pago.',
    'CompraClick: el código de autorización debe venir de un campo rotulado "Autorización". Si solo hay un número de "RECIBO" u operación, el comprobante no es válido.',
    destinationAccount
      ? `Transferencias: la cuenta de destino debe ser la del hotel, ${destinationAccount}, y de tipo cuenta corriente.`
      : 'Transferencias: extrae la cuenta de destino y su tipo (corriente o ahorro).',
    'transfer_method: "UNI" o "365" si el comprobante lo indica, si no "unknown".',
    'No inventes datos: usa null cuando un dato no aparece. Explica el veredicto en reasons.',
  ].join('\n');
}

const digits = (s: string) => s.replace(/\D/g, '');

/** Whether the extracted destination account is the configured one (last 4 digits when masked). */
export function destinationMatches(found: string | null, expected: string | undefined): boolean | null {
  if (!expected || !found) return null;
  const f = digits(found);
  const e = digits(expected);
  if (f === '' || e === '') return null;
  if (f === e) return true;
  if (/[*xX•]/.test(found) && f.length >= 4) return e.endsWith(f.slice(-4));
  return false;
}

/** The original's result shape (payment_proof_analyzer.py), built from the extraction. */
export function toOriginalShape(mediaId: string, x: PaymentProofExtraction, expectedAccount: string | undefined) {
  const comments: string[] = x.comments.trim() === '' ? [] : [x.comments.trim()];
  let valid = x.is_valid_receipt && x.receipt_type !== 'unknown';
  let correctType: boolean | null = null;
  let matches: boolean | null = null;
  if (x.receipt_type === 'bank_transfer') {
    correctType = x.recipient_account_type === 'corriente' ? true : x.recipient_account_type === 'ahorro' ? false : null;
    if (correctType === false) comments.push('ADVERTENCIA: la transferencia fue a una cuenta de ahorro; la cuenta del hotel es corriente.');
    matches = destinationMatches(x.target_account, expectedAccount);
    if (matches === false) {
      valid = false;
      comments.push('La cuenta de destino no coincide con la cuenta del hotel.');
    }
  }
  return {
    success: true,
    media_id: mediaId,
    is_valid_receipt: valid,
    receipt_type: x.receipt_type,
    transfer_method: x.transfer_method,
    chain_of_thought: { steps: x.reasons, conclusion: valid ? 'comprobante válido' : 'comprobante no válido' },
    extracted_info: {
      amount: x.amount,
      customer_name: x.customer_name,
      transaction_id: x.transaction_id,
      timestamp: x.timestamp,
      additional_info: {
        card_last_four: x.card_last_four,
        target_account: x.target_account,
        recipient_account_type: x.recipient_account_type,
      },
    },
    detection_confidence: Math.min(1, Math.max(0, x.detection_confidence)),
    detected_indicators: x.detected_indicators,
    account_type_validation: {
      is_correct_account_type: correctType,
      detected_account_type: x.recipient_account_type,
      expected_account_type: 'corriente',
    },
    destination_account_validation: { expected_account: expectedAccount ?? null, matches },
    comments: comments.join(' '),
    error: null,
  };
}

export interface AnalyzePaymentProofDeps {
  client: OpenAI;
  store: MediaStore;
  /** The model's slice, the payment settings of the media slice and the hotel's time zone. */
  config: { llm: AgentConfig; media: MediaConfig; timezone: string };
}

const OutputText = z.looseObject({
  output: z.array(
    z.looseObject({ type: z.string(), content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).optional() }),
  ),
});

async function visionCall(deps: AnalyzePaymentProofDeps, prompt: string, contentType: string, base64: string, signal: AbortSignal): Promise<string> {
  const { client, config } = deps;
  const model = config.media.paymentProofModel;
  const dataUrl = `data:${contentType};base64,${base64}`;
  const ask = 'Analiza este comprobante de pago.';
  const opts = { signal, timeout: config.llm.timeoutMs, maxRetries: 1 };
  if (config.llm.api === 'responses') {
    const res = await client.responses.create(
      {
        model,
        instructions: prompt,
        input: [
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: ask },
              contentType === PDF_TYPE
                ? { type: 'input_file', filename: 'comprobante.pdf', file_data: dataUrl }
                : { type: 'input_image', image_url: dataUrl, detail: 'high' },
            ],
          },
        ],
        text: { format: { type: 'json_schema', name: 'payment_proof_analysis', schema: PAYMENT_PROOF_SCHEMA as unknown as Record<string, unknown>, strict: true } },
        store: false,
        max_output_tokens: config.llm.maxOutputTokens,
        ...(takesReasoningEffort(model) ? { reasoning: { effort: 'low' as const } } : {}),
      },
      opts,
    );
    const parsed = OutputText.safeParse(res);
    if (!parsed.success) throw new ToolError('the analysis returned an unexpected answer');
    return parsed.data.output
      .filter((o) => o.type === 'message')
      .flatMap((o) => o.content ?? [])
      .map((c) => (c.type === 'output_text' ? (c.text ?? '') : ''))
      .join('');
  }
  if (contentType === PDF_TYPE && !usesOpenAiDialect(config.llm)) {
    throw new ToolError('this model cannot read PDF files; ask the guest for a screenshot of the receipt');
  }
  const res = await client.chat.completions.create(
    {
      model,
      messages: [
        { role: 'system', content: prompt },
        {
          role: 'user',
          content: [
            { type: 'text', text: ask },
            contentType === PDF_TYPE
              ? { type: 'file', file: { filename: 'comprobante.pdf', file_data: dataUrl } }
              : { type: 'image_url', image_url: { url: dataUrl } },
          ],
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'payment_proof_analysis', schema: PAYMENT_PROOF_SCHEMA as unknown as Record<string, unknown>, strict: true },
      },
    },
    opts,
  );
  return res.choices[0]?.message.content ?? '';
}

export function createAnalyzePaymentProofTool(deps: AnalyzePaymentProofDeps) {
  return defineTool({
    ...ANALYZE_PAYMENT_PROOF,
    description:
      'Analiza un comprobante de pago (imagen o PDF) del huésped: tipo, monto, nombre, autorización o referencia, fecha, cuenta de destino y validez.',
    parameters: z.object({
      media_id: z.string().trim().min(1).max(64).describe('El que aparece junto al archivo, p. ej. [media_id: m_1a2b3c4d5e6f]'),
    }),
    timeoutMs: Math.max(deps.config.llm.timeoutMs, deps.config.llm.toolTimeoutMs),
    async handler(context, args) {
      const media = deps.store.get(context.conversationId, args.media_id);
      if (!media) throw new ToolError(`no file with media_id ${args.media_id} was sent in this conversation`);
      if (!IMAGE_TYPES.has(media.contentType) && media.contentType !== PDF_TYPE) {
        throw new ToolError(`media_id ${args.media_id} is not an image or a PDF`);
      }
      const bytes = await deps.store.read(media);
      if (!bytes) throw new ToolError(`the file ${args.media_id} is no longer available; ask the guest to send it again`);
      const prompt = paymentProofInstructions(deps.config.media.paymentDestinationAccount);
      const text = await visionCall(deps, prompt, media.contentType, bytes.toString('base64'), context.signal);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ToolError('the analysis did not return a readable result');
      }
      const extraction = Extraction.safeParse(json);
      if (!extraction.success) throw new ToolError('the analysis did not return a readable result');
      context.logger.info(
        { mediaId: media.id, receiptType: extraction.data.receipt_type, valid: extraction.data.is_valid_receipt },
        'payment proof analysed',
      );
      const result = toOriginalShape(media.id, extraction.data, deps.config.media.paymentDestinationAccount);
      const timing = extraction.data.receipt_type === 'bank_transfer' && extraction.data.transfer_method === 'UNI' ? uniTiming(context.clock.now(), deps.config.timezone) : undefined;
      return timing ? { ...result, uni_timing: timing } : result;
    },
  });
}

/**
 * UNI transfers are processed by the banks on working days 09:00–17:00 in El Salvador: outside those hours
 * the result says when, what to tell the guest, and that the follow-up must start then (the later revision's
 * `uni_timing`).
 */
export function uniTiming(now: number, timeZone: string): Record<string, unknown> {
  const start = uniProcessingStart(now, timeZone);
  if (start <= now) return { is_outside_business_hours: false };
  const p = zonedParts(start, timeZone);
  const when = `el ${SPANISH_WEEKDAYS[p.weekday]} ${p.day} de ${SPANISH_MONTHS[p.month - 1]} a las 9:00 a. m.`;
  return {
    is_outside_business_hours: true,
    available_from: when,
    start_after_iso: new Date(start).toISOString(),
    customer_message:
      `Su transferencia UNI se procesa en horario bancario (lunes a viernes de 9:00 a. m. a 5:00 p. m., excepto feriados). ` +
      `La verificaremos a partir de ${when} y en cuanto se refleje confirmaremos su reserva.`,
    assistant_instruction:
      'No valides ni sincronices la transferencia ahora: llama start_bank_transfer_retry_process con transfer_method "UNI"; ' +
      'su primer chequeo será en ese horario. Comparte el customer_message con el huésped.',
  };
}

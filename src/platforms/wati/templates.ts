// WhatsApp template messages through WATI's v1 `sendTemplateMessage` (kept by WATI for existing
// integrations, like the rest of this client). A template is the only message WhatsApp delivers outside the
// recipient's 24-hour window, which is why staff alerts use one. One attempt per call; the caller retries.
import { z } from 'zod';
import { postJson, type ChannelClientOptions, type HttpResponse } from '../../channels/http.js';
import { ChannelError, type SentMessage } from '../../channels/types.js';
import { watiDisabledReason, type WatiClientConfig } from './client.js';
import { normalizeWatiBaseUrl } from './config.js';

export interface TemplateMessage {
  /** The approved template's name in WATI. */
  templateName: string;
  /** Groups the sends in WATI's broadcast list (staff find them there). */
  broadcastName: string;
  /** The template's body parameters by name; values must already follow WhatsApp's rules (templateParameterValue). */
  parameters: { name: string; value: string }[];
}

export interface WatiTemplateSender {
  readonly disabledReason: string | undefined;
  sendTemplate(waId: string, message: TemplateMessage, signal?: AbortSignal): Promise<SentMessage>;
}

/** WhatsApp caps a body parameter's text; we stay well below it. */
export const TEMPLATE_PARAMETER_MAX = 1_000;

/**
 * A value WhatsApp accepts as a template parameter: it rejects newlines, tabs and more than four consecutive
 * spaces, and an empty text. Whitespace runs become one space; a long value is cut with an ellipsis.
 */
export function templateParameterValue(text: string, max = TEMPLATE_PARAMETER_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '-';
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const DEFAULT_TIMEOUT_MS = 15_000;

const idSchema = z.union([z.string(), z.number()]).transform(String);
// Observed shapes: {"result":true,"receivers":[{"localMessageId":…,"isValidWhatsAppNumber":true,"errors":[]}]}
// and the older {"result":true,"validWhatsAppNumber":true,"model":{"id":…}}; failures are 200 + result false.
const templateResponse = z.looseObject({
  result: z.union([z.boolean(), z.string()]).nullish(),
  info: z.string().nullish(),
  error: z.union([z.string(), z.looseObject({ message: z.string().nullish() })]).nullish(),
  validWhatsAppNumber: z.boolean().nullish(),
  receivers: z
    .array(
      z.looseObject({
        localMessageId: idSchema.nullish(),
        isValidWhatsAppNumber: z.boolean().nullish(),
        errors: z.array(z.unknown()).nullish(),
      }),
    )
    .nullish(),
  model: z.looseObject({ id: idSchema.nullish() }).nullish(),
});

export function createWatiTemplateSender(config: WatiClientConfig, opts: ChannelClientOptions = {}): WatiTemplateSender {
  const disabledReason = watiDisabledReason(config);
  const baseUrl = config.baseUrl ? normalizeWatiBaseUrl(config.baseUrl) : '';
  const headers = { authorization: `Bearer ${config.apiKey ?? ''}` };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const label = 'WATI sendTemplateMessage';

  return {
    disabledReason,
    async sendTemplate(waId, message, signal): Promise<SentMessage> {
      if (disabledReason) throw new ChannelError('CHANNEL_DISABLED', disabledReason);
      if (!/^\d{8,15}$/.test(waId)) throw new ChannelError('REJECTED', `${label}: not a WhatsApp number`);
      if (message.templateName.trim() === '') throw new ChannelError('REJECTED', `${label}: no template name`);
      const qs = new URLSearchParams({ whatsappNumber: waId }).toString();
      const res = await postJson(
        `${baseUrl}/api/v1/sendTemplateMessage?${qs}`,
        { template_name: message.templateName, broadcast_name: message.broadcastName, parameters: message.parameters },
        {
          headers,
          timeoutMs,
          label,
          ...(signal ? { signal } : {}),
          ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
        },
      );
      return interpretTemplateResponse(res, label);
    },
  };
}

/** A 2xx is only a success when the body says so: a bad template, parameter or number is a 200 + result false. */
function interpretTemplateResponse(res: HttpResponse, label: string): SentMessage {
  const parsed = templateResponse.safeParse(res.json);
  if (!parsed.success) {
    throw new ChannelError('REJECTED', `${label}: unexpected response body (HTTP ${res.status})`, {
      retryable: false,
      status: res.status,
    });
  }
  const body = parsed.data;
  const receiver = body.receivers?.[0];
  const errorText = typeof body.error === 'string' ? body.error : (body.error?.message ?? undefined);
  const failed =
    body.result === false ||
    (typeof body.result === 'string' && /^(false|fail(ed|ure)?|error)$/i.test(body.result)) ||
    body.validWhatsAppNumber === false ||
    receiver?.isValidWhatsAppNumber === false ||
    (receiver?.errors?.length ?? 0) > 0;
  if (failed) {
    const why = body.info ?? errorText ?? (body.validWhatsAppNumber === false || receiver?.isValidWhatsAppNumber === false ? 'not a valid WhatsApp number' : 'result false');
    throw new ChannelError('REJECTED', `${label}: ${why}`, { retryable: false, status: res.status });
  }
  return { platformMessageId: receiver?.localMessageId ?? body.model?.id ?? undefined };
}

// handle_customer_transferencia_type_response: the guest's answer to "¿Transferencia 365 o UNI?" (asked by
// the bank follow-up). UNI transfers are processed by the banks only on working days, so the guest goes to a
// person and the follow-up stops; 365 keeps it going. Whole words only (the original matched the substring
// "uni", so "unidos" or "comunicar" counted as UNI).
import { z } from 'zod';
import type { PaymentFollowUps } from '../../hotel/payment-follow-up.js';
import { foldForMatch } from '../../hotel-rules/guest-identity.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const HANDLE_CUSTOMER_TRANSFERENCIA_TYPE_RESPONSE = declareTool({ name: 'handle_customer_transferencia_type_response', needs: ['hotel-database', 'booking-api'], does: 'books' });

const UNI = /\b(uni|transferencia uni|transferencias uni)\b/;
const T365 = /\b(365|tres seis cinco|trescientos sesenta y cinco)\b/;

export function classifyTransferType(text: string): 'uni' | '365' | 'unclear' {
  const folded = foldForMatch(text);
  const uni = UNI.test(folded);
  const t365 = T365.test(folded);
  if (uni === t365) return 'unclear';
  return uni ? 'uni' : '365';
}

export function createHandleTransferTypeResponseTool(deps: { followUps: PaymentFollowUps }): ToolDefinition {
  return defineTool({
    ...HANDLE_CUSTOMER_TRANSFERENCIA_TYPE_RESPONSE,
    description:
      'Respuesta del huésped a si su transferencia fue "365" o "UNI" (UNI pasa a un ejecutivo; 365 se sigue verificando).',
    parameters: z.object({
      phone_number: z.string().max(40).optional().describe('Lo pone el sistema.'),
      response_text: z.string().max(500).describe('Tal cual'),
    }),
    handler: (context, args) => {
      const kind = classifyTransferType(args.response_text);
      if (kind === 'uni') {
        const stopped = deps.followUps.cancelFor(context.conversationId);
        context.effects.handoff('transferencia UNI: se procesa en horario bancario; verificar el pago manualmente');
        return { result: 'uni_escalated', follow_ups_stopped: stopped };
      }
      if (kind === '365') {
        context.effects.say('¡Gracias! Las transferencias 365 suelen reflejarse pronto; seguiremos verificando cada 30 minutos y le avisaremos por aquí.');
        return { result: '365_continue', note: 'The guest was told the checks continue (do not repeat it).' };
      }
      return { result: 'unclear', note: 'Ask the guest again whether it was a Transferencia 365 or UNI.' };
    },
  });
}

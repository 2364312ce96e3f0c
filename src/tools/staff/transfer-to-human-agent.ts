// transfer_to_human_agent: hands the guest to the reservations staff. The tool only returns the handoff
// effect; with the reply the turn runner pauses the bot, sends the guest the handover notice (instead of any
// other reply) and enqueues the platform steps (WATI operator + pending ticket, or ManyChat Live Chat).
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const TRANSFER_TO_HUMAN_AGENT = declareTool({ name: 'transfer_to_human_agent', needs: [], does: 'hands-off' });

export function createTransferToHumanAgentTool(): ToolDefinition {
  return defineTool({
    ...TRANSFER_TO_HUMAN_AGENT,
    description:
      'Pasa la conversación a un ejecutivo de reservas (can_automate false, el huésped lo pide o no puedes resolverlo); el huésped ya recibe el aviso y dejas de responder.',
    parameters: z.object({
      reason: z.string().max(500).describe('Breve, para el equipo').default(''),
    }),
    handler: (context, args) => {
      context.effects.handoff(args.reason);
      return {
        status: 'transfer_completed',
        note:
          'El huésped recibirá automáticamente el aviso de traspaso al terminar este turno; no escribas otro ' +
          'mensaje de despedida ni repitas el aviso.',
      };
    },
  });
}

// create_compraclick_link: a one-use CompraClick card link for 50 % or 100 % of a quote, created in the
// merchant portal. Gated like the later revision (a real name; for lodging: dates, a room type that is free
// and fits the group) and idempotent per quote: the same conversation asking again within a day for the same
// amount and name gets the link it already has, not a second one.
import { z } from 'zod';
import type { AvailabilityService } from '../../hotel/availability.js';
import { hasFirstAndLastName, isPlaceholder } from '../../hotel-rules/guest-identity.js';
import { alternativesFor, checkOccupancy } from '../../hotel-rules/occupancy.js';
import { countFreeByType, normalizeRoomType } from '../../hotel-rules/rooms.js';
import type { RoomType } from '../../hotel-rules/types.js';
import { formatAmount, fromCents, toCents } from '../../hotel-rules/values.js';
import type { PaymentLinksRepository } from '../../store/payment-links-repository.js';
import { checkStay, dateError } from '../booking/stay-arguments.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const CREATE_COMPRACLICK_LINK = declareTool({ name: 'create_compraclick_link', needs: ['compraclick-portal'], does: 'moves-money' });

const LINK_REUSE_MS = 24 * 3600_000;

export interface CreateLinkDeps {
  links: PaymentLinksRepository;
  /** Creates the link in the portal and answers its URL (one bounded portal session). */
  createLink(input: { description: string; amountCents: number }, signal: AbortSignal): Promise<string>;
  availability?: Pick<AvailabilityService, 'freeRooms'> | undefined;
  timezone: string;
  /** The portal session's bound; a 'creating' row older than twice this is from a process that died. */
  portalTimeoutMs: number;
}

const FREE_OF: Record<RoomType, (free: ReturnType<typeof countFreeByType>) => number> = {
  Familiar: (f) => f.familiar,
  Junior: (f) => f.junior + f.matrimonial,
  Matrimonial: (f) => f.matrimonial,
  Habitación: (f) => f.habitacion,
};

export function createCompraclickLinkTool(deps: CreateLinkDeps): ToolDefinition {
  return defineTool({
    ...CREATE_COMPRACLICK_LINK,
    description:
      'Enlace de pago CompraClick (tarjeta) de un solo uso por el 50 % o 100 % del total. Hospedaje: verifica antes disponibilidad y capacidad.',
    timeoutMs: deps.portalTimeoutMs + 15_000,
    parameters: z.object({
      customer_name: z.string().max(200).describe('Nombre y apellido'),
      payment_amount: z.number().positive().max(100_000).describe('El TOTAL de la reserva, USD'),
      payment_percentage: z.enum(['50%', '100%']),
      calculation_explanation: z.string().max(2000).default(''),
      service_type: z.enum(['pasadia', 'hospedaje']).default('hospedaje'),
      check_in_date: z.string().max(40).optional(),
      check_out_date: z.string().max(40).optional(),
      bungalow_type: z.string().max(40).optional().describe('Familiar, Junior, Matrimonial o Habitación'),
      adults: z.number().int().min(0).max(200).default(0),
      children_6_10: z.number().int().min(0).max(200).default(0),
      num_rooms: z.number().int().min(1).max(20).default(1),
    }),
    handler: async (context, args) => {
      const name = args.customer_name.trim().replace(/\s+/g, ' ');
      if (isPlaceholder(name) || !hasFirstAndLastName(name)) {
        return { success: false, error: 'missing_customer_name', assistant_instruction: 'Pide al huésped su nombre y apellido reales antes de crear el enlace.' };
      }
      if (args.service_type === 'hospedaje') {
        if (!args.check_in_date || !args.check_out_date || !args.bungalow_type) {
          return { success: false, error: 'check_in_date, check_out_date and bungalow_type are required for hospedaje' };
        }
        const stay = checkStay(context, deps.timezone, { check_in_date: args.check_in_date, check_out_date: args.check_out_date }, false);
        if (!stay.ok) return dateError(stay);
        const type = normalizeRoomType(args.bungalow_type);
        if (!type || type === 'Pasadía') return { success: false, error: 'bungalow_type must be Familiar, Junior, Habitación or Matrimonial' };
        const perRoom = { adults: Math.ceil(args.adults / args.num_rooms), children0to5: 0, children6to10: Math.ceil(args.children_6_10 / args.num_rooms) };
        if (args.adults > 0) {
          const fit = checkOccupancy(type, perRoom);
          if (!fit.ok) {
            const alternatives = alternativesFor({ adults: args.adults, children0to5: 0, children6to10: args.children_6_10 });
            return { success: false, availability_blocked: true, error: 'occupancy_exceeded', requested_type: type, group_size: fit.occupancy, compatible_single_room: alternatives.singleRoom, compatible_multi_room: alternatives.multiRoom, customer_message: fit.message };
          }
        }
        if (deps.availability) {
          let free;
          try {
            free = countFreeByType(await deps.availability.freeRooms(stay.checkIn, stay.checkOut, context.signal));
          } catch (err) {
            context.logger.warn({ err }, 'availability before a payment link failed');
            return { success: false, error: 'availability_unknown', assistant_instruction: 'No se pudo confirmar la disponibilidad; no crees el enlace ahora. Ofrece intentarlo en unos minutos o un ejecutivo.' };
          }
          if (FREE_OF[type](free) < args.num_rooms) {
            const alternatives = alternativesFor({ adults: Math.max(args.adults, 1), children0to5: 0, children6to10: args.children_6_10 }, free);
            return {
              success: false,
              availability_blocked: true,
              error: 'no_availability',
              requested_type: type,
              compatible_single_room: alternatives.singleRoom,
              compatible_multi_room: alternatives.multiRoom,
              check_in_date: stay.checkIn,
              check_out_date: stay.checkOut,
              assistant_instruction: 'No hay disponibilidad de ese tipo para esas fechas: no se creó ningún enlace. Ofrece las alternativas compatibles u otra fecha.',
            };
          }
        }
      }
      const amountCents = args.payment_percentage === '50%' ? Math.round(toCents(args.payment_amount) / 2) : toCents(args.payment_amount);
      const now = context.clock.now();
      const begun = deps.links.begin({ conversationId: context.conversationId, description: name, amountCents }, now, now - LINK_REUSE_MS, now - 2 * deps.portalTimeoutMs);
      if (begun.kind === 'existing') return { success: true, link: begun.link.url, amount: fromCents(amountCents), reused: true, error: '' };
      if (begun.kind === 'creating_elsewhere') {
        return { success: false, error: 'link_in_progress', assistant_instruction: 'Ese enlace se está creando en este momento; espera unos segundos y vuelve a pedirlo.' };
      }
      try {
        const url = await deps.createLink({ description: name, amountCents }, context.signal);
        deps.links.markCreated(begun.link.id, url, context.clock.now());
        context.logger.info({ amount: formatAmount(amountCents) }, 'payment link created');
        return { success: true, link: url, amount: fromCents(amountCents), reused: false, error: '' };
      } catch (err) {
        deps.links.markFailed(begun.link.id, context.clock.now());
        context.logger.warn({ err }, 'payment link could not be created');
        const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'portal_failed';
        return { success: false, link: null, error: code, assistant_instruction: 'No se pudo crear el enlace en el portal. Ofrece la transferencia bancaria o un ejecutivo.' };
      }
    },
  });
}

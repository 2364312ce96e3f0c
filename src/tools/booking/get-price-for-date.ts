// get_price_for_date: the day's per-person rates from tarifarios (the original's six keys, as the hotel
// writes them: '79.00'). lh_ = Las Hojas (also Romántico, +$20 per adult per night), pa_ = Pasadía,
// es_ = Escapadita; _adulto adult, _nino child 6–10 (children 0–5 are free).
import { z } from 'zod';
import { isIsoDate, formatAmount } from '../../hotel-rules/values.js';
import type { RatesRepository } from '../../store/hotel/rates-repository.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { backendUnavailable } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const GET_PRICE_FOR_DATE = declareTool({ name: 'get_price_for_date', needs: ['hotel-database'], does: 'reads' });

export function createGetPriceForDateTool(deps: { rates: Pick<RatesRepository, 'ratesFor'> }): ToolDefinition {
  return defineTool({
    ...GET_PRICE_FOR_DATE,
    description:
      'Tarifas por persona de una fecha: lh_ = Las Hojas (base del Romántico), pa_ = Pasadía, es_ = Escapadita; _nino = 6 a 10 años (0 a 5 no pagan).',
    parameters: z.object({ date_str: z.string().max(40).describe('YYYY-MM-DD') }),
    handler: async (context, args) => {
      const date = args.date_str.trim();
      if (!isIsoDate(date)) return { error: `date_str must be a real date written YYYY-MM-DD; got ${JSON.stringify(date.slice(0, 40))}.` };
      let rates;
      try {
        rates = (await deps.rates.ratesFor([date], context.signal)).get(date);
      } catch (err) {
        context.logger.warn({ err }, 'rate lookup failed');
        return backendUnavailable('the rates database');
      }
      if (!rates) return { error: `No prices found for ${date}.` };
      return {
        date,
        lh_adulto: formatAmount(rates.lhAdult),
        lh_nino: formatAmount(rates.lhChild),
        pa_adulto: formatAmount(rates.paAdult),
        pa_nino: formatAmount(rates.paChild),
        es_adulto: formatAmount(rates.esAdult),
        es_nino: formatAmount(rates.esChild),
      };
    },
  });
}

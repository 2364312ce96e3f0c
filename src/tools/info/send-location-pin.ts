// send_location_pin: the resort's location as a Spanish sentence with a Google Maps link. Nothing is
// sent by the tool itself; the model relays the text.
import { z } from 'zod';
import { defineTool } from '../types.js';
import { declareTool } from '../declaration.js';

export const SEND_LOCATION_PIN = declareTool({ name: 'send_location_pin', needs: [], does: 'reads' });

export function googleMapsSearchUrl(latitude: number, longitude: number): string {
  return `https://www.google.com/maps/search/?api=1&query=${latitude},${longitude}`;
}

export const sendLocationPinTool = defineTool({
  ...SEND_LOCATION_PIN,
  description:
    'Texto con la ubicación y enlace de Google Maps, con coordenadas, nombre y dirección de tus instrucciones; transmítelo tal cual.',
  parameters: z.object({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().trim().min(1).max(200),
    address: z.string().trim().min(1).max(500),
  }),
  handler: (_context, args) =>
    `📍 ${args.name} se encuentra en ${args.address}. Puede ver la ubicación en Google Maps: ` +
    googleMapsSearchUrl(args.latitude, args.longitude),
});

// send_location_pin: the resort's location as a Spanish sentence with a Google Maps link. Nothing is
// sent by the tool itself; the model relays the text.
import { z } from 'zod';
import { defineTool } from '../types.js';

export function googleMapsSearchUrl(latitude: number, longitude: number): string {
  return `https://www.google.com/maps/search/?api=1&query=${latitude},${longitude}`;
}

export const sendLocationPinTool = defineTool({
  name: 'send_location_pin',
  description:
    'Genera el texto con la ubicación del hotel y un enlace de Google Maps. Usa las coordenadas, el nombre ' +
    'y la dirección indicados en tus instrucciones y transmite el texto resultante al huésped tal cual.',
  parameters: z.object({
    latitude: z.number().min(-90).max(90).describe('Latitud en grados decimales'),
    longitude: z.number().min(-180).max(180).describe('Longitud en grados decimales'),
    name: z.string().trim().min(1).max(200).describe('Nombre del lugar'),
    address: z.string().trim().min(1).max(500).describe('Dirección del lugar'),
  }),
  handler: (_context, args) =>
    `📍 ${args.name} se encuentra en ${args.address}. Puede ver la ubicación en Google Maps: ` +
    googleMapsSearchUrl(args.latitude, args.longitude),
});

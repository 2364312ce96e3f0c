// lookup_booking: a guest's own reservation by its code. A code is not a key to someone else's data: on
// WhatsApp the reservation's phone must be the conversation's number; on Messenger/Instagram the guest
// must also give the reservation's e-mail or last name. Otherwise the answer is "not found".
import { z } from 'zod';
import { foldForMatch, localPhone, phoneFromWaId } from '../../hotel-rules/guest-identity.js';
import type { GuestBooking, GuestBookings } from '../../store/hotel/guest-bookings.js';
import { defineTool, type ToolContext, type ToolDefinition } from '../types.js';
import { backendUnavailable } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const LOOKUP_BOOKING = declareTool({ name: 'lookup_booking', needs: ['hotel-database'], does: 'reads' });

function owns(context: Pick<ToolContext, 'waId'>, booking: GuestBooking, args: { email?: string | undefined; last_name?: string | undefined }): boolean {
  if (context.waId) {
    const mine = phoneFromWaId(context.waId);
    const theirs = localPhone(booking.phone);
    return theirs.length >= 7 && (theirs === mine || theirs === context.waId || context.waId.endsWith(theirs));
  }
  const email = args.email?.trim().toLowerCase();
  if (email && booking.email && booking.email.trim().toLowerCase() === email) return true;
  const lastName = args.last_name ? foldForMatch(args.last_name) : '';
  if (lastName.length >= 2) {
    const stored = foldForMatch(booking.lastname);
    return stored === lastName || stored.split(' ').includes(lastName);
  }
  return false;
}

const notFound = {
  success: false,
  error: 'not_found',
  customer_message: 'No encontré una reserva con ese código asociada a sus datos. ¿Podría verificar el código?',
};

export function createLookupBookingTool(deps: { guestBookings: Pick<GuestBookings, 'byReserva'> }): ToolDefinition {
  return defineTool({
    ...LOOKUP_BOOKING,
    description:
      'Consulta una reserva por su código (HR + números; los SOC de socios no). Messenger/Instagram: pide también correo o apellido.',
    parameters: z.object({
      reservation_code: z.string().max(40).describe('p. ej. HR28547'),
      email: z.string().max(200).optional().describe('Messenger/Instagram'),
      last_name: z.string().max(100).optional().describe('Messenger/Instagram'),
    }),
    handler: async (context, args) => {
      const code = args.reservation_code.replace(/\s+/g, '').toUpperCase();
      if (code === '') return { success: false, error: 'missing_code', customer_message: '¿Me comparte su código de reserva? Empieza con HR.' };
      if (!code.startsWith('HR')) {
        return { success: false, error: 'invalid_prefix', customer_message: 'Solo puedo consultar reservas con código que empieza con HR.' };
      }
      const number = code.slice(2).replace(/^-/, '');
      if (!/^\d{1,10}$/.test(number)) return { success: false, error: 'missing_number', customer_message: 'El código debe ser HR seguido de números.' };
      let booking;
      try {
        booking = await deps.guestBookings.byReserva(number, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'booking lookup failed');
        return backendUnavailable('the reservations database');
      }
      if (!booking || !owns(context, booking, args)) return notFound;
      return {
        success: true,
        codigo_reserva: `HR${booking.reserva}`,
        fecha_reserva: booking.createdAt,
        titulo: booking.titulo,
        nombre_completo: `${booking.firstname} ${booking.lastname}`.trim(),
        telefono: booking.phone,
        correo_confirmacion: booking.email,
        fecha_entrada: booking.checkIn,
        fecha_salida: booking.checkOut,
        tipo_habitacion: booking.accommodation,
        adultos: booking.adults,
        ninos_0_5: booking.children0to5,
        ninos_6_10: booking.children6to10,
        paquete: booking.service,
        metodo_pago: booking.payway,
        monto_pagado: booking.paidAmount,
        monto_total_reserva: booking.totalAmount,
        tarifa_adulto: booking.adultRate,
        tarifa_nino: booking.childRate,
        notas: booking.comment,
        cancelada: booking.cancelled,
      };
    },
  });
}

// The hotel's vocabulary, shared by the pure rules (rooms, pricing, dates), the backends (hotel MySQL
// database, booking API) and the booking tools. Dates inside the service are ISO `YYYY-MM-DD` strings and
// money is integer cents; the hotel's own text formats are converted at the edge (hotel-rules/values.ts).

/** Room types the guest can book. Matrimonial rooms are five Junior bungalows with one double bed. */
export const ROOM_TYPES = ['Familiar', 'Junior', 'Matrimonial', 'Habitación'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];

/** What a booking is for: a room type, or the day pass (the `Pasadía` pseudo-room). */
export type BookableType = RoomType | 'Pasadía';

export const PACKAGES = ['Las Hojas', 'Escapadita', 'Pasadía', 'Romántico'] as const;
export type PackageType = (typeof PACKAGES)[number];

export const PAYMENT_METHODS = ['CompraClick', 'Depósito BAC'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** An ISO calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** Integer number of cents (USD). */
export type Cents = number;

/** One night's (or one visit day's) per-person rates from `tarifarios`, in cents. */
export interface DayRates {
  date: IsoDate;
  lhAdult: Cents;
  lhChild: Cents;
  paAdult: Cents;
  paChild: Cents;
  esAdult: Cents;
  esChild: Cents;
}

/** Guests in one room: children 0–5 stay free, children 6–10 pay the child rate. */
export interface Party {
  adults: number;
  children0to5: number;
  children6to10: number;
}

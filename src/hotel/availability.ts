// Room availability from the booking backend's getRooms: the system that will accept or refuse a booking
// is the one asked. A range is asked once; smart availability asks each night once (bounded concurrency,
// cached briefly so the several tools of one turn share the answers) and composes the ranges itself,
// instead of the original's one query per sub-range (n·(n+1)/2 of them).
import type { BookingApi } from './booking-api.js';
import { countFreeByType, roomTypeOf, type FreeCounts } from '../hotel-rules/rooms.js';
import type { IsoDate, RoomType } from '../hotel-rules/types.js';
import { addDays } from '../hotel-rules/values.js';

export type { FreeCounts };

/** How long a night's free rooms are reused: long enough for one turn's tool calls, short enough to be fresh. */
const NIGHT_CACHE_TTL_MS = 60_000;
const NIGHT_CACHE_MAX = 400;

export interface PartialOption {
  check_in: IsoDate;
  check_out: IsoDate;
  nights: number;
  available_room_types: RoomType[];
  availability_detail: Record<string, 'Available' | 'Not Available'>;
}

export interface SmartAvailability {
  fullPeriodAvailable: boolean;
  fullPeriod: Record<string, 'Available' | 'Not Available'>;
  fullPeriodTypes: RoomType[];
  partialOptions: PartialOption[];
  /** getRooms calls this check made (cache hits excluded). */
  backendCalls: number;
}

/** The original's three keys (Matrimonial rooms count as Junior there) plus the Matrimonial bungalows. */
export function availabilityDetail(types: ReadonlySet<RoomType>): Record<string, 'Available' | 'Not Available'> {
  const flag = (on: boolean) => (on ? 'Available' : 'Not Available');
  return {
    bungalow_familiar: flag(types.has('Familiar')),
    bungalow_junior: flag(types.has('Junior') || types.has('Matrimonial')),
    habitacion: flag(types.has('Habitación')),
    bungalow_matrimonial: flag(types.has('Matrimonial')),
  };
}

/** Room types with at least one free room in the list. */
export function typesWithFreeRooms(freeRooms: Iterable<string>): Set<RoomType> {
  const types = new Set<RoomType>();
  for (const room of freeRooms) {
    const type = roomTypeOf(room);
    if (type && type !== 'Pasadía') types.add(type);
  }
  return types;
}

const TYPE_ORDER: readonly RoomType[] = ['Familiar', 'Junior', 'Matrimonial', 'Habitación'];
const ordered = (types: ReadonlySet<RoomType>) => TYPE_ORDER.filter((t) => types.has(t));

export interface AvailabilityServiceDeps {
  api: Pick<BookingApi, 'freeRooms'>;
  /** Concurrent getRooms calls of one smart check. */
  concurrency: number;
  now: () => number;
}

export class AvailabilityService {
  private readonly nightCache = new Map<IsoDate, { at: number; rooms: Promise<ReadonlySet<string>> }>();

  constructor(private readonly deps: AvailabilityServiceDeps) {}

  /** Free rooms for [checkIn, checkOut) asked now (bookings never use a cached answer). */
  async freeRooms(checkIn: IsoDate, checkOut: IsoDate, signal?: AbortSignal): Promise<string[]> {
    return this.deps.api.freeRooms(checkIn, checkOut, signal);
  }

  /** Free counts per type for a range (a same-day range is a day pass: its day). */
  async counts(checkIn: IsoDate, checkOut: IsoDate, signal?: AbortSignal): Promise<FreeCounts> {
    return countFreeByType(await this.freeRooms(checkIn, checkOut, signal));
  }

  /**
   * Each night of the stay once, then every sub-range where one room of a type is free on all its nights.
   * The full period is available for a type when one room of it is free every night (no room changes).
   */
  async smart(nights: readonly IsoDate[], signal?: AbortSignal): Promise<SmartAvailability> {
    let backendCalls = 0;
    const perNight = await mapBounded(nights, this.deps.concurrency, (night) => {
      const { rooms, fresh } = this.night(night, signal);
      if (fresh) backendCalls++;
      return rooms;
    });

    // free[i][j]: rooms free on every night from i to j (inclusive), built by intersecting as j grows.
    const options: { start: number; end: number; types: Set<RoomType> }[] = [];
    for (let i = 0; i < perNight.length; i++) {
      let common = new Set(perNight[i]);
      for (let j = i; j < perNight.length; j++) {
        if (j > i) common = intersect(common, perNight[j] as ReadonlySet<string>);
        const types = typesWithFreeRooms(common);
        if (types.size === 0) break; // a longer range cannot have more
        options.push({ start: i, end: j + 1, types });
      }
    }
    const full = options.find((o) => o.start === 0 && o.end === nights.length);
    const fullTypes = full?.types ?? new Set<RoomType>();
    // A range inside a longer one with the same types adds nothing for the guest.
    const maximal = options.filter(
      (o) =>
        !(o.start === 0 && o.end === nights.length) &&
        !options.some(
          (p) => p !== o && p.start <= o.start && p.end >= o.end && p.end - p.start > o.end - o.start && [...o.types].every((t) => p.types.has(t)),
        ),
    );
    maximal.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const lastNight = nights[nights.length - 1] as IsoDate;
    const dateAt = (index: number) => (index < nights.length ? (nights[index] as IsoDate) : addDays(lastNight, 1));
    return {
      fullPeriodAvailable: fullTypes.size > 0,
      fullPeriod: availabilityDetail(fullTypes),
      fullPeriodTypes: ordered(fullTypes),
      partialOptions: maximal.map((o) => ({
        check_in: dateAt(o.start),
        check_out: dateAt(o.end),
        nights: o.end - o.start,
        available_room_types: ordered(o.types),
        availability_detail: availabilityDetail(o.types),
      })),
      backendCalls,
    };
  }

  private night(night: IsoDate, signal?: AbortSignal): { rooms: Promise<ReadonlySet<string>>; fresh: boolean } {
    const now = this.deps.now();
    const cached = this.nightCache.get(night);
    if (cached && now - cached.at < NIGHT_CACHE_TTL_MS) return { rooms: cached.rooms, fresh: false };
    const rooms = this.deps.api.freeRooms(night, addDays(night, 1), signal).then((list) => new Set(list) as ReadonlySet<string>);
    // A failed answer is not kept: the next check asks again.
    rooms.catch(() => this.nightCache.delete(night));
    this.nightCache.set(night, { at: now, rooms });
    if (this.nightCache.size > NIGHT_CACHE_MAX) {
      for (const [key, entry] of this.nightCache) if (now - entry.at >= NIGHT_CACHE_TTL_MS || this.nightCache.size > NIGHT_CACHE_MAX) this.nightCache.delete(key);
    }
    return { rooms, fresh: true };
  }
}

function intersect<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): Set<T> {
  const out = new Set<T>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

/** Runs fn over items with at most `limit` in flight, results in input order; the first failure rejects. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

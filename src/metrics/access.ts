// Who may scrape GET /metrics: loopback addresses only unless METRICS_PUBLIC=true, and the bearer token
// when METRICS_TOKEN is set.
import { isIPv4 } from 'node:net';

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x (`::ffff:127.0.0.1`, or its hex form `::ffff:7f00:1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  let ip = address.trim().toLowerCase();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const mapped = /^(?:0{0,4}:){2,5}ffff:(.+)$/.exec(ip)?.[1];
  if (mapped !== undefined) {
    if (isIPv4(mapped)) return mapped.startsWith('127.');
    const hex = /^([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(mapped)?.[1];
    return hex !== undefined && parseInt(hex, 16) >> 8 === 127;
  }
  if (isIPv4(ip)) return ip.startsWith('127.');
  return ip === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(ip);
}

/** The token of an `Authorization: Bearer <token>` header, if it is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

// Where a media URL taken from a webhook body (ManyChat attachments) may be fetched from. Anyone holding
// the webhook passkey chooses these URLs, so without a policy the server is a proxy into the hotel's
// network. The policy is checked on every redirect hop, and again on the address the name resolves to,
// inside the connection (see guardedLookup): there is no gap between the check and the connect for a DNS
// answer to change in.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, isIPv4, isIPv6, type LookupFunction } from 'node:net';

/** Meta's CDNs, where Messenger and Instagram attachments live (MEDIA_ALLOWED_HOSTS default). */
export const DEFAULT_MEDIA_ALLOWED_HOSTS: readonly string[] = ['fbcdn.net', 'fbsbx.com', 'cdninstagram.com'];

export interface RemoteMediaPolicy {
  /** Host suffixes: an entry matches the host itself and any subdomain; an IP literal only itself. */
  allowedHosts: readonly string[];
  /** URL schemes allowed (with the colon, as `URL.protocol`). Production: https only. */
  schemes: readonly string[];
  /** Whether a connection may go to this (resolved or literal) address. Production: isPublicAddress. */
  allowAddress: (address: string) => boolean;
  /** Every address a name resolves to. Production: the system resolver (dns.lookup). */
  resolve: (hostname: string) => Promise<readonly LookupAddress[]>;
  /** Redirects followed, each hop checked like the first URL. */
  maxRedirects: number;
}

const systemResolve = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * The production policy: https, the given hosts, public addresses, 3 redirects. `overrides` exist for
 * tests (a fake CDN on 127.0.0.1, a fake resolver) and for an operator embedding the service in code;
 * nothing read from the environment or a request reaches them.
 */
export function remoteMediaPolicy(
  allowedHosts: readonly string[],
  overrides: Partial<Omit<RemoteMediaPolicy, 'allowedHosts'>> = {},
): RemoteMediaPolicy {
  return { allowedHosts, schemes: ['https:'], allowAddress: isPublicAddress, resolve: systemResolve, maxRedirects: 3, ...overrides };
}

/** Thrown (through the connection) when a name resolves to an address the policy refuses. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_MEDIA_ADDRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefusedError';
  }
}

/** Why `url` may not be fetched under `policy`, or undefined. Names the host, never the path or query. */
export function urlRefusal(url: URL, policy: RemoteMediaPolicy): string | undefined {
  const host = shortHost(url.hostname);
  if (!policy.schemes.includes(url.protocol)) return `scheme ${url.protocol.slice(0, 16)} is not allowed (host ${host || 'none'})`;
  if (url.username !== '' || url.password !== '') return `credentials in the URL are not allowed (host ${host})`;
  if (!hostAllowed(url.hostname, policy.allowedHosts)) return `host ${host} is not in MEDIA_ALLOWED_HOSTS`;
  // An IP literal is connected to without a lookup, so its address is checked here.
  const literal = unbracket(url.hostname);
  if (isIP(literal) !== 0 && !policy.allowAddress(literal)) return `address ${literal} is not allowed`;
  return undefined;
}

/** `hostname` (as `URL.hostname`) is an entry of `allowed` or a subdomain of one; IP literals match exactly. */
export function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = unbracket(hostname.toLowerCase()).replace(/\.$/, '');
  if (host === '') return false;
  // A suffix rule means nothing for addresses ("0.0.1" must not admit 127.0.0.1).
  if (isIP(host) !== 0) return allowed.includes(host);
  return allowed.some((entry) => host === entry || host.endsWith(`.${entry}`));
}

/**
 * A `connect.lookup` for undici/net: resolves through the policy and refuses the connection when the host is
 * not allowed or any address it resolves to is not (a name answering both public and private addresses is
 * not trusted to pick the public one).
 */
export function guardedLookup(policy: RemoteMediaPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (addresses: readonly LookupAddress[]) => {
      const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
      const wanted = family === 0 ? addresses : addresses.filter((a) => a.family === family);
      if (!hostAllowed(hostname, policy.allowedHosts)) {
        return callback(new AddressRefusedError(`host ${shortHost(hostname)} is not in MEDIA_ALLOWED_HOSTS`), '', 0);
      }
      const refused = addresses.find((a) => !policy.allowAddress(a.address));
      if (refused) {
        return callback(new AddressRefusedError(`host ${shortHost(hostname)} resolves to ${refused.address}, which is not allowed`), '', 0);
      }
      const first = wanted[0];
      if (!first) {
        return callback(Object.assign(new Error(`no address for ${shortHost(hostname)}`), { code: 'ENOTFOUND' }), '', 0);
      }
      if (options.all) callback(null, wanted.map((a) => ({ address: a.address, family: a.family })));
      else callback(null, first.address, first.family);
    };
    policy.resolve(hostname).then(answer, (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0));
  };
}

// --- address classification -------------------------------------------------------------------------

type V4Range = readonly [base: number, bits: number];
type V6Range = readonly [base: bigint, bits: number];

const v4 = (cidr: string): V4Range => {
  const [base, bits] = cidr.split('/');
  return [parseIPv4(base!)!, Number(bits)];
};
const v6 = (cidr: string): V6Range => {
  const [base, bits] = cidr.split('/');
  return [parseIPv6(base!)!, Number(bits)];
};

// IPv4 that is not globally reachable unicast (IANA special-purpose registry).
const NOT_PUBLIC_V4: readonly V4Range[] = [
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local (cloud metadata endpoints)
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
].map(v4);

// IPv6: only global unicast (2000::/3) is public, minus these; the embedding forms are judged by their IPv4.
const GLOBAL_UNICAST = v6('2000::/3');
const NOT_PUBLIC_V6: readonly V6Range[] = [
  '2001::/23', // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds an arbitrary IPv4
  '3fff::/20', // documentation
].map(v6);
const MAPPED = v6('::ffff:0:0/96'); // IPv4-mapped
const NAT64 = v6('64:ff9b::/96'); // well-known NAT64 prefix

/**
 * Whether `address` (IPv4 or IPv6 text, optionally with a %zone) is globally reachable unicast: false for
 * loopback, private, link-local, unique-local, unspecified, CGNAT, multicast, documentation, reserved,
 * IPv4-mapped or NAT64 forms of those, and anything that is not an address.
 */
export function isPublicAddress(address: string): boolean {
  const a4 = parseIPv4(address);
  if (a4 !== undefined) return isPublicV4(a4);
  const a6 = parseIPv6(address);
  if (a6 === undefined) return false;
  if (inV6(a6, MAPPED) || inV6(a6, NAT64)) return isPublicV4(Number(a6 & 0xffff_ffffn));
  return inV6(a6, GLOBAL_UNICAST) && !NOT_PUBLIC_V6.some((r) => inV6(a6, r));
}

function isPublicV4(a: number): boolean {
  return !NOT_PUBLIC_V4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((a & mask) >>> 0) === base;
  });
}

function inV6(a: bigint, [base, bits]: V6Range): boolean {
  const shift = BigInt(128 - bits);
  return a >> shift === base >> shift;
}

function parseIPv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function parseIPv6(text: string): bigint | undefined {
  let s = text.split('%')[0]!;
  if (!isIPv6(s)) return undefined;
  // A trailing dotted quad (::ffff:127.0.0.1) becomes two hex words.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const quad = parseIPv4(dotted[2]!);
    if (quad === undefined) return undefined;
    s = `${dotted[1]}${(quad >>> 16).toString(16)}:${(quad & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - headWords.length - tailWords.length;
  const words = [...headWords, ...Array<string>(zeros).fill('0'), ...tailWords];
  if (words.length !== 8) return undefined;
  return words.reduce((acc, w) => (acc << 16n) | BigInt(parseInt(w, 16)), 0n);
}

// --- MEDIA_ALLOWED_HOSTS ------------------------------------------------------------------------------

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)(?:${LABEL}\\.)+${LABEL}$`);

/**
 * Parses MEDIA_ALLOWED_HOSTS: comma-separated host names (a leading `*.` or `.` is tolerated and means the
 * same). Throws with a message naming the bad entry. At least two labels, so `com` cannot admit a TLD;
 * no IP addresses (they would not be suffixes).
 */
export function parseAllowedHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim().toLowerCase().replace(/^\*?\./, '').replace(/\.$/, '');
    if (entry === '' && raw.trim() === '') continue;
    if (!HOST_NAME.test(entry) || /^\d+$/.test(entry.slice(entry.lastIndexOf('.') + 1))) {
      throw new Error(`"${raw.trim().slice(0, 80)}" is not a host name (expected comma-separated names such as fbcdn.net)`);
    }
    if (!hosts.includes(entry)) hosts.push(entry);
  }
  if (hosts.length === 0) throw new Error('must name at least one host, e.g. fbcdn.net');
  return hosts;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** A host for logs and errors: attacker-chosen, so bounded. */
function shortHost(host: string): string {
  return host.length > 100 ? `${host.slice(0, 100)}…` : host;
}

// A resolver for RemoteMediaPolicy from a fixed table, so media tests never ask real DNS.
import type { LookupAddress } from 'node:dns';
import type { RemoteMediaPolicy } from '../../src/media/remote-policy.js';

export type FakeResolver = RemoteMediaPolicy['resolve'] & { asked: string[] };

/** Answers names from `table` (a `*.` key answers every subdomain), ENOTFOUND otherwise; records what it was asked. */
export function fakeResolver(table: Record<string, string | string[]>): FakeResolver {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const wild = Object.keys(table).find((k) => k.startsWith('*.') && hostname.endsWith(k.slice(1)));
    const hit = table[hostname] ?? (wild ? table[wild] : undefined);
    if (hit === undefined) throw Object.assign(new Error(`fake DNS: no entry for ${hostname}`), { code: 'ENOTFOUND' });
    return (Array.isArray(hit) ? hit : [hit]).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

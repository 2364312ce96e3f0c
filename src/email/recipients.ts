// Which hotel mailboxes the model may write to. The model names a mailbox by its label (`ventas`) or its
// address; addresses compare case-insensitively (the original compared them exactly, so `Ventas@…` was
// refused although it is the same mailbox). Anything not on the list is refused as a whole: no partial sends.
import type { AllowedRecipient } from './config.js';

export type RecipientResolution =
  | { ok: true; addresses: string[] }
  | { ok: false; refused: string[]; allowedLabels: string[] };

/** `Ventas <ventas@hotel.com>` → `ventas@hotel.com`; anything else trimmed. */
function bareAddress(value: string): string {
  const named = /<([^<>\s]+)>\s*$/.exec(value);
  return (named?.[1] ?? value).trim();
}

/** What the model may write for each mailbox: its label, or its address when it has none. */
export function allowedNames(allowed: readonly AllowedRecipient[]): string[] {
  return allowed.map((r) => r.label ?? r.address);
}

/**
 * Resolves labels and addresses to the configured addresses (as configured, each once, in the order asked).
 */
export function resolveRecipients(requested: readonly string[], allowed: readonly AllowedRecipient[]): RecipientResolution {
  const byLabel = new Map<string, string>();
  const byAddress = new Map<string, string>();
  for (const r of allowed) {
    if (r.label !== undefined) byLabel.set(r.label, r.address);
    byAddress.set(r.address.toLowerCase(), r.address);
  }
  const addresses: string[] = [];
  const seen = new Set<string>();
  const refused: string[] = [];
  for (const item of requested) {
    const key = bareAddress(item).toLowerCase();
    const address = byLabel.get(key) ?? byAddress.get(key);
    if (address === undefined) {
      refused.push(item.trim());
      continue;
    }
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    addresses.push(address);
  }
  if (refused.length > 0 || addresses.length === 0) return { ok: false, refused, allowedLabels: allowedNames(allowed) };
  return { ok: true, addresses };
}

/** One line for the tool description: `ventas (ventas@hotel.com), reservas@hotel.com`. */
export function describeAllowedRecipients(allowed: readonly AllowedRecipient[]): string {
  return allowed.map((r) => (r.label === undefined ? r.address : `${r.label} (${r.address})`)).join(', ');
}

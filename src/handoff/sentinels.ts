// The original's reply sentinels, kept for compatibility with the hotel's system instructions: a reply that
// is exactly `handover` or `friendly_goodbye` (ignoring case, spaces and final punctuation) is an action,
// never text for the guest. The words inside a sentence are ordinary text.
export type Sentinel = 'handover' | 'friendly_goodbye';

export function parseSentinel(reply: string): Sentinel | undefined {
  const normalized = reply
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/^[`*"'“”«]+|[`*"'“”»]+$/g, '')
    .replace(/[.!?¡¿…,;:]+$/u, '');
  return normalized === 'handover' || normalized === 'friendly_goodbye' ? normalized : undefined;
}

// The form of a phone number (or any identifier staff might type into config) that may appear in logs and
// configuration errors: its last four characters, so staff can tell which one is meant, and nothing more.

/** `50370001234` → `…1234`; anything of four characters or fewer → `…`. */
export function maskPhone(value: string): string {
  const compact = value.replace(/\s+/g, '');
  return compact.length > 4 ? `…${compact.slice(-4)}` : '…';
}

/** Several numbers for a description the model or a log may see: `…1234, …5678`. */
export function maskPhones(values: readonly string[]): string {
  return values.map(maskPhone).join(', ');
}

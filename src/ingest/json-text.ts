// JSON webhook bodies whose integer literals may be too large for a double. ManyChat's "Full Contact
// Data" variable puts the subscriber id in the body as an unquoted number of 17+ digits; JSON.parse would
// round it (10209876543210987654 → 10209876543210988000) and we would answer a different subscriber.
// Such literals are turned into strings holding exactly the digits that arrived, before parsing.

/** Integer literals longer than this may exceed Number.MAX_SAFE_INTEGER (16 digits). */
const SAFE_DIGITS = 15;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Returns `text` with every integer literal outside strings whose magnitude exceeds 2^53 − 1 quoted,
 * sign included. Everything else (strings, decimals, exponents, invalid JSON) is left for JSON.parse.
 */
export function quoteUnsafeIntegers(text: string): string {
  // Fast path: no run of 16 digits anywhere, so no literal can be unsafe.
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      if (c === 0x2d) i++;
      const digitsStart = i;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      const digitsEnd = i;
      const next = i < n ? text[i] : '';
      const isInteger = next !== '.' && next !== 'e' && next !== 'E';
      // A leading zero is invalid JSON: left as it is, so JSON.parse still refuses it.
      if (isInteger && digitsEnd - digitsStart > SAFE_DIGITS && text[digitsStart] !== '0' && BigInt(text.slice(digitsStart, digitsEnd)) > MAX_SAFE) {
        out += `${text.slice(copiedUpTo, start)}"${text.slice(start, digitsEnd)}"`;
        copiedUpTo = digitsEnd;
      }
      // A fraction or exponent: skip the rest of the number so its digits are not taken for a new literal.
      while (i < n && /[0-9.eE+-]/.test(text[i] as string)) i++;
      continue;
    }
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

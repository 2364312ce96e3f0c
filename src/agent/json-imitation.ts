// Detects a reply that is only a JSON imitation of a tool call (e.g. {"name": "make_booking",
// "arguments": {…}}) instead of text for the guest. Structural check on parsed JSON, not substrings.

const CALL_KEYS = ['function', 'function_call', 'tool_calls', 'tool', 'tool_name', 'recipient_name'];

function isCallShape(value: unknown, depth = 0): boolean {
  if (depth > 3 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.length > 0 && value.some((v) => isCallShape(v, depth + 1));
  const keys = Object.keys(value);
  if (keys.some((k) => CALL_KEYS.includes(k))) return true;
  if (keys.includes('name') && (keys.includes('arguments') || keys.includes('parameters') || keys.includes('args'))) {
    return true;
  }
  return false;
}

export function isToolCallImitation(text: string): boolean {
  let t = text.trim();
  const fenced = /^```[a-zA-Z]*\s*([\s\S]*?)\s*```$/.exec(t);
  if (fenced) t = (fenced[1] ?? '').trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    return isCallShape(JSON.parse(t));
  } catch {
    return false;
  }
}

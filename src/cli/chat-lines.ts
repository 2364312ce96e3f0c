// How the chat console (chat-console.ts) shows transcript items: one line each, clipped.
import type { TranscriptItem } from '../core/transcript.js';

export function historyLine(item: TranscriptItem): string | undefined {
  switch (item.kind) {
    case 'developer':
      return `note:   ${oneLine(item.text)}`;
    case 'user':
      return `guest:  ${oneLine(item.text)}`;
    case 'assistant':
      return `bot:    ${oneLine(item.text)}`;
    case 'function_call':
      return `tool:   ${item.name}(${oneLine(item.arguments) === '{}' ? '' : oneLine(item.arguments)})`;
    case 'function_output':
      return `  →     ${oneLine(item.output)}`;
    case 'reasoning':
      return item.summary.trim() === '' ? undefined : `think:  ${oneLine(item.summary)}`;
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ').trim();
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function indent(text: string, continuation: string): string {
  return text.split('\n').join(`\n${continuation}`);
}

/** A tool description's first sentence, at most one line. */
export function firstSentence(description: string): string {
  const flat = oneLine(description);
  const end = flat.search(/[.:;](\s|$)/);
  return clip(end > 0 ? flat.slice(0, end + 1) : flat, 120);
}

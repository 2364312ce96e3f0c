// The instruction modules a conversation has loaded (load_additional_modules), kept in the request's instructions
// instead of the transcript: every call's instructions are the core, then the loaded modules in the file's order,
// then (in the input) the history. So the prefix "core + MODULE_2B + MODULE_2C" is the same bytes for every guest
// with that loaded set — the provider's prompt cache shares it across conversations and keeps it warm with the
// hotel's traffic — and a module's text is never after the history, where it was sent uncached whenever the
// conversation's own cache entry had expired between two guest messages.
//
// Nothing new is stored: the set is derived from the conversation's stored load_additional_modules outputs
// (what each loaded, found loaded, or took out to stay within HISTORY_MODULES_MAX_TOKENS), so it survives a restart
// and a failed turn (which writes no tool calls) changes nothing. Outputs written before this change carried the
// module text itself; they still count as loads, and their text is left out of the replayed history (it is in the
// instructions now), so no module is in front of the model twice.
import { countTextTokens } from '../core/token-count.js';
import type { TranscriptItem, TurnTranscriptItem } from '../core/transcript.js';
import { IN_INSTRUCTIONS_NOTE, OUTPUT_HEADERS } from '../tools/instructions/load-output.js';
import type { InstructionModuleSource, ModuleSection } from '../tools/instructions/module-source.js';
import type { LoadedModulesContext } from '../tools/types.js';

export const LOAD_TOOL = 'load_additional_modules';

/** The heading before the loaded modules in the instructions (after the core). */
export const LOADED_MODULES_HEADING =
  'LOADED MODULES (already loaded in this conversation: do not call load_additional_modules for these modules or any part of them; ' +
  'they apply like the base modules and stay here in the next turns):';

const NOTHING_NEW = 'ninguno nuevo';

/** What one output says happened to the conversation's loaded set. */
export interface LoadEvent {
  loaded: string[];
  /** Asked for again while in the set (itself or inside a loaded ancestor): used recently. */
  touched: string[];
  removed: string[];
}

function listAfter(line: string, header: string): string[] {
  const body = line.slice(header.length, line.endsWith(']') ? -1 : undefined);
  return body === '' || body === NOTHING_NEW ? [] : body.split(', ');
}

/** `X (dentro de Y)` names Y, the loaded piece that holds X. */
function holder(entry: string): string {
  const m = / \(dentro de (.+)\)$/.exec(entry);
  return m ? (m[1] as string) : entry;
}

/** The event an output records; undefined for an error or another tool's output. */
export function parseLoadOutput(output: string): LoadEvent | undefined {
  if (!output.startsWith(OUTPUT_HEADERS.loaded)) return undefined;
  const event: LoadEvent = { loaded: [], touched: [], removed: [] };
  for (const line of output.split('\n')) {
    if (line.startsWith(OUTPUT_HEADERS.loaded)) event.loaded.push(...listAfter(line, OUTPUT_HEADERS.loaded));
    else if (line.startsWith(OUTPUT_HEADERS.inInstructions)) event.touched.push(...listAfter(line, OUTPUT_HEADERS.inInstructions).map(holder));
    else if (line.startsWith(OUTPUT_HEADERS.repeatedBefore)) event.touched.push(...listAfter(line, OUTPUT_HEADERS.repeatedBefore).map(holder));
    else if (line.startsWith(OUTPUT_HEADERS.removed)) event.removed.push(...listAfter(line, OUTPUT_HEADERS.removed));
  }
  return event;
}

/** The load events of a conversation's stored items (ConversationStore.callsBefore for the tool), in order. */
export function loadEvents(stored: readonly TurnTranscriptItem[]): LoadEvent[] {
  const calls = new Set<string>();
  for (const e of stored) if (e.item.kind === 'function_call' && e.item.name === LOAD_TOOL) calls.add(`${e.turnId}:${e.item.callId}`);
  const events: LoadEvent[] = [];
  for (const e of stored) {
    if (e.item.kind !== 'function_output' || !calls.has(`${e.turnId}:${e.item.callId}`)) continue;
    const event = parseLoadOutput(e.item.output);
    if (event) events.push(event);
  }
  return events;
}

/** Whether `path` is `outer` or inside it (`MODULE_4.contact` inside `MODULE_4`). */
function isWithin(path: string, outer: string): boolean {
  return path === outer || path.startsWith(`${outer}.`);
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/** o200k tokens of a section's text, remembered for the few texts in use. */
const tokenCache = new Map<string, number>();
function tokensOf(text: string): number {
  let n = tokenCache.get(text);
  if (n === undefined) {
    n = countTextTokens(text);
    if (tokenCache.size >= 64) tokenCache.delete(tokenCache.keys().next().value as string);
    tokenCache.set(text, n);
  }
  return n;
}

/**
 * One conversation's loaded modules for a turn: built from its stored load events, changed by the turn's loads,
 * and rendered into the instructions of each call. At most `budgetTokens` of module text
 * (HISTORY_MODULES_MAX_TOKENS): a load that goes past it takes out the least recently used modules first (never
 * one of that load's own, nor the most recently used piece), and its output tells the model which.
 */
export class LoadedModuleSet implements LoadedModulesContext {
  /** Least recently used first. */
  private order: string[] = [];
  private rendered: { core: string; key: string; text: string } | undefined;

  constructor(
    private readonly source: InstructionModuleSource,
    private readonly budgetTokens: number,
    events: readonly LoadEvent[] = [],
  ) {
    for (const e of events) this.apply(e.loaded, e.touched, e.removed);
    // Outputs of the earlier form recorded no removals, and a file may have grown since: keep within the budget.
    this.fit([]);
  }

  /** The loaded paths, least recently used first. */
  get paths(): readonly string[] {
    return this.order;
  }

  holding(path: string, ancestors: readonly string[]): string | undefined {
    if (this.order.includes(path)) return path;
    return ancestors.find((a) => this.order.includes(a));
  }

  add(sections: readonly ModuleSection[], touched: readonly string[]): { removed: string[] } {
    // A part replaced by its whole module is not news for the model (the text is still there): not in `removed`.
    this.apply(
      sections.map((s) => s.path),
      touched,
      [],
    );
    return { removed: this.fit([...sections.map((s) => s.path), ...touched]) };
  }

  /** The call's instructions: `core`, then the loaded modules in the file's order (the same bytes for the same set). */
  instructions(core: string): string {
    const sections = this.sections();
    if (sections.length === 0) return core;
    const key = sections.map((s) => s.path).join('\u0000');
    if (this.rendered?.core === core && this.rendered.key === key) return this.rendered.text;
    const text = [core, '', LOADED_MODULES_HEADING, ...sections.map((s) => `\n${s.text}`)].join('\n');
    this.rendered = { core, key, text };
    return text;
  }

  /** The loaded sections as the current file has them, in the file's order (a path the file lost is left out). */
  private sections(): ModuleSection[] {
    const found: { section: ModuleSection; order: readonly number[] }[] = [];
    for (const path of this.order) {
      let r;
      try {
        r = this.source.resolve(path);
      } catch {
        continue;
      }
      if (r.kind === 'section') found.push({ section: r.section, order: this.source.documentOrder(r.section.segments) });
    }
    return found.sort((a, b) => compareOrder(a.order, b.order)).map((f) => f.section);
  }

  private apply(loaded: readonly string[], touched: readonly string[], removed: readonly string[]): void {
    for (const path of [...touched, ...loaded]) {
      // Inside a loaded piece: that piece was used. Otherwise it goes last, replacing its own parts loaded before.
      const outer = this.order.find((p) => p !== path && isWithin(path, p));
      this.order = outer ? [...this.order.filter((p) => p !== outer), outer] : [...this.order.filter((p) => !isWithin(p, path)), path];
    }
    this.order = this.order.filter((p) => !removed.includes(p));
  }

  /** Takes out the least recently used paths (not `keep`) until the set fits the budget; returns them. */
  private fit(keep: readonly string[]): string[] {
    const removed: string[] = [];
    const tokens = new Map(this.sections().map((s) => [s.path, tokensOf(s.text)]));
    let total = [...tokens.values()].reduce((a, b) => a + b, 0);
    // The most recently used piece always stays, even alone past the budget: the model just loaded or used it.
    for (const path of this.order.slice(0, -1)) {
      if (total <= this.budgetTokens) break;
      if (keep.some((k) => isWithin(k, path))) continue;
      total -= tokens.get(path) ?? 0;
      this.order = this.order.filter((p) => p !== path);
      removed.push(path);
    }
    return removed;
  }
}

const SECTION_START = /\n\n=== .+ ===\n/;

/**
 * The replayed history without module text: an output of the earlier form (the module's text after its header
 * lines) keeps its header lines only, and says where the text is now. Outputs of the current form are unchanged.
 */
export function withoutModuleTexts(items: readonly TranscriptItem[]): TranscriptItem[] {
  const calls = new Set<string>();
  for (const item of items) if (item.kind === 'function_call' && item.name === LOAD_TOOL) calls.add(item.callId);
  if (calls.size === 0) return items as TranscriptItem[];
  return items.map((item) => {
    if (item.kind !== 'function_output' || !calls.has(item.callId) || !item.output.startsWith(OUTPUT_HEADERS.loaded)) return item;
    const at = item.output.search(SECTION_START);
    if (at < 0) return item;
    return { ...item, output: `${item.output.slice(0, at)}\n\n${IN_INSTRUCTIONS_NOTE}` };
  });
}

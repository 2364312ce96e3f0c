// Loaded instruction modules kept in front of the model once the history window has moved past them
// (turn-loop.ts loadHistoryWithModules, history.ts pinModuleLoads), over a real store: which loads stay, in which
// order and shape, within which budget, and that they are the same items from call to call between two cuts.
import { describe, expect, it } from 'vitest';
import { renderSection } from '../../src/agent/instruction-tree.js';
import { loadHistoryWithModules } from '../../src/agent/history.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import type { NewTranscriptItem, TranscriptItem } from '../../src/core/transcript.js';
import { loadedSections } from '../../src/tools/instructions/load-additional-modules.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { spanish } from '../support/modular-instructions.js';

const ID = '50370009999';
const BUDGET = 2000;

function setup() {
  return new ConversationStore(openMigratedDatabase(':memory:'));
}

function commit(store: ConversationStore, items: NewTranscriptItem[]): void {
  store.commitTurn({
    conversationId: ID,
    channel: 'whatsapp',
    guest: { waId: ID },
    startedAt: 1,
    endedAt: 2,
    model: 'gpt-5-mini',
    api: 'responses',
    rounds: 1,
    status: 'answered',
    historyItems: 0,
    historyTokens: 0,
    items,
    calls: [],
  });
}

/** A section as load_additional_modules renders it. */
const section = (path: string, words: number) => `=== ${path} ===\n${JSON.stringify({ text: spanish(path, words) }, null, 2)}`;

/** A turn that loads `sections` (the output the tool gives), with a reasoning item before the call. */
function loadTurn(store: ConversationStore, n: number, paths: string[], output: string): void {
  commit(store, [
    { item: { kind: 'developer', text: `Contexto ${n}` }, boundary: 2 },
    { item: { kind: 'user', text: `Pregunta ${n}` }, boundary: 1 },
    { item: { kind: 'reasoning', summary: '', responsesItem: { type: 'reasoning', id: `rs_${n}`, encrypted_content: 'x', summary: [] } }, boundary: 1 },
    {
      item: {
        kind: 'function_call',
        callId: `load_${n}`,
        name: 'load_additional_modules',
        arguments: JSON.stringify({ modules: paths }),
        responsesItem: { type: 'function_call', id: `fc_${n}`, call_id: `load_${n}`, name: 'load_additional_modules', arguments: '{}' },
      },
      boundary: 0,
    },
    // Another tool in the same response: cut with the chat, never kept.
    { item: { kind: 'function_call', callId: `office_${n}`, name: 'check_office_status', arguments: '{}' }, boundary: 0 },
    { item: { kind: 'function_output', callId: `load_${n}`, output }, boundary: 0 },
    { item: { kind: 'function_output', callId: `office_${n}`, output: '{"office_status":"open"}' }, boundary: 0 },
    { item: { kind: 'assistant', text: `Respuesta ${n}` }, boundary: 1 },
  ]);
}

function chatTurn(store: ConversationStore, n: number, words = 120): void {
  commit(store, [
    { item: { kind: 'developer', text: `Contexto ${n}` }, boundary: 2 },
    { item: { kind: 'user', text: spanish(`guest${n}`, words) }, boundary: 1 },
    { item: { kind: 'assistant', text: spanish(`reply${n}`, words) }, boundary: 1 },
  ]);
}

const loaded = (paths: string[], sections: string[]) => [`[Módulos cargados: ${paths.join(', ')}]`, ...sections].join('\n\n');
const pinnedOf = (items: TranscriptItem[]) => items.filter((i) => i.kind === 'function_output' && i.callId.startsWith('load_'));

describe('loaded modules before the history window', () => {
  it('stay in their order with their guest message, paired and without provider ids; other tools, errors and empty loads go', () => {
    const store = setup();
    loadTurn(store, 1, ['MODULE_2B'], loaded(['MODULE_2B'], [section('MODULE_2B', 200)]));
    loadTurn(store, 2, ['MODULE_X'], JSON.stringify({ error: '"MODULE_X" no existe en las instrucciones' }));
    loadTurn(store, 3, ['MODULE_2B'], '[Módulos cargados: ninguno nuevo]\n\n[Ya cargados antes en esta conversación, su texto está más arriba: MODULE_2B]');
    loadTurn(store, 4, ['MODULE_2C'], loaded(['MODULE_2C'], [section('MODULE_2C', 100)]));
    // A server that numbers call ids afresh per response: another tool's call with turn 1's id is not the load.
    commit(store, [
      { item: { kind: 'developer', text: 'Contexto 5' }, boundary: 2 },
      { item: { kind: 'user', text: 'Pregunta 5' }, boundary: 1 },
      { item: { kind: 'function_call', callId: 'load_1', name: 'check_office_status', arguments: '{}' }, boundary: 1 },
      { item: { kind: 'function_output', callId: 'load_1', output: '{"office_status":"open"}' }, boundary: 0 },
      { item: { kind: 'assistant', text: 'Respuesta 5' }, boundary: 1 },
    ]);
    for (let n = 6; n < 20; n++) chatTurn(store, n);

    const window = store.loadHistory(ID, BUDGET);
    const history = loadHistoryWithModules(store, ID, BUDGET, 10_000);
    expect(window.droppedTokens).toBeGreaterThan(0);
    const pinned = history.items.slice(0, history.pinnedItems).map((s) => s.item);
    expect(pinned.map((i) => (i.kind === 'user' ? i.text : i.kind === 'function_call' || i.kind === 'function_output' ? `${i.kind}:${i.callId}` : i.kind))).toEqual([
      'Pregunta 1',
      'function_call:load_1',
      'function_output:load_1',
      'Pregunta 4',
      'function_call:load_4',
      'function_output:load_4',
    ]);
    const call = pinned[1] as Extract<TranscriptItem, { kind: 'function_call' }>;
    expect(call.responsesItem).toEqual({ type: 'function_call', call_id: 'load_1', name: 'load_additional_modules', arguments: '{}' });
    expect(history.items.slice(history.pinnedItems).map((s) => s.id)).toEqual(window.items.map((s) => s.id));
    expect(history.tokens).toBe(window.tokens + history.items.slice(0, history.pinnedItems).reduce((n, s) => n + s.tokens, 0));

    // The same items on every call until the window moves again; then the kept loads are still the same bytes.
    const before = JSON.stringify(history.items.slice(0, history.pinnedItems));
    chatTurn(store, 20, 5);
    expect(JSON.stringify(loadHistoryWithModules(store, ID, BUDGET, 10_000).items.slice(0, history.pinnedItems))).toBe(before);
    for (let n = 21; n < 30; n++) chatTurn(store, n);
    const later = loadHistoryWithModules(store, ID, BUDGET, 10_000);
    expect(store.loadHistory(ID, BUDGET).droppedTokens).toBeGreaterThan(window.droppedTokens);
    expect(JSON.stringify(later.items.slice(0, later.pinnedItems))).toBe(before);

    // 0: cut with the chat, as the window alone.
    expect(loadHistoryWithModules(store, ID, BUDGET, 0)).toEqual(store.loadHistory(ID, BUDGET));
  });

  it('are bounded: the newest that fit stay, and a part its whole module repeats goes', () => {
    const store = setup();
    const a = section('MODULE_A', 300);
    // Rendered as the tool renders them: the part's text is not inside the whole's (other indentation), its path is.
    const moduleB = { intro: spanish('B.intro', 200), prices: { adult: spanish('B.adult', 60) } };
    const whole = renderSection({ segments: ['MODULE_B'], value: moduleB });
    const part = renderSection({ segments: ['MODULE_B', 'prices'], value: moduleB.prices });
    expect(whole).not.toContain(part);
    loadTurn(store, 1, ['MODULE_A'], loaded(['MODULE_A'], [a]));
    loadTurn(store, 2, ['MODULE_B.prices'], loaded(['MODULE_B.prices'], [part]));
    loadTurn(store, 3, ['MODULE_B'], loaded(['MODULE_B'], [whole]));
    for (let n = 4; n < 20; n++) chatTurn(store, n);

    const roomy = pinnedOf(loadHistoryWithModules(store, ID, BUDGET, 10_000).items.map((s) => s.item));
    expect(roomy.map((i) => (i as { callId: string }).callId)).toEqual(['load_1', 'load_3']);

    // Room for the newest only: MODULE_A is cut (and can be loaded again), MODULE_B stays.
    const turn3 = store.listItems(ID).filter((s) => ['Pregunta 3', 'load_3'].some((k) => JSON.stringify(s.item).includes(`"${k}"`)) && s.item.kind !== 'reasoning');
    const room = turn3.reduce((n, s) => n + s.tokens, 0);
    expect(turn3).toHaveLength(3);
    const tight = loadHistoryWithModules(store, ID, BUDGET, room + 100);
    expect(pinnedOf(tight.items.map((s) => s.item)).map((i) => (i as { callId: string }).callId)).toEqual(['load_3']);
    const pinnedTokens = tight.items.slice(0, tight.pinnedItems).reduce((n, s) => n + s.tokens, 0);
    expect(pinnedTokens).toBe(room);
    expect(loadHistoryWithModules(store, ID, BUDGET, room - 1).pinnedItems).toBeUndefined();
  });
});

describe('loadedSections', () => {
  it('reads the sections of an output as the tool writes it: header lines aside, a module file’s paragraphs kept together', () => {
    const output = [
      '[Módulos cargados: precios, MODULE_4.contact]',
      '[Ya cargados antes en esta conversación, su texto está más arriba: MODULE_2C]',
      '=== MÓDULO precios ===\nTarifas de temporada.',
      'Segundo párrafo del archivo.',
      '=== MODULE_4.contact (MICRO-LOAD) ===\n{\n  "contact": "x"\n}',
    ].join('\n\n');
    expect(loadedSections(output)).toEqual([
      { path: 'precios', text: '=== MÓDULO precios ===\nTarifas de temporada.\n\nSegundo párrafo del archivo.' },
      { path: 'MODULE_4.contact', text: '=== MODULE_4.contact (MICRO-LOAD) ===\n{\n  "contact": "x"\n}' },
    ]);
    expect(loadedSections('[Módulos cargados: ninguno nuevo]\n\n[Ya están en tus instrucciones base, no hace falta cargarlos: CORE_CONFIG]')).toEqual([]);
    expect(loadedSections('{"error":"las instrucciones no se pudieron leer"}')).toEqual([]);
  });
});

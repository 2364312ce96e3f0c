// A generated instructions file of the shape of the original's app/resources/system_instructions_new.txt: one JSON
// object whose top-level keys are modules (the four base modules, then MODULE_1_… to MODULE_4_INFORMATION), with
// generated Spanish text, emoji keys, keys with spaces, a key holding "." and nesting three levels deep. Every leaf
// text carries a marker (`[M4.contact]`) so a test can tell which part reached the model.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORDS = ['huésped', 'reserva', 'pasadía', 'habitación', 'playa', 'desayuno', 'piscina', 'tarifa', 'temporada', 'paquete', 'niños', 'adultos', 'transferencia', 'horario', 'recepción'];
const VERBS = ['confirma', 'explica', 'verifica', 'ofrece', 'indica', 'consulta', 'recuerda'];

/** A deterministic Spanish sentence of about `words` words, tagged with its marker. */
export function spanish(marker: string, words = 12): string {
  let seed = [...marker].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(i % 4 === 1 ? VERBS[next() % VERBS.length]! : WORDS[next() % WORDS.length]!);
  return `[${marker}] ${parts.join(' ')}.`;
}

export const MODULAR_INSTRUCTIONS = {
  MODULE_SYSTEM: {
    v: '2.3',
    arch: spanish('SYS.arch'),
    base: ['DECISION_TREE', 'MODULE_DEPENDENCIES', 'CORE_CONFIG'],
    'v2.3_updates': { member_code_detection: spanish('SYS.v23') },
  },
  DECISION_TREE: {
    description: spanish('DT.description', 20),
    priority_based_classification: {
      PRIORITY_1_ABSOLUTE_BLOCKERS: {
        member_identity_detected: { intent: spanish('DT.member'), '🚨 MUST_LOAD': ['MODULE_1_CRITICAL_WORKFLOWS.member_handling'] },
      },
      PRIORITY_2_SALES: { price_inquiry: { '🚨 MUST_LOAD': ['MODULE_2B_PRICE_INQUIRY', 'MODULE_2C_AVAILABILITY'] } },
    },
  },
  MODULE_DEPENDENCIES: {
    principle: spanish('DEP.principle'),
    INTENT_TO_MODULE_MAP: { location_request: 'MODULE_4_INFORMATION.hotel_location_access.contact' },
  },
  CORE_CONFIG: {
    system_language: spanish('CORE.language'),
    '🚨 UNIVERSAL_SAFETY_PROTOCOLS': { anti_hallucination: spanish('CORE.anti') },
  },
  MODULE_1_CRITICAL_WORKFLOWS: {
    member_handling: { initial_redirection_script: spanish('M1.redirect'), detection: spanish('M1.detection') },
    handover: spanish('M1.handover'),
  },
  MODULE_2A_PACKAGE_CONTENT: { package_details: { 'Pasadía Niño': spanish('M2A.nino'), Escapadita: spanish('M2A.escapadita') } },
  MODULE_2B_PRICE_INQUIRY: {
    pricing_logic: { '🚨🚨🚨 5X4_FORMULA': spanish('M2B.5x4'), 'Romántico surcharge': spanish('M2B.romantico') },
    payment_methods_overview: { bank_deposit_info: spanish('M2B.bank') },
  },
  MODULE_2C_AVAILABILITY: { occupancy_rules: spanish('M2C.occupancy'), date_validation: spanish('M2C.dates') },
  MODULE_2D_SPECIAL_SCENARIOS: { membership_sales_protocol: spanish('M2D.membership'), all_inclusive_inquiry_protocol: spanish('M2D.allinclusive') },
  MODULE_3_SERVICE_FLOWS: { date_change_request_protocol: spanish('M3.datechange'), cancellation_inquiry_protocol: spanish('M3.cancel') },
  MODULE_4_INFORMATION: {
    hotel_location_access: {
      contact: { phone: spanish('M4.contact'), '🚨 CODE_PREFIX_ROUTING': spanish('M4.routing') },
      location: spanish('M4.location'),
    },
    policies_basic: { 'check in': spanish('M4.checkin') },
  },
};

/** Writes the generated file (pretty-printed like the original's, named .txt like it) and returns its path. */
export function writeModularInstructions(content: unknown = MODULAR_INSTRUCTIONS, name = 'system_instructions_new.txt'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-json-instr-'));
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  return path;
}

// The tool set the hotel's model is offered in production: every backend configured (hotel database, booking
// API, both payment portals, e-mail, staff alerts over WhatsApp and e-mail, the vision model for payment
// proofs) and the JSON instructions file of the hotel's shape (its 11 top-level modules, which
// load_additional_modules names). Assembled as `npm run compare` assembles the server's tools; the backends
// point at a closed port on 127.0.0.1 and are never contacted (building a tool contacts nothing).
import pino from 'pino';
import { resolve } from 'node:path';
import { assembleCompareTools } from '../../src/compare/tools.js';
import { DEFAULT_RESOURCES_DIR } from '../../src/core/resources.js';
import { ToolRegistry, type ToolSpec } from '../../src/tools/registry.js';
import type { ToolDefinition } from '../../src/tools/types.js';
import { writeModularInstructions } from './modular-instructions.js';
import { openMigratedDatabase } from './test-db.js';
import { tempDbPath, testConfig } from './test-config.js';

const CLOSED = 'http://127.0.0.1:9';

export const EVERY_BACKEND_ENV: Record<string, string> = {
  DB_HOST: '127.0.0.1',
  DB_PORT: '9',
  DB_USER: 'bot',
  DB_NAME: 'hotel',
  BOOKING_API_URL: CLOSED,
  COMPRACLICK_PORTAL_URL: `${CLOSED}/cc`,
  COMPRACLICK_EMAIL: 'ventas@hotel.example',
  COMPRACLICK_PASSWORD: 'cc-secret',
  BAC_PORTAL_URL: `${CLOSED}/bac`,
  BAC_USERNAME: 'hotel',
  BAC_PASSWORD: 'bac-secret',
  SMTP_URL: 'smtp://127.0.0.1:9',
  EMAIL_FROM: 'bot@hotel.example',
  EMAIL_ALLOWED_RECIPIENTS: 'reservas@hotel.example',
  STAFF_WHATSAPP_NUMBERS: '50370000001',
  STAFF_ALERT_EMAIL: 'gerencia@hotel.example',
  WATI_API_URL: CLOSED,
  WATI_API_KEY: 'wati-test-key',
};

/** The production tool definitions (each with its declaration), in registration order. */
export async function productionTools(): Promise<readonly ToolDefinition[]> {
  const config = testConfig({ ...EVERY_BACKEND_ENV, CONVERSATION_DB_PATH: tempDbPath(), SYSTEM_INSTRUCTIONS_PATH: writeModularInstructions() });
  const db = openMigratedDatabase(config.dbPath);
  const assembled = assembleCompareTools({ config, db, resourcesDir: resolve(DEFAULT_RESOURCES_DIR), clock: { now: () => Date.now() }, log: pino({ level: 'silent' }) });
  try {
    return assembled.tools;
  } finally {
    await assembled.close();
    db.close();
  }
}

/** The production tool specs, in the order the model gets them. */
export async function productionToolSpecs(): Promise<readonly ToolSpec[]> {
  return new ToolRegistry(await productionTools()).specs;
}

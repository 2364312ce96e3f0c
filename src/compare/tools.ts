// The server's tools, assembled for a comparison the way the chat console assembles them (cli/chat-console.ts)
// but on the read-only database: the office calendar (with the PBX), the hotel's backends, pictures and menus,
// instruction modules, e-mail and staff alerts. Nothing here sends or stores: the mailer and the staff WhatsApp
// refuse, jobs the hotel's services would enqueue are held in memory and counted (a read tool never enqueues;
// the tools that would are not executed, see dry-run-tools.ts).
import OpenAI from 'openai';
import type { Logger } from 'pino';
import { openInstructionSources } from '../agent/instruction-sources.js';
import { bookingCallBudgetMs } from '../agent/openai-agent.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { MailError } from '../email/mailer.js';
import { HeldJobQueue } from '../jobs/held-job-queue.js';
import { MediaStore } from '../media/media-store.js';
import { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { Db } from '../store/database.js';
import { assembleToolServices, createConfiguredOffice, createHotelBackendsWithoutWorker } from '../tool-services.js';
import { createTools, type ToolDefinition } from '../tools/index.js';

export interface CompareTools {
  tools: ToolDefinition[];
  jobs: HeldJobQueue;
  close(): Promise<void>;
}

export function assembleCompareTools(deps: { config: Config; db: Db; resourcesDir: string; clock: Clock; log: Logger }): CompareTools {
  const { config, db, log, clock } = deps;
  const closers: (() => Promise<void>)[] = [];
  const { office, close: closeOffice } = createConfiguredOffice(config, log);
  closers.push(closeOffice);
  const jobs = new HeldJobQueue();
  const hotel = createHotelBackendsWithoutWorker({ config, db, jobs, office, isHandedOff: () => false, clock, log });
  closers.push(() => hotel.close());
  const neverSent = () => Promise.reject(new MailError('rejected', 'a comparison sends nothing', false));
  const { toolServices } = assembleToolServices({
    config,
    resourcesDir: deps.resourcesDir,
    history: new ConversationHistoryRepository(db),
    email: { mailer: { send: neverSent } },
    staffWhatsApp: config.wati.baseUrl && config.wati.apiKey ? { sendText: neverSent, sendTemplate: neverSent } : undefined,
    clock,
    log,
  });
  // The server's instructions' modules (the JSON file's own, or the folder's); a side with its own instructions
  // file gets load_additional_modules over that file instead (runner.ts).
  const { modules: instructionModules, startWarnings } = openInstructionSources(config.llm);
  for (const problem of startWarnings) log.warn({ problem }, 'system instructions problem');
  // analyze_payment_proof is offered as the server offers it (with a key) but never executed here.
  const paymentProof = config.llm.apiKey
    ? { client: new OpenAI({ apiKey: config.llm.apiKey, baseURL: config.llm.baseUrl ?? 'https://api.openai.com/v1', maxRetries: 0 }), store: new MediaStore(db, config.media.dir, config.media.retentionMs), config }
    : undefined;
  const tools = createTools({
    office,
    paymentProof,
    hotel: hotel.tools,
    bookingTimeoutMs: bookingCallBudgetMs(config),
    instructionModules,
    ...toolServices,
  });
  return {
    tools,
    jobs,
    async close() {
      for (const close of closers.splice(0).reverse()) {
        try {
          await close();
        } catch (err) {
          log.error({ err }, 'closing the comparison tools failed');
        }
      }
    },
  };
}

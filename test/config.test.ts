import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PRICES } from '../src/core/model-prices.js';
import { bufferConfig } from '../src/buffer/config.js';
import { ConfigError, configSlices, loadConfig, webhookPasskeyWarning } from '../src/config.js';
import { ORIGINAL_VARIABLES_NOT_READ } from '../src/original-variables.js';
import { watiConfig } from '../src/platforms/wati/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8003,
      host: '0.0.0.0',
      dbPath: './data/watibot3.db',
      buffer: { quietMs: 10_000, mediaQuietMs: 30_000, maxWaitMs: 45_000, maxConcurrentTurns: 8 },
      manychat: { baseUrl: 'https://api.manychat.com' },
      webhookPasskey: undefined,
    });
  });

  it('accepts the legacy passkey name, decimal seconds and a WATI URL ending in /api/v1', () => {
    const c = loadConfig({
      WATIBOT4_PASSKEY: 'legacy',
      BUFFER_QUIET_SECONDS: '0.2',
      WATI_API_URL: 'https://live-mt-server.wati.io/123456/api/v1/',
    });
    expect(c.webhookPasskey).toBe('legacy');
    expect(c.buffer.quietMs).toBe(200);
    expect(c.wati.baseUrl).toBe('https://live-mt-server.wati.io/123456');
    expect(loadConfig({ WEBHOOK_PASSKEY: 'new', WATIBOT4_PASSKEY: 'legacy' }).webhookPasskey).toBe('new');
  });

  it('names every invalid variable', () => {
    try {
      loadConfig({ PORT: 'eighty', BUFFER_QUIET_SECONDS: '-1', WATI_API_URL: 'not a url', LLM_API: 'assistants' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of ['PORT', 'BUFFER_QUIET_SECONDS', 'WATI_API_URL', 'LLM_API']) expect(message).toContain(name);
    }
    expect(() => loadConfig({ BUFFER_QUIET_SECONDS: '60', BUFFER_MAX_WAIT_SECONDS: '30' })).toThrow(/BUFFER_MAX_WAIT_SECONDS/);
  });

  it('reads the handoff settings with the original defaults', () => {
    const c = loadConfig({});
    expect(c.handoff).toMatchObject({
      operatorEmail: undefined,
      botOperatorNames: ['bot'],
      pauseMs: 12 * 3600_000,
      contextGapMs: 5 * 60_000,
      historyImportMessages: 30,
    });
    expect(c.handoff.messageClosed).toContain('lunes a viernes');
    expect(c.adminToken).toBeUndefined();
    const custom = loadConfig({ BOT_OPERATOR_NAMES: 'Bot, Asistente Virtual ', BOT_PAUSE_HOURS: '0.5', ADMIN_TOKEN: ' 3f9c2a7e1b8d4f60a5c9e2b7d1f4a8c3 ', HISTORY_IMPORT_MESSAGES: '0' });
    expect(custom.handoff.botOperatorNames).toEqual(['bot', 'asistente virtual']);
    expect(custom.handoff.pauseMs).toBe(1_800_000);
    expect(custom.handoff.historyImportMessages).toBe(0);
    expect(custom.adminToken).toBe('3f9c2a7e1b8d4f60a5c9e2b7d1f4a8c3');
    expect(() => loadConfig({ BOT_PAUSE_HOURS: '0' })).toThrow(/BOT_PAUSE_HOURS/);
  });
});

describe('secrets (issue 22 §4)', () => {
  const problems = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
      return '';
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  it('ADMIN_TOKEN must be at least 24 characters of which 8 differ; the error says how to make one and never quotes it', () => {
    for (const weak of ['a', 'admin', 'admin-token', 'a'.repeat(40), 'abcabcabcabcabcabcabcabc', 'password1234password1234'.slice(0, 23)]) {
      const message = problems({ ADMIN_TOKEN: weak });
      expect(message, weak).toMatch(/ADMIN_TOKEN: (is \d+ characters? long; it needs at least 24|repeats too few characters)/);
      expect(message).toContain('openssl rand -hex 32');
      if (weak.length > 4) expect(message).not.toContain(weak);
    }
    expect(problems({ ADMIN_TOKEN: '   ' })).toMatch(/ADMIN_TOKEN: is only spaces/);
    // What `openssl rand -hex 32` and `openssl rand -base64 24` print pass, and so does a long passphrase.
    for (const strong of ['9b1f0c4e7a2d8f6b3e5c1a9d7f2b4e6c8a0d3f5b7e9c1a2d4f6b8e0c2a4d6f8b', 'q3Jx0vT9mZ2rK8wY5nB1cL7d', 'correct-horse-battery-staple']) {
      expect(loadConfig({ ADMIN_TOKEN: strong }).adminToken).toBe(strong);
    }
    expect(loadConfig({ ADMIN_TOKEN: '' }).adminToken).toBeUndefined();
  });

  it('WEBHOOK_PASSKEY is refused only when blank; a short one gives a start warning that does not quote it', () => {
    expect(problems({ WEBHOOK_PASSKEY: ' ' })).toMatch(/WEBHOOK_PASSKEY: is only spaces/);
    expect(problems({ WATIBOT4_PASSKEY: '\t ' })).toMatch(/WATIBOT4_PASSKEY: is only spaces/);
    const short = loadConfig({ WEBHOOK_PASSKEY: 'x' });
    expect(short.webhookPasskey).toBe('x');
    expect(webhookPasskeyWarning(short)).toMatch(/^WEBHOOK_PASSKEY is 1 character long: .* at least 16/);
    expect(webhookPasskeyWarning(loadConfig({ WEBHOOK_PASSKEY: 'x7Kp2Qm9' }))).not.toContain('x7Kp2Qm9');
    expect(webhookPasskeyWarning(loadConfig({ WEBHOOK_PASSKEY: 'a1b2c3d4e5f6a7b8' }))).toBeUndefined();
    expect(webhookPasskeyWarning(loadConfig({}))).toBeUndefined();
  });
});

/** Every variable set to a non-default value (and one the service does not read). */
const FULL_ENV = {
  PORT: '9100',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'debug',
  CONVERSATION_DB_PATH: '/var/lib/watibot3/bot.db',
  WEBHOOK_PASSKEY: ' secret ',
  WATIBOT4_PASSKEY: 'legacy',
  WATI_API_URL: 'https://live-mt-server.wati.io/123456/api/v1/',
  WATI_API_KEY: 'wati-key',
  MANYCHAT_API_URL: 'https://mc.example.com/',
  MANYCHAT_API_KEY: 'fb-key',
  MANYCHAT_INSTAGRAM_API_KEY: 'ig-key',
  PUBLIC_MEDIA_BASE_URL: 'https://bot.example.com/',
  BUFFER_QUIET_SECONDS: '2.5',
  BUFFER_MEDIA_QUIET_SECONDS: '20',
  BUFFER_MAX_WAIT_SECONDS: '40',
  MAX_CONCURRENT_TURNS: '4',
  OPENAI_API_KEY: 'sk-test',
  OPENAI_BASE_URL: 'https://llm.example.com/v1/',
  OPENAI_MODEL: ' gpt-5-mini ',
  OPENAI_LIGHT_MODEL: ' gpt-5-nano ',
  LLM_API: 'chat_completions',
  LLM_PROVIDER: 'vertex',
  VERTEX_PROJECT_ID: 'hotel-bot-123',
  VERTEX_LOCATION: 'europe-west4',
  GOOGLE_APPLICATION_CREDENTIALS: ' /etc/watibot3/vertex-sa.json ',
  OPENAI_REASONING_EFFORT: 'medium',
  OPENAI_MAX_OUTPUT_TOKENS: '2000',
  OPENAI_TIMEOUT_SECONDS: '45',
  FLEX_ENABLED: 'false',
  FLEX_TIMEOUT_SECONDS: '60',
  SYSTEM_INSTRUCTIONS_PATH: '/etc/watibot3/prompt.txt',
  HISTORY_MAX_TOKENS: '12000',
  HISTORY_MODULES_MAX_TOKENS: '20000',
  INSTRUCTION_MODULES_PLACEMENT: 'transcript',
  MAX_TOOL_ROUNDS: '5',
  AGENT_TURN_BUDGET_SECONDS: '120',
  TOOL_TIMEOUT_SECONDS: '15',
  LLM_OPENAI_DIALECT: 'off',
  MODEL_PRICES: '{"gpt-5-mini": {"input": 0.2}, "llama-3.3-70b": {"input": 0.6, "output": 0.8}}',
  PROMPT_CACHE_BUCKETS: '4',
  LLM_CANARY_PERCENT: '12.5',
  LLM_CANARY_MODEL: ' gemini-2.5-pro ',
  LLM_CANARY_API: 'responses',
  LLM_CANARY_BASE_URL: 'https://canary.example.com/v1/',
  LLM_CANARY_API_KEY: 'sk-canary',
  TIMEZONE: 'America/Guatemala',
  FALLBACK_REPLY: 'Un momento, por favor.',
  OFFICE_HOURS: 'mon-fri 09:00-18:00',
  OFFICE_CLOSURES: '2025-12-24 12:00-18:00; 2025-12-31',
  HANDOVER_OPERATOR_EMAIL: 'reservas@example.com',
  BOT_OPERATOR_NAMES: 'Bot, Asistente ',
  BOT_PAUSE_HOURS: '6',
  HANDOVER_MESSAGE_OPEN: 'Abierto',
  HANDOVER_MESSAGE_CLOSED: 'Cerrado',
  GOODBYE_MESSAGE: 'Adiós',
  CONTEXT_GAP_MINUTES: '10',
  HISTORY_IMPORT_MESSAGES: '0',
  ADMIN_TOKEN: 'admin-token-0123456789abcdef',
  METRICS_TOKEN: 'metrics-token',
  METRICS_PUBLIC: 'true',
  MEDIA_MAX_BYTES: '1048576',
  MEDIA_RETENTION_DAYS: '7',
  MEDIA_DOWNLOAD_TIMEOUT_SECONDS: '30',
  MEDIA_DIR: '/srv/media',
  MEDIA_ALLOWED_HOSTS: 'fbcdn.net, Example.COM',
  TRANSCRIPTION_MODEL: 'whisper-1',
  TRANSCRIPTION_LANGUAGE: 'en',
  PAYMENT_DESTINATION_ACCOUNT: '0123456789',
  PAYMENT_PROOF_MODEL: 'gpt-5',
  DB_HOST: 'db.hotel.local',
  DB_PORT: '3307',
  DB_USER: 'watibot3',
  DB_PASSWORD: ' s3cret ',
  DB_NAME: 'hotel',
  DB_CONNECT_TIMEOUT_SECONDS: '3',
  DB_QUERY_TIMEOUT_SECONDS: '6',
  DB_RETRIES: '1',
  BOOKING_API_URL: 'https://booking.example.com/',
  BOOKING_API_TIMEOUT_SECONDS: '20',
  BOOKING_AUTOMATION: 'always',
  AVAILABILITY_CONCURRENCY: '3',
  CHROMIUM_PATH: '/opt/chromium/chrome',
  PORTAL_TIMEOUT_SECONDS: '90',
  PORTAL_SYNC_COOLDOWN_SECONDS: '30',
  COMPRACLICK_PORTAL_URL: 'https://portal.example.com',
  COMPRACLICK_EMAIL: 'ventas@hotel.example',
  COMPRACLICK_PASSWORD: 'cc-secret',
  BAC_PORTAL_URL: 'https://bank.example.com/redir/showLogin.go',
  BAC_USERNAME: 'hotel',
  BAC_PASSWORD: 'bac-secret',
  SYSTEM_INSTRUCTIONS_MODULES_DIR: '/etc/watibot3/modules',
  OFFICE_DB_HOST: 'pbx.hotel.local',
  OFFICE_DB_PORT: '3308',
  OFFICE_DB_NAME: 'asterisk2',
  OFFICE_DB_USER: 'pbxread',
  OFFICE_DB_PASSWORD: ' pbx ',
  OFFICE_TIMEGROUP_ID: '4',
  EMAIL_FROM: 'Asistente <asistente@hotel.example>',
  SMTP_URL: 'smtps://bot:pw@smtp.hotel.example:465',
  GMAIL_CLIENT_ID: 'cid',
  GMAIL_CLIENT_SECRET: 'csecret',
  GMAIL_REFRESH_TOKEN: 'rtoken',
  GMAIL_SENDER_EMAIL: 'bot@hotel.example',
  EMAIL_ALLOWED_RECIPIENTS: 'reservas=reservas@hotel.example, Ventas=ventas@hotel.example, rrhh@hotel.example',
  STAFF_WHATSAPP_NUMBERS: '+503 7000 0001, 50370000002',
  STAFF_ALERT_TEMPLATE: 'alerta_personal',
  STAFF_ALERT_TEMPLATE_PARAMS: 'titulo, detalle',
  STAFF_ALERT_EMAIL: 'gerencia@hotel.example',
  ALERT_REPLY_P95_SECONDS: '20',
  ALERT_ERROR_RATE: '0.1',
  ALERT_BOOKING_SUCCESS: '0.8',
  ALERT_CACHED_SHARE: '0.4',
  ALERT_WEBHOOK_URL: 'https://alerts.example.com/hook',
  ALERT_COOLDOWN_MINUTES: '30',
  ALERT_MIN_SAMPLES: '10',
  UNRELATED: 'ignored',
};

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  return expect.unreachable('loadConfig accepted the environment');
}

describe('configuration slices', () => {
  it('compose into the same Config as the flat schema they replaced', () => {
    // Captured from the single-schema loadConfig before it was split into slices.
    expect(loadConfig(FULL_ENV)).toStrictEqual({
      port: 9100,
      host: '127.0.0.1',
      logLevel: 'debug',
      dbPath: '/var/lib/watibot3/bot.db',
      webhookPasskey: 'secret',
      wati: { baseUrl: 'https://live-mt-server.wati.io/123456', apiKey: 'wati-key' },
      manychat: { baseUrl: 'https://mc.example.com', facebookApiKey: 'fb-key', instagramApiKey: 'ig-key' },
      publicMediaBaseUrl: 'https://bot.example.com',
      buffer: { quietMs: 2500, mediaQuietMs: 20_000, maxWaitMs: 40_000, maxConcurrentTurns: 4 },
      llm: {
        apiKey: 'sk-test',
        provider: 'vertex',
        vertex: { projectId: 'hotel-bot-123', location: 'europe-west4', credentialsFile: '/etc/watibot3/vertex-sa.json' },
        // OPENAI_BASE_URL overrides Vertex's endpoint (proxies, tests).
        baseUrl: 'https://llm.example.com/v1',
        model: 'gpt-5-mini',
        lightModel: 'gpt-5-nano',
        api: 'chat_completions',
        reasoningEffort: 'medium',
        maxOutputTokens: 2000,
        timeoutMs: 45_000,
        flex: { enabled: false, timeoutMs: 60_000 },
        systemInstructionsPath: '/etc/watibot3/prompt.txt',
        instructionModulesDir: '/etc/watibot3/modules',
        historyMaxTokens: 12_000,
        historyModulesMaxTokens: 20_000,
        modulesPlacement: 'transcript',
        maxToolRounds: 5,
        turnBudgetMs: 120_000,
        toolTimeoutMs: 15_000,
        openaiDialect: 'off',
        modelPrices: {
          ...DEFAULT_MODEL_PRICES,
          'gpt-5-mini': { input: 0.2, cachedInput: 0.025, output: 2, flex: { input: 0.125, cachedInput: 0.0125, output: 1 } },
          'llama-3.3-70b': { input: 0.6, cachedInput: 0.6, output: 0.8 },
        },
        promptCacheBuckets: 4,
        canary: { percent: 12.5, model: 'gemini-2.5-pro', api: 'responses', baseUrl: 'https://canary.example.com/v1', apiKey: 'sk-canary' },
      },
      timezone: 'America/Guatemala',
      fallbackReply: 'Un momento, por favor.',
      office: {
        hours: 'mon-fri 09:00-18:00',
        closures: '2025-12-24 12:00-18:00; 2025-12-31',
        pbx: { host: 'pbx.hotel.local', port: 3308, user: 'pbxread', password: ' pbx ', database: 'asterisk2', timegroupId: 4 },
      },
      handoff: {
        operatorEmail: 'reservas@example.com',
        botOperatorNames: ['bot', 'asistente'],
        pauseMs: 6 * 3600_000,
        messageOpen: 'Abierto',
        messageClosed: 'Cerrado',
        goodbyeMessage: 'Adiós',
        contextGapMs: 600_000,
        historyImportMessages: 0,
      },
      adminToken: 'admin-token-0123456789abcdef',
      media: {
        maxBytes: 1_048_576,
        retentionMs: 7 * 86_400_000,
        downloadTimeoutMs: 30_000,
        dir: '/srv/media',
        allowedHosts: ['fbcdn.net', 'example.com'],
        transcriptionModel: 'whisper-1',
        transcriptionLanguage: 'en',
        paymentDestinationAccount: '0123456789',
        paymentProofModel: 'gpt-5',
      },
      hotel: {
        database: {
          host: 'db.hotel.local',
          port: 3307,
          user: 'watibot3',
          password: ' s3cret ',
          database: 'hotel',
          connectTimeoutMs: 3000,
          queryTimeoutMs: 6000,
          retries: 1,
        },
        bookingApi: { baseUrl: 'https://booking.example.com', timeoutMs: 20_000 },
        bookingAutomation: 'always',
        availabilityConcurrency: 3,
      },
      portals: {
        missing: { compraclick: [], bac: [] },
        chromiumPath: '/opt/chromium/chrome',
        timeoutMs: 90_000,
        syncCooldownMs: 30_000,
        compraclick: { url: 'https://portal.example.com', email: 'ventas@hotel.example', password: 'cc-secret' },
        bac: { url: 'https://bank.example.com/redir/showLogin.go', username: 'hotel', password: 'bac-secret' },
      },
      // SMTP_URL wins over the Gmail variables.
      email: {
        transport: { type: 'smtp', url: 'smtps://bot:pw@smtp.hotel.example:465' },
        from: 'Asistente <asistente@hotel.example>',
        allowedRecipients: [
          { label: 'reservas', address: 'reservas@hotel.example' },
          { label: 'ventas', address: 'ventas@hotel.example' },
          { label: undefined, address: 'rrhh@hotel.example' },
        ],
      },
      staff: {
        whatsappNumbers: ['50370000001', '50370000002'],
        template: { name: 'alerta_personal', params: ['titulo', 'detalle'] },
        emails: ['gerencia@hotel.example'],
      },
      monitoring: {
        replyP95Ms: 20_000,
        errorRate: 0.1,
        bookingSuccess: 0.8,
        cachedShare: 0.4,
        webhookUrl: 'https://alerts.example.com/hook',
        cooldownMs: 30 * 60_000,
        minSamples: 10,
      },
      metrics: { token: 'metrics-token', public: true },
      originalVariablesNotRead: [],
    });
  });

  it('the hotel slice: each backend absent when unset, DB_HOST needing its user and database', () => {
    expect(loadConfig({}).hotel).toEqual({ database: undefined, bookingApi: undefined, bookingAutomation: 'outside_office_hours', availabilityConcurrency: 4 });
    expect(issuesOf({ DB_HOST: 'db' })).toEqual(['DB_USER: is required when DB_HOST is set', 'DB_NAME: is required when DB_HOST is set']);
    expect(issuesOf({ BOOKING_AUTOMATION: 'sometimes' })[0]).toMatch(/^BOOKING_AUTOMATION: /);
    expect(issuesOf({ BOOKING_API_URL: 'ftp://x' })[0]).toMatch(/^BOOKING_API_URL: /);
  });

  it('treat blank values as unset and resolve the defaults that come from other slices', () => {
    // Not the secrets: a secret of spaces is a typo, refused (see 'secrets' above); empty is unset.
    const secrets = ['WEBHOOK_PASSKEY', 'WATIBOT4_PASSKEY', 'ADMIN_TOKEN', 'METRICS_TOKEN'];
    const blank = Object.fromEntries(Object.keys(FULL_ENV).map((name) => [name, secrets.includes(name) ? '' : ' ']));
    expect(loadConfig(blank)).toStrictEqual(loadConfig({}));
    for (const name of secrets) expect(() => loadConfig({ [name]: ' ' }), name).toThrow(new RegExp(`${name}: is only spaces`));
    expect(loadConfig({}).media).toMatchObject({ dir: join('data', 'media'), paymentProofModel: 'gpt-5.2' });
    const c = loadConfig({ CONVERSATION_DB_PATH: ':memory:', OPENAI_MODEL: 'm1', WATIBOT4_PASSKEY: 'legacy' });
    expect(c.media.dir).toBe(join(tmpdir(), 'watibot3-media'));
    expect(c.media.paymentProofModel).toBe('m1');
    expect(c.webhookPasskey).toBe('legacy');
  });

  it('names the original\'s variables that are set and not read, with their replacement, never their values', () => {
    const c = loadConfig({
      OPENAI_AGENT_ID: 'asst_SECRET',
      USE_RESPONSES_API: 'true',
      THREAD_ROTATION_TURN_LIMIT: '15',
      INTERNAL_API_KEY: 'k-SECRET',
      RAG_ENABLED: ' ', // blank: unset
      WATI_API_KEY: 'read-by-a-slice',
    });
    expect(c.originalVariablesNotRead.map((v) => v.name)).toEqual(['OPENAI_AGENT_ID', 'USE_RESPONSES_API', 'THREAD_ROTATION_TURN_LIMIT', 'INTERNAL_API_KEY']);
    expect(c.originalVariablesNotRead.find((v) => v.name === 'USE_RESPONSES_API')?.replacement).toMatch(/^LLM_API/);
    expect(JSON.stringify(c.originalVariablesNotRead)).not.toMatch(/SECRET/);
    expect(loadConfig({}).originalVariablesNotRead).toEqual([]);
  });

  it('the original\'s variables: each is read by a slice or listed as not read, with every name it ever read', () => {
    // Every os.getenv / os.environ name of the original's code and its .env.example, over its whole history.
    const original = [
      'BAC_PASSWORD', 'BAC_USERNAME', 'COMPRACLICK_EMAIL', 'COMPRACLICK_PASSWORD', 'CONVERSATION_LOG_DB_PATH', 'DB_HOST', 'DB_NAME',
      'DB_PASSWORD', 'DB_USER', 'FLEX_ENABLED', 'FLEX_TIMEOUT_SECONDS', 'GMAIL_CLIENT_ID', 'GMAIL_CLIENT_SECRET', 'GMAIL_REFRESH_TOKEN',
      'GMAIL_SENDER_EMAIL', 'INTERNAL_API_KEY', 'MANYCHAT_API_KEY', 'MANYCHAT_API_URL', 'MANYCHAT_INSTAGRAM_API_KEY', 'OFFICE_DB_HOST',
      'OFFICE_DB_NAME', 'OFFICE_DB_PASSWORD', 'OFFICE_DB_PORT', 'OFFICE_DB_USER', 'OPENAI_AGENT_ID', 'OPENAI_API_KEY',
      'PUBLIC_MEDIA_BASE_URL', 'RAG_ENABLED', 'THREAD_DB_PATH', 'THREAD_ROTATION_TURN_LIMIT', 'USE_RESPONSES_API', 'WATIBOT4_PASSKEY',
      'WATI_API_KEY', 'WATI_API_URL', 'WEBHOOK_SECRET',
    ];
    const read = new Set(Object.values(configSlices).flatMap((slice) => Object.keys(slice.in.shape)));
    const notRead = Object.keys(ORIGINAL_VARIABLES_NOT_READ);
    for (const name of notRead) expect(read.has(name), name).toBe(false);
    expect(original.filter((name) => !read.has(name)).toSorted()).toEqual(notRead.toSorted());
  });

  it('a slice reports its variable by name', () => {
    const wati = watiConfig.safeParse({ WATI_API_URL: 'ftp://example.com', WATI_API_KEY: 'k' });
    expect(wati.success).toBe(false);
    expect(wati.error?.issues.map((i) => i.path)).toContainEqual(['WATI_API_URL']);
    expect(watiConfig.parse({ WATI_API_URL: 'https://x.example/1/api/v1', OTHER: 'x' })).toEqual({
      baseUrl: 'https://x.example/1',
      apiKey: undefined,
    });
    const buffer = bufferConfig.safeParse({ BUFFER_QUIET_SECONDS: '60', BUFFER_MAX_WAIT_SECONDS: '30' });
    expect(buffer.error?.issues).toMatchObject([
      { path: ['BUFFER_MAX_WAIT_SECONDS'], message: 'must be at least BUFFER_QUIET_SECONDS' },
    ]);
    expect(issuesOf({ MEDIA_ALLOWED_HOSTS: 'http://x' })).toEqual([
      'MEDIA_ALLOWED_HOSTS: "http://x" is not a host name (expected comma-separated names such as fbcdn.net)',
    ]);
  });

  it('reports every bad variable of every slice at once, each once', () => {
    const bad = {
      PORT: 'eighty', // server
      TIMEZONE: 'Mars/Base', // server
      WATI_API_URL: 'not a url', // wati
      MANYCHAT_API_URL: 'ftp://manychat', // manychat
      BUFFER_QUIET_SECONDS: '60', // buffer: cross-variable check, reported with the rest
      BUFFER_MAX_WAIT_SECONDS: '30',
      LLM_API: 'assistants', // agent
      OFFICE_HOURS: 'garbage', // office
      BOT_PAUSE_HOURS: '0', // handoff
      MEDIA_MAX_BYTES: '1.5', // media
    };
    const issues = issuesOf(bad);
    const names = issues.map((issue) => issue.slice(0, issue.indexOf(':')));
    expect(names.toSorted()).toEqual(
      ['PORT', 'TIMEZONE', 'WATI_API_URL', 'MANYCHAT_API_URL', 'BUFFER_MAX_WAIT_SECONDS', 'LLM_API', 'OFFICE_HOURS', 'BOT_PAUSE_HOURS', 'MEDIA_MAX_BYTES'].toSorted(),
    );
    expect(issues).toContain('BUFFER_MAX_WAIT_SECONDS: must be at least BUFFER_QUIET_SECONDS');
    expect(issues).toContain('MEDIA_MAX_BYTES: must be an integer');
  });

  it('each variable is read by exactly one slice and documented in .env.example and docs/configuration.md', () => {
    const read = Object.values(configSlices).flatMap((slice) => Object.keys(slice.in.shape));
    expect(read.length).toBe(new Set(read).size);
    expect(read.toSorted()).toEqual(Object.keys(FULL_ENV).filter((name) => name !== 'UNRELATED').toSorted());

    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const exampleNames = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(exampleNames.toSorted()).toEqual(read.toSorted());

    // The table is the part of docs/configuration.md before its first subsection.
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const end = doc.indexOf('\n## ');
    const section = end === -1 ? doc : doc.slice(0, end);
    const tableNames = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    expect(tableNames.toSorted()).toEqual(read.toSorted());
  });
});

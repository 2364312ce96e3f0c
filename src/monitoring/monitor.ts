// The in-process alert monitor: every minute it evaluates the cutover plan's checks (checks.ts) from our
// own records and tells staff (the staff alert jobs) and, when ALERT_WEBHOOK_URL is set, a generic JSON
// webhook — once when a problem starts, not every minute:
//
// - one failing check is a `warning`, two or more `critical`;
// - an alert is sent when the level rises above the one last notified (ok → warning → critical);
// - while it stays (or falls back to warning), a reminder at most once per ALERT_COOLDOWN_MINUTES;
// - when every check is back to normal (or has too few samples to say), one `resolved` notice.
//
// The level notified and when are kept in SQLite (monitor_state), written in the same transaction as the
// staff alert jobs, so a restart neither alerts again nor forgets to resolve. The webhook is posted after
// that commit: 10 s per attempt, one retry for a retryable failure, a failure logged (staff still have the
// alert jobs). The timer is unref()ed and guarded: a failing evaluation is logged, never thrown.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { postJson } from '../channels/http.js';
import { ChannelError } from '../channels/types.js';
import type { Clock } from '../core/clock.js';
import type { StaffAlert } from '../staff/staff-alerts.js';
import type { AlertLevel, MonitoringRepository, MonitorState } from '../store/monitoring-repository.js';
import { evaluateChecks, type CheckName, type CheckResult } from './checks.js';
import type { MonitoringConfig } from './config.js';

export const MONITOR_INTERVAL_MS = 60_000;
export const WEBHOOK_TIMEOUT_MS = 10_000;
const WEBHOOK_RETRY_DELAY_MS = 2_000;
export const MONITOR_ALERT_REASON = 'monitoring';

export type Notification = 'alert' | 'reminder' | 'resolved';

export interface Evaluation {
  at: number;
  level: AlertLevel;
  checks: CheckResult[];
  /** What was sent this time, if anything. */
  notified: Notification | undefined;
}

/** The webhook's JSON body. */
export interface WebhookPayload {
  status: 'warning' | 'critical' | 'resolved';
  /** true for a reminder of an alert already sent at this level. */
  reminder: boolean;
  title: string;
  /** Every check, failing or not (`status: insufficient` when it had too few samples to be evaluated). */
  checks: {
    name: CheckName;
    status: CheckResult['status'];
    value: number | null;
    threshold: number;
    failsWhen: 'above' | 'below';
    windowSeconds: number;
    samples: number;
  }[];
  /** ISO 8601. */
  at: string;
}

export interface MonitorDeps {
  config: MonitoringConfig;
  repository: MonitoringRepository;
  /** Enqueues a staff alert's jobs (services.alertStaff); runs inside the state's transaction. */
  alertStaff: (alert: StaffAlert) => void;
  clock: Clock;
  log: Logger;
  /** Default one minute. */
  intervalMs?: number | undefined;
  /** Per webhook attempt; default 10 s. */
  webhookTimeoutMs?: number | undefined;
  /** Before the one retry; default 2 s. */
  webhookRetryDelayMs?: number | undefined;
}

export interface Monitor {
  /** Evaluates every interval from now on (the first evaluation one interval after start). */
  start(): void;
  /** Stops the timer, cuts a webhook post short and waits for a running evaluation. */
  stop(): Promise<void>;
  /** One evaluation now (what the timer runs). */
  evaluate(): Promise<Evaluation>;
}

const RANK: Record<AlertLevel, number> = { ok: 0, warning: 1, critical: 2 };

export function levelOf(checks: readonly CheckResult[]): AlertLevel {
  const failing = checks.filter((c) => c.status === 'failing').length;
  return failing === 0 ? 'ok' : failing === 1 ? 'warning' : 'critical';
}

/**
 * What to send now, and the state to keep. `previous.level` is the level last notified: while the checks
 * stay at or below it (critical falling to warning) nothing is sent before the cooldown, so a level that
 * flaps between warning and critical does not alert every minute.
 */
export function decide(
  previous: MonitorState | undefined,
  level: AlertLevel,
  failing: string[],
  now: number,
  cooldownMs: number,
): { notify: Notification | undefined; state: MonitorState } {
  const notified = previous?.level ?? 'ok';
  if (level === 'ok') {
    return { notify: notified === 'ok' ? undefined : 'resolved', state: { level: 'ok', failing, notifiedAt: undefined, updatedAt: now } };
  }
  if (RANK[level] > RANK[notified] || previous?.notifiedAt === undefined) {
    return { notify: 'alert', state: { level, failing, notifiedAt: now, updatedAt: now } };
  }
  if (now - previous.notifiedAt >= cooldownMs) {
    return { notify: 'reminder', state: { level, failing, notifiedAt: now, updatedAt: now } };
  }
  return { notify: undefined, state: { level: notified, failing, notifiedAt: previous.notifiedAt, updatedAt: now } };
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
const secondsText = (s: number) => `${Math.round(s * 10) / 10} s`;
const windowText = (ms: number) => (ms >= 3600_000 ? `últimas ${Math.round(ms / 3600_000)} h` : `últimos ${Math.round(ms / 60_000)} min`);

/** One line per check, in Spanish like the staff: the value against its threshold, and the window. */
export function checkLine(check: CheckResult): string {
  const window = windowText(check.windowMs);
  const mark = check.status === 'failing' ? '⚠️ ' : '';
  if (check.status === 'insufficient') {
    return `${LABELS[check.name]}: sin datos suficientes (${check.samples} ${UNITS[check.name]}, ${window})`;
  }
  const value = check.value ?? 0;
  switch (check.name) {
    case 'reply_time':
      return `${mark}${LABELS.reply_time}: ${secondsText(value)}; umbral ${secondsText(check.threshold)}; ${window}, ${check.samples} ${UNITS.reply_time}`;
    case 'error_rate':
      return `${mark}${LABELS.error_rate}: ${percent(value)} (${check.count ?? 0} de ${check.samples}); umbral ${percent(check.threshold)}; ${window}`;
    case 'booking_success':
      return `${mark}${LABELS.booking_success}: ${percent(value)} (${check.count ?? 0} de ${check.samples} intentos); umbral mínimo ${percent(check.threshold)}; ${window}`;
    case 'cached_share':
      return `${mark}${LABELS.cached_share}: ${percent(value)}; umbral mínimo ${percent(check.threshold)}; ${window}, ${check.samples} ${UNITS.cached_share} (bajo el umbral, el prefijo de las instrucciones dejó de estar en caché)`;
  }
}

const LABELS: Record<CheckName, string> = {
  reply_time: 'Tiempo de respuesta (p95)',
  error_rate: 'Turnos fallidos',
  booking_success: 'Reservas logradas',
  cached_share: 'Tokens de entrada en caché',
};
const UNITS: Record<CheckName, string> = {
  reply_time: 'respuestas',
  error_rate: 'turnos',
  booking_success: 'intentos',
  cached_share: 'llamadas al modelo',
};

/** The staff alert for a notification. */
export function staffAlertFor(notify: Notification, level: AlertLevel, checks: readonly CheckResult[]): StaffAlert {
  const failing = checks.filter((c) => c.status === 'failing');
  if (notify === 'resolved') {
    return {
      reason: MONITOR_ALERT_REASON,
      title: 'Resuelto: el asistente volvió a la normalidad',
      lines: ['Ningún indicador supera su umbral.', ...checks.map(checkLine)],
    };
  }
  const what = level === 'critical' ? `Alerta crítica: ${failing.length} indicadores fuera de umbral` : 'Advertencia: un indicador fuera de umbral';
  return {
    reason: MONITOR_ALERT_REASON,
    title: notify === 'reminder' ? `Sigue: ${what}` : what,
    lines: [
      ...failing.map(checkLine),
      ...checks.filter((c) => c.status !== 'failing').map(checkLine),
      notify === 'reminder' ? 'Recordatorio: el problema continúa.' : 'Se avisará otra vez si sigue, y cuando se resuelva.',
    ],
  };
}

export function webhookPayload(notify: Notification, level: AlertLevel, checks: readonly CheckResult[], at: number, title: string): WebhookPayload {
  return {
    status: notify === 'resolved' || level === 'ok' ? 'resolved' : level,
    reminder: notify === 'reminder',
    title,
    checks: checks.map((c) => ({
      name: c.name,
      status: c.status,
      value: c.value,
      threshold: c.threshold,
      failsWhen: c.failsWhen,
      windowSeconds: c.windowMs / 1000,
      samples: c.samples,
    })),
    at: new Date(at).toISOString(),
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}

export function createMonitor(deps: MonitorDeps): Monitor {
  const { config, repository, clock } = deps;
  const log = deps.log.child({ component: 'monitor' });
  const intervalMs = deps.intervalMs ?? MONITOR_INTERVAL_MS;
  const webhookTimeoutMs = deps.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const retryDelayMs = deps.webhookRetryDelayMs ?? WEBHOOK_RETRY_DELAY_MS;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function postWebhook(url: string, payload: WebhookPayload): Promise<void> {
    const where = originOf(url); // the path or query may hold a token: only the origin is logged
    for (let attempt = 1; ; attempt++) {
      try {
        await postJson(url, payload, { timeoutMs: webhookTimeoutMs, signal: stopping.signal, label: `alert webhook ${where}` });
        log.info({ webhook: where, status: payload.status }, 'alert webhook posted');
        return;
      } catch (err) {
        if (stopping.signal.aborted) {
          log.warn({ webhook: where, status: payload.status }, 'alert webhook not posted: shutting down');
          return;
        }
        const retryable = err instanceof ChannelError && err.retryable;
        if (attempt >= 2 || !retryable) {
          log.error({ webhook: where, status: payload.status, attempts: attempt, err }, 'alert webhook failed');
          return;
        }
        log.warn({ webhook: where, err }, 'alert webhook failed; retrying once');
        try {
          await sleep(retryDelayMs, undefined, { signal: stopping.signal });
        } catch {
          return;
        }
      }
    }
  }

  async function evaluate(): Promise<Evaluation> {
    const now = clock.now();
    const checks = evaluateChecks(repository, config, now);
    const level = levelOf(checks);
    const failing = checks.filter((c) => c.status === 'failing').map((c) => c.name);
    const { notify, alert } = repository.atomically(() => {
      const decision = decide(repository.state(), level, failing, now, config.cooldownMs);
      repository.saveState(decision.state);
      const staffAlert = decision.notify ? staffAlertFor(decision.notify, level, checks) : undefined;
      if (staffAlert) deps.alertStaff(staffAlert);
      return { notify: decision.notify, alert: staffAlert };
    });
    if (notify && alert) {
      const logFields = { level, notify, failing, checks: checks.map((c) => ({ name: c.name, status: c.status, value: c.value, samples: c.samples })) };
      if (notify === 'resolved') log.info(logFields, 'alert resolved');
      else log.warn(logFields, notify === 'reminder' ? 'alert still firing (reminder sent)' : 'alert fired');
      if (config.webhookUrl) await postWebhook(config.webhookUrl, webhookPayload(notify, level, checks, now, alert.title));
    }
    return { at: now, level, checks, notified: notify };
  }

  const tick = () => {
    if (running) return; // the last evaluation (its webhook post) is still going
    running = evaluate()
      .catch((err: unknown) => log.error({ err }, 'alert evaluation failed'))
      .finally(() => {
        running = undefined;
      });
  };

  return {
    start() {
      if (timer || stopping.signal.aborted) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      stopping.abort();
      await running;
    },
    evaluate,
  };
}

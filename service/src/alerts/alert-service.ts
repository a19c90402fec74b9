/**
 * Alerts: when a workspace's connection breaks (revoked, user frozen or deactivated, a password
 * policy) or its sync failures pass a threshold, Salescaling is told by a signed outbound webhook
 * (`connection.broken`, `sync.failing`) so the admin is emailed; the page shows the same alert.
 * One alert per episode: an episode opens when the condition starts and closes when it ends; the
 * alert row is stored first and delivered (and retried with backoff) from the database, so a
 * restart neither loses nor repeats it. The body carries the alert id for the receiver to dedupe.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { signPayload, SIGNATURE_HEADER } from '../http/webhook-signature.ts';
import type { AlertRecord } from '../store/alerts.ts';
import type { Store } from '../store/types.ts';

export const FAILING_WINDOW_MS = 60 * 60 * 1000;
export const FAILING_THRESHOLD = 5;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

export interface AlertServiceOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly url: string | null;
  /** Signs the body like the inbound webhook (the first WEBHOOK_SECRET). */
  readonly secret: string;
  readonly pollMs?: number;
  readonly threshold?: number;
  readonly fetch?: typeof fetch;
}

export class AlertService {
  readonly #o: AlertServiceOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(options: AlertServiceOptions) {
    this.#o = options;
  }

  /** Opens and closes episodes from what the database holds now. */
  async check(now = Date.now()): Promise<void> {
    const { store } = this.#o;
    for (const c of await store.connections.statuses()) {
      if (c.status === 'broken') {
        if (
          await store.alerts.create({
            alertId: `alert_${randomUUID()}`,
            workspaceId: c.workspaceId,
            kind: 'connection.broken',
            payload: { reason: c.brokenReason ?? 'broken' },
            now,
          })
        )
          this.#o.logger.warn(
            { workspaceId: c.workspaceId, reason: c.brokenReason },
            'alert: connection broken',
          );
      } else await store.alerts.close({ workspaceId: c.workspaceId, kind: 'connection.broken', now });

      const failed = await store.meetingLog.countFailedSince(c.workspaceId, now - FAILING_WINDOW_MS);
      if (failed >= (this.#o.threshold ?? FAILING_THRESHOLD)) {
        if (
          await store.alerts.create({
            alertId: `alert_${randomUUID()}`,
            workspaceId: c.workspaceId,
            kind: 'sync.failing',
            payload: { failed, windowMinutes: FAILING_WINDOW_MS / 60_000 },
            now,
          })
        )
          this.#o.logger.warn({ workspaceId: c.workspaceId, failed }, 'alert: sync failing');
      } else if (failed === 0)
        await store.alerts.close({ workspaceId: c.workspaceId, kind: 'sync.failing', now });
    }
  }

  /** Posts every alert due; a refusal or a network error schedules another attempt. */
  async deliver(now = Date.now()): Promise<number> {
    if (!this.#o.url) return 0;
    let delivered = 0;
    for (const a of await this.#o.store.alerts.undelivered({ now, limit: 20 })) {
      const raw = JSON.stringify(body(a));
      try {
        const res = await (this.#o.fetch ?? fetch)(this.#o.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signPayload(this.#o.secret, raw),
          },
          body: raw,
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await this.#o.store.alerts.delivered(a.alertId, Date.now());
        delivered++;
      } catch (err) {
        const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** a.attempts);
        await this.#o.store.alerts.attemptFailed(a.alertId, {
          error: (err as Error).message,
          nextAttemptAt: now + wait,
        });
        this.#o.logger.warn(
          { alertId: a.alertId, attempt: a.attempts + 1, err: (err as Error).message },
          'alert delivery failed',
        );
      }
    }
    return delivered;
  }

  start(): void {
    const tick = () => {
      this.#running = this.check()
        .then(() => this.deliver())
        .then(() => undefined)
        .catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'alert pass failed'))
        .finally(() => {
          this.#running = null;
          if (this.#timer !== null) this.#timer = setTimeout(tick, this.#o.pollMs ?? 5000);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}

function body(a: AlertRecord) {
  return {
    id: a.alertId,
    type: a.kind,
    createdAt: new Date(a.openedAt).toISOString(),
    workspaceId: a.workspaceId,
    data: a.payload,
  };
}

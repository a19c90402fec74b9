/**
 * The one polling loop of the tests: asks `probe` again and again until `until` accepts what it
 * returned, or the deadline passes. Waiting for a positive with a deadline, never sleeping to prove a
 * negative (COMMON rules of the house). The failure names what was awaited and the last value seen,
 * so a timed-out test reads as "X did not happen; it was Y" instead of a bare assertion.
 */

export interface EventuallyOptions<T> {
  /** Accepts the probe's value; by default any truthy value. */
  until?: (value: T) => boolean;
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** Pause between probes (default 50 ms). */
  intervalMs?: number;
}

/** Thrown when the deadline passes; `last` is the probe's last value. */
export class NotYetError extends Error {
  readonly last: unknown;
  constructor(what: string, timeoutMs: number, last: unknown) {
    super(`${what} did not happen within ${timeoutMs} ms; last seen: ${show(last)}`);
    this.name = 'NotYetError';
    this.last = last;
  }
}

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Resolves with the first value of `probe` that `until` accepts. `what` says what is awaited
 * ("meeting m1 synced"). An error thrown by `probe` ends the wait at once: a failing probe is a
 * failure, not a "not yet".
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: EventuallyOptions<T> = {},
): Promise<T> {
  const { until = Boolean, timeoutMs = 15_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (until(value)) return value;
    if (Date.now() >= deadline) throw new NotYetError(what, timeoutMs, value);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

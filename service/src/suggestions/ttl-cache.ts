/** A small time-bounded cache of promises (concurrent identical look-ups share one call). */
export class TtlCache<V> {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<string, { expires: number; value: Promise<V> }>();
  constructor(ttlMs: number, max = 1_000) {
    this.#ttlMs = ttlMs;
    this.#max = max;
  }
  get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = load();
    this.#entries.set(key, { expires: now + this.#ttlMs, value });
    value.catch(() => this.#entries.delete(key));
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return value;
  }
  clearPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}

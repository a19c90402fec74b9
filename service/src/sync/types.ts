/**
 * The seam between the worker and the sync core: the fence the worker puts around a write that
 * creates records. The sync's input and outcome are domain types (domain/meeting-outcome.ts).
 */

/**
 * What the shell does around a write that creates a meeting's records (issue 14 item 1): the store
 * notes that it started before it is sent, and forgets it once Salesforce answered. A create whose
 * answer was lost (a kill, a timeout) may still land; the worker does not write that meeting again
 * until it settles.
 */
export interface CreateFence {
  /** Before the create is sent; throws (a WriteFenceError) when it must not be sent. */
  beforeCreate(): Promise<void>;
  /** Salesforce answered the create (saved or refused): it cannot land later. */
  answered(): Promise<void>;
}

/** The fence could not be set (lease lost, database away): nothing was sent; try again later. */
export class WriteFenceError extends Error {
  override readonly name = 'WriteFenceError';
}

/**
 * Jest set-up (setupFilesAfterEach in jest.node.config.cjs): a test during which any local org in this
 * process answered 500 UNKNOWN_EXCEPTION fails, naming the requests. The safety net answers such a
 * request as Salesforce would, so without this check a bug in the local org could hide behind a test
 * that expects an error anyway. Orgs started as child processes (`npm run emulator`) report theirs
 * by exiting with status 3 (see emulator/src/cli.ts).
 */
import { takeUnexpectedErrors, type UnexpectedError } from '../../src/index.ts';

export function describeUnexpected(errors: readonly UnexpectedError[]): string {
  return `the local org answered ${errors.length} request(s) with 500 UNKNOWN_EXCEPTION, each a bug in the local org:\n${errors
    .map((u) => `  ${u.method} ${u.path} [${u.errorId}]: ${u.message}`)
    .join('\n')}`;
}

/** Throws when any local org in this process answered 500 UNKNOWN_EXCEPTION since the last check. */
export function assertNoUnexpectedErrors(): void {
  const errors = takeUnexpectedErrors();
  if (errors.length > 0) throw new Error(describeUnexpected(errors));
}

// Jest globals exist only when loaded as a set-up file; the fuzz runner imports the helpers above.
if (typeof afterEach === 'function') {
  afterEach(assertNoUnexpectedErrors);
  // An org used in beforeAll/afterAll: checked once more when the file ends.
  afterAll(assertNoUnexpectedErrors);
}

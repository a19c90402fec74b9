/**
 * The safety net: an unexpected exception in the local org is answered as Salesforce answers an
 * internal error (500, UNKNOWN_EXCEPTION, an error id) and is counted, so that the test which caused
 * it fails (Jest set-up for in-process orgs, exit status 3 for `npm run emulator`).
 */
import { startOrgProcess } from '../../src/cli-process.ts';
import { takeUnexpectedErrors, unexpectedErrors } from '../../src/index.ts';
import { startLoggedIn, V, type Call } from '../support/http.ts';
import type { LocalOrg } from '../../src/index.ts';
import { assertNoUnexpectedErrors } from '../support/no-unexpected-errors.ts';

const MESSAGE =
  /^An unexpected error occurred\. Please include this ErrorId if you contact support: \d+-\d+ \(-?\d+\)$/;

let org: LocalOrg;
let call: Call;
beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());

describe('the local org safety net', () => {
  it('when a request throws unexpectedly, then it answers 500 UNKNOWN_EXCEPTION with an error id and records it', async () => {
    const res = await fetch(`${org.url}/__control/fault?q=secret`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { errorCode: string; message: string }[];
    expect(body).toEqual([{ errorCode: 'UNKNOWN_EXCEPTION', message: expect.stringMatching(MESSAGE) }]);
    const id = body[0]!.message.split(': ')[1];
    expect(org.unexpectedErrors()).toEqual([
      { errorId: id, method: 'GET', path: '/__control/fault', message: expect.any(String) },
    ]);
    const listed = (await (await fetch(`${org.url}/__control/unexpected`)).json()) as unknown[];
    expect(listed).toHaveLength(1);
    // The process-wide list has it too; the check after each test would fail this test on it.
    expect(unexpectedErrors().map((u) => u.errorId)).toEqual([id]);
    expect(() => assertNoUnexpectedErrors()).toThrow(/1 request\(s\) with 500 UNKNOWN_EXCEPTION/);
    // The check forgot it (it failed once); the org itself still lists it.
    expect(takeUnexpectedErrors()).toEqual([]);
    expect(org.unexpectedErrors()).toHaveLength(1);
  });

  it('when the API answers its ordinary errors, then nothing is recorded as unexpected', async () => {
    const before = org.unexpectedErrors().length;
    expect((await call('GET', `${V}/query?q=${encodeURIComponent('SELECT FROM')}`)).status).toBe(400);
    expect((await call('GET', `${V}/sobjects/Nope__c`)).status).toBe(404);
    expect(org.unexpectedErrors()).toHaveLength(before);
  });

  it('when the org runs as a child process and hit an unexpected error, then it exits with status 3', async () => {
    const { child, line } = await startOrgProcess(['--port', '0', '--json'], { stderr: 'pipe' });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const { url } = JSON.parse(line) as { url: string };
    expect((await fetch(`${url}/__control/fault`)).status).toBe(500);
    child.kill('SIGTERM');
    expect(await exited).toBe(3);
    expect(err).toContain('1 request(s) answered 500 UNKNOWN_EXCEPTION');
  });
});

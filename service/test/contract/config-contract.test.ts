/**
 * CONTRACT §3: the documented defaults, and each missing or malformed required variable stopping
 * `npm start` with one clear line naming it.
 */
import { loadConfig } from '../../src/config.ts';
import { runMain } from '../support/child-service.ts';
import { configProblems, testEnv } from '../support/service.ts';

const required = {
  SALESFORCE_CLIENT_ID: '3MVG9client',
  SALESFORCE_CLIENT_SECRET: 'client-secret',
  SALESCALING_API_TOKEN: 'short-token',
  WEBHOOK_SECRET: 'whsec',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('service configuration (CONTRACT §3)', () => {
  it('when only the required variables are set, then every default is the documented one', () => {
    const c = loadConfig(required);
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      databaseUrl: 'sqlite:./data/salescaling.db',
      salesforce: { loginUrl: 'https://login.salesforce.com', apiVersion: '66.0' },
      apiToken: 'short-token',
      webhookSecrets: ['whsec'],
    });
    expect(loadConfig({ ...required, PORT: '4100' }).publicUrl).toBe('http://localhost:4100');
    expect(loadConfig({ ...required, PUBLIC_URL: 'https://sf.example.com/' }).publicUrl).toBe(
      'https://sf.example.com',
    );
  });

  it('when WEBHOOK_SECRET lists several secrets, then each is kept, blanks trimmed; a list of nothing is refused', () => {
    expect(loadConfig({ ...required, WEBHOOK_SECRET: 'new, old ,' }).webhookSecrets).toEqual(['new', 'old']);
    expect(configProblems({ ...required, WEBHOOK_SECRET: ' , ,' })).toEqual([
      'WEBHOOK_SECRET must hold at least one secret (comma-separated)',
    ]);
  });

  it('when TOKEN_ENCRYPTION_KEY is not exactly 32 bytes of base64, then it alone is named', () => {
    for (const key of [
      Buffer.alloc(31, 1).toString('base64'),
      Buffer.alloc(33, 1).toString('base64'),
      Buffer.alloc(32, 1).toString('hex'),
      'not base64 at all!!',
    ]) {
      const lines = configProblems({ ...required, TOKEN_ENCRYPTION_KEY: key });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^TOKEN_ENCRYPTION_KEY .*32 bytes/);
    }
    expect(loadConfig(required).tokenEncryptionKeys[0]).toEqual(Buffer.alloc(32, 7));
  });

  it('when an optional variable is malformed, then it is named on its own line', () => {
    const cases: Record<string, string> = {
      PORT: 'eighty',
      PUBLIC_URL: 'not a url',
      DATABASE_URL: 'mysql://db',
      SALESFORCE_LOGIN_URL: 'ftp://login.salesforce.com',
      SALESFORCE_API_VERSION: 'v66',
    };
    for (const [name, value] of Object.entries(cases)) {
      const lines = configProblems({ ...required, [name]: value });
      expect([name, lines.length]).toEqual([name, 1]);
      expect(lines[0]?.startsWith(`${name} `)).toBe(true);
    }
  });

  it('when npm start runs without one required variable, then it exits 1 with one line naming it', () => {
    for (const name of Object.keys(required)) {
      const env: Record<string, string> = { ...required };
      delete env[name];
      const result = runMain(env);
      expect([name, result.status]).toEqual([name, 1]);
      const lines = result.stderr.trim().split('\n');
      expect(lines.filter((l) => l.includes(name))).toEqual([`  ${name} is required`]);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('when npm start runs with a malformed key, then it exits 1 naming TOKEN_ENCRYPTION_KEY and not the others', () => {
    const result = runMain({ ...testEnv(), TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    expect(result.stderr).not.toContain('c2hvcnQ='); // the value itself is never echoed
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});

import { loadConfig } from '../../src/config.ts';
import { runMain } from '../support/child-service.ts';
import { configProblems, testEnv } from '../support/service.ts';

describe('configuration', () => {
  it('when every secret is missing, then each is named on its own line', () => {
    const lines = configProblems({});
    expect(lines).toEqual(
      expect.arrayContaining([
        'SALESFORCE_CLIENT_ID is required',
        'SALESFORCE_CLIENT_SECRET is required',
        'SALESCALING_API_TOKEN is required',
        'WEBHOOK_SECRET is required',
        'TOKEN_ENCRYPTION_KEY is required',
      ]),
    );
    expect(lines).toHaveLength(5);
  });

  it('when values are malformed, then the variable and the problem are named', () => {
    const lines = configProblems(
      testEnv({
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64'),
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
      }),
    );
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('TOKEN_ENCRYPTION_KEY'))).toMatch(/32 bytes/);
    expect(lines.some((l) => l.startsWith('PORT'))).toBe(true);
    expect(lines.some((l) => l.startsWith('DATABASE_URL'))).toBe(true);
  });

  it('when only the secrets are given, then the documented defaults apply', () => {
    const env = testEnv();
    delete env['PORT'];
    delete env['HOST'];
    delete env['LOG_LEVEL'];
    const c = loadConfig({ ...env, WEBHOOK_SECRET: 'old, new' });
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.databaseUrl).toBe('sqlite:./data/salescaling.db');
    expect(c.salesforce.loginUrl).toBe('https://login.salesforce.com');
    expect(c.salesforce.apiVersion).toBe('66.0');
    expect(c.webhookSecrets).toEqual(['old', 'new']);
  });

  it('when npm start runs with a bad environment, then it exits 1 naming the variables', () => {
    const result = runMain({ WEBHOOK_SECRET: 'x' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SALESFORCE_CLIENT_ID is required');
    expect(result.stderr).toContain('TOKEN_ENCRYPTION_KEY is required');
    expect(result.stderr).not.toContain('WEBHOOK_SECRET');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

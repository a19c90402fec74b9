/**
 * GET /openapi.json, as the service serves it, passes Redocly's recommended rules strictly
 * (`redocly lint --extends recommended-strict`: every warning an error), and follows the document's
 * own rules: an operationId and `security` on every operation, bodies as shared components, and the
 * error statuses each kind of operation can answer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestService, type TestService } from '../support/service.ts';

jest.setTimeout(120_000);

const run = promisify(execFile);
const REDOCLY = path.join(process.cwd(), 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface Operation {
  operationId?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { $ref?: string; type?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string; type?: string } }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe('/openapi.json', () => {
  let svc: TestService;
  let doc: Document;
  let text: string;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([m, op]) => ({ at: `${m} ${p}`, op })),
    );

  beforeAll(async () => {
    // A deployment's public URL: Redocly's no-server-example.com rightly flags localhost servers.
    svc = await startTestService({ PUBLIC_URL: 'https://sync.salescaling.io' });
    text = await (await fetch(`${svc.url}/openapi.json`)).text();
    doc = JSON.parse(text) as Document;
  });
  afterAll(async () => {
    await svc?.dispose();
  });

  it("when linted with Redocly's recommended-strict rules, then there is not one problem", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'salescaling-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, text);
      const result = await run(
        process.execPath,
        [REDOCLY, 'lint', '--extends', 'recommended-strict', '--format', 'json', file],
        {
          cwd: dir,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          timeout: 90_000,
        },
      ).catch((error: { stdout?: string; code?: number }) => ({
        stdout: error.stdout ?? '',
        failed: error.code,
      }));
      const report = JSON.parse(result.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect('failed' in result).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when read, then every operation has an operationId and security, and its JSON bodies are shared components', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { at, op } of operations()) {
      expect([at, Array.isArray(op.security)]).toEqual([at, true]);
      const bodies = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
      ].filter((_, i, all) => all[i] !== undefined);
      for (const body of bodies) {
        if (body.schema.type === 'string') continue; // /metrics: text
        expect([at, body.schema.$ref]).toEqual([at, expect.stringMatching(/^#\/components\/schemas\/\w+$/)]);
      }
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ErrorBody', 'MeetingEvent']),
    );
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'webhookSignature']);
  });

  it('when an operation needs the token or takes a body, then its 401, 400, 413, 415, 422 are documented, and every one its 405 and 500', () => {
    for (const { at, op } of operations()) {
      const codes = Object.keys(op.responses);
      const needs = ['405', '500'];
      if (JSON.stringify(op.security).includes('bearer')) needs.push('401');
      if (op.requestBody) needs.push('400', '413', '422');
      if (op.requestBody && JSON.stringify(op.security).includes('bearer')) needs.push('415');
      expect([at, codes]).toEqual([at, expect.arrayContaining(needs)]);
      for (const code of codes.filter((c) => /^[45]/.test(c))) {
        expect([at, code, op.responses[code]?.content?.['application/json']?.schema.$ref]).toEqual([
          at,
          code,
          '#/components/schemas/ErrorBody',
        ]);
      }
    }
  });
});

/**
 * Salesforce Code Analyzer (its engines through @salesforce/code-analyzer-core) over force-app/ with
 * the Recommended, AppExchange and Security rules: no finding of severity 1 (Critical) or 2 (High).
 * A planted violation proves the run can fail.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyze, javaAvailable } from '../code-analyzer.ts';

describe('Salesforce Code Analyzer', () => {
  it('when force-app is analysed with the Recommended, AppExchange and Security rules, then nothing of severity 1-2 is found', async () => {
    const result = await analyze();
    // Every engine ran (an engine that fails only logs; a silent skip would read as "clean"). The one
    // allowed exception: a machine with nothing but Node and npm has no Java for pmd; that is said
    // in one line and the other engines still decide.
    const noJava = result.warnings.filter((w) => w.startsWith('pmd: no `java`'));
    for (const line of noJava) console.warn(`Code Analyzer: ${line}`);
    expect(result.warnings.filter((w) => !noJava.includes(w))).toEqual([]);
    expect(result.engines).toEqual(
      expect.arrayContaining(['eslint', 'regex', 'retire-js', ...(javaAvailable() ? ['pmd'] : [])]),
    );
    expect(result.rules).toBeGreaterThan(100);
    const blocking = result.findings.filter((f) => f.severity <= 2);
    expect(blocking).toEqual([]);
  }, 240_000);

  it('when a component writes innerHTML, then the same run reports it at severity 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'salescaling-analyzer-'));
    try {
      const lwc = path.join(dir, 'force-app', 'main', 'default', 'lwc', 'unsafe');
      mkdirSync(lwc, { recursive: true });
      writeFileSync(path.join(dir, 'sfdx-project.json'), '{"packageDirectories":[{"path":"force-app"}]}');
      writeFileSync(path.join(lwc, 'unsafe.html'), '<template><div></div></template>\n');
      writeFileSync(
        path.join(lwc, 'unsafe.js'),
        [
          "import { LightningElement, api } from 'lwc';",
          'export default class Unsafe extends LightningElement {',
          '  @api value;',
          '  renderedCallback() {',
          "    this.template.querySelector('div').innerHTML = this.value;",
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      const result = await analyze(dir, { engines: ['eslint'] });
      expect(result.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            rule: '@lwc/lwc/no-inner-html',
            severity: 2,
            file: 'force-app/main/default/lwc/unsafe/unsafe.js',
          }),
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

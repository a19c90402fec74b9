/**
 * Salesforce Code Analyzer over force-app/, without the sf plugin (it cannot be installed offline):
 * @salesforce/code-analyzer-core drives the engine packages directly, with the rules the plugin's
 * `sf code-analyzer run` would pick for a security review: the Recommended set plus every rule tagged
 * AppExchange or Security.
 *
 *   node scripts/code-analyzer.ts            print every finding; exit 1 on any of severity 1-2
 *
 * Engines: eslint, regex, retire-js always; pmd (and its AppExchange rules, on the metadata XML and
 * HTML; JavaScript is eslint's, see below) needs Java 11+ on PATH,
 * which this project's machines have (Java 17) but a bare Node machine may not: without it pmd is left
 * out with one warning line, and the other engines still run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  CodeAnalyzer,
  CodeAnalyzerConfig,
  EventType,
  LogLevel,
  SeverityLevel,
  type EngineLogEvent,
  type LogEvent,
} from '@salesforce/code-analyzer-core';
import * as eslintEngine from '@salesforce/code-analyzer-eslint-engine';
import * as pmdEngine from '@salesforce/code-analyzer-pmd-engine';
import * as regexEngine from '@salesforce/code-analyzer-regex-engine';
import * as retireJsEngine from '@salesforce/code-analyzer-retirejs-engine';
import { runIfMain } from './lib/cli.ts';
import { buildLwc, staleSources } from './lwc-build.ts';
import { findProjectRoot } from './lib/project-root.ts';

export const SELECTORS = ['Recommended', 'AppExchange', 'Security'] as const;

export interface Finding {
  readonly engine: string;
  readonly rule: string;
  readonly severity: SeverityLevel;
  readonly file: string;
  readonly line: number | undefined;
  readonly message: string;
}

export interface AnalysisResult {
  readonly engines: readonly string[];
  readonly rules: number;
  readonly findings: readonly Finding[];
  readonly warnings: readonly string[];
}

export function javaAvailable(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return result.status === 0;
}

export interface AnalyzeOptions {
  /** Folder analysed (default force-app/ of the project). */
  readonly target?: string;
  /** Engines to use (default all four; pmd only with Java). */
  readonly engines?: readonly ('eslint' | 'regex' | 'retire-js' | 'pmd')[];
}

export async function analyze(
  root: string = findProjectRoot(),
  options: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  const use = new Set(options.engines ?? ['eslint', 'regex', 'retire-js', 'pmd']);
  const warnings: string[] = [];
  // What ships is the components' compiled .js, a build output git does not hold: in a fresh clone it
  // is missing until something builds it, and retire-js, finding no JavaScript, selects no rule and
  // silently does not run. So the project's own components are built first when stale, as the LWC
  // preview does.
  if (options.target === undefined && staleSources(root).length > 0) buildLwc(root);
  const config = CodeAnalyzerConfig.fromObject(
    {
      // Only what ships: the components' compiled .js is a build output next to its .ts source, and
      // the tests, mocks and TypeScript declarations are not deployed (.forceignore).
      ignores: {
        files: [
          '**/__tests__/**',
          '**/*.d.ts',
          '**/force-app/test/**',
          '**/jsconfig.json',
          '**/tsconfig.json',
        ],
      },
      log_level: LogLevel.Error,
      engines: {
        // PMD's JavaScript parser (Rhino) stops at ES2019+ syntax such as `catch {}` that the compiled
        // components use (a processing error, not a finding), so PMD reads the metadata (XML, HTML)
        // and eslint, whose parser knows current JavaScript, covers the .js.
        pmd: { file_extensions: { javascript: [] } },
      },
    },
    root,
  );
  const analyzer = new CodeAnalyzer(config);
  // An engine that cannot run says so only in the log: such lines are returned, so a caller can
  // tell "no findings" from "not analysed".
  analyzer.onEvent(EventType.LogEvent, (event: LogEvent) => {
    if (event.logLevel <= LogLevel.Error) warnings.push(event.message);
  });
  analyzer.onEvent(EventType.EngineLogEvent, (event: EngineLogEvent) => {
    if (event.logLevel <= LogLevel.Error) warnings.push(`${event.engineName}: ${event.message}`);
  });
  if (use.has('eslint')) await analyzer.addEnginePlugin(eslintEngine.createEnginePlugin());
  if (use.has('regex')) await analyzer.addEnginePlugin(regexEngine.createEnginePlugin());
  if (use.has('retire-js')) await analyzer.addEnginePlugin(retireJsEngine.createEnginePlugin());
  if (use.has('pmd')) {
    if (javaAvailable()) await analyzer.addEnginePlugin(pmdEngine.createEnginePlugin());
    else warnings.push('pmd: no `java` on PATH (Java 11+ needed); its rules were not run');
  }

  // force-app/main: what deploys (force-app/test holds the Jest mocks).
  const workspace = await analyzer.createWorkspace([options.target ?? path.join(root, 'force-app', 'main')]);
  const selection = await analyzer.selectRules([...SELECTORS], { workspace });
  const results = await analyzer.run(selection, { workspace });
  const findings = results.getViolations().map((v) => ({
    engine: v.getRule().getEngineName(),
    rule: v.getRule().getName(),
    severity: v.getRule().getSeverityLevel(),
    file: path.relative(root, v.getPrimaryLocation().getFile() ?? ''),
    line: v.getPrimaryLocation().getStartLine(),
    message: v.getMessage(),
  }));
  return { engines: results.getEngineNames(), rules: selection.getCount(), findings, warnings };
}

const USAGE = `Usage: node scripts/code-analyzer.ts

Runs Salesforce Code Analyzer's engines (eslint, regex, retire-js, pmd when Java is on PATH) over
force-app/ with the ${SELECTORS.join(', ')} rules; prints every finding and exits 1 on any of
severity 1 (Critical) or 2 (High). --help prints this text.`;

async function main(): Promise<void> {
  const result = await analyze();
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  for (const f of result.findings) {
    console.log(`sev ${f.severity}  ${f.engine}:${f.rule}  ${f.file}:${f.line ?? '?'}  ${f.message}`);
  }
  const blocking = result.findings.filter((f) => f.severity <= SeverityLevel.High);
  console.log(
    `${result.rules} rules from ${result.engines.join(', ')}: ${result.findings.length} finding(s), ${blocking.length} of severity 1-2`,
  );
  if (blocking.length > 0) process.exitCode = 1;
}

runIfMain('code-analyzer.ts', main, USAGE);

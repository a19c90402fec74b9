// Compiles the Lightning web components' TypeScript to the .js the platform deploys, next to each
// source, as the sf CLI's TypeScript LWC template does (`tsc` with force-app/tsconfig.json).
// It removes every .js in those bundles that no source produces any more, and all of them when the
// source does not compile, so a deploy, a test or the preview never picks up JavaScript older than
// its source.
//
//   npx node scripts/lwc-build.ts            compile
//   npx node scripts/lwc-build.ts --check    fail when a compiled .js is missing or out of date
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { runIfMain } from './lib/cli.ts';
import { findProjectRoot } from './lib/project-root.ts';

export type LwcBuildResult = { emitted: string[]; removed: string[] };

function lwcDir(root: string): string {
  return path.join(root, 'force-app', 'main', 'default', 'lwc');
}

/** Component bundles that have TypeScript sources, with those sources (tests and .d.ts excluded). */
function typeScriptBundles(root: string): Map<string, string[]> {
  const bundles = new Map<string, string[]>();
  const base = lwcDir(root);
  if (!existsSync(base)) return bundles;
  for (const name of readdirSync(base)) {
    const dir = path.join(base, name);
    if (!statSync(dir).isDirectory()) continue;
    const sources = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => path.join(dir, file));
    if (sources.length > 0) bundles.set(dir, sources);
  }
  return bundles;
}

/** The .js files in bundles written in TypeScript: all of them are build outputs. */
function compiledFiles(root: string): string[] {
  return [...typeScriptBundles(root).keys()].flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith('.js'))
      .map((file) => path.join(dir, file)),
  );
}

/**
 * Writes a compiled file so that a reader running at the same time (a deploy, a test, the
 * preview) sees the old file or the new one, never half of one: unchanged files are only touched,
 * changed ones are written beside and renamed over.
 */
function writeAtomically(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) {
    const now = new Date();
    utimesSync(file, now, now);
    return;
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[], root: string): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}

/** Compiles every component's TypeScript; throws with the compiler's messages when it fails. */
export function buildLwc(root: string = findProjectRoot()): LwcBuildResult {
  const configPath = path.join(root, 'force-app', 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => readFileSync(file, 'utf8'));
  if (config.error) throw new Error(formatDiagnostics([config.error], root));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  if (parsed.errors.length > 0) throw new Error(formatDiagnostics(parsed.errors, root));

  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const outputs = new Map<string, string>();
  const result = program.emit(undefined, (fileName, text) => outputs.set(path.resolve(fileName), text));
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0 || result.emitSkipped) {
    // Whatever was compiled before no longer matches the source: leave nothing to deploy.
    compiledFiles(root).forEach((file) => rmSync(file, { force: true }));
    throw new Error(`LWC TypeScript did not compile:\n${formatDiagnostics(diagnostics, root)}`);
  }
  for (const [file, text] of outputs) writeAtomically(file, text);
  const removed = compiledFiles(root).filter((file) => !outputs.has(file));
  removed.forEach((file) => rmSync(file, { force: true }));
  const emitted = [...outputs.keys()];
  return { emitted: emitted.sort(), removed };
}

/** The sources whose compiled .js is missing or older than the source. */
export function staleSources(root: string = findProjectRoot()): string[] {
  const stale: string[] = [];
  for (const sources of typeScriptBundles(root).values()) {
    for (const source of sources) {
      const compiled = source.replace(/\.ts$/, '.js');
      if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) stale.push(source);
    }
  }
  return stale;
}

function main(): void {
  const root = findProjectRoot();
  if (process.argv.includes('--check')) {
    const stale = staleSources(root);
    if (stale.length > 0) {
      console.error(`Compiled LWC JavaScript is missing or stale for:\n  ${stale.join('\n  ')}`);
      console.error('Run: npm run lwc:build');
      process.exit(1);
    }
    return;
  }
  const { emitted } = buildLwc(root);
  console.log(
    `Compiled ${emitted.length} LWC module(s): ${emitted.map((f) => path.relative(root, f)).join(', ')}`,
  );
}

const USAGE = `Usage: npm run lwc:build      compile each component's TypeScript into the .js beside it
       npm run lwc:check      exit 1 naming every compiled .js that is missing or older than its .ts
  --check   as lwc:check
  --help    this text`;

runIfMain('lwc-build.ts', main, USAGE);

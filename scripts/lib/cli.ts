import path from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** With --help or -h among the arguments, prints `usage` and ends the process (exit 0) before anything runs. */
export function answersHelp(usage: string, args: readonly string[] = process.argv.slice(2)): boolean {
  if (!args.includes('--help') && !args.includes('-h')) return false;
  console.log(usage.trimEnd());
  process.exit(0);
}

/**
 * A script's flags, strictly parsed: --help or -h prints `usage` and exits 0; an unknown or malformed
 * flag prints what is wrong and exits 2, before anything runs.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(options: O, usage: string) {
  answersHelp(usage);
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)} (see --help)`);
    process.exit(2);
  }
}

/**
 * Runs `main` when `file` is the script Node was started with, not when a test imports the module;
 * a failure prints its message alone (no stack) and exits 1.
 */
export function runIfMain(file: string, main: () => void | Promise<void>, usage?: string): void {
  if (!process.argv[1] || path.basename(process.argv[1]) !== file) return;
  if (usage !== undefined && answersHelp(usage)) return;
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}

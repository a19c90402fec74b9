import path from 'node:path';

/**
 * Runs `main` when `file` is the script Node was started with, not when a test imports the module;
 * a failure prints its message alone (no stack) and exits 1.
 */
export function runIfMain(file: string, main: () => void | Promise<void>): void {
  if (!process.argv[1] || path.basename(process.argv[1]) !== file) return;
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}

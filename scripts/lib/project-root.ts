import { existsSync } from 'node:fs';
import path from 'node:path';

/** The folder holding sfdx-project.json, found by walking up from `start` (default: the working directory). */
export function findProjectRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'sfdx-project.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No sfdx-project.json in ${start} or any folder above it`);
    dir = parent;
  }
}

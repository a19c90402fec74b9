/**
 * Loads marked and sanitize-html through Node's own `require`. Both now ship ES modules (marked ≥ 16
 * itself, sanitize-html through htmlparser2 10), which Jest — transforming to CommonJS and leaving
 * node_modules untransformed — cannot load, while Node 24 can (`require` of ES modules). Node's
 * `require` is reached via `process.getBuiltinModule`, which Jest does not intercept, and resolves
 * from the service package, so the same code runs under Jest and in production. Once the Jest config
 * transforms these packages (`transformIgnorePatterns`), plain imports can replace this file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as MarkedModule from 'marked';
import type SanitizeHtml from 'sanitize-html';

function servicePackageJson(): string {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(path.join(dir, 'sfdx-project.json'))) return path.join(dir, 'service', 'package.json');
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error('cannot find the repository root (sfdx-project.json) from the working directory');
    }
    dir = parent;
  }
}

let nodeRequire: NodeJS.Require | undefined;

function load(name: string): unknown {
  nodeRequire ??= process.getBuiltinModule('node:module').createRequire(servicePackageJson());
  return nodeRequire(name);
}

let marked: typeof MarkedModule | undefined;
let sanitize: typeof SanitizeHtml | undefined;

export function markedModule(): typeof MarkedModule {
  marked ??= load('marked') as typeof MarkedModule;
  return marked;
}

export function sanitizeHtmlModule(): typeof SanitizeHtml {
  sanitize ??= load('sanitize-html') as typeof SanitizeHtml;
  return sanitize;
}

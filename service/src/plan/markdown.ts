/**
 * Markdown → HTML with `marked`. marked ≥ 16 ships only as an ES module, which Jest (transforming to
 * CommonJS, node_modules untransformed) cannot `require`. Node 24 itself can: this loads marked through
 * Node's own `require` (reached via `process.getBuiltinModule`, which Jest does not intercept), resolved
 * from the service package, so the same code runs under Jest and in production. If the Jest config
 * transforms marked (`transformIgnorePatterns`), a plain `import { marked } from 'marked'` can replace it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as MarkedModule from 'marked';

function servicePackageJson(): string {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(path.join(dir, 'sfdx-project.json'))) return path.join(dir, 'service', 'package.json');
    if (existsSync(path.join(dir, 'package.json')) && path.basename(dir) === 'service') {
      return path.join(dir, 'package.json');
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the repository root (sfdx-project.json) from the working directory');
    dir = parent;
  }
}

let loaded: typeof MarkedModule | undefined;

function markedModule(): typeof MarkedModule {
  if (loaded === undefined) {
    const nodeModule = process.getBuiltinModule('node:module');
    loaded = nodeModule.createRequire(servicePackageJson())('marked') as typeof MarkedModule;
  }
  return loaded;
}

/** GitHub-flavoured Markdown to (unsanitized) HTML. */
export function markdownToHtml(markdown: string): string {
  const { Marked } = markedModule();
  // A private instance: no global options shared with anything else in the process.
  return new Marked({ gfm: true, breaks: false, async: false }).parse(markdown, { async: false });
}

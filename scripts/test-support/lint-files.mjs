// Lints files with the repository's ESLint config through ESLint's Node API, in a process of its own:
// Jest's CommonJS sandbox cannot import() the flat config. Usage: node lint-files.mjs <cwd> <file>...
// Prints [{ file, messages: [{ ruleId, message }] }] as JSON, files relative to <cwd>.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const [cwd, ...files] = process.argv.slice(2);
const config = fileURLToPath(new URL('../../eslint.config.js', import.meta.url));
const eslint = new ESLint({ cwd, overrideConfigFile: config });
const results = await eslint.lintFiles(files);
process.stdout.write(
  JSON.stringify(
    results.map((r) => ({
      file: path.relative(cwd, r.filePath),
      messages: r.messages.map(({ ruleId, message }) => ({ ruleId, message })),
    })),
  ),
);

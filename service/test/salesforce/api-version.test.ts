import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SALESFORCE_API_VERSION } from '../../src/salesforce/api-version.ts';

function projectFile(): string {
  let dir = process.cwd();
  while (!readdirHas(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('sfdx-project.json not found');
    dir = parent;
  }
  return path.join(dir, 'sfdx-project.json');
}

function readdirHas(dir: string): boolean {
  try {
    readFileSync(path.join(dir, 'sfdx-project.json'));
    return true;
  } catch {
    return false;
  }
}

describe('API version', () => {
  it('when the service calls Salesforce, then it uses the package’s sourceApiVersion', () => {
    const project = JSON.parse(readFileSync(projectFile(), 'utf8')) as { sourceApiVersion: string };
    expect(SALESFORCE_API_VERSION).toBe(project.sourceApiVersion);
  });
});

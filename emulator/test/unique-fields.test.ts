/**
 * Unique fields as Salesforce enforces them, read from the field metadata: a duplicate value is a 400
 * DUPLICATE_VALUE naming the field; a case-sensitive field tells "ABC" from "abc", a case-insensitive
 * one does not; an Activity field's uniqueness holds per Event and per Task; a graph holding a
 * duplicate writes nothing. And the write-latency knob: a slow write commits at the end of its delay,
 * even when its caller has gone.
 */
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

describe('unique fields', () => {
  let org: LocalOrg;
  let call: Call;
  let token: string;
  beforeAll(async () => {
    ({ org, call, token } = await startLoggedIn());
  });
  afterAll(() => org.stop());
  const count = async (q: string): Promise<number> =>
    ((await call('GET', `${V}/query?q=${encodeURIComponent(q)}`)).body as Json).totalSize as number;

  it('when the package meeting id is described, then it is a unique, case-sensitive external id on Event and Task', async () => {
    for (const type of ['Event', 'Task']) {
      const d = (await call('GET', `${V}/sobjects/${type}/describe`)).body as Json;
      const f = (d.fields as Json[]).find((x) => x.name === 'Salescaling_Meeting_Id__c');
      expect(f).toMatchObject({ unique: true, caseSensitive: true, externalId: true, idLookup: true });
    }
  });

  it('when a second Event carries the same meeting id, then 400 DUPLICATE_VALUE and one Event; another case or a Task is a different value', async () => {
    const first = await call('POST', `${V}/sobjects/Event`, event('mtg_under_X'));
    expect(first.status).toBe(201);
    const again = await call('POST', `${V}/sobjects/Event`, event('mtg_under_X'));
    expect(again.status).toBe(400);
    expect(again.body).toEqual([
      {
        message: `duplicate value found: Salescaling_Meeting_Id__c duplicates value on record with id: ${(first.body as Json).id}`,
        errorCode: 'DUPLICATE_VALUE',
        fields: ['Salescaling_Meeting_Id__c'],
      },
    ]);
    expect((await call('POST', `${V}/sobjects/Event`, event('MTG_UNDER_X'))).status).toBe(201);
    const task = await call('POST', `${V}/sobjects/Task`, {
      Subject: 'Notes',
      Status: 'Completed',
      Salescaling_Meeting_Id__c: 'mtg_under_X',
    });
    expect(task.status).toBe(201);
    // SOQL compares a unique, case-sensitive field case-sensitively, every other field not
    expect(await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_under_X'`)).toBe(1);
    expect(await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'MTG_UNDER_X'`)).toBe(1);
    expect(await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_under_x'`)).toBe(0);
    expect(await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c IN ('mtg_under_X', 'x')`)).toBe(
      1,
    );
    expect(await count(`SELECT Id FROM Event WHERE Subject = 'MEETING'`)).toBeGreaterThanOrEqual(2);
    // an update onto another record's value is refused too
    const other = await call('POST', `${V}/sobjects/Event`, event('mtg_other'));
    const patch = await call('PATCH', `${V}/sobjects/Event/${(other.body as Json).id}`, {
      Salescaling_Meeting_Id__c: 'mtg_under_X',
    });
    expect(patch.status).toBe(400);
    expect((patch.body as Json)[0].errorCode).toBe('DUPLICATE_VALUE');
  });

  it('when a graph creates an Event with a taken meeting id, then the whole graph fails and its note is not written', async () => {
    await call('POST', `${V}/sobjects/Event`, event('mtg_graph'));
    const notesBefore = await count('SELECT Id FROM ContentNote');
    const res = await call('POST', `${V}/composite/graph`, {
      graphs: [
        {
          graphId: 'g',
          compositeRequest: [
            { method: 'POST', url: `${V}/sobjects/ContentNote`, referenceId: 'note', body: { Title: 'n' } },
            { method: 'POST', url: `${V}/sobjects/Event`, referenceId: 'event', body: event('mtg_graph') },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const g = (res.body as Json).graphs[0];
    expect(g.isSuccessful).toBe(false);
    const eventResult = (g.graphResponse.compositeResponse as Json[]).find((r) => r.referenceId === 'event');
    expect(eventResult.body[0].errorCode).toBe('DUPLICATE_VALUE');
    expect(await count('SELECT Id FROM ContentNote')).toBe(notesBefore);
    expect(await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_graph'`)).toBe(1);
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
      let seen = 0;
      for (let i = 0; i < 100 && seen === 0; i++) {
        seen = await count(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_slow'`);
        if (seen === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toBe(1);
    } finally {
      org.setKnobs({ writeLatencyMs: 0 });
    }
  });
});

describe('a case-insensitive unique field', () => {
  let dir: string;
  let org: LocalOrg;
  let call: Call;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'localorg-unique-'));
    const fields = join(dir, 'force-app', 'main', 'default', 'objects', 'Account', 'fields');
    mkdirSync(fields, { recursive: true });
    writeFileSync(
      join(dir, 'sfdx-project.json'),
      '{"packageDirectories":[{"path":"force-app","default":true}]}',
    );
    writeFileSync(
      join(fields, 'Code__c.field-meta.xml'),
      '<?xml version="1.0" encoding="UTF-8"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Code__c</fullName><label>Code</label><type>Text</type><length>20</length><unique>true</unique><caseSensitive>false</caseSensitive><externalId>true</externalId></CustomField>',
    );
    ({ org, call } = await startLoggedIn({ projectRoot: dir }));
  });
  afterAll(async () => {
    await org.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when "abc" is taken, then "ABC" is a duplicate', async () => {
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

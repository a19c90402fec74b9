/**
 * A customer's own rules on Event and Task (the customerRules knob): validation rules, required custom
 * fields, picklists without "Meeting", restricted picklists. Writes over jsforce and plain REST are
 * refused with Salesforce's codes and leave nothing behind; describe shows the rules.
 */
import { Connection, OAuth2 } from 'jsforce';
import { startOrgProcess } from '../src/cli-process.ts';
import type { LocalOrg } from '../src/index.ts';
import { NO_CUSTOMER_RULES } from '../src/org/customer-rules.ts';
import { client, passwordToken, startLoggedIn, V, type Call, type Json } from './support/http.ts';

let org: LocalOrg;
let call: Call;
let conn: Connection;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
  conn = new Connection({
    oauth2: new OAuth2({ loginUrl: org.url, clientId: org.clientId, clientSecret: org.clientSecret }),
    version: '66.0',
  });
  await conn.login(org.username, org.password);
});
afterAll(() => org.stop());
afterEach(() => org.setKnobs({ customerRules: NO_CUSTOMER_RULES }));

const event = (extra: Record<string, unknown> = {}) => ({
  Subject: 'Salescaling meeting',
  StartDateTime: '2026-11-20T16:00:00Z',
  DurationInMinutes: 30,
  ...extra,
});
const count = async (where: string): Promise<number> =>
  (await call('GET', `${V}/query?q=${encodeURIComponent(`SELECT COUNT() FROM Event WHERE ${where}`)}`)).body
    .totalSize as number;
const setRules = async (rules: unknown) => {
  const res = await fetch(`${org.url}/__control/knobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerRules: rules }),
  });
  return { status: res.status, body: (await res.json()) as Json };
};
const describeField = async (object: string, name: string): Promise<Json> =>
  ((await call('GET', `${V}/sobjects/${object}/describe`)).body.fields as Json[]).find(
    (f: Json) => f.name === name,
  );

describe('a validation rule', () => {
  const rule = {
    object: 'Event',
    name: 'Description_Required',
    blankField: 'Description',
    message: 'Please describe the meeting.',
    errorDisplayField: 'Description',
  };

  it('when a write leaves the field blank, then FIELD_CUSTOM_VALIDATION_EXCEPTION with the rule’s message (400) and nothing stored', async () => {
    expect((await setRules({ validationRules: [rule] })).status).toBe(200);
    const rest = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'VR rest' }));
    expect(rest.status).toBe(400);
    expect(rest.body).toEqual([
      {
        message: 'Please describe the meeting.',
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        fields: ['Description'],
      },
    ]);
    const viaJsforce = await conn
      .sobject('Event')
      .create(event({ Subject: 'VR jsforce' }))
      .then(
        () => undefined,
        (e: unknown) => e as { errorCode?: string; message?: string },
      );
    expect(viaJsforce).toMatchObject({
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Please describe the meeting.',
    });
    expect(await count("Subject LIKE 'VR %'")).toBe(0);
  });

  it('when the field is filled, then the write passes; blanking it on update is refused and the record keeps its value', async () => {
    await setRules({ validationRules: [rule] });
    const ok = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'VR ok', Description: 'Agenda' }));
    expect(ok.status).toBe(201);
    const id = ok.body.id as string;
    const blanked = await call('PATCH', `${V}/sobjects/Event/${id}`, { Description: '' });
    expect(blanked.status).toBe(400);
    expect(blanked.body[0].errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect((await call('GET', `${V}/sobjects/Event/${id}`)).body.Description).toBe('Agenda');
  });

  it('when a rule has no display field, then fields is empty (an error at the top of the page)', async () => {
    await setRules({ validationRules: [{ ...rule, object: 'Task', errorDisplayField: undefined }] });
    const res = await call('POST', `${V}/sobjects/Task`, { Subject: 'VR task' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      { message: 'Please describe the meeting.', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: [] },
    ]);
  });
});

describe('every write path', () => {
  it('when sObject Collections create two events and one breaks a rule, then that one fails with the rule’s code and only the other is stored', async () => {
    await setRules({
      validationRules: [
        { object: 'Event', name: 'Need_Location', blankField: 'Location', message: 'Where?' },
      ],
    });
    const res = await call('POST', `${V}/composite/sobjects`, {
      allOrNone: false,
      records: [
        { attributes: { type: 'Event' }, ...event({ Subject: 'COL ok', Location: 'Room 1' }) },
        { attributes: { type: 'Event' }, ...event({ Subject: 'COL bad' }) },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body[0].success).toBe(true);
    expect(res.body[1]).toEqual({
      success: false,
      errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Where?', fields: [] }],
    });
    expect(await count("Subject LIKE 'COL %'")).toBe(1);
  });
});

describe('a required custom field', () => {
  it('when Event has a required Region__c, then describe says nillable false and a write without it is REQUIRED_FIELD_MISSING', async () => {
    await setRules({ requiredFields: [{ object: 'Event', field: 'Region__c' }] });
    expect(await describeField('Event', 'Region__c')).toMatchObject({
      nillable: false,
      custom: true,
      type: 'string',
    });
    const res = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'RF missing' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: 'Required fields are missing: [Region__c]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['Region__c'],
      },
    ]);
    expect(await count("Subject = 'RF missing'")).toBe(0);

    const ok = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'RF ok', Region__c: 'EMEA' }));
    expect(ok.status).toBe(201);
    const cleared = await call('PATCH', `${V}/sobjects/Event/${ok.body.id as string}`, { Region__c: null });
    expect(cleared.status).toBe(400);
    expect(cleared.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Region__c'] });
    expect((await call('GET', `${V}/sobjects/Event/${ok.body.id as string}`)).body.Region__c).toBe('EMEA');
  });

  it('when the rules are removed, then the field is gone from describe', async () => {
    await setRules({ requiredFields: [{ object: 'Event', field: 'Region__c' }] });
    org.setKnobs({ customerRules: NO_CUSTOMER_RULES });
    expect(await describeField('Event', 'Region__c')).toBeUndefined();
  });
});

describe('the Event Type picklist', () => {
  const values = ['Call', 'Email', 'Demo', 'Other'];

  it('when unrestricted and without Meeting, then describe lists the customer’s values and "Meeting" is still stored', async () => {
    await setRules({ picklists: [{ object: 'Event', field: 'Type', values, restricted: false }] });
    const type = await describeField('Event', 'Type');
    expect(type.restrictedPicklist).toBe(false);
    expect(type.picklistValues.map((p: Json) => p.value)).toEqual(values);
    const res = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'PL open', Type: 'Meeting' }));
    expect(res.status).toBe(201);
    expect((await call('GET', `${V}/sobjects/Event/${res.body.id as string}`)).body.Type).toBe('Meeting');
  });

  it('when restricted and without Meeting, then INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST and nothing stored; a listed value passes', async () => {
    await setRules({ picklists: [{ object: 'Event', field: 'Type', values, restricted: true }] });
    expect((await describeField('Event', 'Type')).restrictedPicklist).toBe(true);
    const res = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'PL closed', Type: 'Meeting' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: 'Type: bad value for restricted picklist field: Meeting',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Type'],
      },
    ]);
    expect(await count("Subject = 'PL closed'")).toBe(0);
    const listed = await call('POST', `${V}/sobjects/Event`, event({ Subject: 'PL closed', Type: 'Demo' }));
    expect(listed.status).toBe(201);
    const changed = await call('PATCH', `${V}/sobjects/Event/${listed.body.id as string}`, {
      Type: 'Meeting',
    });
    expect(changed.status).toBe(400);
    expect((await call('GET', `${V}/sobjects/Event/${listed.body.id as string}`)).body.Type).toBe('Demo');
  });

  it('when the rules are invalid, then the control endpoint refuses them and the org keeps its picklist', async () => {
    const res = await setRules({
      picklists: [{ object: 'Account', field: 'Type', values, restricted: true }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/object must be Event or Task/);
    expect((await describeField('Event', 'Type')).picklistValues.map((p: Json) => p.value)).toContain(
      'Meeting',
    );
  });
});

describe('the emulator command’s customer-rule flags', () => {
  it('when started with --restricted-picklist and --validation-rule, then the org enforces them', async () => {
    const { child, line } = await startOrgProcess(
      [
        ...['--port', '0', '--json'],
        ...['--restricted-picklist', 'Event.Type=Call,Other'],
        ...['--validation-rule', 'Event.Location_Required:Location:Where is it?'],
      ],
      { stderr: 'pipe' },
    );
    try {
      const details = JSON.parse(line) as LocalOrg;
      const cli = client(details, await passwordToken(details));
      const refused = await cli('POST', `${V}/sobjects/Event`, event({ Type: 'Meeting', Location: 'Here' }));
      expect(refused.body[0].errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      const noLocation = await cli('POST', `${V}/sobjects/Event`, event({ Type: 'Call' }));
      expect(noLocation.body).toEqual([
        { message: 'Where is it?', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Location'] },
      ]);
    } finally {
      await new Promise((done) => {
        child.once('exit', done);
        child.kill('SIGTERM');
      });
    }
  });
});

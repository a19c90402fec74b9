/**
 * Issue 8, "Done when": the service connected as a Standard User with only the package's
 * `Salescaling_Integration_User` permission set creates, updates and deletes meetings owned by another
 * user (the organizer, a seller), so updates and deletes go through the Controlled-by-Parent rule of
 * the local org's security model. The same flows with a permission or an access removed fail with a
 * reason an admin understands, and change nothing in the org. Everything the org holds is read as
 * the admin afterwards, never taken from what the service says.
 */
import { deletedEvent, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgAdminCall, orgQuery, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

const settled = (m: Record<string, unknown>) =>
  ['synced', 'skipped', 'failed', 'deleted'].includes(String(m['state']));

interface Seeded {
  acme: string;
  buyer: string;
  sellerId: string;
}

/**
 * Acme, its contact Bea (owned by the admin; Contact is Controlled by Parent, so she is visible to
 * whoever can see Acme), and the seller Sam: a Standard User whose email is the fixtures' organizer,
 * so Salescaling's Events are owned by him, not by the connected user.
 */
async function seed(stack: Stack): Promise<Seeded> {
  const [acme = ''] = stack.org.seed('Account', [{ Name: 'Acme' }]);
  const [buyer = ''] = stack.org.seed('Contact', [
    { FirstName: 'Bea', LastName: 'Buyer', Email: 'buyer@example.org', AccountId: acme },
  ]);
  const seller = await stack.org.createUser({
    username: 'seller@example.com.localorg',
    firstName: 'Sam',
    lastName: 'Seller',
  });
  return { acme, buyer, sellerId: seller.id };
}

async function eventsOf(stack: Stack, meetingId: string) {
  return orgQuery(
    stack.org,
    `SELECT Id, Subject, OwnerId, WhoId, WhatId, Type FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
  );
}

async function tasksOf(stack: Stack, meetingId: string) {
  return orgQuery(stack.org, `SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c = '${meetingId}'`);
}

/**
 * A copy of the package's integration permission set, made over REST as an admin would clone it in
 * Setup, with `drop` taking permissions out of each object row; returns the copy's API name.
 */
async function copyIntegrationSet(
  stack: Stack,
  name: string,
  drop: (objectRow: Record<string, unknown>) => Record<string, unknown>,
): Promise<string> {
  const [source] = await orgQuery<Record<string, unknown>>(
    stack.org,
    `SELECT Id, PermissionsApiEnabled, PermissionsEditEvent, PermissionsEditTask FROM PermissionSet WHERE Name = 'Salescaling_Integration_User'`,
  );
  const { id } = await orgAdminCall<{ id: string }>(stack.org, 'POST', '/sobjects/PermissionSet', {
    Name: name,
    Label: name.replace(/_/g, ' '),
    PermissionsApiEnabled: source?.['PermissionsApiEnabled'],
    PermissionsEditEvent: source?.['PermissionsEditEvent'],
    PermissionsEditTask: source?.['PermissionsEditTask'],
  });
  const objects = await orgQuery<Record<string, unknown>>(
    stack.org,
    `SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete, PermissionsViewAllRecords, PermissionsModifyAllRecords FROM ObjectPermissions WHERE ParentId = '${String(source?.['Id'])}'`,
  );
  for (const row of objects) {
    const { attributes: _ignored, ...fields } = row;
    await orgAdminCall(stack.org, 'POST', '/sobjects/ObjectPermissions', { ...drop(fields), ParentId: id });
  }
  const fieldRows = await orgQuery<Record<string, unknown>>(
    stack.org,
    `SELECT SobjectType, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = '${String(source?.['Id'])}'`,
  );
  for (const row of fieldRows) {
    const { attributes: _ignored, ...fields } = row;
    await orgAdminCall(stack.org, 'POST', '/sobjects/FieldPermissions', { ...fields, ParentId: id });
  }
  return name;
}

describe('a Standard User with only the package permission sets (issue 8)', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  it('connects, then creates, updates and deletes a meeting the seller owns; the org holds each step', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const s = await seed(stack);
    const user = await stack.integrationUser();
    // The connecting user is a Standard User holding only the package's permission set.
    const [assigned] = await orgQuery<{ records?: unknown }>(
      stack.org,
      `SELECT Profile.Name FROM User WHERE Id = '${user.id}'`,
    );
    expect(assigned).toMatchObject({ Profile: { Name: 'Standard User' } });
    const sets = await orgQuery<{ PermissionSet: { Name: string } }>(
      stack.org,
      `SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '${user.id}' AND PermissionSet.IsOwnedByProfile = false`,
    );
    expect(sets.map((r) => r.PermissionSet.Name)).toEqual(['Salescaling_Integration_User']);

    expect((await stack.connect()).outcome).toBe('connected');
    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(status.body).toMatchObject({
      connected: true,
      user: { id: user.id },
      permissions: { ok: true, missing: [] },
    });

    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_owned', title: 'Discovery call' })));
    expect(await stack.waitFor('m_owned', settled)).toMatchObject({ state: 'synced', lastError: null });
    const [created, ...more] = await eventsOf(stack, 'm_owned');
    expect(more).toHaveLength(0);
    expect(created).toMatchObject({
      Subject: 'Discovery call',
      OwnerId: s.sellerId,
      WhoId: s.buyer,
      WhatId: s.acme,
    });
    expect(s.sellerId).not.toBe(user.id);

    // An update of the seller's Event: allowed by edit access to Bea and Acme (Controlled by Parent).
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_owned', version: 2, title: 'Discovery call, part two' })),
    );
    expect(await stack.waitFor('m_owned', (m) => m['version'] === 2 && settled(m))).toMatchObject({
      state: 'synced',
    });
    const [updated] = await eventsOf(stack, 'm_owned');
    expect(updated).toMatchObject({
      Id: created?.['Id'],
      Subject: 'Discovery call, part two',
      OwnerId: s.sellerId,
    });

    await sendWebhook(stack.svc.url, deletedEvent('m_owned', 3));
    expect(await stack.waitFor('m_owned', (m) => m['state'] === 'deleted')).toMatchObject({
      state: 'deleted',
    });
    expect(await eventsOf(stack, 'm_owned')).toEqual([]);
    expect(await tasksOf(stack, 'm_owned')).toEqual([]);
  });
});

describe('the same flows with a permission or an access removed (issue 8)', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  it('without the package permission set: the status says the package fields are hidden or absent and names the permission set; meetings are written without them, as CONTRACT §6 allows', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const s = await seed(stack);
    const bare = await stack.org.createUser({ lastName: 'Unassigned' });
    expect((await stack.connect('ws_1', { user: bare })).outcome).toBe('connected');
    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    // A Standard User without the set cannot read the package's fields, so describe hides them: the
    // same answer as an org without the package. The status says both causes and the fix.
    expect(status.body).toMatchObject({
      connected: true,
      user: { id: bare.id },
      packageFields: {
        installed: false,
        found: [],
        missing: expect.arrayContaining(['Salescaling_Meeting_Id__c']),
        fix: expect.stringContaining('Salescaling Integration User permission set'),
      },
    });

    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_bare' })));
    expect(await stack.waitFor('m_bare', settled)).toMatchObject({ state: 'synced' });
    const events = await orgQuery(stack.org, `SELECT OwnerId, WhoId, Salescaling_Meeting_Id__c FROM Event`);
    expect(events).toEqual([
      expect.objectContaining({ OwnerId: s.sellerId, WhoId: s.buyer, Salescaling_Meeting_Id__c: null }),
    ]);
  });

  it('with a copy of the permission set without edit on Account and Contact, on a Minimum Access user: the status names both, and the update of the seller meeting fails with the reason and changes nothing', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seed(stack);
    const set = await copyIntegrationSet(stack, 'Integration_Read_Only_Crm', (row) =>
      row['SobjectType'] === 'Account' || row['SobjectType'] === 'Contact'
        ? { ...row, PermissionsEdit: false }
        : row,
    );
    const narrow = await stack.org.createUser({
      lastName: 'Narrow',
      profile: 'Minimum Access - Salesforce',
      permissionSets: [set],
    });
    expect((await stack.connect('ws_1', { user: narrow })).outcome).toBe('connected');
    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(status.body).toMatchObject({
      connected: true,
      permissions: { ok: false, missing: expect.arrayContaining(['Account.edit', 'Contact.edit']) },
    });
    const missing = (status.body['permissions'] as { missing: string[] }).missing;
    expect(missing).not.toContain('Opportunity.edit');
    expect(missing).not.toContain('Lead.edit');

    // Creating the seller's meeting needs only read on what it links to; updating it needs edit.
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_narrow', title: 'First title' })));
    expect(await stack.waitFor('m_narrow', settled)).toMatchObject({ state: 'synced' });
    const [before] = await eventsOf(stack, 'm_narrow');
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_narrow', version: 2, title: 'Second title' })),
    );
    const failed = await stack.waitFor('m_narrow', (m) => m['version'] === 2 && settled(m));
    expect(failed['state']).toBe('failed');
    expect(String(failed['lastError'])).toContain('Controlled by Parent');
    expect(await eventsOf(stack, 'm_narrow')).toEqual([before]);
  });

  it('with opportunities Public Read Only (the default): a seller meeting on an opportunity is created, owned by the seller with its relations; its update fails with the reason and changes nothing', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const s = await seed(stack);
    const [bo = ''] = stack.org.seed('Contact', [
      { LastName: 'Bo', Email: 'bo@example.org', AccountId: s.acme },
    ]);
    const [opp = ''] = stack.org.seed('Opportunity', [
      { Name: 'Acme pilot', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: s.acme },
    ]);
    await stack.connect();
    const first = meeting({
      id: 'm_opp',
      title: 'Pilot review',
      participants: [
        { email: 'buyer@example.org', internal: false },
        { email: 'bo@example.org', internal: false },
      ],
      associations: { opportunityId: opp },
    });
    await sendWebhook(stack.svc.url, processedEvent(first));
    expect(await stack.waitFor('m_opp', settled)).toMatchObject({ state: 'synced', lastError: null });
    const [event, ...more] = await eventsOf(stack, 'm_opp');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ OwnerId: s.sellerId, WhatId: opp, Subject: 'Pilot review' });
    const relations = await orgQuery<{ RelationId: string }>(
      stack.org,
      `SELECT RelationId FROM EventRelation WHERE EventId = '${String(event?.['Id'])}'`,
    );
    expect(relations.map((r) => r.RelationId)).toEqual(expect.arrayContaining([s.buyer, bo]));
    const [task] = await orgQuery(
      stack.org,
      `SELECT OwnerId FROM Task WHERE Salescaling_Meeting_Id__c = 'm_opp'`,
    );
    expect(task).toMatchObject({ OwnerId: s.sellerId });

    await sendWebhook(stack.svc.url, processedEvent({ ...first, version: 2, title: 'Pilot review 2' }));
    const failed = await stack.waitFor('m_opp', (m) => m['version'] === 2 && settled(m));
    expect(failed['state']).toBe('failed');
    expect(String(failed['lastError'])).toContain('INSUFFICIENT_ACCESS_OR_READONLY');
    expect(await eventsOf(stack, 'm_opp')).toEqual([event]);
  });

  it('when sharing gives only read on the seller meeting records: the update and the delete fail with the admin reason and change nothing', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const s = await seed(stack);
    await stack.connect();
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_ro', title: 'First title' })));
    expect(await stack.waitFor('m_ro', settled)).toMatchObject({ state: 'synced' });
    const [before] = await eventsOf(stack, 'm_ro');
    expect(before).toMatchObject({ OwnerId: s.sellerId, WhatId: s.acme });
    const tasksBefore = await tasksOf(stack, 'm_ro');

    // Accounts become Public Read Only: Acme (and Bea, Controlled by Parent) only readable by the
    // integration user, so the seller's Event is no longer editable by it.
    stack.org.setKnobs({ sharing: { Account: 'Read' } });
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_ro', version: 2, title: 'Second title' })),
    );
    const failed = await stack.waitFor('m_ro', (m) => m['version'] === 2 && settled(m));
    expect(failed['state']).toBe('failed');
    expect(String(failed['lastError'])).toContain('INSUFFICIENT_ACCESS_OR_READONLY');
    expect(String(failed['lastError'])).toContain('Controlled by Parent');
    const [after, ...more] = await eventsOf(stack, 'm_ro');
    expect(more).toEqual([]);
    expect(after).toEqual(before);

    await sendWebhook(stack.svc.url, deletedEvent('m_ro', 3));
    const notDeleted = await stack.waitFor('m_ro', (m) => m['version'] === 3 && settled(m));
    expect(notDeleted['state']).toBe('failed');
    expect(String(notDeleted['lastError'])).toContain('INSUFFICIENT_ACCESS_OR_READONLY');
    expect(await eventsOf(stack, 'm_ro')).toEqual([before]);
    expect(await tasksOf(stack, 'm_ro')).toEqual(tasksBefore);
  });
});

describe('activities Private: the seller meeting is hidden from the connected user, not deleted', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  it('when activity sharing is Private, then the update and the delete of a seller meeting fail with what an admin does, nothing is claimed, and the org is unchanged', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const s = await seed(stack);
    await stack.connect();
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_priv', title: 'First title' })));
    expect(await stack.waitFor('m_priv', settled)).toMatchObject({ state: 'synced' });
    const [before, ...more] = await eventsOf(stack, 'm_priv');
    expect(more).toEqual([]);
    expect(before).toMatchObject({ OwnerId: s.sellerId, Subject: 'First title' });
    const tasksBefore = await tasksOf(stack, 'm_priv');
    expect(tasksBefore).toHaveLength(1);
    const notesBefore = await orgQuery(stack.org, 'SELECT Id, Title FROM ContentNote');

    // The admin sets activities to Private: only their owner (the seller) sees them now.
    stack.org.setKnobs({ sharing: { Activity: 'Private' } });
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_priv', version: 2, title: 'Second title' })),
    );
    const failed = await stack.waitFor('m_priv', (m) => m['version'] === 2 && settled(m));
    expect(failed['state']).toBe('failed');
    expect(String(failed['lastError'])).toContain('can no longer see the Event');
    expect(String(failed['lastError'])).toContain('Private activity sharing');
    expect(String(failed['lastError'])).toContain('Controlled by Parent');
    // nothing claimed: the Event is not reported dropped as deleted in Salesforce
    expect(JSON.stringify(failed['dropped'] ?? [])).not.toContain('deleted_in_salesforce');
    expect(await eventsOf(stack, 'm_priv')).toEqual([before]);
    expect(await tasksOf(stack, 'm_priv')).toEqual(tasksBefore);
    expect(await orgQuery(stack.org, 'SELECT Id, Title FROM ContentNote')).toEqual(notesBefore);

    await sendWebhook(stack.svc.url, deletedEvent('m_priv', 3));
    const notDeleted = await stack.waitFor('m_priv', (m) => m['version'] === 3 && settled(m));
    expect(notDeleted['state']).toBe('failed');
    expect(String(notDeleted['lastError'])).toContain('can no longer see the Event');
    expect(await eventsOf(stack, 'm_priv')).toEqual([before]);
    expect(await tasksOf(stack, 'm_priv')).toEqual(tasksBefore);
    expect(await orgQuery(stack.org, 'SELECT Id, Title FROM ContentNote')).toEqual(notesBefore);
  });
});

describe("a customer's own rules on Event, met by the Standard User (issue 8)", () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  async function sendOne(rules: Record<string, unknown>, id: string) {
    stack = await startStack({ org: { autoApprove: true, knobs: { customerRules: rules as never } } });
    await seed(stack);
    await stack.connect();
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id })));
    return stack.waitFor(id, settled);
  }

  it('a validation rule: failed with the rule message and what an admin does, once (no retry loop), nothing written', async () => {
    const m = await sendOne(
      {
        validationRules: [
          {
            object: 'Event',
            name: 'Region_Required',
            blankField: 'Location',
            message: 'Every meeting needs a location',
          },
        ],
      },
      'm_rule',
    );
    expect(m).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null });
    expect(String(m['lastError'])).toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(String(m['lastError'])).toContain('Every meeting needs a location');
    expect(String(m['lastError'])).toContain('validation rule');
    expect(await orgQuery(stack.org, 'SELECT Id FROM Event')).toEqual([]);
    expect(await orgQuery(stack.org, 'SELECT Id FROM Task')).toEqual([]);
  });

  it('a required custom field: failed naming the field, once, nothing written', async () => {
    const m = await sendOne({ requiredFields: [{ object: 'Event', field: 'Region__c' }] }, 'm_req');
    expect(m).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null });
    expect(String(m['lastError'])).toContain('REQUIRED_FIELD_MISSING');
    expect(String(m['lastError'])).toContain('Region__c');
    expect(await orgQuery(stack.org, 'SELECT Id FROM Event')).toEqual([]);
  });

  it('a restricted Type picklist without "Meeting": the Event is written without a Type', async () => {
    const m = await sendOne(
      { picklists: [{ object: 'Event', field: 'Type', values: ['Call', 'Email'], restricted: true }] },
      'm_pick',
    );
    expect(m).toMatchObject({ state: 'synced' });
    const [event, ...more] = await eventsOf(stack, 'm_pick');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ Type: null });
  });
});

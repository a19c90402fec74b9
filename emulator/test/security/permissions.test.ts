/**
 * The local org's security model seen by real clients: jsforce signed in as a Standard User (password
 * set over REST by the admin) is held to object permissions, field-level security and the org's
 * sharing, and what the org holds afterwards is checked as the admin.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from 'jsforce';
import { startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { findProjectRoot } from '../../src/schema/package-fields.ts';
import { client, passwordToken, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let admin: Call;

beforeAll(async () => {
  org = await startLocalOrg();
  admin = client(org, await passwordToken(org));
});
afterAll(async () => {
  await org.stop();
});
afterEach(() => {
  org.setKnobs({ sharing: {} });
});

async function jsforceAs(user: { username: string; password: string }): Promise<Connection> {
  const conn = new Connection({
    oauth2: { loginUrl: org.url, clientId: org.clientId, clientSecret: org.clientSecret },
    version: '66.0',
  });
  await conn.login(user.username, user.password);
  return conn;
}

async function adminQuery(soql: string): Promise<Json[]> {
  const res = await admin('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
  expect(res.status).toBe(200);
  return (res.body as { records: Json[] }).records;
}

/** A permission set made over REST by the admin, with object and field permissions. */
async function permissionSet(
  name: string,
  objects: Record<
    string,
    Partial<Record<'Create' | 'Read' | 'Edit' | 'Delete' | 'ViewAllRecords' | 'ModifyAllRecords', boolean>>
  >,
  fields: Record<string, { read: boolean; edit: boolean }> = {},
): Promise<string> {
  const ps = await admin('POST', `${V}/sobjects/PermissionSet`, { Name: name, Label: name });
  expect(ps.status).toBe(201);
  for (const [object, p] of Object.entries(objects)) {
    const res = await admin('POST', `${V}/sobjects/ObjectPermissions`, {
      ParentId: ps.body.id,
      SobjectType: object,
      PermissionsCreate: p.Create ?? false,
      PermissionsRead: p.Read ?? false,
      PermissionsEdit: p.Edit ?? false,
      PermissionsDelete: p.Delete ?? false,
      PermissionsViewAllRecords: p.ViewAllRecords ?? false,
      PermissionsModifyAllRecords: p.ModifyAllRecords ?? false,
    });
    expect(res.status).toBe(201);
  }
  for (const [field, p] of Object.entries(fields)) {
    const res = await admin('POST', `${V}/sobjects/FieldPermissions`, {
      ParentId: ps.body.id,
      SobjectType: field.split('.')[0],
      Field: field,
      PermissionsRead: p.read,
      PermissionsEdit: p.edit,
    });
    expect(res.status).toBe(201);
  }
  return ps.body.id as string;
}

describe('users, profiles and permission sets', () => {
  it('when the org starts, then both standard profiles and the package permission sets are queryable as in force-app', async () => {
    const profiles = (await adminQuery('SELECT Name FROM Profile')).map((p) => p.Name);
    expect(profiles).toEqual(expect.arrayContaining(['System Administrator', 'Standard User']));
    const root = findProjectRoot()!;
    for (const name of ['Salescaling_Integration_User', 'Salescaling_Recordings_Viewer']) {
      const xml = readFileSync(
        join(root, 'force-app/main/default/permissionsets', `${name}.permissionset-meta.xml`),
        'utf8',
      );
      const [ps] = await adminQuery(`SELECT Id, Label FROM PermissionSet WHERE Name = '${name}'`);
      expect(ps.Label).toBe(/<label>([^<]+)<\/label>/.exec(xml)?.[1]);
      const fields = await adminQuery(
        `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = '${ps.Id}'`,
      );
      expect(fields.length).toBe(xml.split('<fieldPermissions>').length - 1);
      const objects = await adminQuery(
        `SELECT SobjectType, PermissionsRead, PermissionsEdit FROM ObjectPermissions WHERE ParentId = '${ps.Id}'`,
      );
      expect(objects.length).toBe(xml.split('<objectPermissions>').length - 1);
      for (const o of objects) {
        const block = xml
          .split('<objectPermissions>')
          .find((b) => b.includes(`<object>${o.SobjectType}</object>`))!;
        expect(o.PermissionsEdit).toBe(block.includes('<allowEdit>true</allowEdit>'));
        expect(o.PermissionsRead).toBe(block.includes('<allowRead>true</allowRead>'));
      }
    }
  });

  it('when the admin creates a user and sets its password over REST, then that user signs in with jsforce and is a Standard User', async () => {
    const user = await org.createUser();
    const [row] = await adminQuery(
      `SELECT Username, IsActive, Profile.Name FROM User WHERE Id = '${user.id}'`,
    );
    expect(row).toMatchObject({
      Username: user.username,
      IsActive: true,
      Profile: { Name: 'Standard User' },
    });
    const conn = await jsforceAs(user);
    const identity = await conn.identity();
    expect(identity.user_id).toBe(user.id);
    // A record the user creates is theirs.
    const acc = await conn.sobject('Account').create({ Name: 'Mine' });
    const [stored] = await adminQuery(`SELECT OwnerId, CreatedById FROM Account WHERE Id = '${acc.id}'`);
    expect(stored).toMatchObject({ OwnerId: user.id, CreatedById: user.id });
  });

  it('when a password is weak, or a Standard User sets another user’s password, then it is refused and the old one still works', async () => {
    const user = await org.createUser();
    const weak = await admin('POST', `${V}/sobjects/User/${user.id}/password`, { NewPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body[0].errorCode).toBe('INVALID_NEW_PASSWORD');
    const other = await org.createUser();
    const conn = await jsforceAs(other);
    const res = await client(org, conn.accessToken!)('POST', `${V}/sobjects/User/${user.id}/password`, {
      NewPassword: 'Another1Password',
    });
    expect(res.status).toBe(403);
    expect(res.body[0].errorCode).toBe('INSUFFICIENT_ACCESS');
    await expect(jsforceAs(user)).resolves.toBeDefined();
    await expect(jsforceAs({ ...user, password: 'Another1Password' })).rejects.toThrow();
    const status = await admin('GET', `${V}/sobjects/User/${user.id}/password`);
    expect(status.body).toEqual({ isExpired: false });
  });

  it('when a user is deactivated, then their sessions end and they can no longer sign in', async () => {
    const user = await org.createUser();
    const conn = await jsforceAs(user);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    expect((await admin('PATCH', `${V}/sobjects/User/${user.id}`, { IsActive: false })).status).toBe(204);
    const res = await client(org, conn.accessToken!)('GET', `${V}/query?q=SELECT+Id+FROM+Account`);
    expect(res.status).toBe(401);
    expect(res.body[0].errorCode).toBe('INVALID_SESSION_ID');
    await expect(jsforceAs(user)).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('when the org keeps its data in a file, then a user’s password is stored only as a hash and still works after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-org-'));
    const file = join(dir, 'org.json');
    try {
      const first = await startLocalOrg({ dataFile: file, password: 'Admin1Password' });
      const user = await first.createUser({ permissionSets: ['Salescaling_Integration_User'] });
      await first.stop();
      const saved = readFileSync(file, 'utf8');
      expect(saved).not.toContain(user.password);
      const second = await startLocalOrg({ dataFile: file, password: 'Admin1Password' });
      try {
        const conn = new Connection({
          oauth2: { loginUrl: second.url, clientId: second.clientId, clientSecret: second.clientSecret },
          version: '66.0',
        });
        await conn.login(user.username, user.password);
        // A Standard User cannot read assignments (no View Setup); the admin can.
        await expect(conn.query('SELECT Id FROM PermissionSetAssignment')).rejects.toMatchObject({
          errorCode: 'INVALID_TYPE',
        });
        const secondAdmin = client(second, await passwordToken(second));
        const assigned = await secondAdmin(
          'GET',
          `${V}/query?q=${encodeURIComponent(`SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '${user.id}'`)}`,
        );
        expect(assigned.body.records.map((r: Json) => r.PermissionSet.Name)).toEqual([
          'Salescaling_Integration_User',
        ]);
        const sets = await secondAdmin(
          'GET',
          `${V}/query?q=${encodeURIComponent("SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Integration_User'")}`,
        );
        expect(sets.body.totalSize).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a permission set is assigned twice to the same user, then the second is refused with DUPLICATE_VALUE', async () => {
    const user = await org.createUser({ permissionSets: ['Salescaling_Recordings_Viewer'] });
    const [ps] = await adminQuery(
      "SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Recordings_Viewer'",
    );
    const again = await admin('POST', `${V}/sobjects/PermissionSetAssignment`, {
      AssigneeId: user.id,
      PermissionSetId: ps.Id,
    });
    expect(again.status).toBe(400);
    expect(again.body[0].errorCode).toBe('DUPLICATE_VALUE');
    const rows = await adminQuery(
      `SELECT Id, IsActive FROM PermissionSetAssignment WHERE AssigneeId = '${user.id}'`,
    );
    expect(rows).toEqual([expect.objectContaining({ IsActive: true })]);
  });

  it('when sharing defaults are set over /__control, then they are validated and kept', async () => {
    const set = await fetch(`${org.url}/__control/knobs`, {
      method: 'POST',
      body: JSON.stringify({ sharing: { Activity: 'Private', Account: 'Read' } }),
    });
    expect(set.status).toBe(200);
    expect(((await set.json()) as Json).sharing).toMatchObject({ Activity: 'Private', Account: 'Read' });
    const bad = await fetch(`${org.url}/__control/knobs`, {
      method: 'POST',
      body: JSON.stringify({ sharing: { Activity: 'ReadWrite' } }),
    });
    expect(bad.status).toBe(400);
    expect(org.knobs().sharing).toMatchObject({ Activity: 'Private', Account: 'Read' });
  });

  it('when an admin freezes a user through UserLogin, then they cannot sign in until unfrozen; a Standard User cannot read UserLogin', async () => {
    const user = await org.createUser();
    const conn = await jsforceAs(user);
    await expect(conn.query('SELECT Id FROM UserLogin')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    const [login] = await adminQuery(`SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${user.id}'`);
    expect(login.IsFrozen).toBe(false);
    expect((await admin('PATCH', `${V}/sobjects/UserLogin/${login.Id}`, { IsFrozen: true })).status).toBe(
      204,
    );
    await expect(jsforceAs(user)).rejects.toMatchObject({ name: 'invalid_grant' });
    const [user2] = await adminQuery(`SELECT IsActive FROM User WHERE Id = '${user.id}'`);
    expect(user2.IsActive).toBe(true);
    expect((await admin('PATCH', `${V}/sobjects/UserLogin/${login.Id}`, { IsFrozen: false })).status).toBe(
      204,
    );
    await expect(jsforceAs(user)).resolves.toBeDefined();
  });

  it('when an inactive user is made an owner, then the write is refused with INACTIVE_OWNER_OR_USER and nothing is stored', async () => {
    const [otto] = await adminQuery('SELECT Id FROM User WHERE IsActive = false LIMIT 1');
    const res = await admin('POST', `${V}/sobjects/Account`, { Name: 'Owned by Otto', OwnerId: otto.Id });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({ errorCode: 'INACTIVE_OWNER_OR_USER', fields: ['OwnerId'] });
    expect(await adminQuery("SELECT Id FROM Account WHERE Name = 'Owned by Otto'")).toHaveLength(0);
  });
});

describe('object permissions and field-level security', () => {
  it('when a user may only read accounts, then jsforce create is refused with INSUFFICIENT_ACCESS_OR_READONLY and nothing is stored', async () => {
    await permissionSet('Read_Accounts_Only', { Account: { Read: true } });
    const user = await org.createUser({
      profile: 'Minimum Access - Salesforce',
      permissionSets: ['Read_Accounts_Only'],
    });
    const conn = await jsforceAs(user);
    await expect(conn.sobject('Account').create({ Name: 'Not allowed' })).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect(await adminQuery("SELECT Id FROM Account WHERE Name = 'Not allowed'")).toHaveLength(0);
    // Reading is allowed; contacts are not visible at all (the object does not exist for them).
    await expect(conn.query('SELECT Id FROM Account')).resolves.toBeDefined();
    await expect(conn.query('SELECT Id FROM Contact')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    const describe = await conn.describeGlobal();
    expect(describe.sobjects.map((s) => s.name)).not.toContain('Contact');
    expect(describe.sobjects.find((s) => s.name === 'Account')).toMatchObject({ createable: false });
  });

  it('when a field is not readable, then describe omits it and SOQL refuses it as INVALID_FIELD; with the permission set it is readable', async () => {
    const plain = await jsforceAs(await org.createUser());
    const described = await plain.sobject('Event').describe();
    expect(described.fields.map((f) => f.name)).not.toContain('Salescaling_Meeting_Id__c');
    await expect(plain.query('SELECT Id, Salescaling_Meeting_Id__c FROM Event')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    const viewer = await jsforceAs(
      await org.createUser({ permissionSets: ['Salescaling_Recordings_Viewer'] }),
    );
    await expect(viewer.query('SELECT Id, Salescaling_Meeting_Id__c FROM Event')).resolves.toBeDefined();
  });

  it('when a signed-in user is given a permission set and it is taken away again, then their next requests see the field appear and go', async () => {
    const user = await org.createUser();
    const conn = await jsforceAs(user);
    // Asked of the org each time (jsforce's describe() may answer from its cache).
    const fieldsOf = async () =>
      (await conn.request<{ fields: { name: string }[] }>(`${V}/sobjects/Event/describe`)).fields.map(
        (f) => f.name,
      );
    expect(await fieldsOf()).not.toContain('Salescaling_Meeting_Id__c');
    const [ps] = await adminQuery(
      "SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Recordings_Viewer'",
    );
    const assigned = await admin('POST', `${V}/sobjects/PermissionSetAssignment`, {
      AssigneeId: user.id,
      PermissionSetId: ps.Id,
    });
    expect(assigned.status).toBe(201);
    expect(await fieldsOf()).toContain('Salescaling_Meeting_Id__c');
    await expect(conn.query('SELECT Id, Salescaling_Meeting_Id__c FROM Event')).resolves.toBeDefined();
    const removed = await admin('DELETE', `${V}/sobjects/PermissionSetAssignment/${assigned.body.id}`);
    expect(removed.status).toBe(204);
    expect(await fieldsOf()).not.toContain('Salescaling_Meeting_Id__c');
    await expect(conn.query('SELECT Id, Salescaling_Meeting_Id__c FROM Event')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
  });

  it('when a field is readable but not editable, then a write of it is refused with INVALID_FIELD_FOR_INSERT_UPDATE and the record is unchanged', async () => {
    const account = await admin('POST', `${V}/sobjects/Account`, { Name: 'Acme FLS' });
    const created = await admin('POST', `${V}/sobjects/Event`, {
      Subject: 'FLS',
      WhatId: account.body.id,
      DurationInMinutes: 30,
      ActivityDateTime: '2026-11-20T16:00:00.000+0000',
      Salescaling_Meeting_Id__c: 'm-fls',
    });
    expect(created.status).toBe(201);
    const viewer = await jsforceAs(
      await org.createUser({ permissionSets: ['Salescaling_Recordings_Viewer'] }),
    );
    await expect(
      viewer.sobject('Event').update({ Id: created.body.id, Salescaling_Meeting_Id__c: 'changed' }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' });
    const [event] = await adminQuery(
      `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Id = '${created.body.id}'`,
    );
    expect(event.Salescaling_Meeting_Id__c).toBe('m-fls');
  });
});

describe('record access from organization-wide defaults', () => {
  it('when accounts are Private, then View All lets a user read others’ accounts and Modify All lets them edit and delete', async () => {
    org.setKnobs({ sharing: { Account: 'Private' } });
    const id = (await admin('POST', `${V}/sobjects/Account`, { Name: 'Private to the admin' })).body
      .id as string;
    await permissionSet('View_All_Accounts', { Account: { Read: true, ViewAllRecords: true } });
    await permissionSet('Modify_All_Accounts', {
      Account: { Read: true, Edit: true, Delete: true, ViewAllRecords: true, ModifyAllRecords: true },
    });
    const viewer = await jsforceAs(
      await org.createUser({ profile: 'Minimum Access - Salesforce', permissionSets: ['View_All_Accounts'] }),
    );
    expect((await viewer.query(`SELECT Id FROM Account WHERE Id = '${id}'`)).totalSize).toBe(1);
    await expect(viewer.sobject('Account').update({ Id: id, Name: 'x' })).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    // Without Edit Events, a Minimum Access user cannot create a meeting.
    await expect(
      viewer.sobject('Event').create({
        Subject: 'No',
        DurationInMinutes: 30,
        ActivityDateTime: '2026-11-20T16:00:00.000+0000',
      }),
    ).rejects.toMatchObject({ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' });
    const modifier = await jsforceAs(
      await org.createUser({
        profile: 'Minimum Access - Salesforce',
        permissionSets: ['Modify_All_Accounts'],
      }),
    );
    await modifier.sobject('Account').update({ Id: id, Name: 'Renamed by Modify All' });
    expect((await adminQuery(`SELECT Name FROM Account WHERE Id = '${id}'`))[0].Name).toBe(
      'Renamed by Modify All',
    );
    await modifier.sobject('Account').destroy(id);
    expect(await adminQuery(`SELECT Id FROM Account WHERE Id = '${id}'`)).toHaveLength(0);
    expect(await adminQuery("SELECT Id FROM Event WHERE Subject = 'No'")).toHaveLength(0);
  });

  it('when accounts are Private, Public Read Only, then Public Read/Write, then another user sees, edits and deletes only what each allows', async () => {
    const owner = await jsforceAs(await org.createUser());
    const other = await org.createUser();
    const conn = await jsforceAs(other);
    const call = client(org, conn.accessToken!);
    const acc = await owner.sobject('Account').create({ Name: 'Owned elsewhere' });
    const id = acc.id!;

    org.setKnobs({ sharing: { Account: 'Private' } });
    expect((await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`)).totalSize).toBe(0);
    expect((await call('GET', `${V}/sobjects/Account/${id}`)).status).toBe(404);
    const refused = await call('PATCH', `${V}/sobjects/Account/${id}`, { Name: 'Changed' });
    expect(refused.status).toBe(400);
    expect(refused.body[0].errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY');

    org.setKnobs({ sharing: { Account: 'Read' } });
    expect((await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`)).totalSize).toBe(1);
    await expect(conn.sobject('Account').update({ Id: id, Name: 'Changed' })).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect((await adminQuery(`SELECT Name FROM Account WHERE Id = '${id}'`))[0].Name).toBe('Owned elsewhere');

    org.setKnobs({ sharing: { Account: 'ReadWrite' } });
    await conn.sobject('Account').update({ Id: id, Name: 'Changed' });
    await expect(conn.sobject('Account').destroy(id)).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect((await adminQuery(`SELECT Name FROM Account WHERE Id = '${id}'`))[0].Name).toBe('Changed');
  });

  it('when a user asks UserRecordAccess about a record, then it answers what the sharing allows them', async () => {
    const ownerUser = await org.createUser();
    const owner = await jsforceAs(ownerUser);
    const other = await org.createUser();
    const conn = await jsforceAs(other);
    const acc = await owner.sobject('Account').create({ Name: 'URA' });
    org.setKnobs({ sharing: { Account: 'Read' } });
    const ask = (userId: string) =>
      conn.query<Json>(
        `SELECT RecordId, HasReadAccess, HasEditAccess, HasDeleteAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${userId}' AND RecordId = '${acc.id}'`,
      );
    expect((await ask(other.id)).records[0]).toMatchObject({
      RecordId: acc.id,
      HasReadAccess: true,
      HasEditAccess: false,
      HasDeleteAccess: false,
      MaxAccessLevel: 'Read',
    });
    expect((await ask(ownerUser.id)).records[0]).toMatchObject({
      HasDeleteAccess: true,
      MaxAccessLevel: 'All',
    });
  });
});

describe('activities Controlled by Parent', () => {
  it('when a user does not own a meeting, then they may edit it only with edit access to its related records', async () => {
    const seller = await jsforceAs(await org.createUser());
    const integration = await org.createUser();
    const conn = await jsforceAs(integration);
    const acc = await seller.sobject('Account').create({ Name: 'Parent of a meeting' });
    const event = await seller.sobject('Event').create({
      Subject: 'Seller meeting',
      WhatId: acc.id,
      DurationInMinutes: 30,
      ActivityDateTime: '2026-11-20T16:00:00.000+0000',
    });

    org.setKnobs({ sharing: { Account: 'Read', Activity: 'ControlledByParent' } });
    expect((await conn.query(`SELECT Id FROM Event WHERE Id = '${event.id}'`)).totalSize).toBe(1);
    await expect(conn.sobject('Event').update({ Id: event.id!, Subject: 'Renamed' })).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    await expect(conn.sobject('Event').destroy(event.id!)).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect((await adminQuery(`SELECT Subject FROM Event WHERE Id = '${event.id}'`))[0].Subject).toBe(
      'Seller meeting',
    );

    org.setKnobs({ sharing: { Account: 'ReadWrite', Activity: 'ControlledByParent' } });
    await conn.sobject('Event').update({ Id: event.id!, Subject: 'Renamed' });
    expect((await adminQuery(`SELECT Subject FROM Event WHERE Id = '${event.id}'`))[0].Subject).toBe(
      'Renamed',
    );

    org.setKnobs({ sharing: { Account: 'ReadWrite', Activity: 'Private' } });
    expect((await conn.query(`SELECT Id FROM Event WHERE Id = '${event.id}'`)).totalSize).toBe(0);
  });

  it('when a task names a contact, then edit follows the contact’s account (Contact Controlled by Parent)', async () => {
    const seller = await jsforceAs(await org.createUser());
    const conn = await jsforceAs(await org.createUser());
    const acc = await seller.sobject('Account').create({ Name: 'Contact parent' });
    const contact = await seller.sobject('Contact').create({ LastName: 'Buyer', AccountId: acc.id });
    const task = await seller.sobject('Task').create({ Subject: 'Follow up', WhoId: contact.id });

    org.setKnobs({ sharing: { Account: 'Read', Contact: 'ControlledByParent' } });
    await expect(conn.sobject('Task').update({ Id: task.id!, Subject: 'Changed' })).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect((await adminQuery(`SELECT Subject FROM Task WHERE Id = '${task.id}'`))[0].Subject).toBe(
      'Follow up',
    );

    org.setKnobs({ sharing: { Account: 'Private', Contact: 'ControlledByParent' } });
    expect((await conn.query(`SELECT Id FROM Task WHERE Id = '${task.id}'`)).totalSize).toBe(0);
    expect((await conn.query(`SELECT Id FROM Contact WHERE Id = '${contact.id}'`)).totalSize).toBe(0);

    org.setKnobs({ sharing: { Account: 'ReadWrite', Contact: 'ControlledByParent' } });
    await conn.sobject('Task').update({ Id: task.id!, Subject: 'Changed' });
    expect((await adminQuery(`SELECT Subject FROM Task WHERE Id = '${task.id}'`))[0].Subject).toBe('Changed');
  });
});

describe('the Limits resource', () => {
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm —
  // "for API users with the View Setup and Configuration permission"; the storage limits only "if the
  // API user has the Manage Users permission".
  it('when a Standard User reads /limits, then it is refused unless a permission set gives View Setup, and storage needs Manage Users', async () => {
    const user = await org.createUser();
    const conn = await jsforceAs(user);
    await expect(conn.limits()).rejects.toMatchObject({ errorCode: 'INSUFFICIENT_ACCESS' });

    const grant = async (name: string, permissions: Record<string, boolean>) => {
      const ps = await admin('POST', `${V}/sobjects/PermissionSet`, {
        Name: name,
        Label: name,
        ...permissions,
      });
      expect(ps.status).toBe(201);
      const assigned = await admin('POST', `${V}/sobjects/PermissionSetAssignment`, {
        AssigneeId: user.id,
        PermissionSetId: ps.body.id,
      });
      expect(assigned.status).toBe(201);
    };
    await grant('View_Setup', { PermissionsViewSetup: true });
    const seen = (await conn.limits()) as Record<string, unknown>;
    expect(seen['DailyApiRequests']).toMatchObject({ Max: 15000 });
    expect([seen['DataStorageMB'], seen['FileStorageMB']]).toEqual([undefined, undefined]);

    await grant('Manage_Users', { PermissionsManageUsers: true });
    const all = (await conn.limits()) as Record<string, unknown>;
    expect(all['DataStorageMB']).toMatchObject({ Max: expect.any(Number) });
    expect(all['FileStorageMB']).toMatchObject({ Max: expect.any(Number) });
  });
});

/**
 * CONTRACT §4: the connection status names every missing permission. The local org grants its admin
 * everything and has no knob to take a permission away, so a stand-in answers the describe calls
 * here the way Salesforce does for a user with a narrower grant: `createable: false` on Task, and
 * Opportunity not visible at all (404 NOT_FOUND), the package fields absent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connection } from '../support/fixtures.ts';
import { api, startTestService, type TestService } from '../support/service.ts';

jest.setTimeout(30_000);

const all = { createable: true, updateable: true, deletable: true, queryable: true };

describe('permission check in the connection status', () => {
  let server: Server;
  let svc: TestService;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /\/services\/data\/v[\d.]+\/sobjects\/(\w+)\/describe/.exec(req.url ?? '');
      const name = m?.[1];
      if (!name || name === 'Opportunity') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]),
        );
        return;
      }
      const fields =
        name === 'EventRelation'
          ? [{ name: 'Id' }, { name: 'RelationId' }, { name: 'IsParent' }, { name: 'IsWhat' }]
          : [{ name: 'Id' }, { name: 'Subject' }];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, ...all, ...(name === 'Task' ? { createable: false } : {}), fields }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    svc = await startTestService();
    await svc.store.connections.save({ ...connection('ws_1'), loginUrl: url, instanceUrl: url });
  });
  afterAll(async () => {
    await svc?.dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  it('when the grant lacks permissions, then the status names each one, and the package fields missing', async () => {
    const res = await api(svc.url, 'GET', '/v1/workspaces/ws_1/salesforce?recheck=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      connected: true,
      permissions: {
        ok: false,
        // Task.create comes from the "Edit Tasks" user permission; Opportunity needs read and edit
        // (Controlled by Parent: editing a seller's meeting needs edit on what it is linked to).
        missing: ['Task.create', 'EditTask', 'Opportunity.read', 'Opportunity.edit'],
        details: expect.arrayContaining([
          {
            name: 'Opportunity.edit',
            fix: expect.stringContaining('Salescaling Integration User permission set'),
          },
          { name: 'EditTask', fix: expect.stringContaining('"Edit Tasks"') },
        ]),
      },
      sharedActivities: true,
      packageFields: {
        installed: false,
        found: [],
        missing: expect.arrayContaining(['Salescaling_Meeting_Id__c', 'Salescaling_Recording_Url__c']),
      },
    });
  });
});

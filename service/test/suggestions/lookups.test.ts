import { soslEscape, soslPrefixTerm } from '../../src/salesforce/search.ts';
import { api } from '../support/service.ts';
import { startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

describe('association look-ups against the local org', () => {
  let stack: Stack;
  let ids: {
    acme: string;
    globex: string;
    bea: string;
    carl: string;
    gil: string;
    lead: string;
    open: string;
    closed: string;
  };

  beforeAll(async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const [acme = '', globex = ''] = stack.org.seed('Account', [
      { Name: 'Acme Corp' },
      { Name: 'Globex' },
      { Name: 'Northwind Traders' },
    ]);
    const [bea = '', carl = '', gil = ''] = stack.org.seed('Contact', [
      { FirstName: 'Bea', LastName: 'Buyer', Email: 'Bea@Acme.example', AccountId: acme },
      { FirstName: 'Carl', LastName: "O'Brien", Email: "carl.o'brien@acme.example", AccountId: acme },
      { FirstName: 'Gil', LastName: 'Globex', Email: 'gil@globex.example', AccountId: globex },
    ]);
    const [lead = ''] = stack.org.seed('Lead', [
      { FirstName: 'Lee', LastName: 'Lead', Company: 'Initech', Email: 'lee@initech.example' },
    ]);
    const [open = '', closed = ''] = stack.org.seed('Opportunity', [
      { Name: 'Acme renewal', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: acme },
      { Name: 'Acme old deal', StageName: 'Closed Won', CloseDate: '2025-01-31', AccountId: acme },
    ]);
    ids = { acme, globex, bea, carl, gil, lead, open, closed };
    await stack.connect();
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('when participants are suggested, then contacts, their accounts and open opportunities come ranked with why', async () => {
    const res = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', {
      participants: [
        { email: 'bea@acme.example' },
        { email: "CARL.O'BRIEN@acme.example" },
        { email: 'gil@globex.example' },
      ],
    });
    expect(res.status).toBe(200);
    const s = res.body['suggestions'] as { type: string; id: string; why: string[] }[];
    const order = s.map((x) => x.id);
    expect(new Set(order)).toEqual(new Set([ids.bea, ids.carl, ids.gil, ids.acme, ids.globex, ids.open]));
    expect(order.indexOf(ids.acme)).toBeLessThan(order.indexOf(ids.globex)); // two contacts beat one
    expect(order.indexOf(ids.gil)).toBeLessThan(order.indexOf(ids.acme)); // contacts first
    expect(order).not.toContain(ids.closed);
    expect(s.find((x) => x.id === ids.acme)?.why[0]).toMatch(/2 matched contact/);
  });

  it('when only a lead matches, then the lead is suggested as what would be linked', async () => {
    const res = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', {
      participants: [{ email: 'lee@initech.example' }],
    });
    const s = res.body['suggestions'] as { type: string; id: string; why: string[] }[];
    expect(s).toEqual([expect.objectContaining({ type: 'Lead', id: ids.lead })]);
    expect(s[0]?.why.join(' ')).toMatch(/no contact matches/);
  });

  it('when the same look-up is repeated, then the org is not asked again', async () => {
    const body = { participants: [{ email: 'gil@globex.example' }] };
    await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', body);
    const before = stack.org.counters()['total'] ?? 0;
    await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', body);
    await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/associations/search?q=Acme');
    const middle = stack.org.counters()['total'] ?? 0;
    await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/associations/search?q=acme');
    expect(middle - before).toBe(1); // only the first search
    expect((stack.org.counters()['total'] ?? 0) - middle).toBe(0);
  });

  it('when searching by name, then Contacts, Accounts and Opportunities (open first) are found, filtered by type', async () => {
    const all = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/associations/search?q=Acme');
    expect(all.status).toBe(200);
    const records = all.body['records'] as { type: string; id: string; isClosed?: boolean }[];
    const found = records.map((r) => r.id);
    expect(found).toEqual(expect.arrayContaining([ids.acme, ids.open, ids.closed]));
    expect(found.indexOf(ids.open)).toBeLessThan(found.indexOf(ids.closed));
    expect(records.find((r) => r.id === ids.closed)?.isClosed).toBe(true);
    const lower = await api(
      stack.svc.url,
      'GET',
      '/v1/workspaces/ws_1/associations/search?q=Acme%20renewal&types=opportunity',
    );
    expect((lower.body['records'] as { id: string }[]).map((r) => r.id)).toEqual([ids.open]);
    const accounts = await api(
      stack.svc.url,
      'GET',
      '/v1/workspaces/ws_1/associations/search?q=Acme&types=Account',
    );
    expect((accounts.body['records'] as { type: string }[]).every((r) => r.type === 'Account')).toBe(true);
  });

  it('when the search text holds SOSL operators, then they are searched as text and never break the query', async () => {
    const res = await api(
      stack.svc.url,
      'GET',
      `/v1/workspaces/ws_1/associations/search?q=${encodeURIComponent("O'Brien} OR {x*")}`,
    );
    expect(res.status).toBe(200);
    const brien = await api(
      stack.svc.url,
      'GET',
      `/v1/workspaces/ws_1/associations/search?q=${encodeURIComponent("O'Brien")}&types=Contact`,
    );
    expect((brien.body['records'] as { id: string }[]).map((r) => r.id)).toEqual([ids.carl]);
  });

  it('when a term has reserved characters, then each is escaped with a backslash', () => {
    expect(soslEscape('a?b&c|d!e{f}g[h]i(j)k^l~m*n:o\\p"q\'r+s-t')).toBe(
      'a\\?b\\&c\\|d\\!e\\{f\\}g\\[h\\]i\\(j\\)k\\^l\\~m\\*n\\:o\\\\p\\"q\\\'r\\+s\\-t',
    );
  });

  it("when a person types the beginning of a name, then the record is found, as in Salesforce's search box", async () => {
    const found = async (q: string, types = 'Account,Opportunity') =>
      (
        (
          await api(
            stack.svc.url,
            'GET',
            `/v1/workspaces/ws_1/associations/search?q=${encodeURIComponent(q)}&types=${types}`,
          )
        ).body['records'] as { name: string }[]
      ).map((r) => r.name);
    expect(await found('North')).toEqual(['Northwind Traders']);
    expect(await found('northw')).toEqual(['Northwind Traders']);
    expect(await found('Acme ren')).toEqual(['Acme renewal']);
    expect(await found('Glo', 'Account')).toEqual(['Globex']);
    // A beginning, not any part: "wind" is inside Northwind but starts no word of it.
    expect(await found('wind')).toEqual([]);
  });

  it('when a term is made a prefix search, then each word gets one trailing * after its escapes', () => {
    expect(soslPrefixTerm('North')).toBe('North*');
    expect(soslPrefixTerm('  Acme   ren ')).toBe('Acme* ren*');
    expect(soslPrefixTerm("O'Brien")).toBe("O\\'Brien*");
    expect(soslPrefixTerm('x* OR y')).toBe('x\\* OR* y*');
    expect(soslPrefixTerm('Acme -')).toBe('Acme* \\-');
  });
});

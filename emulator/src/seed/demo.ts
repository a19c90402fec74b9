/**
 * `npm run emulator -- --seed demo`: the demo's CRM data (service/demo/demo.ts seeds its org with
 * it, adding its two sellers), so a standalone local org has someone for meetings to
 * link to and for the service's search to find.
 */
import type { LocalOrg } from '../index.ts';

export const SEEDS = ['demo'] as const;
export type SeedName = (typeof SEEDS)[number];

/** What a seed put into the org: object name to the ids created, in order. */
export type Seeded = Record<string, string[]>;

export function seedDemo(org: Pick<LocalOrg, 'seed'>): Seeded {
  const accounts = org.seed('Account', [
    { Name: 'Acme Corp', Industry: 'Manufacturing' },
    { Name: 'Globex', Industry: 'Energy' },
    { Name: 'Northwind Traders', Industry: 'Retail' },
  ]);
  const [acme = '', globex = '', northwind = ''] = accounts;
  const contacts = org.seed('Contact', [
    {
      FirstName: 'Bea',
      LastName: 'Buyer',
      Email: 'bea.buyer@acme.example',
      Title: 'VP Operations',
      AccountId: acme,
    },
    {
      FirstName: 'Carl',
      LastName: "O'Brien",
      Email: 'carl.obrien@acme.example',
      Title: 'IT Lead',
      AccountId: acme,
    },
    { FirstName: 'Dana', LastName: 'Decider', Email: 'dana@acme.example', Title: 'CFO', AccountId: acme },
    {
      FirstName: 'Gil',
      LastName: 'Grant',
      Email: 'gil@globex.example',
      Title: 'Head of Sales',
      AccountId: globex,
    },
    { FirstName: 'Gwen', LastName: 'Gale', Email: 'gwen@globex.example', Title: 'RevOps', AccountId: globex },
    {
      FirstName: 'Nora',
      LastName: 'North',
      Email: 'nora@northwind.example',
      Title: 'COO',
      AccountId: northwind,
    },
  ]);
  const opportunities = org.seed('Opportunity', [
    {
      Name: 'Acme — platform expansion',
      StageName: 'Proposal/Price Quote',
      CloseDate: '2026-12-18',
      AccountId: acme,
      Amount: 120000,
    },
    {
      Name: 'Northwind rollout',
      StageName: 'Qualification',
      CloseDate: '2027-02-26',
      AccountId: northwind,
      Amount: 45000,
    },
  ]);
  const leads = org.seed('Lead', [
    {
      FirstName: 'Lee',
      LastName: 'Lin',
      Company: 'Initech',
      Email: 'lee.lin@initech.example',
      Status: 'Open - Not Contacted',
    },
  ]);
  return { Account: accounts, Contact: contacts, Opportunity: opportunities, Lead: leads };
}

export function seed(org: Pick<LocalOrg, 'seed'>, name: SeedName): Seeded {
  switch (name) {
    case 'demo':
      return seedDemo(org);
  }
}

import type { CrmSnapshot } from '../../src/associations/snapshot.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { meeting as baseMeeting } from '../support/fixtures.ts';

/** The shared test meeting with an internal seller and one external buyer; tests override what they are about. */
export function meeting(overrides: Partial<Meeting> = {}): Meeting {
  return baseMeeting({
    organizer: { email: 'seller@vendor.example', name: 'Sam Seller' },
    participants: [
      { email: 'seller@vendor.example', internal: true },
      { email: 'ana@buyer.example', name: 'Ana', internal: false },
    ],
    summary: 'The buyer wants **fewer** manual steps.',
    notes: [],
    ...overrides,
  });
}

export function snapshot(overrides: Partial<CrmSnapshot> = {}): CrmSnapshot {
  return { users: [], contacts: [], leads: [], sharedActivities: true, ...overrides };
}

/** 18-character ids with the real key prefixes, distinct per number. */
export const contactId = (n: number): string => `003${String(n).padStart(12, '0')}AAA`;
export const accountId = (n: number): string => `001${String(n).padStart(12, '0')}AAA`;
export const leadId = (n: number): string => `00Q${String(n).padStart(12, '0')}AAA`;
export const oppId = (n: number): string => `006${String(n).padStart(12, '0')}AAA`;
export const userId = (n: number): string => `005${String(n).padStart(12, '0')}AAA`;

export function contact(
  n: number,
  email: string | null,
  account: number | null,
  lastModified = '2026-01-01T00:00:00.000+0000',
) {
  return {
    id: contactId(n),
    email,
    accountId: account === null ? null : accountId(account),
    lastModified,
    isDeleted: false,
  };
}

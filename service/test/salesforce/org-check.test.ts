import { eventTypeFor, explainMissing, missingFrom, REQUIRED } from '../../src/salesforce/org-check.ts';

type Describe = Parameters<typeof missingFrom>[0] extends ReadonlyMap<string, infer D> ? D : never;

const PACKAGE = [
  'Salescaling_Meeting_Id__c',
  'Salescaling_Recording_Url__c',
  'Salescaling_Summary_Preview__c',
  'Salescaling_Attendees__c',
];

/** What describe says for a user who has everything the product needs. */
function granted(): Map<string, Describe> {
  const all = { createable: true, updateable: true, deletable: true, queryable: true };
  const fields = PACKAGE.map((name) => ({ name, createable: true, updateable: true }));
  return new Map(Object.keys(REQUIRED).map((name) => [name, { ...all, fields }]));
}

describe('the permission check', () => {
  it('when describe grants everything, then nothing is missing', () => {
    expect(missingFrom(granted())).toEqual([]);
  });

  it('when the integration user only reads Contacts, Accounts, Opportunities and Leads, then edit on each is missing (Controlled by Parent)', () => {
    const byName = granted();
    for (const name of ['Contact', 'Account', 'Opportunity', 'Lead']) {
      byName.set(name, { ...byName.get(name)!, updateable: false });
    }
    expect(missingFrom(byName)).toEqual(['Contact.edit', 'Account.edit', 'Opportunity.edit', 'Lead.edit']);
    expect(explainMissing('Contact.edit')).toContain('Controlled by Parent');
  });

  it('when Events cannot be created or deleted, then the missing Event permissions and the Edit Events user permission are named', () => {
    const byName = granted();
    byName.set('Event', { ...byName.get('Event')!, createable: false, deletable: false });
    expect(missingFrom(byName)).toEqual(['Event.create', 'Event.delete', 'EditEvent']);
    expect(explainMissing('EditEvent')).toBe(
      'the user permission "Edit Events" (EditEvent), in the Salescaling Integration User permission set',
    );
  });

  it('when an object is not visible at all, then every permission on it is missing', () => {
    const byName = granted();
    byName.set('ContentNote', null as unknown as Describe);
    expect(missingFrom(byName)).toEqual(['ContentNote.create', 'ContentNote.edit', 'ContentNote.read']);
  });

  it('when a package field is read-only for the user (field-level security), then that field on that object is named', () => {
    const byName = granted();
    const task = byName.get('Task')!;
    byName.set('Task', {
      ...task,
      fields: task.fields.map((f) =>
        f.name === 'Salescaling_Recording_Url__c' ? { ...f, createable: false, updateable: false } : f,
      ),
    });
    expect(missingFrom(byName)).toEqual(['Task.Salescaling_Recording_Url__c.edit']);
    expect(explainMissing('Task.Salescaling_Recording_Url__c.edit')).toContain('field-level security');
  });
});

describe('the Event Type to write', () => {
  const type = (extra: Record<string, unknown>) => ({
    fields: [{ name: 'Type', createable: true, updateable: true, ...extra }],
  });

  it('when the picklist has Meeting, or is not restricted, then Meeting is written', () => {
    expect(
      eventTypeFor(type({ restrictedPicklist: true, picklistValues: [{ value: 'Meeting', active: true }] })),
    ).toBe('Meeting');
    expect(eventTypeFor(type({ restrictedPicklist: false, picklistValues: [{ value: 'Call' }] }))).toBe(
      'Meeting',
    );
  });

  it('when a restricted picklist has no active Meeting, or Type is not editable, then Type is left out', () => {
    expect(eventTypeFor(type({ restrictedPicklist: true, picklistValues: [{ value: 'Call' }] }))).toBeNull();
    expect(
      eventTypeFor(type({ restrictedPicklist: true, picklistValues: [{ value: 'Meeting', active: false }] })),
    ).toBeNull();
    expect(eventTypeFor(type({ updateable: false }))).toBeNull();
    expect(eventTypeFor({ fields: [] })).toBeNull();
    expect(eventTypeFor(null)).toBeNull();
  });
});

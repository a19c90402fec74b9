/**
 * Fields Salesforce computes on every write of the sales objects: a person's Name from its parts, an
 * opportunity's closed and won flags from its stage.
 * Contact.Name: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
 * Opportunity.IsClosed, IsWon: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
 */
import type { ObjectRules, RulesModule } from './object-rules.ts';
import type { MutableRecord } from './store.ts';

/** Name as the parts that are set, first name first (Contact, Lead, User). */
export function deriveFullName(record: MutableRecord): void {
  record.Name = [record.FirstName, record.LastName].filter((x) => typeof x === 'string' && x).join(' ');
}

const person: ObjectRules = {
  beforeWrite(_org, record) {
    deriveFullName(record);
  },
};

export function crmRules(): RulesModule {
  return {
    objects: {
      Contact: person,
      Lead: person,
      Opportunity: {
        beforeWrite(_org, record) {
          const stage = String(record.StageName ?? '');
          record.IsClosed = stage.startsWith('Closed');
          record.IsWon = stage === 'Closed Won';
        },
      },
    },
  };
}

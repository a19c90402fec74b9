/**
 * A workspace's association rules (CONTRACT §4 settings, §7 items 7–11): one zod schema, each field
 * with its default and a sentence an admin reads (the admin page renders `SETTINGS_FIELDS`). Every
 * field has a default, so `{}` is a valid document and a stored document written by an older version
 * gains new fields with their defaults when read.
 */
import { z } from 'zod';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a domain name such as example.com, without @ or scheme',
  );
const email = z.string().trim().toLowerCase().pipe(z.email('an email address'));
/** A Salesforce record id (15 or 18 characters); ids are case-sensitive, so no case change. */
const accountId = z
  .string()
  .regex(/^001[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/, 'an Account id (15 or 18 characters, prefix 001)');

/** Lists an admin maintains by hand stay small: one look-up call must carry them. */
export const SETTINGS_LIST_LIMIT = 200;

const list = <T extends z.ZodType>(item: T) => z.array(item).max(SETTINGS_LIST_LIMIT).default([]);

export const opportunityRuleSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Without a hand-picked Opportunity, link an open Opportunity of the meeting’s Account chosen by the rule (contact roles of linked contacts first, then the close date nearest the meeting). Off: the Account keeps the Event’s WhatId.',
      ),
    closeDateWindowDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .default(90)
      .describe('Only Opportunities whose close date is at most this many days before or after the meeting.'),
  })
  .strict();

export const domainMappingSchema = z
  .object({ domain, accountId: accountId.describe('the Account this email domain belongs to') })
  .strict();

export const domainMatchingSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'When no Contact matches, an external participant’s email domain may match exactly one Account (its Website, or the list below). Free-mail and the workspace’s own domains never match.',
      ),
    domainAccounts: list(domainMappingSchema).describe(
      'Email domains an admin assigns to an Account; they win over Website matching.',
    ),
  })
  .strict();

export const calendarEventEnrichmentSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Enrich the Event the organizer’s calendar already put into Salesforce (Einstein Activity Capture, Lightning Sync, Outlook or Gmail integrations, Outreach: same owner, overlapping time, matching subject or attendee, no Salescaling id) instead of creating a second one: its fields, relations, the note and the task; the tool’s subject, times and description stay. Off: the meeting always gets its own Event.',
      ),
  })
  .strict();

export const lateMatchingSchema = z
  .object({
    windowDays: z
      .number()
      .int()
      .min(0)
      .max(30)
      .default(7)
      .describe(
        'How long after it ended a skipped or partly matched meeting is looked at again for what appeared since in Salesforce: Contacts and Leads with a participant’s email, an open Opportunity of its Account, an Account whose Website names a participant’s domain (0: never).',
      ),
  })
  .strict();

export const exclusionsSchema = z
  .object({
    internalDomains: list(domain).describe(
      'Domains of our own people beyond Salesforce users (subsidiaries, old brands): never matched, never linked.',
    ),
    neverLinkEmails: list(email).describe('Email addresses never linked to any record.'),
    neverLinkDomains: list(domain).describe('Email domains never linked to any record.'),
    optedOutOrganizers: list(email).describe('Organizers whose meetings are never written to Salesforce.'),
    writeMeetingsWithoutExternalParticipant: z
      .boolean()
      .default(true)
      .describe(
        'Write meetings that have no external participant (for example with a hand-picked record); off: skip them.',
      ),
  })
  .strict();

export const contactCreationSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Create a Contact (name and email) under the Account when an external guest matched nobody and their email domain names exactly that one Account (never for free-mail, internal, excluded or shared domains). Needs create on Contact: the Salescaling Contact Creation permission set.',
      ),
  })
  .strict();

export const apiBudgetSchema = z
  .object({
    stopAtPercent: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(90)
      .describe(
        'Stop writing once this share (percent) of the org’s daily API allowance is used (as Salesforce last reported it); meetings wait in the queue and writing resumes when Salesforce’s /limits shows room again.',
      ),
  })
  .strict();

export const associationSettingsSchema = z
  .object({
    opportunityRule: opportunityRuleSchema.default(() => opportunityRuleSchema.parse({})),
    domainMatching: domainMatchingSchema.default(() => domainMatchingSchema.parse({})),
    calendarEventEnrichment: calendarEventEnrichmentSchema.default(() =>
      calendarEventEnrichmentSchema.parse({}),
    ),
    lateMatching: lateMatchingSchema.default(() => lateMatchingSchema.parse({})),
    exclusions: exclusionsSchema.default(() => exclusionsSchema.parse({})),
    contactCreation: contactCreationSchema.default(() => contactCreationSchema.parse({})),
    apiBudget: apiBudgetSchema.default(() => apiBudgetSchema.parse({})),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.domainMatching.domainAccounts.forEach((m, i) => {
      if (seen.has(m.domain)) {
        ctx.addIssue({
          code: 'custom',
          path: ['domainMatching', 'domainAccounts', i, 'domain'],
          message: 'each domain may be assigned to one Account only',
        });
      }
      seen.add(m.domain);
    });
  });

export type AssociationSettings = z.output<typeof associationSettingsSchema>;
/** What a PUT may send: any field left out takes its default. */
export type AssociationSettingsInput = z.input<typeof associationSettingsSchema>;

export const DEFAULT_SETTINGS: AssociationSettings = Object.freeze(associationSettingsSchema.parse({}));

/** One row per setting, for the admin page and the admin guide: path, default, sentence. */
export interface SettingsField {
  readonly path: string;
  readonly default: unknown;
  readonly description: string;
}

export const SETTINGS_FIELDS: readonly SettingsField[] = (() => {
  const groups: Record<string, z.ZodObject> = {
    opportunityRule: opportunityRuleSchema,
    domainMatching: domainMatchingSchema,
    calendarEventEnrichment: calendarEventEnrichmentSchema,
    lateMatching: lateMatchingSchema,
    exclusions: exclusionsSchema,
    contactCreation: contactCreationSchema,
    apiBudget: apiBudgetSchema,
  };
  const out: SettingsField[] = [];
  for (const [group, schema] of Object.entries(groups)) {
    const defaults = (DEFAULT_SETTINGS as unknown as Record<string, Record<string, unknown>>)[group] ?? {};
    for (const [key, field] of Object.entries(schema.shape)) {
      out.push({
        path: `${group}.${key}`,
        default: defaults[key],
        description: (field as z.ZodType).description ?? '',
      });
    }
  }
  return out;
})();

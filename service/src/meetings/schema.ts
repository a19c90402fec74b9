/**
 * The meeting event Salescaling sends (CONTRACT.md §5), as zod schemas. The webhook validates with
 * these, the OpenAPI document is generated from them, and the rest of the service uses the inferred
 * types, so the wire format is written down once.
 */
import { z } from 'zod';

/** A Salesforce record id: 15 or 18 alphanumeric characters. Existence is checked later, at sync. */
export const salesforceIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * A Salescaling workspace id: the one rule for the API's path parameter and the webhook's envelope, so
 * the webhook never stores a meeting the API could not read or sync (issue 14 item 6).
 */
export const workspaceIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** A web link: http or https only, so no `javascript:` or `data:` URL reaches Event or Task text. */
export const webUrlSchema = z.url({ protocol: /^https?$/i, error: 'must be an http(s) URL' });

export const personSchema = z.object({
  email: z.string().trim().min(1).max(320),
  name: z.string().max(255).optional(),
});

export const participantSchema = z.object({
  email: z.string().trim().max(320).optional(),
  name: z.string().max(255).optional(),
  internal: z.boolean(),
});

export const noteSchema = z.object({
  id: z.string().min(1).max(255),
  category: z.string().max(255),
  text: z.string().max(100_000),
  at: z.number().nonnegative().optional(),
});

export const clipSchema = z.object({
  id: z.string().min(1).max(255),
  title: z.string().max(1_000),
  category: z.string().max(255),
  startSec: z.number().nonnegative(),
  endSec: z.number().nonnegative(),
  url: z.url(),
});

export const associationsSchema = z.object({
  contactIds: z.array(salesforceIdSchema).max(500).optional(),
  accountId: salesforceIdSchema.optional(),
  opportunityId: salesforceIdSchema.optional(),
});

export const meetingSchema = z
  .object({
    id: z.string().min(1).max(255),
    version: z.number().int().min(1),
    title: z.string(),
    startedAt: isoDateTime,
    endedAt: isoDateTime,
    recordingUrl: webUrlSchema,
    organizer: personSchema,
    participants: z.array(participantSchema).max(5_000),
    summary: z.string(),
    notes: z.array(noteSchema).max(5_000),
    clips: z.array(clipSchema).max(5_000),
    associations: associationsSchema.optional(),
  })
  .refine((m) => Date.parse(m.endedAt) >= Date.parse(m.startedAt), {
    message: 'endedAt must not be before startedAt',
    path: ['endedAt'],
  });

export const deletedMeetingSchema = z.object({
  id: z.string().min(1).max(255),
  version: z.number().int().min(1),
});

const envelope = {
  id: z.string().min(1).max(255),
  createdAt: isoDateTime,
  workspaceId: workspaceIdSchema,
};

export const meetingEventSchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('meeting.processed'), data: z.object({ meeting: meetingSchema }) }),
  z.object({ ...envelope, type: z.literal('meeting.updated'), data: z.object({ meeting: meetingSchema }) }),
  z.object({
    ...envelope,
    type: z.literal('meeting.deleted'),
    data: z.object({ meeting: deletedMeetingSchema }),
  }),
]);

export type Person = z.infer<typeof personSchema>;
export type Participant = z.infer<typeof participantSchema>;
export type MeetingNote = z.infer<typeof noteSchema>;
export type MeetingClip = z.infer<typeof clipSchema>;
export type HandPickedAssociations = z.infer<typeof associationsSchema>;
export type Meeting = z.infer<typeof meetingSchema>;
export type MeetingEvent = z.infer<typeof meetingEventSchema>;

/** Use-cases behind GET/PUT /v1/workspaces/{id}/salesforce/settings. */
import { z } from 'zod';
import { issuesToDetails } from '../http/api-schemas.ts';
import { AppError, unprocessable } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { SettingsRepository, StoredSettings } from '../store/settings-repository.ts';
import { associationSettingsSchema, type AssociationSettings } from './association-settings.ts';

export const settingsPutSchema = z
  .object({
    version: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('the version this change is based on (0: never saved); or send If-Match'),
    settings: associationSettingsSchema,
  })
  .strict();

export const settingsViewSchema = z.object({
  workspaceId: z.string(),
  version: z.number().int().describe('0 until the settings are first saved'),
  settings: associationSettingsSchema,
  updatedAt: z.string().nullable(),
});

export interface SettingsView {
  readonly workspaceId: string;
  readonly version: number;
  readonly settings: AssociationSettings;
  readonly updatedAt: string | null;
}

/** `If-Match: "3"` (or W/"3", or 3) → 3; anything else is not a version. */
export function parseIfMatch(header: string | undefined): number | null | 'invalid' {
  if (header === undefined || header.trim() === '') return null;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  return m?.[1] === undefined ? 'invalid' : Number(m[1]);
}

export class SettingsService {
  readonly #repo: SettingsRepository;
  readonly #log: Logger;

  constructor(repo: SettingsRepository, logger: Logger) {
    this.#repo = repo;
    this.#log = logger;
  }

  /** The settings the sync applies to a workspace (defaults until an admin saves). */
  async current(workspaceId: string): Promise<AssociationSettings> {
    return (await this.#repo.get(workspaceId)).settings;
  }

  async get(workspaceId: string): Promise<SettingsView> {
    return view(workspaceId, await this.#repo.get(workspaceId));
  }

  async put(workspaceId: string, body: unknown, ifMatch: string | undefined): Promise<SettingsView> {
    const parsed = settingsPutSchema.safeParse(body);
    if (!parsed.success) throw unprocessable('the settings are not valid', issuesToDetails(parsed.error));
    const header = parseIfMatch(ifMatch);
    if (header === 'invalid') {
      throw new AppError(400, 'invalid_if_match', 'If-Match must hold the settings version, e.g. "3"');
    }
    const fromBody = parsed.data.version ?? null;
    if (header !== null && fromBody !== null && header !== fromBody) {
      throw new AppError(
        400,
        'version_mismatch',
        `If-Match says version ${header} but the body says ${fromBody}`,
      );
    }
    const expected = header ?? fromBody;
    if (expected === null) {
      throw new AppError(
        428,
        'precondition_required',
        'send the version the change is based on (body "version" or If-Match); GET returns it',
      );
    }
    const saved = await this.#repo.save(workspaceId, {
      expectedVersion: expected,
      settings: parsed.data.settings,
      now: Date.now(),
    });
    if (saved === null) {
      const now = await this.#repo.get(workspaceId);
      throw new AppError(
        409,
        'version_conflict',
        `the settings changed meanwhile (version ${now.version}, yours ${expected}); read them again and reapply your change`,
        { currentVersion: now.version },
      );
    }
    this.#log.info({ workspaceId, version: saved.version }, 'association settings saved');
    return view(workspaceId, saved);
  }
}

function view(workspaceId: string, s: StoredSettings): SettingsView {
  return { workspaceId, version: s.version, settings: s.settings, updatedAt: s.updatedAt };
}

/**
 * The admin page's Settings form, rendered from `SETTINGS_FIELDS` (so the page never keeps a second
 * copy of the settings) and read back into the document `SettingsService.put` validates — the same
 * use-case, versions and conflict handling as the API. Booleans are checkboxes, numbers are number
 * inputs, lists are one-entry-per-line textareas; every field shows its label, its sentence and its
 * default, and an invalid value is reported beside the field it came from.
 */
import { AppError } from '../app-error.ts';
import type { SettingsService, SettingsView } from './settings-service.ts';
import { SETTINGS_FIELDS, type SettingsField } from './association-settings.ts';

/** Where the page posts the form (under the admin page's path). */
export const SETTINGS_FORM_PATH = '/settings/integrations/settings';

const GROUP_TITLES: Readonly<Record<string, string>> = {
  opportunityRule: 'Opportunity without a hand-pick',
  domainMatching: 'Account by email domain',
  calendarEventEnrichment: 'Beside calendar sync tools',
  lateMatching: 'Late matches',
  exclusions: 'Scope and exclusions',
  contactCreation: 'Contacts for unknown guests',
  apiBudget: 'API budget',
};

const LABELS: Readonly<Record<string, string>> = {
  'opportunityRule.enabled': 'Pick an open Opportunity automatically',
  'opportunityRule.closeDateWindowDays': 'Close date window (days)',
  'domainMatching.enabled': 'Match an Account by email domain',
  'domainMatching.domainAccounts': 'Domain → Account (one “domain AccountId” per line)',
  'calendarEventEnrichment.enabled': 'Enrich the calendar tool’s Event',
  'lateMatching.windowDays': 'Look again for (days)',
  'exclusions.internalDomains': 'Internal domains (one per line)',
  'exclusions.neverLinkEmails': 'Emails never linked (one per line)',
  'exclusions.neverLinkDomains': 'Domains never linked (one per line)',
  'exclusions.optedOutOrganizers': 'Organizers who opted out (one email per line)',
  'exclusions.writeMeetingsWithoutExternalParticipant': 'Write meetings without an external participant',
  'contactCreation.enabled': 'Create Contacts for unknown guests',
  'apiBudget.stopAtPercent': 'Stop writing at (% of the daily API allowance)',
};

export const fieldLabel = (path: string): string => LABELS[path] ?? path;

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c] ?? c);

type Kind = 'boolean' | 'number' | 'list' | 'mappings';
function kindOf(f: SettingsField): Kind {
  if (typeof f.default === 'boolean') return 'boolean';
  if (typeof f.default === 'number') return 'number';
  return f.path === 'domainMatching.domainAccounts' ? 'mappings' : 'list';
}

const inputName = (path: string) => `s.${path}`;
const inputId = (path: string) => `setting-${path.replace(/\./g, '-')}`;

function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

/** A stored value as the form shows it (lists one per line). */
function asText(f: SettingsField, value: unknown): string {
  const k = kindOf(f);
  if (k === 'mappings')
    return ((value as { domain: string; accountId: string }[] | undefined) ?? [])
      .map((m) => `${m.domain} ${m.accountId}`)
      .join('\n');
  if (k === 'list') return ((value as string[] | undefined) ?? []).join('\n');
  return String(value ?? '');
}

function defaultText(f: SettingsField): string {
  const k = kindOf(f);
  if (k === 'boolean') return f.default ? 'on' : 'off';
  if (k === 'list' || k === 'mappings')
    return (f.default as unknown[]).length ? asText(f, f.default) : 'empty';
  return String(f.default);
}

export interface SettingsFormState {
  /** The form's values as the admin typed them (after a refused save), by setting path. */
  readonly values?: Readonly<Record<string, string | boolean>>;
  /** One message per setting path. */
  readonly errors?: Readonly<Record<string, string>>;
  readonly banner?: { readonly kind: 'success' | 'error'; readonly text: string } | null;
}

export function renderSettingsForm(view: SettingsView, csrf: string, state: SettingsFormState = {}): string {
  const groups = new Map<string, SettingsField[]>();
  for (const f of SETTINGS_FIELDS) {
    const g = f.path.split('.')[0] ?? f.path;
    groups.set(g, [...(groups.get(g) ?? []), f]);
  }
  const errorCount = Object.keys(state.errors ?? {}).length;
  const fieldsets = [...groups.entries()]
    .map(([group, fields]) => {
      const rows = fields.map((f) => fieldHtml(f, view, state)).join('');
      return `<fieldset class="slds-form-element adm-settings-group" data-group="${esc(group)}"><legend class="slds-form-element__legend slds-text-title_caps">${esc(GROUP_TITLES[group] ?? group)}</legend>${rows}</fieldset>`;
    })
    .join('');
  const b = state.banner;
  const bannerHtml = b
    ? `<div class="slds-notify slds-notify_alert ${b.kind === 'success' ? 'slds-theme_success' : 'slds-theme_error'}" role="${b.kind === 'error' ? 'alert' : 'status'}" data-id="settings-banner" data-kind="${b.kind}"><h2>${esc(b.text)}</h2></div>`
    : '';
  const summary =
    errorCount > 0
      ? `<p class="slds-text-color_error" role="alert" data-id="settings-error-summary">${errorCount} setting${errorCount === 1 ? ' is' : 's are'} not valid; see the messages beside ${errorCount === 1 ? 'it' : 'them'}. Nothing was saved.</p>`
      : '';
  const meta = `Version ${view.version}${view.updatedAt ? `, saved ${esc(view.updatedAt)}` : ' (defaults, never saved)'}.`;
  return `${bannerHtml}<form method="post" action="${SETTINGS_FORM_PATH}#settings" class="adm-settings" data-id="settings-form" novalidate>
  <input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="version" value="${view.version}" data-id="settings-version">
  <p class="slds-text-body_small slds-m-bottom_x-small" data-id="settings-meta">${meta} Salescaling’s settings API (GET/PUT /v1/workspaces/{id}/salesforce/settings) reads and changes the same settings.</p>
  ${summary}${fieldsets}
  <button class="slds-button slds-button_brand adm-gap" type="submit" data-id="settings-save">Save settings</button>
</form>`;
}

function fieldHtml(f: SettingsField, view: SettingsView, state: SettingsFormState): string {
  const id = inputId(f.path);
  const name = inputName(f.path);
  const k = kindOf(f);
  const typed = state.values?.[f.path];
  const value =
    typed ??
    (k === 'boolean' ? getPath(view.settings, f.path) === true : asText(f, getPath(view.settings, f.path)));
  const err = state.errors?.[f.path];
  const describedBy = `${id}-help${err ? ` ${id}-error` : ''}`;
  const invalid = err ? ' aria-invalid="true"' : '';
  const help = `<div class="slds-form-element__help adm-help" id="${id}-help">${esc(f.description)} <span class="adm-default">Default: ${esc(defaultText(f))}.</span></div>`;
  const errHtml = err
    ? `<div class="slds-form-element__help slds-text-color_error" id="${id}-error" data-id="field-error" data-field="${esc(f.path)}">${esc(err)}</div>`
    : '';
  const wrap = (control: string) =>
    `<div class="slds-form-element adm-setting${err ? ' slds-has-error' : ''}" data-id="setting" data-path="${esc(f.path)}">${control}${help}${errHtml}</div>`;
  if (k === 'boolean') {
    return wrap(
      `<div class="slds-form-element__control"><div class="slds-checkbox"><input type="checkbox" id="${id}" name="${name}" value="on"${value === true ? ' checked' : ''} aria-describedby="${describedBy}"${invalid}><label class="slds-checkbox__label" for="${id}"><span class="slds-checkbox_faux"></span><span class="slds-form-element__label">${esc(fieldLabel(f.path))}</span></label></div></div>`,
    );
  }
  const label = `<label class="slds-form-element__label" for="${id}">${esc(fieldLabel(f.path))}</label>`;
  if (k === 'number') {
    return wrap(
      `${label}<div class="slds-form-element__control"><input class="slds-input adm-number" type="number" inputmode="numeric" step="1" id="${id}" name="${name}" value="${esc(value)}" aria-describedby="${describedBy}"${invalid}></div>`,
    );
  }
  return wrap(
    `${label}<div class="slds-form-element__control"><textarea class="slds-textarea" id="${id}" name="${name}" rows="3" spellcheck="false" aria-describedby="${describedBy}"${invalid}>${esc(value)}</textarea></div>`,
  );
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

/**
 * The posted form as the PUT body `SettingsService.put` takes, plus the values as typed (to show
 * them again when the save is refused). A checkbox left unticked is absent from the form: false.
 */
export function formToSettingsBody(form: Record<string, unknown>): {
  body: { version: unknown; settings: Record<string, Record<string, unknown>> };
  values: Record<string, string | boolean>;
} {
  const settings: Record<string, Record<string, unknown>> = {};
  const values: Record<string, string | boolean> = {};
  for (const f of SETTINGS_FIELDS) {
    const [group = '', key = ''] = f.path.split('.');
    const raw = form[inputName(f.path)];
    const text = typeof raw === 'string' ? raw : '';
    const k = kindOf(f);
    let v: unknown;
    if (k === 'boolean') {
      v = raw === 'on' || raw === 'true';
      values[f.path] = v as boolean;
    } else {
      values[f.path] = text;
      if (k === 'number')
        v = /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text.trim() === '' ? undefined : text;
      else if (k === 'list') v = lines(text);
      else
        v = lines(text).map((l) => {
          // "example.com 001…", "example.com = 001…" or "example.com, 001…"
          const [domain = '', accountId = '', ...rest] = l.split(/[\s,;=]+/).filter(Boolean);
          return rest.length
            ? { domain, accountId: `${accountId} ${rest.join(' ')}` }
            : { domain, accountId };
        });
    }
    (settings[group] ??= {})[key] = v;
  }
  const version =
    typeof form['version'] === 'string' && /^\d{1,9}$/.test(form['version'])
      ? Number(form['version'])
      : form['version'];
  return { body: { version, settings }, values };
}

/** A validation detail's path (`settings.exclusions.neverLinkEmails.2`) → the field and a message. */
export function errorsByField(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const known = new Set(SETTINGS_FIELDS.map((f) => f.path));
  for (const d of Array.isArray(details) ? (details as { path?: unknown; message?: unknown }[]) : []) {
    const parts = String(d.path ?? '').split('.');
    if (parts[0] === 'settings') parts.shift();
    const path = parts.slice(0, 2).join('.');
    const field = known.has(path) ? path : '(form)';
    const index = parts[2] !== undefined && /^\d+$/.test(parts[2]) ? Number(parts[2]) : null;
    const message = `${index === null ? '' : `Line ${index + 1}: `}${String(d.message ?? 'not valid')}`;
    out[field] = out[field] ? `${out[field]}; ${message}` : message;
  }
  return out;
}

export type SettingsSaveResult =
  | { readonly ok: true; readonly view: SettingsView }
  | { readonly ok: false; readonly status: number; readonly html: string };

/**
 * Saves the posted form through the settings use-case. A refused save changes nothing and answers
 * the form again: with the typed values and a message beside each invalid field (422), or with a
 * banner when the settings changed meanwhile (409, the stored settings are shown, not overwritten).
 */
export async function saveSettingsForm(
  service: SettingsService,
  workspaceId: string,
  form: Record<string, unknown>,
  csrf: string,
): Promise<SettingsSaveResult> {
  const { body, values } = formToSettingsBody(form);
  try {
    return { ok: true, view: await service.put(workspaceId, body, undefined) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const current = await service.get(workspaceId);
    if (err.code === 'version_conflict') {
      return {
        ok: false,
        status: 409,
        html: renderSettingsForm(current, csrf, {
          banner: {
            kind: 'error',
            text: `Not saved: someone changed these settings meanwhile (now version ${current.version}, your form was version ${String(body.version)}). The form shows the current settings; make your change again and save.`,
          },
        }),
      };
    }
    if (err.status === 422 || err.status === 428 || err.status === 400) {
      const errors = err.status === 422 ? errorsByField(err.details) : { '(form)': err.message };
      const formLevel = errors['(form)'];
      return {
        ok: false,
        status: err.status === 428 ? 400 : err.status,
        html: renderSettingsForm(current, csrf, {
          values,
          errors,
          banner: formLevel ? { kind: 'error', text: `Not saved: ${formLevel}` } : null,
        }),
      };
    }
    throw err;
  }
}

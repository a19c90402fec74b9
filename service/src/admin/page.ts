/**
 * The admin page, rendered on the server: Settings › Integrations › Salesforce. Plain HTML with the
 * Salesforce Lightning Design System's classes (its users live in Salesforce), every control a real
 * link, button or form field (keyboard and screen reader work without script), one column on narrow
 * screens. The only script (admin.js) uploads a backfill file and moves the progress bars.
 */
import type { BackfillProgressView, DryRunAnswer } from '../backfill/backfill-service.ts';
import { REQUIRED } from '../salesforce/org-check.ts';
import type { AlertRecord } from '../store/alerts.ts';
import type { MeetingLogEntry } from '../store/meeting-log.ts';
import type { MeetingState } from '../store/types.ts';
import { overBudget } from '../worker/budget.ts';

export const PAGE_PATH = '/settings/integrations';

/** What the connect-time check asks of the connected user (salesforce/org-check.ts), in its words. */
const CAPABILITY_WORD = {
  createable: 'create',
  updateable: 'edit',
  deletable: 'delete',
  queryable: 'read',
} as const;
const REQUIRED_PERMISSIONS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(REQUIRED).map(([object, caps]) => [object, caps.map((c) => CAPABILITY_WORD[c])]),
);

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c] ?? c);

/** A connection status as ConnectService.status answers it. */
export interface StatusView {
  readonly connected: boolean;
  readonly status: 'connected' | 'broken' | 'not_connected';
  readonly brokenReason?: string | null;
  readonly orgId?: string;
  readonly instanceUrl?: string;
  readonly loginUrl?: string;
  readonly user?: { id: string; username: string | null; displayName: string | null };
  readonly permissions?: {
    ok: boolean;
    missing: string[];
    /** Each missing permission with what an admin grants (org-check.ts explainMissing). */
    details?: { name: string; fix: string }[];
  };
  readonly sharedActivities?: boolean;
  readonly isSandbox?: boolean | null;
  readonly packageFields?: { installed: boolean; found: string[]; missing: string[] };
  readonly apiUsage?: { used: number; max: number; at: string } | null;
  readonly lastSyncAt?: string | null;
  readonly connectedAt?: string;
  readonly checkedAt?: string;
}

export interface PageModel {
  readonly workspaceId: string;
  readonly csrf: string;
  readonly status: StatusView;
  readonly banner: { kind: 'success' | 'error' | 'info'; text: string } | null;
  readonly confirmDisconnect: boolean;
  readonly alerts: readonly AlertRecord[];
  readonly counts: Partial<Record<MeetingState, number>>;
  readonly meetings: readonly MeetingLogEntry[];
  readonly stateFilter: MeetingState | null;
  readonly nextCursor: string | null;
  readonly backfills: readonly BackfillProgressView[];
  /** The settings module's form (trusted HTML it rendered and escaped), or null until it is wired. */
  readonly settingsHtml: string | null;
  /** The workspace's API budget setting (percent of the daily allowance; null: settings not served). */
  readonly apiBudgetPercent?: number | null;
  /** The access token's last refresh (null: none since connecting). */
  readonly lastRefresh: { at: string; outcome: string } | null;
}

/** Each reason the OAuth callback (or the connect form) can send back, in an admin's words. */
export const CONNECT_REASONS: Readonly<Record<string, string>> = {
  access_denied:
    'You pressed Deny on Salesforce’s consent page, so nothing was connected. Connect again and press Allow.',
  state_already_used: 'That sign-in was already used. Press Connect again to start a fresh one.',
  state_expired: 'The Salesforce sign-in took longer than 10 minutes and expired. Press Connect again.',
  invalid_grant:
    'Salesforce refused the authorization code (it may have expired, or the user cannot use this app). Connect again; if it persists, check the user’s access to the Salescaling app in Salesforce Setup.',
  invalid_signature:
    'Salesforce’s answer could not be verified. Check the Salescaling app’s consumer secret, then connect again.',
  no_refresh_token:
    'Salesforce granted no refresh token. In Salesforce Setup, give the Salescaling app the “Perform requests at any time (refresh_token, offline_access)” scope, then connect again.',
  missing_code: 'Salesforce sent no authorization code. Connect again.',
  login_url_not_allowed:
    'That address is not a Salesforce login or My Domain URL (it must end in my.salesforce.com or similar, over https).',
  connect_failed:
    'Connecting failed after Salesforce approved it (the org could not be read). Try again in a minute.',
  authorization_failed: 'Salesforce did not authorize the connection. Connect again.',
  OAUTH_APP_BLOCKED:
    'The Salescaling app is blocked in this org. An admin can unblock it in Setup › Connected Apps OAuth Usage.',
};

export function connectReasonText(reason: string | null): string {
  if (reason && CONNECT_REASONS[reason]) return CONNECT_REASONS[reason];
  return `Salesforce did not connect (${reason ?? 'no reason given'}). Connect again, and contact support if it keeps failing.`;
}

/** Why a connection broke, and what the admin does about it. */
export function brokenReasonText(reason: string | null | undefined): string {
  const r = reason ?? '';
  if (/invalid_grant|revoked|expired/.test(r))
    return 'Salesforce no longer accepts the connection: the access was revoked, the user was frozen or deactivated, or a password or session policy ended it. Reconnect as an active user.';
  if (/inactive|frozen/.test(r))
    return 'The connected Salesforce user is frozen or inactive. Reconnect as an active user.';
  return `The connection stopped working (${r || 'unknown reason'}). Reconnect to resume syncing.`;
}

const OBJECT_HELP: Readonly<Record<string, string>> = {
  Event: 'Events (the meeting on the calendar)',
  EventRelation: 'Event relations (attendees and related records)',
  Task: 'Tasks (the follow-up)',
  ContentNote: 'Notes',
  ContentDocumentLink: 'links between Notes and records',
};

/** A missing permission like `Event.create` in words, and how an admin grants it. */
export function permissionFix(missing: string): string {
  const [object = missing, action = 'use'] = missing.split('.');
  const what = OBJECT_HELP[object] ?? `${object} records`;
  return `The connected user cannot ${action} ${what}. Assign the “Salescaling Integration User” permission set (Setup › Users › the user › Permission Set Assignments), or grant ${action} on ${object} in the user’s profile.`;
}

const MEETING_STATE_LABEL: Readonly<Record<MeetingState, string>> = {
  failed: 'Failed',
  syncing: 'Syncing',
  queued: 'Queued',
  skipped: 'Skipped',
  synced: 'Synced',
  deleted: 'Deleted',
};

const DROP_REASON: Readonly<Record<string, string>> = {
  not_found: 'not found in Salesforce',
  deleted: 'deleted in Salesforce',
  over_contact_limit: 'over the 50 contacts an Event can relate to',
  shared_activities_off: 'Shared Activities is off, so only one contact can be related',
  what_id_taken_by_opportunity: 'the opportunity took the “Related To” slot',
  ambiguous_email: 'several records share this email',
  salesforce_user: 'a Salesforce user (a colleague), not a customer',
  lead_not_allowed: 'a lead cannot be related beside an account or opportunity',
  missing_email: 'no email address',
  participant_limit: 'over the participant limit',
  deleted_in_salesforce: 'deleted in Salesforce by a person, not brought back',
  calendar_event_ambiguous: 'one of several calendar Events that could be this meeting; none was enriched',
  kept_person_edit: 'a person changed this Event in Salesforce; their change was kept',
};

/** The last error in an admin's words, with Salesforce's own message after it. */
export function meetingErrorText(m: Pick<MeetingLogEntry, 'state' | 'reason' | 'lastError'>): string | null {
  const why: Record<string, string> = {
    not_connected: 'Salesforce is not connected; it syncs once you connect.',
    connection_broken: 'The Salesforce connection is broken; it syncs once you reconnect.',
    permission_denied: 'The connected user lacks a permission Salesforce requires for this meeting.',
    salesforce_record_error:
      'Salesforce rejected the record (a validation rule, a required field, a field too long or a trigger). Fix the cause in Salesforce or in the meeting, then press Resync.',
    internal_error:
      'Syncing failed repeatedly for an unexpected reason. Press Resync to try again; contact support if it keeps failing.',
    limit_exceeded: 'The org’s daily API allowance was used up; it retries when it frees up.',
    no_crm_match: 'No participant matches a contact, lead or account in Salesforce, so nothing was written.',
  };
  const head = m.reason ? (why[m.reason] ?? `Reason: ${m.reason}.`) : null;
  if (!head && !m.lastError) return null;
  return [head, m.lastError ? `Salesforce said: ${m.lastError}` : null].filter(Boolean).join(' ');
}

const tick = (ok: boolean, label: string) =>
  `<span class="adm-check ${ok ? 'adm-ok' : 'adm-missing'}" role="img" aria-label="${ok ? 'OK' : 'Missing'}">${ok ? '✓' : '✗'}</span> ${label}`;

function csrfField(csrf: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(csrf)}">`;
}

function banner(b: PageModel['banner']): string {
  if (!b) return '';
  const theme =
    b.kind === 'success' ? 'slds-theme_success' : b.kind === 'error' ? 'slds-theme_error' : 'slds-theme_info';
  return `<div class="slds-notify slds-notify_alert ${theme}" role="${b.kind === 'error' ? 'alert' : 'status'}" data-id="banner" data-kind="${b.kind}"><h2>${esc(b.text)}</h2></div>`;
}

function alertsBlock(alerts: readonly AlertRecord[]): string {
  if (alerts.length === 0) return '';
  return alerts
    .map((a) => {
      const text =
        a.kind === 'connection.broken'
          ? `Alert: ${brokenReasonText(String(a.payload['reason'] ?? ''))}`
          : `Alert: ${String(a.payload['failed'] ?? 'Several')} meetings failed to sync in the last hour. See the sync log below.`;
      return `<div class="slds-notify slds-notify_alert slds-theme_warning" role="alert" data-id="alert" data-kind="${esc(a.kind)}"><h2>${esc(text)}</h2></div>`;
    })
    .join('');
}

function card(title: string, id: string, body: string, actions = ''): string {
  return `<article class="slds-card" id="${id}" aria-labelledby="${id}-title">
  <div class="slds-card__header slds-grid"><header class="slds-media slds-media_center slds-has-flexi-truncate"><div class="slds-media__body"><h2 class="slds-card__header-title slds-text-heading_small" id="${id}-title">${esc(title)}</h2></div></header>${actions ? `<div class="slds-no-flex">${actions}</div>` : ''}</div>
  <div class="slds-card__body slds-card__body_inner">${body}</div></article>`;
}

function connectForm(csrf: string, label: string): string {
  return `<form method="post" action="${PAGE_PATH}/connect" class="adm-connect" data-id="connect-form">
  ${csrfField(csrf)}
  <fieldset class="slds-form-element"><legend class="slds-form-element__legend slds-form-element__label">Where do your users log in?</legend>
  <div class="slds-form-element__control">
    <span class="slds-radio"><input type="radio" id="env-prod" name="environment" value="production" checked><label class="slds-radio__label" for="env-prod"><span class="slds-radio_faux"></span><span class="slds-form-element__label">Production (login.salesforce.com)</span></label></span>
    <span class="slds-radio"><input type="radio" id="env-sandbox" name="environment" value="sandbox"><label class="slds-radio__label" for="env-sandbox"><span class="slds-radio_faux"></span><span class="slds-form-element__label">Sandbox (test.salesforce.com)</span></label></span>
    <span class="slds-radio"><input type="radio" id="env-mydomain" name="environment" value="mydomain"><label class="slds-radio__label" for="env-mydomain"><span class="slds-radio_faux"></span><span class="slds-form-element__label">My Domain</span></label></span>
  </div></fieldset>
  <div class="slds-form-element"><label class="slds-form-element__label" for="mydomain">My Domain URL (only for My Domain)</label>
  <div class="slds-form-element__control"><input class="slds-input" type="url" id="mydomain" name="myDomain" placeholder="https://yourcompany.my.salesforce.com" autocomplete="url"></div></div>
  <button class="slds-button slds-button_brand adm-gap" type="submit" data-id="connect">${esc(label)}</button>
</form>`;
}

/**
 * Sandbox or production, from where the admin logged in and the instance's host: sandboxes log in at
 * test.salesforce.com and their My Domain hosts are `<domain>--<sandbox>.sandbox.my.salesforce.com`.
 * https://help.salesforce.com/s/articleView?id=products.domain_name_app_url_changes.htm&type=5
 * (linked from https://developer.salesforce.com/docs/platform/pkg2-dev/guide/packaging-instanceless-url.html)
 */
export function orgKind(s: Pick<StatusView, 'loginUrl' | 'instanceUrl' | 'isSandbox'>): string {
  // What the org said (Organization.IsSandbox, read at the connect-time check) wins; the URLs are
  // only a fallback for a connection checked before that was read.
  if (s.isSandbox === true) return 'sandbox';
  if (s.isSandbox === false) return 'production';
  const urls = `${s.loginUrl ?? ''} ${s.instanceUrl ?? ''}`;
  if (
    /test\.salesforce\.com|\.sandbox\.my\.salesforce\.com|--\w+\.(sandbox\.)?my\.salesforce\.com/i.test(urls)
  )
    return 'sandbox';
  if (/127\.0\.0\.1|localhost/.test(urls)) return 'local org';
  return 'production';
}

function connectionCard(m: PageModel): string {
  const s = m.status;
  if (s.status === 'not_connected') {
    return card(
      'Salesforce',
      'connection',
      `<p class="slds-m-bottom_small">Connect Salescaling to Salesforce to write each meeting as an Event with its notes and follow-up task, linked to the right contacts, accounts and opportunities.</p>${connectForm(m.csrf, 'Connect')}`,
    );
  }
  const broken = s.status === 'broken';
  const who = s.user?.displayName ?? s.user?.username ?? s.user?.id ?? 'unknown user';
  const disconnect = m.confirmDisconnect
    ? `<form method="post" action="${PAGE_PATH}/disconnect" class="adm-confirm" data-id="disconnect-confirm" role="group" aria-labelledby="disc-q">${csrfField(m.csrf)}<input type="hidden" name="confirm" value="yes">
        <p id="disc-q" class="slds-text-color_error slds-m-bottom_x-small"><strong>Disconnect Salesforce?</strong> Salescaling revokes its access and stops syncing. What it already wrote stays in Salesforce.</p>
        <button class="slds-button slds-button_destructive" type="submit" data-id="disconnect-yes">Yes, disconnect</button>
        <a class="slds-button slds-button_neutral" href="${PAGE_PATH}" data-id="disconnect-cancel">Cancel</a></form>`
    : `<a class="slds-button slds-button_neutral" href="${PAGE_PATH}?confirm=disconnect#connection" data-id="disconnect">Disconnect</a>`;
  const body = `<dl class="slds-dl_horizontal adm-facts">
    <dt class="slds-dl_horizontal__label">Status</dt><dd class="slds-dl_horizontal__detail" data-id="status">${broken ? '<span class="slds-badge slds-theme_error">Broken</span>' : '<span class="slds-badge slds-theme_success">Connected</span>'}</dd>
    <dt class="slds-dl_horizontal__label">Org</dt><dd class="slds-dl_horizontal__detail" data-id="org">${esc(s.orgId)} (${orgKind(s)})</dd>
    <dt class="slds-dl_horizontal__label">Instance</dt><dd class="slds-dl_horizontal__detail"><a href="${esc(s.instanceUrl)}" target="_blank" rel="noopener noreferrer">${esc(s.instanceUrl)}</a></dd>
    <dt class="slds-dl_horizontal__label">User</dt><dd class="slds-dl_horizontal__detail" data-id="user">${esc(who)}${s.user?.username && s.user.username !== who ? ` (${esc(s.user.username)})` : ''}</dd>
    <dt class="slds-dl_horizontal__label">Connected</dt><dd class="slds-dl_horizontal__detail">${esc(s.connectedAt)}</dd>
    <dt class="slds-dl_horizontal__label">Last sync</dt><dd class="slds-dl_horizontal__detail">${esc(s.lastSyncAt ?? 'not yet')}</dd>
  </dl>
  ${broken ? `<p class="slds-text-color_error slds-m-vertical_small" data-id="broken-reason">${esc(brokenReasonText(s.brokenReason))}</p>${connectForm(m.csrf, 'Reconnect')}` : ''}
  <div class="slds-m-top_small">${disconnect}</div>`;
  return card('Salesforce', 'connection', body);
}

function healthCard(m: PageModel): string {
  const s = m.status;
  if (s.status === 'not_connected') return '';
  const missing = s.permissions?.missing ?? [];
  const fixOf = new Map((s.permissions?.details ?? []).map((d) => [d.name, d.fix]));
  // Every object the product needs, with its tick; below, each missing permission by its name
  // (`Task.create`, `EditTask`, `Event.Field__c.edit`) with the fix the status API gives.
  const objectOf = (name: string) =>
    name === 'EditEvent' ? 'Event' : name === 'EditTask' ? 'Task' : name.split('.')[0];
  const perms = Object.entries(REQUIRED_PERMISSIONS)
    .map(([object, actions]) => {
      const gaps = missing.filter((n) => objectOf(n) === object);
      const label = `${esc(object)}: ${actions.join(', ')}`;
      return gaps.length === 0
        ? `<li data-id="permission" data-object="${esc(object)}">${tick(true, label)}</li>`
        : `<li data-id="permission-gap" data-object="${esc(object)}">${tick(false, `${label} — ${gaps.length} missing`)}</li>`;
    })
    .join('');
  const missingItems = missing
    .map(
      (name) =>
        `<li data-id="missing-permission" data-permission="${esc(name)}" data-object="${esc(objectOf(name))}">${tick(false, `<strong>${esc(name)}</strong> missing`)}<div class="adm-fix" data-id="permission-fix">How to fix: grant ${esc(fixOf.get(name) ?? permissionFix(name))}.</div></li>`,
    )
    .join('');
  const fields = s.packageFields;
  const fieldItems = fields
    ? [
        ...fields.found.map((f) => `<li>${tick(true, `Field ${esc(f)} on Activity`)}</li>`),
        ...fields.missing.map(
          (f) =>
            `<li data-id="missing-field">${tick(false, `Field <strong>${esc(f)}</strong> on Activity is missing`)}</li>`,
        ),
        ...(fields.missing.length
          ? [
              `<li class="adm-fix" data-id="missing-field-fix">How to fix: install the Salescaling package in this org, or give the connected user field access to these fields in the “Salescaling Integration User” permission set. Until then meetings still sync, with the recording link in the description.</li>`,
            ]
          : []),
      ].join('')
    : '';
  const shared = s.sharedActivities
    ? `<li>${tick(true, 'Shared Activities is on: an Event relates to up to 50 contacts')}</li>`
    : `<li data-id="shared-activities-off">${tick(false, 'Shared Activities is off: each Event relates to one contact only. Turn it on in Setup › Activity Settings › “Allow Users to Relate Multiple Contacts to Tasks and Events”.')}</li>`;
  const usage = s.apiUsage;
  const pct = usage && usage.max > 0 ? Math.min(100, Math.round((usage.used / usage.max) * 100)) : null;
  const usageBlock = usage
    ? `<p>API requests today: <strong data-id="api-usage">${usage.used.toLocaleString('en-US')} of ${usage.max.toLocaleString('en-US')}</strong> (${pct}%), as of ${esc(usage.at)}.</p>
       <div class="slds-progress-bar slds-progress-bar_large" role="progressbar" aria-label="API requests used today" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct}"><span class="slds-progress-bar__value" style="width:${pct}%"></span></div>`
    : '<p>API usage: not measured yet (it is read from Salesforce’s answers as meetings sync).</p>';
  const budget = m.apiBudgetPercent ?? null;
  const budgetBlock =
    budget === null
      ? ''
      : usage && overBudget(usage, budget)
        ? `<p class="slds-text-color_error" data-id="api-budget" data-paused="true" role="status"><strong>Paused by the API budget:</strong> ${budget}% of the daily allowance (${Math.floor((usage.max * budget) / 100).toLocaleString('en-US')} requests) is used, so Salescaling writes nothing for now. Meetings wait in the queue and sync once Salesforce shows room again (the allowance is raised, or the daily count frees up); change the budget under Settings.</p>`
        : `<p data-id="api-budget" data-paused="false">Budget: Salescaling stops writing at ${budget}% of the daily allowance${usage ? ` (${Math.floor((usage.max * budget) / 100).toLocaleString('en-US')} requests)` : ''} and resumes when it frees up; change it under Settings.</p>`;
  const token =
    s.status === 'broken'
      ? `<li data-id="token-broken">${tick(false, `Token: broken — ${esc(brokenReasonText(s.brokenReason))}`)}</li>`
      : `<li>${tick(true, 'Token: valid; Salescaling refreshes it by itself when Salesforce expires the session')}</li>`;
  const refresh = m.lastRefresh
    ? `<li data-id="last-refresh">Last refresh: ${esc(m.lastRefresh.at)} (${m.lastRefresh.outcome === 'ok' ? 'refreshed' : m.lastRefresh.outcome === 'dead' ? 'refused by Salesforce' : 'failed, will retry'})</li>`
    : '<li data-id="last-refresh">Last refresh: none since connecting</li>';
  const body = `<h3 class="slds-text-title_caps slds-m-bottom_x-small">Permissions</h3><ul class="adm-list">${perms}</ul>${missingItems ? `<ul class="adm-list" data-id="missing-permissions" aria-label="Missing permissions">${missingItems}</ul>` : ''}
  <h3 class="slds-text-title_caps slds-m-vertical_x-small">Settings and package</h3><ul class="adm-list">${shared}${fieldItems}</ul>
  <h3 class="slds-text-title_caps slds-m-vertical_x-small">Connection</h3><ul class="adm-list">${token}${refresh}</ul>
  <h3 class="slds-text-title_caps slds-m-vertical_x-small">API usage</h3>${usageBlock}${budgetBlock}
  <p class="slds-text-body_small slds-m-top_x-small">Checked ${esc(s.checkedAt)}.</p>`;
  const recheck = `<form method="post" action="${PAGE_PATH}/recheck">${csrfField(m.csrf)}<button class="slds-button slds-button_neutral" type="submit" data-id="recheck">Check again</button></form>`;
  return card('Health', 'health', body, recheck);
}

function settingsCard(m: PageModel): string {
  // The association and scope rules and the API budget belong to the settings module
  // (GET/PUT /v1/workspaces/{id}/salesforce/settings); it renders its own form here through
  // AdminDeps.settingsSection, so the page never keeps a second copy of the settings.
  return card(
    'Settings',
    'settings',
    m.settingsHtml ??
      '<p data-id="settings-pending">Association and scope rules and the API budget are set through Salescaling’s settings API. This section shows them once the settings module is connected to this page.</p>',
  );
}

/**
 * A link that opens the record in Lightning Experience (`/lightning/r/<object>/<id>/view`, the
 * standard__recordPage URL). A ContentNote's id is its ContentDocument's id, and Lightning's record
 * navigation does not take ContentNote ids, so notes open as the ContentDocument:
 * https://developer.salesforce.com/docs/platform/lightning-component-reference/guide/force-navigate-to-sobject.html
 */
function recordLink(
  instanceUrl: string | undefined,
  object: string,
  id: string | null,
  label = object,
): string {
  if (!id) return '';
  const href = instanceUrl ? `${instanceUrl}/lightning/r/${object}/${encodeURIComponent(id)}/view` : '#';
  const text = label ? `${esc(label)} ${esc(id)}` : esc(id);
  return `<a href="${esc(href)}" target="_blank" rel="noopener noreferrer" data-id="record-link" data-object="${object}">${text}</a>`;
}

function meetingRow(m: PageModel, x: MeetingLogEntry): string {
  const w = x.written;
  const written = w
    ? [
        recordLink(m.status.instanceUrl, 'Event', w.eventId),
        recordLink(m.status.instanceUrl, 'ContentDocument', w.noteId, 'Note'),
        recordLink(m.status.instanceUrl, 'Task', w.taskId),
      ]
        .filter(Boolean)
        .join('<br>')
    : '—';
  const linked = x.linked.length
    ? x.linked
        .map(
          (l) =>
            `${esc(l.type)} ${recordLink(m.status.instanceUrl, l.type, l.recordId, '')} <span class="slds-text-color_weak">(${esc(l.why)})</span>`,
        )
        .join('<br>')
    : '—';
  const dropped = x.dropped.length
    ? x.dropped
        .map(
          (d) =>
            `${esc(d.email ?? d.recordId ?? '')}: ${esc(DROP_REASON[d.reason] ?? d.reason)}${d.fields?.length ? ` (${esc(d.fields.join(', '))})` : ''}`,
        )
        .join('<br>')
    : '—';
  const err = meetingErrorText(x);
  const badge =
    x.state === 'failed'
      ? 'slds-theme_error'
      : x.state === 'synced'
        ? 'slds-theme_success'
        : x.state === 'skipped'
          ? 'slds-theme_warning'
          : '';
  return `<tr data-id="meeting-row" data-meeting="${esc(x.meetingId)}" data-state="${x.state}">
    <th scope="row" data-label="Meeting"><div class="slds-cell-wrap"><strong>${esc(x.title ?? x.meetingId)}</strong><br><span class="slds-text-body_small">${esc(x.meetingId)} · v${x.version}${x.startedAt ? ` · ${esc(x.startedAt.slice(0, 16).replace('T', ' '))}` : ''}</span></div></th>
    <td data-label="State"><span class="slds-badge ${badge}">${MEETING_STATE_LABEL[x.state]}</span><br><span class="slds-text-body_small">${x.attempts} attempt${x.attempts === 1 ? '' : 's'}${x.state === 'queued' && x.attempts > 0 && x.nextAttemptAt ? `; next ${esc(x.nextAttemptAt.slice(11, 19))} UTC` : ''}</span></td>
    <td data-label="Written"><div class="slds-cell-wrap">${written}</div></td>
    <td data-label="Linked"><div class="slds-cell-wrap">${linked}</div></td>
    <td data-label="Dropped"><div class="slds-cell-wrap">${dropped}</div></td>
    <td data-label="Last error"><div class="slds-cell-wrap" data-id="meeting-error">${esc(err ?? '—')}</div></td>
    <td data-label="Action"><form method="post" action="${PAGE_PATH}/meetings/${encodeURIComponent(x.meetingId)}/resync">${csrfField(m.csrf)}<button class="slds-button slds-button_neutral" type="submit" data-id="resync" aria-label="Resync ${esc(x.title ?? x.meetingId)}">Resync</button></form></td>
  </tr>`;
}

function syncLogCard(m: PageModel): string {
  const states: MeetingState[] = ['failed', 'syncing', 'queued', 'skipped', 'synced', 'deleted'];
  const filters = [
    `<a class="slds-button ${m.stateFilter === null ? 'slds-button_brand' : 'slds-button_neutral'}" href="${PAGE_PATH}#sync-log" ${m.stateFilter === null ? 'aria-current="page"' : ''}>All</a>`,
    ...states.map(
      (s) =>
        `<a class="slds-button ${m.stateFilter === s ? 'slds-button_brand' : 'slds-button_neutral'}" href="${PAGE_PATH}?state=${s}#sync-log" data-id="filter-${s}" ${m.stateFilter === s ? 'aria-current="page"' : ''}>${MEETING_STATE_LABEL[s]} (${m.counts[s] ?? 0})</a>`,
    ),
  ].join(' ');
  const rows = m.meetings.length
    ? m.meetings.map((x) => meetingRow(m, x)).join('')
    : `<tr><td colspan="7">No meetings${m.stateFilter ? ` in state ${MEETING_STATE_LABEL[m.stateFilter]}` : ' yet'}.</td></tr>`;
  const more = m.nextCursor
    ? `<p class="slds-m-top_small"><a class="slds-button slds-button_neutral" href="${PAGE_PATH}?${m.stateFilter ? `state=${m.stateFilter}&` : ''}cursor=${encodeURIComponent(m.nextCursor)}#sync-log" data-id="more">Older meetings</a></p>`
    : '';
  return card(
    'Sync log',
    'sync-log',
    `<nav class="adm-filters" aria-label="Filter meetings by state">${filters}</nav>
    <div class="adm-table-wrap"><table class="slds-table slds-table_cell-buffer slds-table_bordered slds-max-medium-table_stacked" aria-label="Meetings, failed first">
    <thead><tr class="slds-line-height_reset"><th scope="col">Meeting</th><th scope="col">State</th><th scope="col">Written</th><th scope="col">Linked</th><th scope="col">Dropped</th><th scope="col">Last error</th><th scope="col"><span class="slds-assistive-text">Action</span></th></tr></thead>
    <tbody>${rows}</tbody></table></div>${more}`,
  );
}

export function backfillRow(b: BackfillProgressView, csrf: string): string {
  const actions: string[] = [];
  const act = (what: string, label: string) =>
    `<form method="post" action="${PAGE_PATH}/backfills/${encodeURIComponent(b.backfillId)}/${what}" class="adm-inline">${csrfField(csrf)}<button class="slds-button slds-button_neutral" type="submit" data-id="backfill-${what}">${label}</button></form>`;
  if (b.state === 'running') actions.push(act('pause', 'Pause'));
  if (b.state === 'paused') actions.push(act('resume', 'Resume'));
  if (b.state === 'running' || b.state === 'paused') actions.push(act('cancel', 'Cancel'));
  return `<div class="adm-backfill" data-id="backfill" data-backfill="${esc(b.backfillId)}" data-state="${b.state}">
    <p><strong>Backfill ${esc(b.backfillId.slice(0, 11))}</strong> — <span data-id="backfill-state">${esc(b.state)}</span></p>
    <div class="slds-progress-bar slds-progress-bar_large" role="progressbar" aria-label="Backfill progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${b.percent}" data-id="backfill-bar"><span class="slds-progress-bar__value" style="width:${b.percent}%"><span class="slds-assistive-text">${b.percent}% done</span></span></div>
    <p class="slds-text-body_small" data-id="backfill-counts" aria-live="polite">${backfillCounts(b)}</p>
    <div>${actions.join(' ')}</div></div>`;
}

export function backfillCounts(b: BackfillProgressView): string {
  const eta =
    b.etaSeconds === null
      ? ''
      : ` · about ${b.etaSeconds < 90 ? `${b.etaSeconds} s` : `${Math.round(b.etaSeconds / 60)} min`} left`;
  return esc(
    `${b.percent}% · ${b.synced} synced, ${b.skipped} skipped, ${b.failed} failed, ${b.pending} to go of ${b.total}` +
      `${b.invalid ? ` (${b.invalid} invalid, not imported)` : ''}${b.duplicates ? ` · ${b.duplicates} already received` : ''} · ${b.apiCalls} API calls${eta}`,
  );
}

function backfillCard(m: PageModel): string {
  const form = `<form class="adm-backfill-form" data-id="backfill-form" data-csrf="${esc(m.csrf)}" action="${PAGE_PATH}/backfills" method="post" enctype="application/x-ndjson">
    <div class="slds-form-element"><label class="slds-form-element__label" for="backfill-file">Meetings file (NDJSON or a JSON array of meeting events, as Salescaling exports them)</label>
    <div class="slds-form-element__control"><input type="file" id="backfill-file" name="file" accept=".ndjson,.json,.jsonl,application/json,application/x-ndjson" data-id="backfill-file" required></div></div>
    <button class="slds-button slds-button_neutral adm-gap" type="submit" name="mode" value="dry-run" data-id="backfill-dry-run">Dry run</button>
    <button class="slds-button slds-button_brand adm-gap" type="submit" name="mode" value="run" data-id="backfill-run">Start backfill</button>
  </form>
  <div data-id="backfill-result" aria-live="polite"></div>`;
  const list = m.backfills.map((b) => backfillRow(b, m.csrf)).join('');
  return card(
    'Backfill past meetings',
    'backfill',
    `<p class="slds-m-bottom_small">Bring in meetings from before Salescaling was connected. A dry run shows what would be written and linked without writing anything. A meeting that also arrives from Salescaling is never written twice.</p>${form}<div data-id="backfills">${list}</div>`,
  );
}

export function renderPage(m: PageModel): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Salesforce · Integrations · Settings · Salescaling</title>
<link rel="stylesheet" href="/admin/assets/slds.css"><link rel="stylesheet" href="/admin/assets/admin.css">
<script src="/admin/assets/admin.js" defer></script></head>
<body class="adm-body">
<a class="slds-assistive-text slds-assistive-text_focus" href="#main">Skip to content</a>
<header class="slds-page-header" role="banner"><div class="slds-page-header__row"><div class="slds-page-header__col-title">
<nav role="navigation" aria-label="Breadcrumbs"><ol class="slds-breadcrumb slds-list_horizontal slds-wrap"><li class="slds-breadcrumb__item">Settings</li><li class="slds-breadcrumb__item">Integrations</li></ol></nav>
<h1 class="slds-page-header__title">Salesforce</h1><p class="slds-text-body_small">Workspace <span data-id="workspace">${esc(m.workspaceId)}</span></p></div>
<div class="slds-page-header__col-actions"><form method="post" action="${PAGE_PATH}/sign-out">${csrfField(m.csrf)}<button class="slds-button slds-button_neutral" type="submit">Sign out</button></form></div></div></header>
<main id="main" class="adm-main">
${banner(m.banner)}${alertsBlock(m.alerts)}
<div class="adm-grid">${connectionCard(m)}${healthCard(m)}${settingsCard(m)}</div>
${syncLogCard(m)}
${backfillCard(m)}
</main></body></html>`;
}

export function renderMessagePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · Salescaling</title><link rel="stylesheet" href="/admin/assets/slds.css"><link rel="stylesheet" href="/admin/assets/admin.css"></head>
<body class="adm-body"><main class="adm-main"><article class="slds-card"><div class="slds-card__body slds-card__body_inner"><h1 class="slds-text-heading_medium slds-m-bottom_small">${esc(title)}</h1><p data-id="message">${esc(text)}</p></div></article></main></body></html>`;
}

export function renderDryRun(d: DryRunAnswer): string {
  const c = d.counts;
  const rows = d.meetings
    .map(
      (x) =>
        `<li data-id="dry-run-meeting"><strong>${esc(x.meetingId)}</strong> v${x.version}: ${esc(x.action.replace(/_/g, ' '))}${x.records.length ? ` — ${esc(x.records.join(', '))}` : ''}${x.linked.length ? `; linked to ${x.linked.map((l) => `${esc(l.type)} ${esc(l.recordId)}`).join(', ')}` : ''}${x.dropped.length ? `; dropped ${x.dropped.map((dd) => `${esc(dd.email ?? dd.recordId ?? '')} (${esc(DROP_REASON[dd.reason] ?? dd.reason)})`).join(', ')}` : ''}</li>`,
    )
    .join('');
  const problems = d.problems.map((p) => `<li>Item ${p.index}: ${esc(p.message)}</li>`).join('');
  return `<div class="slds-box slds-theme_shade" data-id="dry-run"><p><strong>Dry run — nothing was written.</strong> ${d.total} meetings read: ${c.create} would be created, ${c.update} updated, ${c.delete} deleted, ${c.unchanged} unchanged (already received), ${c.skip_no_crm_match} skipped (no match in Salesforce)${c.not_connected ? `, ${c.not_connected} not checked (Salesforce not connected)` : ''}${c.not_checked ? `, ${c.not_checked} not checked (a dry run checks the first 200 in Salesforce)` : ''}; ${d.invalid} invalid. ${d.apiCalls} API calls used to check.</p>
  <ul class="adm-list">${rows}</ul>${problems ? `<p>Invalid items:</p><ul class="adm-list">${problems}</ul>` : ''}</div>`;
}

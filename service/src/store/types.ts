/**
 * The store: one interface over the embedded database (node:sqlite) and PostgreSQL. It holds the
 * connected orgs (tokens sealed with AES-256-GCM before they reach the database), the single-use
 * OAuth states, the events inbox and the meetings queue the worker drains.
 */
import type {
  DroppedAssociation,
  LinkedAssociation,
  OrgProfile,
  SyncInput,
  WrittenRecords,
} from '../sync/types.ts';
import type { LateMatchRepository } from './late-match-repository.ts';
import type { SettingsRepository } from './settings-repository.ts';

export type MeetingState = 'queued' | 'syncing' | 'synced' | 'skipped' | 'failed' | 'deleted';

/** What the connect-time checks found about the org (CONTRACT §4, the status endpoint). */
export interface OrgCheck {
  /** Object permissions the connected user lacks, by name (`Event.create`, `Contact.read`, …). */
  readonly missingPermissions: readonly string[];
  readonly sharedActivities: boolean;
  /** The package's custom fields found on Activity, and those missing (package not installed). */
  readonly packageFieldsFound: readonly string[];
  readonly packageFieldsMissing: readonly string[];
  readonly checkedAt: string;
  /** `Organization.IsSandbox` as the org answered it (absent: checked before it was read; null: unreadable). */
  readonly isSandbox?: boolean | null;
  /**
   * Permissions only an opt-in association setting needs (`Contact.create` for Contacts for unknown
   * guests), missing; the status requires them while that setting is on (org-check.ts
   * missingForSettings). Absent: checked before it was asked.
   */
  readonly settingPermissionsMissing?: readonly string[];
}

export interface ApiUsage {
  readonly used: number;
  readonly max: number;
  readonly at: string;
}

export interface ConnectionRecord {
  readonly workspaceId: string;
  readonly status: 'connected' | 'broken';
  readonly brokenReason: string | null;
  /** The authorization server this grant came from (login, test, My Domain or the local org). */
  readonly loginUrl: string;
  readonly instanceUrl: string;
  readonly identityUrl: string;
  readonly orgId: string;
  readonly userId: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly profile: OrgProfile;
  readonly check: OrgCheck;
  readonly apiUsage: ApiUsage | null;
  readonly lastSyncAt: string | null;
  readonly connectedAt: string;
}

export interface OAuthStateRecord {
  readonly workspaceId: string;
  readonly codeVerifier: string;
  readonly returnUrl: string;
  readonly loginUrl: string;
  readonly expiresAt: number;
}

export interface IncomingEvent {
  readonly eventId: string;
  readonly workspaceId: string;
  readonly type: string;
  readonly meetingId: string;
  readonly version: number;
  readonly input: SyncInput;
}

export type AcceptResult = 'accepted' | 'duplicate';

export interface MeetingRecord {
  readonly workspaceId: string;
  readonly meetingId: string;
  /** The latest version received. */
  readonly version: number;
  readonly syncedVersion: number | null;
  readonly state: MeetingState;
  readonly reason: string | null;
  readonly written: WrittenRecords | null;
  readonly linked: readonly LinkedAssociation[];
  readonly dropped: readonly DroppedAssociation[];
  readonly attempts: number;
  readonly lastError: string | null;
  readonly apiCalls: number | null;
  readonly nextAttemptAt: string | null;
  readonly updatedAt: string;
}

export interface ClaimedMeeting {
  readonly workspaceId: string;
  readonly meetingId: string;
  readonly version: number;
  readonly input: SyncInput;
  readonly previous: WrittenRecords | null;
  readonly attempts: number;
  /**
   * When a write creating this meeting's records was sent and its outcome never recorded (a killed
   * process, a call abandoned unanswered): it may still land until it settles. Null otherwise.
   */
  readonly createStartedAt: number | null;
}

export interface MeetingKey {
  readonly workspaceId: string;
  readonly meetingId: string;
}

export interface SyncResult {
  readonly state: 'synced' | 'skipped' | 'deleted';
  readonly reason: string | null;
  readonly written: WrittenRecords;
  readonly linked: readonly LinkedAssociation[];
  readonly dropped: readonly DroppedAssociation[];
  readonly apiCalls: number;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Association settings per workspace (settings-repository.ts). */
  readonly settings: SettingsRepository;
  /** What the late-matching pass reads (late-match-repository.ts). */
  readonly lateMatches: LateMatchRepository;
  /** Reachability, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  saveConnection(record: Omit<ConnectionRecord, 'apiUsage' | 'lastSyncAt'>): Promise<void>;
  getConnection(workspaceId: string): Promise<ConnectionRecord | null>;
  /** A refresh gave a new access token, and perhaps a rotated refresh token. */
  updateTokens(workspaceId: string, accessToken: string, refreshToken: string | null): Promise<void>;
  markBroken(workspaceId: string, reason: string): Promise<void>;
  /** A fresh look at the org's permissions, fields and Shared Activities. */
  updateOrgCheck(workspaceId: string, profile: ConnectionRecord['profile'], check: OrgCheck): Promise<void>;
  recordApiUsage(workspaceId: string, usage: ApiUsage): Promise<void>;
  deleteConnection(workspaceId: string): Promise<boolean>;

  createOAuthState(stateHash: string, record: OAuthStateRecord): Promise<void>;
  /** Returns the state once: it is marked used as it is read, and only if it has not expired. */
  consumeOAuthState(stateHash: string, now: number): Promise<OAuthStateRecord | null>;
  /**
   * For a state that exists but can no longer be used (used already, or expired): where its flow
   * was to return, and why it is spent. Null for a state never issued.
   */
  spentOAuthState(
    stateHash: string,
    now: number,
  ): Promise<{ returnUrl: string; why: 'used' | 'expired' } | null>;

  /** Stores the event and the meeting's latest version in one transaction. */
  acceptEvent(event: IncomingEvent, now: number): Promise<AcceptResult>;
  getMeeting(workspaceId: string, meetingId: string): Promise<MeetingRecord | null>;
  /** Queues the latest version again; false when the meeting is unknown. */
  requeueMeeting(
    workspaceId: string,
    meetingId: string,
    now: number,
    options?: { readonly relink?: boolean },
  ): Promise<boolean>;
  /** Meetings that waited for a connection (not_connected, connection_broken) are queued again. */
  requeueWaiting(workspaceId: string, now: number): Promise<number>;

  /**
   * Leases up to `limit` meetings due now (queued, or syncing with an expired lease), none of the
   * workspaces in `skipWorkspaces` (those already using their share of this worker).
   */
  claimMeetings(
    owner: string,
    limit: number,
    leaseMs: number,
    now: number,
    skipWorkspaces?: readonly string[],
  ): Promise<ClaimedMeeting[]>;
  /** Stores a sync's outcome; false when the lease was lost meanwhile (nothing is changed then). */
  completeMeeting(
    owner: string,
    key: MeetingKey,
    claimedVersion: number,
    result: SyncResult,
    now: number,
  ): Promise<boolean>;
  /** Puts the meeting back in the queue for a later attempt. */
  retryMeeting(
    owner: string,
    key: MeetingKey,
    error: string,
    nextAttemptAt: number,
    now: number,
  ): Promise<boolean>;
  /** Gives up on this version: `failed` with the reason and Salesforce's message. */
  failMeeting(owner: string, key: MeetingKey, reason: string, error: string, now: number): Promise<boolean>;
  /**
   * Durably notes, before a write that creates the meeting's records is sent, that it started (time,
   * owner); false when the lease was lost (the write must not be sent then).
   */
  markCreateStarted(owner: string, key: MeetingKey, now: number): Promise<boolean>;
  /** The create write was answered (saved or refused): it can no longer land later. */
  clearCreateMark(owner: string, key: MeetingKey): Promise<void>;
  /**
   * Back in the queue until `until` without counting an attempt: an earlier create write may still
   * land before then, or the workspace is paused by its API budget. `note` (when not null) is shown as
   * the meeting's last error; null leaves the last error as it was.
   */
  deferMeeting(
    owner: string,
    key: MeetingKey,
    until: number,
    note: string | null,
    now: number,
  ): Promise<boolean>;
  /** Keeps a long sync's lease alive; false when it was lost. */
  extendLease(owner: string, key: MeetingKey, until: number): Promise<boolean>;
  /**
   * Embedded engine only (one process owns the file): leases left by a killed process are released
   * at start-up instead of waiting for them to expire. Returns how many.
   */
  releaseOrphanedLeases(now: number): Promise<number>;
  /** Counts by state, for the metrics. */
  countMeetings(): Promise<Record<MeetingState, number>>;
}

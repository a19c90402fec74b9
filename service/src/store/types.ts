/**
 * The store: one repository per aggregate over the embedded database (node:sqlite) or PostgreSQL.
 * It holds the connected orgs (tokens sealed with AES-256-GCM before they reach the database), the
 * single-use OAuth states, the events inbox and the meetings queue the worker drains, the workspaces'
 * settings, and the admin page's sessions, backfills and alerts.
 */
import type { OrgProfile } from '../domain/org-profile.ts';
import type {
  DroppedAssociation,
  LinkedAssociation,
  SyncInput,
  WrittenRecords,
} from '../domain/meeting-outcome.ts';
import type { AdminSessionRepository } from './admin-sessions.ts';
import type { AlertRepository } from './alerts.ts';
import type { BackfillRepository } from './backfills.ts';
import type { ConnectionRepository } from './connections.ts';
import type { MeetingLogRepository } from './meeting-log.ts';
import type { OAuthStateRepository } from './oauth-states.ts';
import type { MeetingRepository } from './meetings.ts';
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
  /** The stored input's size (its JSON, in bytes): what a batch's byte budget counts. */
  readonly inputBytes: number;
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
  /** The connected orgs and their sealed tokens (connections.ts). */
  readonly connections: ConnectionRepository;
  /** The connect flow's single-use OAuth states (oauth-states.ts). */
  readonly oauthStates: OAuthStateRepository;
  /** The events inbox and the meetings queue (meetings.ts). */
  readonly meetings: MeetingRepository;
  /** Association settings per workspace (settings-repository.ts). */
  readonly settings: SettingsRepository;
  /** What the late-matching pass reads (late-match-repository.ts). */
  readonly lateMatches: LateMatchRepository;
  /** The meetings queue as the admin page, the alerts and the backfill runner read it (meeting-log.ts). */
  readonly meetingLog: MeetingLogRepository;
  /** The admin page's sign-in links and sessions (admin-sessions.ts). */
  readonly adminSessions: AdminSessionRepository;
  /** Backfills and the meetings they carry (backfills.ts). */
  readonly backfills: BackfillRepository;
  /** Outbound alert episodes (alerts.ts). */
  readonly alerts: AlertRepository;
  /** Reachability, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

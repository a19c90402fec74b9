/**
 * The Store on either engine: one repository per aggregate, all on the same database. What differs
 * between the engines is the Database's dialect (dialect.ts), not this class's concern.
 */
import type { TokenCipher } from '../crypto/token-cipher.ts';
import { AdminSessionRepository } from './admin-sessions.ts';
import { AlertRepository } from './alerts.ts';
import { BackfillRepository } from './backfills.ts';
import { ConnectionRepository } from './connections.ts';
import type { Database } from './database.ts';
import { OAuthStateRepository } from './oauth-states.ts';
import { LateMatchRepository } from './late-match-repository.ts';
import { MeetingLogRepository } from './meeting-log.ts';
import { MeetingRepository } from './meetings.ts';
import { SettingsRepository } from './settings-repository.ts';
import type { Store } from './types.ts';

export class SqlStore implements Store {
  readonly #db: Database;
  readonly connections: ConnectionRepository;
  readonly oauthStates: OAuthStateRepository;
  readonly meetings: MeetingRepository;
  readonly settings: SettingsRepository;
  readonly lateMatches: LateMatchRepository;
  readonly meetingLog: MeetingLogRepository;
  readonly adminSessions: AdminSessionRepository;
  readonly backfills: BackfillRepository;
  readonly alerts: AlertRepository;

  constructor(db: Database, cipher: TokenCipher) {
    this.#db = db;
    this.connections = new ConnectionRepository(db, cipher);
    this.oauthStates = new OAuthStateRepository(db, cipher);
    this.meetings = new MeetingRepository(db);
    this.settings = new SettingsRepository(db);
    this.lateMatches = new LateMatchRepository(db);
    this.meetingLog = new MeetingLogRepository(db);
    this.adminSessions = new AdminSessionRepository(db);
    this.backfills = new BackfillRepository(db);
    this.alerts = new AlertRepository(db);
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.#db.dialect.engine;
  }

  async ping(): Promise<void> {
    await this.#db.all('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

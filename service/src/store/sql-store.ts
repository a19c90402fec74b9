/**
 * The Store on either engine: one repository per aggregate, all on the same database. What differs
 * between the engines is the Database's dialect (dialect.ts), not this class's concern.
 */
import type { TokenCipher } from '../crypto/token-cipher.ts';
import { ConnectionRepository } from './connections.ts';
import type { Database } from './database.ts';
import { OAuthStateRepository } from './oauth-states.ts';
import { LateMatchRepository } from './late-match-repository.ts';
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

  constructor(db: Database, cipher: TokenCipher) {
    this.#db = db;
    this.connections = new ConnectionRepository(db, cipher);
    this.oauthStates = new OAuthStateRepository(db, cipher);
    this.meetings = new MeetingRepository(db);
    this.settings = new SettingsRepository(db);
    this.lateMatches = new LateMatchRepository(db);
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

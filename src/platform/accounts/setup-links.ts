// The first start: while no owner exists, `shopkeep serve` prints a one-time link (24 hours) that
// creates the owner's account and starts its enrolment. A restart prints a new link, which replaces
// the old one; once the owner exists no link works.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type pg from 'pg';
import { transaction } from '../db/database.ts';
import { orm, type Orm } from '../db/orm.ts';
import { AppError, conflict } from '../errors.ts';
import type { AuditTrail } from '../audit/index.ts';
import type { OwnerSetup } from './face.ts';
import { authSetupTokens, authUsers } from './schema.ts';
import { randomToken, sha256 } from './secrets.ts';
import type { NewSession, Sessions } from './sessions.ts';
import type { Users } from './users.ts';

const SETUP_LINK_HOURS = 24;

export class SetupLinks implements OwnerSetup {
  private readonly pool: pg.Pool;
  private readonly db: Orm;
  private readonly users: Users;
  private readonly sessions: Sessions;
  private readonly audit: AuditTrail;
  private readonly now: () => number;

  constructor(options: {
    pool: pg.Pool;
    users: Users;
    sessions: Sessions;
    audit: AuditTrail;
    now: () => number;
  }) {
    this.pool = options.pool;
    this.db = orm(options.pool);
    this.users = options.users;
    this.sessions = options.sessions;
    this.audit = options.audit;
    this.now = options.now;
  }

  async hasOwner(): Promise<boolean> {
    return this.users.hasOwner();
  }

  async newSetupToken(): Promise<string> {
    const token = randomToken();
    await transaction(this.pool, async (client) => {
      const tx = orm(client);
      await tx.delete(authSetupTokens);
      await tx
        .insert(authSetupTokens)
        .values({ tokenHash: sha256(token), expiresAt: new Date(this.now() + SETUP_LINK_HOURS * 3_600_000) });
    });
    return token;
  }

  async setupTokenValid(token: string): Promise<boolean> {
    const rows = await this.db.select().from(authSetupTokens).where(this.usable(token));
    return rows.length > 0 && !(await this.users.hasOwner());
  }

  /** Creates the owner from the setup link and starts an enrolment session (second factor next). */
  async createOwner(token: string, email: string, password: string, ip: string): Promise<NewSession> {
    const user = await transaction(this.pool, async (client) => {
      const tx = orm(client);
      const used = await tx
        .update(authSetupTokens)
        .set({ usedAt: new Date(this.now()) })
        .where(this.usable(token))
        .returning();
      if (used.length === 0) {
        throw new AppError(
          'forbidden',
          'this setup link has expired or was used; restart shopkeep for a new one',
        );
      }
      const owners = await tx
        .select({ id: authUsers.id })
        .from(authUsers)
        .where(eq(authUsers.role, 'owner'))
        .limit(1);
      if (owners.length) throw conflict('the owner account exists already; log in instead');
      const created = await this.users.insert(tx, { email, password, role: 'owner', withTotp: false });
      await this.audit.record(
        {
          actor: 'anonymous',
          actorLabel: created.email,
          ip,
          action: 'user.setup-owner',
          target: created.email,
          outcome: 'ok',
        },
        client,
      );
      return created;
    });
    return this.sessions.start(user, 'enrolling', ip, undefined);
  }

  private usable(token: string) {
    return and(
      eq(authSetupTokens.tokenHash, sha256(token)),
      isNull(authSetupTokens.usedAt),
      gt(authSetupTokens.expiresAt, new Date(this.now())),
    );
  }
}

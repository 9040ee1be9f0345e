/**
 * knex's PostgreSQL client over a host list (a primary and its standbys): every new pool connection
 * is opened on the host that accepts writes (see HostPicker). A session that breaks, or refuses a
 * write because its server became a standby (SQLSTATE 25006), is dropped from the pool, and the next
 * connection starts its search with the following host. A single host never comes here.
 */
import PgDialect from "knex/lib/dialects/postgres";
import pg from "pg";
import { type Attempt, type DatabaseHost, HostPicker } from "./hosts";

/** SQLSTATE of a write refused by a read-only session: a standby, or a primary since demoted. */
export const READ_ONLY_SQL_TRANSACTION = "25006";
/** A host that takes longer than this to accept a connection is passed over. */
const CONNECT_TIMEOUT_MS = 5000;

type Session = pg.Client & { __knex__disposed?: unknown; __talkHost?: DatabaseHost };

/** The URL of the database on `host` instead of the URL's own host. */
export function urlOn(url: string, host: DatabaseHost): string {
  const parsed = new URL(url);
  parsed.hostname = host.host;
  parsed.port = String(host.port);
  return parsed.toString();
}

/** Whether a session accepts writes: not in recovery, and not read-only by default (as libpq checks). */
async function writable(session: pg.Client): Promise<boolean> {
  const { rows } = await session.query<{ recovery: boolean; read_only: string }>(
    "select pg_is_in_recovery() as recovery, current_setting('transaction_read_only') as read_only",
  );
  return rows[0]?.recovery === false && rows[0]?.read_only === "off";
}

/** A knex client class (for knex's `client` option) that connects to the writable host of `url`'s database. */
export function readWriteClient(url: string, hosts: readonly DatabaseHost[]): typeof PgDialect {
  const picker = new HostPicker(hosts);
  return class ReadWriteClient extends PgDialect {
    /** A PostgreSQL server's client for `onServer`, as the plain `pg` one (not PGlite's). */
    static readonly onServer = true;

    override _acquireOnlyConnection(): Promise<Session> {
      const open = async (host: DatabaseHost): Promise<Attempt<Session>> => {
        const session: Session = new pg.Client({
          ...this.connectionSettings,
          connectionString: urlOn(url, host),
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        });
        session.__talkHost = host;
        session.on("error", (err) => {
          session.__knex__disposed = err;
          picker.demote(host);
        });
        session.on("end", () => {
          session.__knex__disposed ??= "Connection ended unexpectedly";
        });
        try {
          await session.connect();
          return { connection: session, writable: await writable(session) };
        } catch (err) {
          await session.end().catch(() => undefined);
          return { error: err instanceof Error ? err : new Error(String(err)) };
        }
      };
      return picker.connect(open, (session) => session.end());
    }

    override async _query(connection: Session, obj: unknown): Promise<unknown> {
      try {
        return await super._query(connection, obj);
      } catch (err) {
        if ((err as { code?: string }).code === READ_ONLY_SQL_TRANSACTION) {
          connection.__knex__disposed = err;
          if (connection.__talkHost) picker.demote(connection.__talkHost);
        }
        throw err;
      }
    }
  };
}

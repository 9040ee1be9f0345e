/**
 * A database given as several hosts (a primary and its standbys), reached the way libpq's
 * `target_session_attrs=read-write` does: each new connection tries the hosts in turn and keeps the
 * first that accepts writes. The host that answered last is tried first, so a failover costs one
 * failed attempt per connection, not a scan of every host each time. No I/O here: `open` does it.
 */

export interface DatabaseHost {
  host: string;
  port: number;
}

/**
 * The hosts of a database: `list` (host:port, comma-separated; a missing port is the URL's, else
 * 5432), or, when the list is empty, the URL's own host.
 */
export function databaseHosts(url: string, list = ""): DatabaseHost[] {
  const parsed = new URL(url);
  const defaultPort = Number(parsed.port || 5432);
  const items = list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) return [{ host: parsed.hostname, port: defaultPort }];
  return items.map((item) => {
    let host: string;
    let port: string;
    try {
      ({ hostname: host, port } = new URL(`postgres://${item}`));
    } catch {
      throw new Error(`Not a host:port database host: ${item}`);
    }
    if (!host || new URL(`postgres://${item}`).pathname !== "")
      throw new Error(`Not a host:port database host: ${item}`);
    return { host, port: port ? Number(port) : defaultPort };
  });
}

/** What a connection attempt found: a session that accepts writes, one that does not, or an error. */
export type Attempt<C> = { connection: C; writable: boolean } | { error: Error };

/**
 * A connection that accepts writes was not found on any host (mid-failover: the primary down, the
 * standby not promoted yet). Its code is SQLSTATE 08001, as libpq's: a backing service unreachable
 * (503, retried by the caller), not a bug.
 */
export class NoWritableHostError extends Error {
  readonly code = "08001";
  constructor(readonly reasons: string[]) {
    super(`No PostgreSQL host accepts writes (${reasons.join("; ")})`);
    this.name = "NoWritableHostError";
  }
}

export const hostName = (host: DatabaseHost) => `${host.host}:${host.port}`;

export class HostPicker {
  /** Index of the host a writable session was found on last. */
  private preferred = 0;

  constructor(readonly hosts: readonly DatabaseHost[]) {
    if (hosts.length === 0) throw new Error("A database needs at least one host");
  }

  /** The hosts in the order a new connection tries them: the last writable one first. */
  order(): DatabaseHost[] {
    const n = this.hosts.length;
    return Array.from({ length: n }, (_, i) => this.hosts[(this.preferred + i) % n]);
  }

  /** The host last found writable. */
  get current(): DatabaseHost {
    return this.hosts[this.preferred];
  }

  /**
   * A session on `host` refused a write (25006) or broke: the next connection starts with the
   * following host instead.
   */
  demote(host: DatabaseHost): void {
    const index = this.hosts.indexOf(host);
    if (index === this.preferred) this.preferred = (index + 1) % this.hosts.length;
  }

  /**
   * Opens a session that accepts writes: tries every host in order; a read-only session is closed
   * with `close` and the next host tried. Throws NoWritableHostError naming each host's reason.
   */
  async connect<C>(
    open: (host: DatabaseHost) => Promise<Attempt<C>>,
    close: (connection: C) => Promise<void>,
  ): Promise<C> {
    const reasons: string[] = [];
    for (const host of this.order()) {
      const attempt = await open(host);
      if ("error" in attempt) {
        reasons.push(`${hostName(host)}: ${attempt.error.message}`);
        continue;
      }
      if (attempt.writable) {
        this.preferred = this.hosts.indexOf(host);
        return attempt.connection;
      }
      reasons.push(`${hostName(host)}: read-only (a standby)`);
      await close(attempt.connection).catch(() => undefined);
    }
    throw new NoWritableHostError(reasons);
  }
}

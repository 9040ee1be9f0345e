import { type Attempt, type DatabaseHost, HostPicker, NoWritableHostError, databaseHosts } from "./hosts";

describe("databaseHosts", () => {
  const url = "postgres://talk:secret@db:5433/chat_manager";

  it("is the URL's own host when no list is given", () => {
    expect(databaseHosts(url)).toEqual([{ host: "db", port: 5433 }]);
    expect(databaseHosts("postgres://talk:secret@db/chat_manager", " ")).toEqual([
      { host: "db", port: 5432 },
    ]);
  });

  it("reads a host:port list, a missing port being the URL's", () => {
    expect(databaseHosts(url, "pg-1:5432, pg-2:6432,pg-3")).toEqual([
      { host: "pg-1", port: 5432 },
      { host: "pg-2", port: 6432 },
      { host: "pg-3", port: 5433 },
    ]);
  });

  it("refuses an entry that is not host:port, naming it", () => {
    expect(() => databaseHosts(url, "pg-1:5432,pg-2:port")).toThrow(
      "Not a host:port database host: pg-2:port",
    );
    expect(() => databaseHosts(url, "pg-1/db")).toThrow("Not a host:port database host: pg-1/db");
  });
});

describe("HostPicker (target_session_attrs=read-write)", () => {
  const hosts: DatabaseHost[] = [
    { host: "pg-1", port: 5432 },
    { host: "pg-2", port: 5432 },
    { host: "pg-3", port: 5432 },
  ];
  /** Each host's state as a connection attempt finds it; a session is its host's name. */
  const world = (states: Record<string, "primary" | "standby" | "down">) => {
    const tried: string[] = [];
    const closed: string[] = [];
    const open = async (host: DatabaseHost): Promise<Attempt<string>> => {
      tried.push(host.host);
      const state = states[host.host];
      if (state === "down") return { error: new Error("connect ECONNREFUSED") };
      return { connection: host.host, writable: state === "primary" };
    };
    const close = async (session: string) => void closed.push(session);
    return { tried, closed, open, close };
  };

  it("skips hosts that are down or read-only and keeps the one that accepts writes", async () => {
    const picker = new HostPicker(hosts);
    const w = world({ "pg-1": "down", "pg-2": "standby", "pg-3": "primary" });
    await expect(picker.connect(w.open, w.close)).resolves.toBe("pg-3");
    expect(w.tried).toEqual(["pg-1", "pg-2", "pg-3"]);
    expect(w.closed).toEqual(["pg-2"]); // the standby's session is not kept
  });

  it("tries the host found writable last first", async () => {
    const picker = new HostPicker(hosts);
    await picker.connect(
      world({ "pg-1": "standby", "pg-2": "primary", "pg-3": "standby" }).open,
      async () => {},
    );
    const w = world({ "pg-1": "standby", "pg-2": "primary", "pg-3": "standby" });
    await picker.connect(w.open, w.close);
    expect(w.tried).toEqual(["pg-2"]);
  });

  it("after a failover finds the promoted standby, starting with the host after the lost one", async () => {
    const picker = new HostPicker(hosts);
    await picker.connect(
      world({ "pg-1": "primary", "pg-2": "standby", "pg-3": "standby" }).open,
      async () => {},
    );
    picker.demote(hosts[0]); // a session on pg-1 broke or refused a write (25006)
    const w = world({ "pg-1": "down", "pg-2": "standby", "pg-3": "primary" });
    await expect(picker.connect(w.open, w.close)).resolves.toBe("pg-3");
    expect(w.tried).toEqual(["pg-2", "pg-3"]);
  });

  it("demoting a host that is not the preferred one changes nothing", async () => {
    const picker = new HostPicker(hosts);
    await picker.connect(
      world({ "pg-1": "standby", "pg-2": "primary", "pg-3": "standby" }).open,
      async () => {},
    );
    picker.demote(hosts[0]);
    expect(picker.current).toBe(hosts[1]);
  });

  it("names every host's reason when none accepts writes (mid-promotion)", async () => {
    const picker = new HostPicker(hosts);
    const w = world({ "pg-1": "down", "pg-2": "standby", "pg-3": "standby" });
    const failure = picker.connect(w.open, w.close);
    await expect(failure).rejects.toBeInstanceOf(NoWritableHostError);
    await expect(failure).rejects.toMatchObject({ code: "08001" }); // unreachable: a 503, retried
    await expect(failure).rejects.toThrow(
      "No PostgreSQL host accepts writes (pg-1:5432: connect ECONNREFUSED; pg-2:5432: read-only (a standby); pg-3:5432: read-only (a standby))",
    );
    expect(w.closed).toEqual(["pg-2", "pg-3"]);
  });
});

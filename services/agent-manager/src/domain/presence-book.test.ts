import { PresenceBook } from "./presence-book";

const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";
const bob = "e8b2e976-f043-44c8-bb89-e214e225e813";
const ada = "0f4c2c1e-1111-4a5b-9c3d-222222222222";
const at = (agentId: string, connections = 1) => ({ customer_id: customer, agent_id: agentId, connections });
const IDLE = 60_000;
const TRUST = 30_000;
const statuses = (book: PresenceBook, now: number) =>
  book
    .changes(now)
    .map((c) => `${c.agent_id === bob ? "bob" : "ada"} ${c.status}${c.text ? ` ${c.text}` : ""}`);

describe("presence of agents", () => {
  it("is online while a WebSocket is open on any replica, once however many, offline when the last closes", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob)], TRUST, 0);
    book.connections("push-2", [at(bob)], TRUST, 0);
    book.connections("push-2", [at(bob)], TRUST, 0);
    expect(statuses(book, 0)).toEqual(["bob online"]);
    book.connections("push-1", [at(bob, -1)], TRUST, 10);
    expect(statuses(book, 10)).toEqual([]);
    book.connections("push-2", [at(bob, -2)], TRUST, 20);
    expect(statuses(book, 20)).toEqual(["bob offline"]);
    expect(book.get(customer, bob)).toMatchObject({ status: "offline", tm_presence: expect.any(String) });
  });

  it("coalesces: five tabs opening make one change, and so does a burst of opens and closes that ends online", () => {
    const book = new PresenceBook(IDLE);
    for (let i = 0; i < 5; i++) book.connections("push-1", [at(bob)], TRUST, i);
    book.connections("push-1", [at(bob, -1)], TRUST, 6);
    expect(statuses(book, 6)).toEqual(["bob online"]);
  });

  it("turns away after the idle time without activity, and online again on activity", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob)], TRUST, 0);
    book.changes(0);
    book.heartbeat("push-1", [at(bob)], TRUST, 40_000);
    book.tick(IDLE - 1);
    expect(statuses(book, IDLE - 1)).toEqual([]);
    book.heartbeat("push-1", [at(bob)], TRUST, IDLE);
    book.tick(IDLE);
    expect(statuses(book, IDLE)).toEqual(["bob away"]);
    book.activity(customer, bob, IDLE + 5);
    expect(statuses(book, IDLE + 5)).toEqual(["bob online"]);
  });

  it("keeps an explicit status (with its text) until changed, and clears it when the agent goes offline", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob)], TRUST, 0);
    book.changes(0);
    book.setExplicit(customer, bob, "dnd", "in a call", 1);
    expect(statuses(book, 1)).toEqual(["bob dnd in a call"]);
    book.heartbeat("push-1", [at(bob)], TRUST, IDLE * 2 - 1);
    book.tick(IDLE * 2);
    expect(statuses(book, IDLE * 2)).toEqual([]); // idleness does not override it
    book.connections("push-1", [at(bob, -1)], TRUST, IDLE * 2);
    const [offline] = book.changes(IDLE * 2);
    expect(offline).toMatchObject({ status: "offline", text: "", explicitCleared: true });
    book.connections("push-1", [at(bob)], TRUST, IDLE * 3);
    expect(statuses(book, IDLE * 3)).toEqual(["bob online"]);
  });

  it("returns to automatic presence when the agent sets online", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob)], TRUST, 0);
    book.setExplicit(customer, bob, "away", "lunch", 0);
    expect(statuses(book, 0)).toEqual(["bob away lunch"]);
    book.setExplicit(customer, bob, "online", "", 1);
    expect(statuses(book, 1)).toEqual(["bob online"]);
  });

  it("expires a replica that falls silent: its agents without another connection go offline", () => {
    const book = new PresenceBook(IDLE);
    book.heartbeat("push-1", [at(bob), at(ada)], TRUST, 0);
    book.heartbeat("push-2", [at(ada)], TRUST, 0);
    book.changes(0);
    book.heartbeat("push-2", [at(ada)], TRUST, 20_000);
    expect(book.tick(TRUST - 1)).toBe(0);
    expect(statuses(book, TRUST - 1)).toEqual([]);
    expect(book.tick(TRUST)).toBe(1); // push-1 expired
    expect(statuses(book, TRUST)).toEqual(["bob offline"]);
    expect(book.liveReplicas).toBe(1);
    book.connections("push-2", [at(bob)], TRUST, TRUST + 1); // its client reconnected elsewhere
    expect(statuses(book, TRUST + 1)).toEqual(["bob online"]);
  });

  it("takes a heartbeat as the whole truth of its replica, and a final one as its end", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob), at(ada)], TRUST, 0);
    book.changes(0);
    book.heartbeat("push-1", [at(ada)], TRUST, 1); // the close of bob's socket was lost
    expect(statuses(book, 1)).toEqual(["bob offline"]);
    book.heartbeat("push-1", [], TRUST, 2, true);
    expect(statuses(book, 2)).toEqual(["ada offline"]);
    expect(book.liveReplicas).toBe(0);
  });

  it("counts the agents by the status last announced (offline ones are not kept)", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob), at(ada)], TRUST, 0);
    book.setExplicit(customer, ada, "dnd", "", 0);
    expect(book.statusCounts()).toEqual({ online: 0, away: 0, dnd: 0 }); // nothing announced yet
    book.changes(0);
    expect(book.statusCounts()).toEqual({ online: 1, away: 0, dnd: 1 });
    book.heartbeat("push-1", [at(bob), at(ada)], TRUST, IDLE - 1);
    book.tick(IDLE);
    book.changes(IDLE);
    expect(book.statusCounts()).toEqual({ online: 0, away: 1, dnd: 1 });
  });

  it("knows nothing of an agent never seen: offline, since unknown", () => {
    const book = new PresenceBook(IDLE);
    expect(book.get(customer, bob)).toEqual({
      agent_id: bob,
      status: "offline",
      text: "",
      tm_presence: null,
    });
  });

  it("never shows an agent under another customer", () => {
    const book = new PresenceBook(IDLE);
    book.connections("push-1", [at(bob)], TRUST, 0);
    book.changes(0);
    expect(book.get("00000000-0000-4000-8000-000000000000", bob)).toMatchObject({ status: "offline" });
  });
});

import { PresenceFilter } from "./presence-filter";

const bob = "e8b2e976-f043-44c8-bb89-e214e225e813";
const at = (status: "online" | "away" | "dnd" | "offline", second: number, text = "") => ({
  agent_id: bob,
  status,
  text,
  tm_presence: `2026-01-01 10:00:${String(second).padStart(2, "0")}.000000`,
});

describe("relaying presence announcements", () => {
  it("relays a change once, however many owners announce it", () => {
    const filter = new PresenceFilter();
    expect(filter.admit(at("online", 1))).toBe(true);
    expect(filter.admit(at("online", 1))).toBe(false);
    expect(filter.admit(at("online", 2))).toBe(false);
    expect(filter.admit(at("dnd", 3, "call"))).toBe(true);
    expect(filter.admit(at("dnd", 3, "meeting"))).toBe(true);
  });

  it("drops an announcement older than the one relayed (crossing announcements)", () => {
    const filter = new PresenceFilter();
    filter.admit(at("offline", 1));
    filter.admit(at("online", 3));
    expect(filter.admit(at("offline", 2))).toBe(false);
    expect(filter.statusOf(bob)).toBe("online");
  });
});

/**
 * Upgrading a system whose public channels were created before message-manager kept chat types
 * (issue 12): a search with channels=all finds their messages once message-manager has started
 * again and asked chat-manager for the types its replica lacks. The embedded system is stopped,
 * its message-manager database turned back into the old shape (the channel's type unknown), and
 * started again on the same data.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDatabase } from "@talk/db";
import { type EmbeddedSystem, startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";
import { waitFor } from "@talk/testkit";
import { Api } from "../support/http";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";

it("finds the messages of a public channel created before chat types were kept, after a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "talk-old-channels-"));
  const start = () => startEmbedded({ dataDir, port: 0, logger: silentLogger, seed: false });
  let system: EmbeddedSystem | undefined = await start();
  try {
    const customer = await system.bus.call("customer.create", { name: "Old channels" });
    const login = async (i: number) => {
      const username = `old-${customer.id.slice(0, 8)}-${i}`;
      const password = `password-${i}-${customer.id}`;
      await system!.bus.call("agent.create", {
        customer_id: customer.id,
        agent: { username, password, name: `Agent ${i}` },
      });
      return { username, password };
    };
    const credentials = [await login(0), await login(1)];
    const as = async (i: number) => {
      const res = await new Api(system!.url).post<{ token: string }>("/auth/login", credentials[i]);
      expect(res.status).toBe(200);
      return new Api(system!.url).as(res.body.token);
    };
    const owner = await as(0);
    const channel = await owner.post(chats, { type: "talk", name: "old-general" });
    expect(channel.status).toBe(200);
    expect(
      (await owner.post(messages, { chat_id: channel.body.id, type: "normal", text: "archived wisdom" }))
        .status,
    ).toBe(200);
    const search = async () =>
      (await (await as(1)).get(`${messages}/search?q=wisdom&channels=all`)).body.result as unknown[];
    expect(await search()).toHaveLength(1);
    await system.stop();
    system = undefined;

    // What an old replica row looks like: the chat without its type.
    const db = connectDatabase({ pgliteDir: join(dataDir, "pglite"), schema: "message_manager" });
    expect(await db("chats").where({ id: channel.body.id }).update({ type: null })).toBe(1);
    await db.destroy();

    system = await start();
    await waitFor(async () => (await search()).length === 1, {
      what: "the old channel's message found with channels=all",
    });
  } finally {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);

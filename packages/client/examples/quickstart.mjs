/**
 * The quickstart of the published package, in plain JavaScript for Node.js 20+ (no TypeScript, no
 * build step), against `npx pnpm start` or any Talk deployment:
 *
 *   npm install @talk/client
 *   node quickstart.mjs [http://localhost:8080] [username] [password]
 *
 * Logs in, creates a group, listens to it live, sends a message, reads the history, shows an error.
 */
import { TalkApiError, TalkClient } from "@talk/client";

const [baseUrl = "http://localhost:8080", username = "alice", password = "alice-talk-demo"] =
  process.argv.slice(2);

const me = await TalkClient.login(baseUrl, username, password);
console.log(`logged in as ${me.identity.username}`);

const chat = await me.chats.create({ type: "group", name: "Quickstart" });
console.log(`created "${chat.name}"`);

const live = me.realtime({ topics: [`agent_id:${me.identity.agentId}:chat:${chat.id}`] });
await live.ready;
await me.messages.send({ chat_id: chat.id, text: "Hello from plain Node!" });
for await (const event of live) {
  if (event.type === "chatmessage_created" && event.data.type === "normal") {
    console.log(`live: ${event.type} #${event.seq} "${event.data.text}"`);
    break; // leaving the loop closes the subscription
  }
}

for await (const message of me.messages.list(chat.id)) console.log(`history: ${message.text}`);

try {
  await me.chats.get("00000000-0000-4000-8000-000000000000");
} catch (error) {
  if (!(error instanceof TalkApiError)) throw error;
  console.log(`error: ${error.httpStatus} ${error.reason}`);
}

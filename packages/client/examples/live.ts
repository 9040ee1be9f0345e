/**
 * Live events, against `npx pnpm start`:
 *
 *   npx tsx packages/client/examples/live.ts [http://localhost:8080]
 *
 * Bob iterates his real-time subscription while Alice writes; then Bob goes away, keeping the
 * cursor of the last event, Alice writes on, and Bob comes back from that cursor and gets exactly
 * what he missed. (A dropped connection does the same by itself: it reconnects with backoff and
 * resumes from its last cursor.)
 */
import { type RealtimeEvent, TalkClient } from "../src/node"; // in your application: "@talk/client/node"

function summary(event: RealtimeEvent): string {
  switch (event.type) {
    case "chatmessage_created":
      return `${event.type} #${event.seq}: "${event.data.text}"`;
    case "chatparticipant_added":
    case "chatparticipant_removed":
      return `${event.type} #${event.seq}: agent ${event.data.owner_id.slice(0, 8)}…`;
    default:
      return `${event.type} #${event.seq}`;
  }
}

export async function main(
  baseUrl = "http://localhost:8080",
  log: (line: string) => void = console.log,
): Promise<void> {
  const alice = await TalkClient.login(baseUrl, "alice", "alice-talk-demo");
  const bob = await TalkClient.login(baseUrl, "bob", "bob-talk-demo");

  // Every chat Bob is in (the default topic, agent_id:<bob>:chat).
  const live = bob.realtime({ onStatus: (status) => log(`[bob's connection] ${status}`) });
  await live.ready;

  const chat = await alice.chats.create({
    type: "group",
    name: "Live demo",
    participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
  });
  for (const text of ["one", "two", "three"]) await alice.messages.send({ chat_id: chat.id, text });

  for await (const event of live) {
    if (event.type === "resync_required" || event.chat_id !== chat.id) continue;
    log(`[bob] ${summary(event)}`);
    if (event.type === "chatmessage_created" && event.data.text === "three") break; // closes the subscription
  }
  const cursor = live.cursor;
  log(`[bob] away, with cursor ${cursor}`);

  for (const text of ["four", "five"]) await alice.messages.send({ chat_id: chat.id, text });

  const back = bob.realtime({ cursor });
  for await (const event of back) {
    if (event.type === "resync_required") {
      log(`[bob] told to resync: ${event.message}`);
      break;
    }
    if (event.chat_id !== chat.id) continue;
    log(`[bob, resumed] ${summary(event)}`);
    if (event.type === "chatmessage_created" && event.data.text === "five") break;
  }
}

if (require.main === module)
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

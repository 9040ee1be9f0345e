/**
 * The SDK in five minutes, against `npx pnpm start` (the embedded system with its demo agents):
 *
 *   npx tsx packages/client/examples/quickstart.ts [http://localhost:8080]
 *
 * Log in, find a colleague, create a group, talk in it (a thread reply, a reaction), page through
 * its history, and see what an error looks like.
 */
import { TalkApiError, TalkClient } from "../src/node"; // in your application: "@talk/client/node"

export async function main(
  baseUrl = "http://localhost:8080",
  log: (line: string) => void = console.log,
): Promise<void> {
  const alice = await TalkClient.login(baseUrl, "alice", "alice-talk-demo");
  const bob = await TalkClient.login(baseUrl, "bob", "bob-talk-demo");
  log(`logged in as ${alice.identity.username} (${alice.identity.permission}) and ${bob.identity.username}`);

  // Every list is an async iterable that fetches its pages as the loop goes.
  for await (const agent of alice.agents.list()) log(`agent ${agent.username}: ${agent.name}`);

  const chat = await alice.chats.create({
    type: "group",
    name: "Project Discussion",
    participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
  });
  log(`created "${chat.name}" with ${chat.member_count} members`);

  // Writes carry an Idempotency-Key: a retry after a lost answer takes effect once.
  const hello = await alice.messages.send({
    chat_id: chat.id,
    text: "Hello team! Let's discuss the new feature.",
  });
  const reply = await bob.messages.reply(hello, "Great idea!");
  await bob.messages.react(hello.id, "thumbsup");
  log(`bob replied in the thread of ${hello.id.slice(0, 8)}…: "${reply.text}"`);

  log("history, newest first:");
  for await (const message of alice.messages.list(chat.id, { pageSize: 2 })) {
    const reactions = message.metadata.reactions.map((r) => r.emoji).join(" ");
    log(
      `  ${message.type === "system" ? "*" : "-"} ${message.text}${message.parent_id ? " (reply)" : ""}${reactions ? ` [${reactions}]` : ""}`,
    );
  }

  // Errors are TalkApiError with the API's status and reason.
  try {
    await bob.messages.delete(hello.id);
  } catch (error) {
    if (!(error instanceof TalkApiError)) throw error;
    log(`bob may not delete alice's message: ${error.httpStatus} ${error.reason}: ${error.message}`);
  }
}

if (require.main === module)
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

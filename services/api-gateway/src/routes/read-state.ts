/**
 * Read state at the gateway (docs/decisions/read-state.md): chats and participants come from
 * chat-manager, read marks, unread counts and last messages from message-manager, which the gateway
 * asks once per answer — one call for a whole page of chats — and merges in.
 */
import type { Bus } from "@talk/bus";
import {
  type Actor,
  type Chat,
  type MarkReadRequest,
  type Participant,
  markReadBody,
  validate,
} from "@talk/contracts";
import { type Request, Router } from "express";
import { actorOf } from "../http/authenticate";
import { once } from "../http/idempotency";
import { pathId } from "../http/input";

type Opts = { requestId?: string };

/** The chats with the caller's unread count, read mark and last message. */
export async function withReadState(bus: Bus, actor: Actor, chats: Chat[], opts: Opts): Promise<Chat[]> {
  if (chats.length === 0) return chats;
  return withSummaries(
    chats,
    await readSummaries(
      bus,
      actor,
      chats.map((c) => c.id),
      opts,
    ),
  );
}

/** What message-manager says of the caller's read state in a chat. */
type ChatReadState = Pick<Chat, "unread_count" | "mention_count" | "last_read_message_id" | "last_message">;

/**
 * Asks message-manager for the caller's read state in these chats — a question that may go out
 * together with chat-manager's (`GET talk_chats/{id}`: the two calls overlap), since it answers
 * nothing for a chat the caller is not in.
 */
export async function readSummaries(
  bus: Bus,
  actor: Actor,
  chatIds: string[],
  opts: Opts,
): Promise<Map<string, ChatReadState>> {
  const { summaries } = await bus.call("read.summaries", { actor, chat_ids: chatIds }, opts);
  return new Map(summaries.map(({ chat_id, ...summary }) => [chat_id, summary]));
}

/** The chats with the read state of `readSummaries` merged in (none read yet where it said nothing). */
export function withSummaries(chats: Chat[], byChat: Map<string, ChatReadState>): Chat[] {
  return chats.map((chat) => ({
    ...chat,
    ...(byChat.get(chat.id) ?? {
      unread_count: 0,
      mention_count: 0,
      last_read_message_id: null,
      last_message: null,
    }),
  }));
}

/** The participants with their read receipts. */
export async function withReceipts(
  bus: Bus,
  actor: Actor,
  chatId: string,
  participants: Participant[],
  opts: Opts,
): Promise<Participant[]> {
  const { receipts } = await bus.call("read.receipts", { actor, chat_id: chatId }, opts);
  const byAgent = new Map(receipts.map(({ owner_id, ...receipt }) => [owner_id, receipt]));
  return participants.map((p) => ({
    ...p,
    ...(byAgent.get(p.owner_id) ?? { last_read_message_id: null, tm_read: null }),
  }));
}

/** POST /service_agents/talk_chats/{id}/read: the body is optional (no body: read up to the newest). */
export function readRoutes(bus: Bus): Router {
  const router = Router();
  router.post("/service_agents/talk_chats/:id/read", async (req: Request, res) => {
    const chatId = pathId(req, "id");
    const read = validate<MarkReadRequest>(markReadBody, req.body ?? {}, "body");
    res.json(
      await bus.call(
        "read.mark",
        { actor: actorOf(req), chat_id: chatId, read, ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  return router;
}

/**
 * /service_agents/talk_chats and /service_agents/talk_channels, forwarded to chat-manager. chat-manager's
 * writes answer the chat's revision after them; after a change of membership the route waits
 * (briefly) for message-manager to have applied that revision, so the caller's next request — a
 * message from a new participant, or one from a removed one — sees it.
 */
import type { Bus } from "@talk/bus";
import { type RpcRequest, addParticipantBody, createChatBody, updateChatBody } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import { type Request, Router } from "express";
import { actorOf } from "../http/authenticate";
import { once } from "../http/idempotency";
import { body, page, pathId } from "../http/input";
import { readRoutes, readSummaries, withReadState, withReceipts, withSummaries } from "./read-state";

export function chatRoutes(bus: Bus, logger: Logger): Router {
  const router = Router();
  const base = "/service_agents/talk_chats";
  const opts = (req: Request) => ({ requestId: req.requestId });

  /** Read-your-writes across services; the change is committed either way, so a slow wait only logs. */
  const applied = async <T>(
    req: Request,
    chatId: string,
    { revision, ...result }: T & { revision: number },
  ): Promise<T> => {
    try {
      await bus.call("message.awaitChatRevision", { chat_id: chatId, revision }, opts(req));
    } catch (error) {
      logger.warn(
        { err: error, request_id: req.requestId, chat_id: chatId },
        "message-manager did not confirm the chat change in time",
      );
    }
    return result as T;
  };

  router.post(base, async (req, res) => {
    const chat = body<RpcRequest<"chat.create">["chat"]>(req, createChatBody);
    const created = await bus.call("chat.create", { actor: actorOf(req), chat, ...once(req) }, opts(req));
    res.json((await applied(req, created.chat.id, created)).chat);
  });
  router.get(base, async (req, res) => {
    const actor = actorOf(req);
    const listed = await bus.call("chat.list", { actor, ...page(req) }, opts(req));
    res.json({ ...listed, result: await withReadState(bus, actor, listed.result, opts(req)) });
  });
  router.get(`${base}/:id`, async (req, res) => {
    const actor = actorOf(req);
    const chatId = pathId(req, "id");
    // Both questions at once; chat-manager's answer decides (a 403 or 404 is its), and the read
    // state — nothing for a chat the caller is not in — is merged in only then.
    const summaries = readSummaries(bus, actor, [chatId], opts(req));
    summaries.catch(() => undefined); // awaited below, unless chat-manager refused first
    const chat = await bus.call("chat.get", { actor, chat_id: chatId }, opts(req));
    res.json(withSummaries([chat], await summaries)[0]);
  });
  router.put(`${base}/:id`, async (req, res) => {
    const chatId = pathId(req, "id");
    const changes = body<RpcRequest<"chat.update">["changes"]>(req, updateChatBody);
    const { chat } = await bus.call(
      "chat.update",
      { actor: actorOf(req), chat_id: chatId, changes, ...once(req) },
      opts(req),
    );
    res.json(chat);
  });
  router.delete(`${base}/:id`, async (req, res) => {
    const chatId = pathId(req, "id");
    const done = await bus.call(
      "chat.delete",
      { actor: actorOf(req), chat_id: chatId, ...once(req) },
      opts(req),
    );
    res.json((await applied(req, chatId, done)).chat);
  });
  router.post(`${base}/:id/join`, async (req, res) => {
    const chatId = pathId(req, "id");
    const done = await bus.call(
      "chat.join",
      { actor: actorOf(req), chat_id: chatId, ...once(req) },
      opts(req),
    );
    res.json((await applied(req, chatId, done)).participant);
  });
  router.get(`${base}/:id/participants`, async (req, res) => {
    const actor = actorOf(req);
    const chatId = pathId(req, "id");
    const participants = await bus.call("participant.list", { actor, chat_id: chatId }, opts(req));
    res.json(await withReceipts(bus, actor, chatId, participants, opts(req)));
  });
  router.post(`${base}/:id/participants`, async (req, res) => {
    const chatId = pathId(req, "id");
    const participant = body<RpcRequest<"participant.add">["participant"]>(req, addParticipantBody);
    const added = await bus.call(
      "participant.add",
      { actor: actorOf(req), chat_id: chatId, participant, ...once(req) },
      opts(req),
    );
    res.json((await applied(req, chatId, added)).participant);
  });
  router.delete(`${base}/:id/participants/:participant_id`, async (req, res) => {
    const chatId = pathId(req, "id");
    const participantId = pathId(req, "participant_id");
    const removed = await bus.call(
      "participant.remove",
      { actor: actorOf(req), chat_id: chatId, participant_id: participantId, ...once(req) },
      opts(req),
    );
    res.json((await applied(req, chatId, removed)).participant);
  });
  router.get("/service_agents/talk_channels", async (req, res) => {
    const actor = actorOf(req);
    const listed = await bus.call("channel.list", { actor, ...page(req) }, opts(req));
    res.json({ ...listed, result: await withReadState(bus, actor, listed.result, opts(req)) });
  });
  router.use(readRoutes(bus));
  return router;
}

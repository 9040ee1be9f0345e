/** /service_agents/talk_messages, forwarded to message-manager. */
import type { Bus } from "@talk/bus";
import {
  type CreateMessageRequest,
  createMessageBody,
  invalid,
  reactionBody,
  uuid,
  validate,
  withCanonicalMedias,
} from "@talk/contracts";
import { type Request, Router } from "express";
import { actorOf } from "../http/authenticate";
import { once } from "../http/idempotency";
import { body, feedPage, page, pathId } from "../http/input";
import { SendBatcher, type SendBatchingOptions } from "../http/send-batcher";

/** "system" is not a type an agent may post (the contract has only "normal"): say why, naming the field. */
function refuseSystemMessage(req: Request): void {
  if ((req.body as { type?: unknown } | undefined)?.type === "system")
    throw invalid(
      "SYSTEM_MESSAGE_FORBIDDEN",
      'body.type must be "normal": agents cannot post "system" messages; they are added when participants join or leave.',
    );
}

export function messageRoutes(bus: Bus, batching: SendBatchingOptions = {}): Router {
  const router = Router();
  const sends = new SendBatcher(bus, batching);
  const base = "/service_agents/talk_messages";

  router.post(base, async (req, res) => {
    refuseSystemMessage(req);
    // VoIPBIN's media field names are taken and answered in Talk's form.
    req.body = withCanonicalMedias(req.body);
    const message = body<CreateMessageRequest>(req, createMessageBody);
    res.json(await sends.send({ actor: actorOf(req), message, ...once(req) }, req.requestId));
  });
  router.get(base, async (req, res) => {
    const { chat_id, parent_id, mentions } = req.query;
    if (mentions !== undefined && mentions !== "me")
      throw invalid("INVALID_ARGUMENT", 'query.mentions must be "me" (the messages that mention me).');
    const chatId = chat_id === undefined ? undefined : validate<string>(uuid, chat_id, "query.chat_id");
    const actor = actorOf(req);
    if (chatId === undefined || mentions === "me") {
      // Across chats (or mentions): pages end at a time and an id, so the token is another shape.
      if (parent_id !== undefined)
        throw invalid("INVALID_ARGUMENT", "query.parent_id needs query.chat_id and no query.mentions.");
      res.json(
        await bus.call(
          "message.feed",
          { actor, mentions: mentions === "me", ...(chatId ? { chat_id: chatId } : {}), ...feedPage(req) },
          { requestId: req.requestId },
        ),
      );
      return;
    }
    const parentId = parent_id ? validate<string>(uuid, parent_id, "query.parent_id") : undefined;
    res.json(
      await bus.call(
        "message.list",
        { actor, chat_id: chatId, ...(parentId ? { parent_id: parentId } : {}), ...page(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.get(`${base}/:id`, async (req, res) => {
    res.json(
      await bus.call(
        "message.get",
        { actor: actorOf(req), message_id: pathId(req, "id") },
        { requestId: req.requestId },
      ),
    );
  });
  router.delete(`${base}/:id`, async (req, res) => {
    res.json(
      await bus.call(
        "message.delete",
        { actor: actorOf(req), message_id: pathId(req, "id"), ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.post(`${base}/:id/reactions`, async (req, res) => {
    const messageId = pathId(req, "id");
    const reaction = body<{ emoji: string }>(req, reactionBody);
    res.json(
      await bus.call(
        "reaction.add",
        { actor: actorOf(req), message_id: messageId, reaction, ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.delete(`${base}/:id/reactions`, async (req, res) => {
    const messageId = pathId(req, "id");
    const reaction = body<{ emoji: string }>(req, reactionBody);
    res.json(
      await bus.call(
        "reaction.remove",
        { actor: actorOf(req), message_id: messageId, reaction, ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  return router;
}

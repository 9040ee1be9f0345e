/**
 * Edits with history, pins and search of messages (issue 12), forwarded to message-manager.
 * Mounted before the message routes, so `talk_messages/search` is not taken for a message id.
 */
import type { Bus } from "@talk/bus";
import {
  type EditMessageRequest,
  editMessageBody,
  invalid,
  searchMessagesQuery,
  validate,
} from "@talk/contracts";
import { type Request, Router } from "express";
import { actorOf } from "../http/authenticate";
import { once } from "../http/idempotency";
import { body, page, pathId } from "../http/input";

const messages = "/service_agents/talk_messages";

/** The search's query string, each parameter checked against the contract. */
function searchOf(req: Request) {
  const { q, chat_id, owner_id, channels, order, page_token } = req.query;
  if (q === undefined || q === "")
    throw invalid("INVALID_ARGUMENT", "query.q is required: the words to search for.");
  const one = <T>(name: keyof typeof searchMessagesQuery, value: unknown) =>
    value === undefined ? undefined : validate<T>(searchMessagesQuery[name], value, `query.${name}`);
  if (page_token !== undefined && (typeof page_token !== "string" || page_token.length > 128))
    throw invalid("INVALID_PAGE_TOKEN", "query.page_token must be a next_page_token of this search.");
  const request = {
    q: validate<string>(searchMessagesQuery.q, q, "query.q"),
    chat_id: one<string>("chat_id", chat_id),
    owner_id: one<string>("owner_id", owner_id),
    channels: one<"mine" | "all">("channels", channels),
    order: one<"newest" | "relevance">("order", order),
    page_size: page({ query: { page_size: req.query.page_size } } as unknown as Request).page_size,
    page_token: (page_token as string | undefined) || undefined,
  };
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as typeof request;
}

export function messageEditPinSearchRoutes(bus: Bus): Router {
  const router = Router();

  router.get(`${messages}/search`, async (req, res) => {
    res.json(
      await bus.call(
        "message.search",
        { actor: actorOf(req), ...searchOf(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.put(`${messages}/:id`, async (req, res) => {
    const messageId = pathId(req, "id");
    const edit = body<EditMessageRequest>(req, editMessageBody);
    res.json(
      await bus.call(
        "message.edit",
        { actor: actorOf(req), message_id: messageId, edit, ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.get(`${messages}/:id/history`, async (req, res) => {
    res.json(
      await bus.call(
        "message.history",
        { actor: actorOf(req), message_id: pathId(req, "id"), ...page(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.post(`${messages}/:id/pin`, async (req, res) => {
    res.json(
      await bus.call(
        "message.pin",
        { actor: actorOf(req), message_id: pathId(req, "id"), ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.delete(`${messages}/:id/pin`, async (req, res) => {
    res.json(
      await bus.call(
        "message.unpin",
        { actor: actorOf(req), message_id: pathId(req, "id"), ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.get("/service_agents/talk_chats/:id/pins", async (req, res) => {
    res.json(
      await bus.call(
        "message.pins",
        { actor: actorOf(req), chat_id: pathId(req, "id"), ...page(req) },
        { requestId: req.requestId },
      ),
    );
  });
  return router;
}

/** /service_agents/talk_chats and /service_agents/talk_channels, forwarded to chat-manager. */
import type { Bus } from "@talk/bus";
import { type RpcRequest, addParticipantBody, createChatBody, updateChatBody } from "@talk/contracts";
import { Router } from "express";
import { actorOf } from "../http/authenticate";
import { body, page, pathId } from "../http/input";

export function chatRoutes(bus: Bus): Router {
  const router = Router();
  const base = "/service_agents/talk_chats";

  router.post(base, async (req, res) => {
    const chat = body<RpcRequest<"chat.create">["chat"]>(req, createChatBody);
    res.json(await bus.call("chat.create", { actor: actorOf(req), chat }, { requestId: req.requestId }));
  });
  router.get(base, async (req, res) => {
    res.json(await bus.call("chat.list", { actor: actorOf(req), ...page(req) }, { requestId: req.requestId }));
  });
  router.get(`${base}/:id`, async (req, res) => {
    res.json(await bus.call("chat.get", { actor: actorOf(req), chat_id: pathId(req, "id") }, { requestId: req.requestId }));
  });
  router.put(`${base}/:id`, async (req, res) => {
    const chatId = pathId(req, "id");
    const changes = body<RpcRequest<"chat.update">["changes"]>(req, updateChatBody);
    res.json(await bus.call("chat.update", { actor: actorOf(req), chat_id: chatId, changes }, { requestId: req.requestId }));
  });
  router.delete(`${base}/:id`, async (req, res) => {
    res.json(await bus.call("chat.delete", { actor: actorOf(req), chat_id: pathId(req, "id") }, { requestId: req.requestId }));
  });
  router.post(`${base}/:id/join`, async (req, res) => {
    res.json(await bus.call("chat.join", { actor: actorOf(req), chat_id: pathId(req, "id") }, { requestId: req.requestId }));
  });
  router.get(`${base}/:id/participants`, async (req, res) => {
    res.json(await bus.call("participant.list", { actor: actorOf(req), chat_id: pathId(req, "id") }, { requestId: req.requestId }));
  });
  router.post(`${base}/:id/participants`, async (req, res) => {
    const chatId = pathId(req, "id");
    const participant = body<RpcRequest<"participant.add">["participant"]>(req, addParticipantBody);
    res.json(await bus.call("participant.add", { actor: actorOf(req), chat_id: chatId, participant }, { requestId: req.requestId }));
  });
  router.delete(`${base}/:id/participants/:participant_id`, async (req, res) => {
    const chatId = pathId(req, "id");
    const participantId = pathId(req, "participant_id");
    res.json(
      await bus.call("participant.remove", { actor: actorOf(req), chat_id: chatId, participant_id: participantId }, { requestId: req.requestId }),
    );
  });
  router.get("/service_agents/talk_channels", async (req, res) => {
    res.json(await bus.call("channel.list", { actor: actorOf(req), ...page(req) }, { requestId: req.requestId }));
  });
  return router;
}

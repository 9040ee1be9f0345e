import type { Bus } from "@talk/bus";
import { createAgentBody, type RpcRequest } from "@talk/contracts";
import { Router } from "express";
import { actorOf, caller, requireAdmin } from "../http/authenticate";
import { once } from "../http/idempotency";
import { body, page, pathId } from "../http/input";

export function agentRoutes(bus: Bus): Router {
  const router = Router();
  router.get("/agents", async (req, res) => {
    res.json(
      await bus.call(
        "agent.list",
        { customer_id: caller(req).customer_id, ...page(req) },
        { requestId: req.requestId },
      ),
    );
  });
  router.get("/agents/:id", async (req, res) => {
    const agentId = pathId(req, "id");
    res.json(
      await bus.call(
        "agent.get",
        { customer_id: caller(req).customer_id, agent_id: agentId },
        { requestId: req.requestId },
      ),
    );
  });
  router.post("/agents", async (req, res) => {
    requireAdmin(req);
    const agent = body<RpcRequest<"agent.create">["agent"]>(req, createAgentBody);
    res.json(
      await bus.call(
        "agent.create",
        { customer_id: caller(req).customer_id, agent, actor: actorOf(req), ...once(req) },
        { requestId: req.requestId },
      ),
    );
  });
  return router;
}

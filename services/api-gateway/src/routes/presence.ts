/**
 * Presence of agents: `GET /agents/presence?ids=…` (many at once) and `PUT /agents/me/presence`
 * (the caller's explicit status). Mounted before `/agents/:id`, which would take "presence" and
 * "me" for ids.
 */
import type { Bus } from "@talk/bus";
import {
  PRESENCE_LIMITS,
  type SetPresenceRequest,
  invalid,
  setPresenceBody,
  uuid,
  validate,
} from "@talk/contracts";
import { type Request, Router } from "express";
import { actorOf, caller } from "../http/authenticate";
import { body } from "../http/input";

export function presenceRoutes(bus: Bus): Router {
  const router = Router();
  router.get("/agents/presence", async (req, res) => {
    const { result } = await bus.call(
      "presence.get",
      { customer_id: caller(req).customer_id, agent_ids: idsOf(req) },
      { requestId: req.requestId },
    );
    res.json(result);
  });
  router.put("/agents/me/presence", async (req, res) => {
    const presence = body<SetPresenceRequest>(req, setPresenceBody);
    res.json(await bus.call("presence.set", { actor: actorOf(req), presence }, { requestId: req.requestId }));
  });
  return router;
}

/** `?ids=a,b` or `?ids=a&ids=b`: 1 to 100 agent ids. */
function idsOf(req: Request): string[] {
  const raw = req.query.ids;
  const parts = (Array.isArray(raw) ? raw : [raw])
    .filter((part): part is string => typeof part === "string")
    .flatMap((part) => part.split(","))
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length === 0)
    throw invalid("IDS_REQUIRED", "query.ids must list agent ids, comma-separated (e.g. ?ids=<id>,<id>).");
  if (parts.length > PRESENCE_LIMITS.idsPerRequest)
    throw invalid("TOO_MANY_IDS", `query.ids may list at most ${PRESENCE_LIMITS.idsPerRequest} agent ids.`);
  parts.forEach((id, i) => validate<string>(uuid, id, `query.ids.${i}`));
  return [...new Set(parts)];
}

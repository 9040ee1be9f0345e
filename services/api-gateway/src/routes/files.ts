/**
 * /v1.0/files: uploads and downloads are streamed to file-manager's byte path (see http/proxy.ts);
 * metadata and delete are RPCs like every other route. Mounted before the JSON body parser, so an
 * upload's body is never parsed or buffered here.
 */
import type { TokenSecret } from "@talk/auth";
import type { Bus } from "@talk/bus";
import { Router } from "express";
import { actorOf, authenticate } from "../http/authenticate";
import { pathId } from "../http/input";
import { proxyTo } from "../http/proxy";

export function fileRoutes(bus: Bus, jwtSecret: TokenSecret, fileManagerUrls: readonly string[]): Router {
  const router = Router();
  const auth = authenticate(jwtSecret);
  const proxy = proxyTo(fileManagerUrls);
  router.post("/files", auth, proxy);
  router.get("/files/:id/content", auth, (req, res, next) => {
    pathId(req, "id");
    proxy(req, res, next);
  });
  router.get("/files/:id", auth, async (req, res) => {
    res.json(
      await bus.call(
        "file.get",
        { actor: actorOf(req), file_id: pathId(req, "id") },
        { requestId: req.requestId },
      ),
    );
  });
  router.delete("/files/:id", auth, async (req, res) => {
    res.json(
      await bus.call(
        "file.delete",
        { actor: actorOf(req), file_id: pathId(req, "id") },
        { requestId: req.requestId },
      ),
    );
  });
  return router;
}

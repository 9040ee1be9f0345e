# One image for every Talk service, built from the repository root:
#   docker build --build-arg SERVICE=chat-manager -t talk/chat-manager .
# SERVICE is a folder under services/ (agent-manager, chat-manager, message-manager, file-manager, api-gateway,
# push, embedded). The build stage installs the workspace, compiles TypeScript to JavaScript
# (`pnpm build`: each package's dist/) and makes a pruned production install of that one service
# (`pnpm deploy --prod`: its dist/ and its runtime dependencies, workspace packages included). The
# runtime stage is that folder on node:24-slim, run by plain `node` as the unprivileged `node` user.

FROM node:24-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<a folder under services/>" >&2; exit 1; }
RUN npm install -g pnpm@12.4.2
WORKDIR /repo
# The dependencies first (a layer that changes only with the lockfile), then the sources.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
RUN pnpm fetch
COPY . .
RUN test -d "services/$SERVICE" || { echo "no services/$SERVICE" >&2; exit 1; }
RUN pnpm install --frozen-lockfile --offline
RUN if [ "$SERVICE" = api-gateway ] || [ "$SERVICE" = embedded ]; then pnpm --filter @talk/console build; fi
RUN pnpm build
RUN pnpm --filter "@talk/$SERVICE" deploy --prod /out \
 && rm -rf /out/src /out/pnpm-lock.yaml /out/pnpm-workspace.yaml \
 && find /out/node_modules/.pnpm -mindepth 4 -maxdepth 4 -path '*/node_modules/@talk/*' -type d \
      -exec rm -rf '{}/src' '{}/index.ts' \;

FROM node:24-slim
ENV NODE_ENV=production HTTP_PORT=8080
WORKDIR /app
COPY --from=build /out ./
USER node
EXPOSE 8080
# `talk-dist`: every @talk/* package resolves to its compiled dist/ (see its package.json exports).
CMD ["node", "--conditions=talk-dist", "--enable-source-maps", "dist/main.js"]

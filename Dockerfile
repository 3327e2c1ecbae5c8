# syntax=docker/dockerfile:1
# reco in a container: the web app and the HTTP API over the embedded SQLite store in the /data volume.
# Built in two stages: the TypeScript build (every dependency installed once, the native SQLite driver
# compiled when no prebuilt binary fits, then the development ones pruned), and a slim runtime that runs as
# the unprivileged `node` user.
# Not built in this project's CI (no Docker engine there): the test suite lints this file and compose.yaml.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
  RECO_DB=/data/reco.db \
  HOST=0.0.0.0 \
  PORT=8000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY src/web/static ./src/web/static
COPY package.json ./
# /models: the bundles shared by the replicas and the train worker of compose.yaml's `scale` profile; a new
# named volume mounted there takes this directory's owner, so that `node` can write to it
RUN mkdir -p /data /models && chown node:node /data /models
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start"]

# syntax=docker/dockerfile:1
# The default target is the runtime image: the bridge, and the CLI as its ops tool
# (`docker run IMAGE node dist/apps/cli/main.js <command>`). The API emulator is a target of its own
# for the local stack (`docker build --target emulator .`); it never ships in the runtime image.

# Build: all dependencies, webpack bundles in dist/apps/{bridge,emulator,cli}/main.js. npm ci's
# postinstall applies patches/ (kafkajs reads and writes record headers exactly only when patched).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies (the bundles require them from node_modules at run time).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The patched kafkajs of the build stage (patch-package is a dev tool; the bridge refuses an unpatched one).
COPY --from=build /app/node_modules/kafkajs ./node_modules/kafkajs

# What the app images share: node without npm, npx, corepack or yarn (nothing installs at run time),
# tini as PID 1. tini forwards SIGTERM/SIGINT to node and reaps zombies, so every app stops on
# `docker stop` / pod deletion (a PID 1 process gets no default signal action). The bridge drains on
# SIGTERM and exits 0; tini passes that code on.
FROM node:24-bookworm-slim AS base
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production
WORKDIR /app
# The image's `node` user, numeric so Kubernetes can check runAsNonRoot without a passwd lookup.
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--"]

# The API emulator, for docker compose and local runs: it needs nothing from node_modules.
FROM base AS emulator
COPY --from=build /app/dist/apps/emulator ./dist/apps/emulator
EXPOSE 8080
CMD ["node", "dist/apps/emulator/main.js"]

# Runtime (the default target). No HEALTHCHECK: docker-compose.yml and the Kubernetes probes define
# the checks, and the CLI, which runs from this image too, has no /health/ready.
FROM base AS runtime
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/bridge ./dist/apps/bridge
COPY --from=build /app/dist/apps/cli ./dist/apps/cli
EXPOSE 3000
CMD ["node", "dist/apps/bridge/main.js"]

# syntax=docker/dockerfile:1
# One image for the three apps. The default command runs the bridge; override it for the others:
#   docker run IMAGE node dist/apps/emulator/main.js
#   docker run IMAGE node dist/apps/cli/main.js <command>

# Build: all dependencies, webpack bundles in dist/apps/{bridge,emulator,cli}/main.js. npm ci's
# postinstall applies patches/ (kafkajs reads and writes record headers exactly only when patched).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies only (the bundles require them from node_modules at run time).
FROM node:24-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies, so every app stops on
# `docker stop` / pod deletion even if it installs no signal handler of its own (a PID 1 process
# gets no default signal action). The bridge drains on SIGTERM and exits 0; tini passes that code on.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The patched kafkajs of the build stage (patch-package is a dev tool; the bridge refuses an unpatched one).
COPY --from=build /app/node_modules/kafkajs ./node_modules/kafkajs
COPY --from=build /app/dist ./dist
# The image's `node` user, numeric so Kubernetes can check runAsNonRoot without a passwd lookup.
USER 1000:1000
EXPOSE 3000
# No HEALTHCHECK here: the same image runs the emulator and the CLI, which have no /health/ready.
# docker-compose.yml and the Kubernetes probes define the checks per app.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/bridge/main.js"]

# Aegis in a container: the daemon, tmux and the pinned Claude Code, run as the unprivileged `node`
# user, its state (and Claude Code's files) in a volume. How to run it: docs/deployment.md ("Docker").

# Node 22 LTS, the Node the test suite runs on: Claude Code needs Node 22 or newer.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native module when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/aegis
COPY package.json package-lock.json ./
# Install scripts run only for the one package that needs its own (the native SQLite binding): the
# pinned Claude Code dev dependency is not wanted here, it is installed on its own below.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The dashboard the daemon serves at / is bundled from web/ by the same build.
COPY web ./web
COPY scripts/build-dashboard.mjs ./scripts/
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# Keep in step with @anthropic-ai/claude-code in package.json (a test checks that they agree).
ARG CLAUDE_CODE_VERSION=2.1.330
# tmux runs the sessions; tini reaps what they leave behind (a Node PID 1 does not); git and
# ca-certificates are what Claude's tools most often need in a repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tmux tini git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g --no-audit --no-fund "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
 && npm cache clean --force
WORKDIR /opt/aegis
COPY --from=build /opt/aegis/package.json ./
COPY --from=build /opt/aegis/node_modules ./node_modules
COPY --from=build /opt/aegis/dist ./dist
COPY bin ./bin
RUN install -d -o node -g node -m 0700 /var/lib/aegis \
 && install -d -o node -g node -m 0755 /srv/repos

# HOME in the volume: Claude Code's settings and transcripts survive the container, as the sessions'
# records do. 0.0.0.0 makes the API reachable from outside the container, and the daemon refuses to
# start on it without AEGIS_AUTH_TOKEN. No NODE_ENV: sessions inherit it, and npm in a repository
# would skip dev dependencies.
ENV HOME=/var/lib/aegis \
    SHELL=/bin/bash \
    AEGIS_STATE_DIR=/var/lib/aegis/state \
    AEGIS_TMUX_SOCKET=aegis \
    AEGIS_HOST=0.0.0.0 \
    AEGIS_PORT=9100 \
    AEGIS_ALLOWED_WORKDIRS=/srv/repos \
    DISABLE_AUTOUPDATER=1
USER node
VOLUME ["/var/lib/aegis"]
EXPOSE 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.AEGIS_PORT || 9100) + '/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/aegis/bin/aegis.js"]
CMD ["serve"]

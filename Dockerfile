# One image for the API and the worker (ROLE decides). Node 22 comes from the node package in package.json.
# tsconfig.build.json compiles src/ and migrations/ without the specs (they import test/, which is not copied).
# .ci/run replays this file's COPY and RUN lines (one line each) without Docker, so keep them simple.
FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
COPY bin ./bin
RUN npm run build:image && npm prune --omit=dev
ENV NODE_ENV=production SF_DISABLE_LOG_FILE=true PORT=3000
# One malloc arena, trimmed (ADR 0023), and 8 MB semi-spaces (ADR 0024): given here so the service does not run
# itself again to get them.
ENV MALLOC_ARENA_MAX=1 MALLOC_TRIM_THRESHOLD_=131072
EXPOSE 3000
CMD ["node_modules/.bin/node", "--max-semi-space-size=8", "dist/src/main.js"]

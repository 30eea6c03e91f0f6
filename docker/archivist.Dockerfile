# syntax=docker/dockerfile:1
#
# The embedded Archivist as a standalone service (Archivist HTTP API, spec §6),
# loaded with the bundled knowledge base. Build from the repository root:
#   docker build -f docker/archivist.Dockerfile -t relica/clarity-archivist:latest .
#   docker run -p 3000:3000 -v archivist-data:/data relica/clarity-archivist:latest
# Other tables: docker run ... relica/clarity-archivist --data /kb/a.csv,/kb/b.csv \
#   --port 3000 --host 0.0.0.0 --journal /data/journal.jsonl
# Submissions are persisted in /data/journal.jsonl and replayed at start.

# ---------------------------------------------------------------- build stage
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build

# -------------------------------------------------------------- runtime stage
FROM node:20-alpine AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY src/archivist-server/knowledge-base ./src/archivist-server/knowledge-base
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
RUN mkdir -p /data && chown node:node /data

USER node
EXPOSE 3000
ENV HEALTHCHECK_PORT=3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
  CMD ["node", "docker/healthcheck.mjs", "/health"]

ENTRYPOINT ["node", "dist/src/archivist-server/cli.js"]
CMD ["--data", "src/archivist-server/knowledge-base/clarity-kb.csv", "--port", "3000", "--host", "0.0.0.0", "--journal", "/data/journal.jsonl"]

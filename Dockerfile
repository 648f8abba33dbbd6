# Production image: compiled JavaScript, production dependencies only, non-root.
# It never provisions servers: MONGODB_URI, KAFKA_BROKERS and the secret come from the deployment.
# Node 24 LTS at a fixed version (development, CI and the bench run Node 24 too: where the machine's
# Node is another major, scripts/with-node24.mjs fetches the version below); raise the three FROMs together.
# Pinned by tag, not yet by digest: no registry or public record of node:24.22.3-trixie-slim's digest
# could be reached where this was written. Pin it where a registry answers, the same in all three:
# FROM node:24.22.3-trixie-slim@sha256:<index digest of `docker buildx imagetools inspect node:24.22.3-trixie-slim`>
#
# Dependencies install without their install scripts (--ignore-scripts): none is needed. The ones that
# have scripts (package.json `allowScripts` denies each) are @bufbuild/buf and esbuild (their binaries
# come as platform packages; the scripts only check or shortcut them), protobufjs (a version warning),
# ssh2 and cpu-features (optional native speed-ups of testcontainers, dev only).
FROM node:24.22.3-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY buf.yaml buf.gen.yaml tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY scripts/generate.mjs ./scripts/generate.mjs
COPY src ./src
RUN npm run build

FROM node:24.22.3-trixie-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM node:24.22.3-trixie-slim
# An explicit old-space bound: V8 otherwise sizes the heap from the host's memory and lets it grow to
# several times the ~50 MB live set before collecting (docs/performance.md, memory). The bench runs
# the service with this same line.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=8" \
    GRPC_HOST=0.0.0.0 \
    GRPC_PORT=50051
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# gRPC, the plaintext health-only port (GRPC_HEALTH_PORT, set by the Helm chart), metrics (METRICS_PORT).
EXPOSE 50051 50052 9464
CMD ["node", "dist/main.js"]

# Production image: compiled JavaScript, production dependencies only, non-root.
# It never provisions servers: MONGODB_URI, KAFKA_BROKERS and the secret come from the deployment.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY buf.yaml buf.gen.yaml tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY scripts/generate.mjs ./scripts/generate.mjs
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
# An explicit old-space bound: V8 otherwise sizes the heap from the host's memory and lets it grow to
# several times the ~50 MB live set before collecting (docs/performance.md, memory). The bench runs
# the service with this same line.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=192" \
    GRPC_HOST=0.0.0.0 \
    GRPC_PORT=50051
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 50051
CMD ["node", "dist/main.js"]

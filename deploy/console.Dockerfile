# The MAPPA panel console (services/console) on Debian 12's Node.js.
#   docker build -f deploy/console.Dockerfile -t safeguard-console:0.16.0 .
# The tag is the project's version, the same as the services' image (docs/deploy.md).
# It reads Safeguard's .proto files at run time, so the image keeps the repository's
# layout: /app/proto beside /app/services/console.
FROM debian:12-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app/services/console
COPY services/console/package.json services/console/package-lock.json services/console/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY services/console ./
COPY proto /app/proto
RUN npm run build && npm prune --omit=dev

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 safeguard \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin safeguard
COPY --from=build /app/proto /app/proto
COPY --from=build /app/services/console/dist /app/services/console/dist
COPY --from=build /app/services/console/node_modules /app/services/console/node_modules
COPY --from=build /app/services/console/server/views /app/services/console/server/views
COPY --from=build /app/services/console/package.json /app/services/console/package.json
# The same user as the services' image: it reads the shared pki volume's keys.
USER 10001:10001
WORKDIR /app/services/console
EXPOSE 8443
ENTRYPOINT ["node", "dist/server.js"]
CMD ["--help"]

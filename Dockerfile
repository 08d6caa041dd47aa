# clusterdns image: `docker build -t clusterdns/clusterdns:0.1.0 .` (chart/README.md deploys it as kube-dns).
# Three stages: build with dev dependencies, install the packed package with production dependencies only,
# then a Node LTS runtime holding nothing else. test/e2e/image-layout.test.ts runs the same layout.

# ---- build: compile TypeScript and pack the package as npm would publish it
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.cjs.json ./
COPY scripts ./scripts
COPY src ./src
COPY examples/cluster.yaml ./examples/cluster.yaml
COPY zones ./zones
RUN npm run build && npm pack --pack-destination /tmp && mv /tmp/clusterdns-*.tgz /tmp/clusterdns.tgz

# ---- install: the tarball and its production dependencies, no dev dependencies, no sources
FROM node:24-bookworm-slim AS install
COPY --from=build /tmp/clusterdns.tgz /tmp/clusterdns.tgz
# The entrypoint names node directly instead of `#!/usr/bin/env -S node …`: under no_new_privs (allowPrivilegeEscalation:
# false) node's file capability is honoured only when exec'd by a process already holding it, and env is not one.
# The shebang's flag (the young generation's size) stays: the kernel passes it to node as one argument.
RUN npm install --prefix /opt/clusterdns --omit=dev --no-audit --no-fund --no-package-lock /tmp/clusterdns.tgz \
 && rm /tmp/clusterdns.tgz \
 && sed -i '1s|^#!/usr/bin/env -S node |#!/usr/local/bin/node |' /opt/clusterdns/node_modules/clusterdns/dist/cli/bin.js \
 && head -1 /opt/clusterdns/node_modules/clusterdns/dist/cli/bin.js | grep -q '^#!/usr/local/bin/node --max-semi-space-size='

# ---- runtime
FROM node:24-bookworm-slim
# Port 53 as uid 65532: the file capability lets the node binary bind it when the container's capability set holds
# NET_BIND_SERVICE (the Deployment adds it and drops the rest); allowPrivilegeEscalation false still works
# because the runtime execs node (the entrypoint's interpreter) with the capability already in its permitted
# set. npm, npx, corepack and yarn are not needed to run.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep /usr/local/bin/node \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/* /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
COPY --from=install /opt/clusterdns /opt/clusterdns
ENV NODE_ENV=production \
    PATH=/opt/clusterdns/node_modules/.bin:$PATH
# Nothing is written at run time: the root filesystem can be read-only (the chart mounts an emptyDir on /tmp).
WORKDIR /tmp
USER 65532:65532
EXPOSE 53/udp 53/tcp 8080/tcp 8181/tcp 9153/tcp
ENTRYPOINT ["clusterdns"]
CMD ["serve", "--conf", "/etc/coredns/Corefile"]

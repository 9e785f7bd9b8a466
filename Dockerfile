# The Mayor (the Gas Town GitHub App) in a container: Probot's own server with the bundled app
# (src/mayor/serve.ts: Probot's run, writes paced by GitHub.com's limits).
#   docker build -t gastown-mayor .
#   docker run --env-file .env -p 3000:3000 gastown-mayor
# The app is bundled with esbuild in the first stage (its npm packages stay outside the bundle), so the
# image holds production dependencies only: no TypeScript, tsx, test tools or emulator. docs/running-the-mayor.md
# explains the settings; test/workflows/dockerfile.test.ts runs this file's build command and CMD.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx esbuild src/mayor/serve.ts --bundle --platform=node --format=esm --target=node20 --packages=external --outfile=build/mayor.mjs

FROM node:20-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LOG_FORMAT=json LOG_LEVEL=info
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY app.yml ./
COPY --from=build /app/build/mayor.mjs ./build/mayor.mjs
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "build/mayor.mjs"]

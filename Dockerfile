# Multi-stage: build the SPA with Node, then a slim Python image running as non-root.
FROM node:20-slim AS web
WORKDIR /build/web
COPY web/package.json web/package-lock.json ./
RUN npm ci
COPY web/ ./
RUN npm run build

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    STARTER__SERVER__HOST=0.0.0.0 STARTER__ENVIRONMENT=production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src/ ./src/
COPY --from=web /build/src/starter/web/dist/ ./src/starter/web/dist/
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 starter
USER starter
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s CMD ["starter", "health-check"]
CMD ["starter", "server", "--workers", "2"]

#!/usr/bin/env bash
# `npm test`: typecheck, lint, unit, integration (PGlite, or a PostgreSQL
# server when TEST_DATABASE_URL is set), production build, then Playwright
# against that build (PGlite, or E2E_DATABASE_URL when set).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
dbname() { if [ -n "${1:-}" ]; then echo "postgres server"; else echo "pglite"; fi; }
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

step "typecheck"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "unit tests"; npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=reports/unit.json
step "integration tests ($(dbname "${TEST_DATABASE_URL:-}"))"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=reports/integration.json
step "production build"; npm run --silent build
step "browser tests ($(dbname "${E2E_DATABASE_URL:-}"))"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/e2e.json npx playwright test --reporter=list,json
node scripts/lib/test-summary.mjs reports/unit.json reports/integration.json reports/e2e.json

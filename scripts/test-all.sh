#!/usr/bin/env bash
# `npm test`: typecheck, lint, unit, integration (PGlite, or a PostgreSQL
# server when TEST_DATABASE_URL is set), production build, then Playwright
# against that build (PGlite, or E2E_DATABASE_URL when set).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

step "typecheck"; npm run --silent typecheck
step "lint"; npm run --silent lint
step "unit tests"; npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=test-results/unit.json
step "integration tests (${TEST_DATABASE_URL:+postgres server}${TEST_DATABASE_URL:-pglite})"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=test-results/integration.json
step "production build"; npm run --silent build
step "browser tests (${E2E_DATABASE_URL:+postgres server}${E2E_DATABASE_URL:-pglite})"
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/e2e.json npx playwright test --reporter=list,json
node scripts/lib/test-summary.mjs test-results/unit.json test-results/integration.json test-results/e2e.json

/**
 * The OpenAPI 3.1 document for every HTTP route. Request bodies that have a
 * zod schema are generated from it, so the document cannot drift from the
 * validation.
 */
import { z } from 'zod';
import { ALERT_KINDS, APPROVAL_STATUSES, POLICY_KINDS, SESSION_STATUSES } from '@/lib/engine/enums';
import { usageEventSchema } from '@/lib/engine/ingest';
import { priceVersionBody } from '@/lib/engine/price-input';
import { chatRequestSchema } from '@/lib/gateway/request';
import { feedbackSchema } from '@/lib/server/feedback';
import { decisionSchema } from '@/lib/server/governance-admin/approvals';
import { budgetInputSchema } from '@/lib/server/governance-admin/budgets';
import { createKeySchema } from '@/lib/server/governance-admin/keys';
import { policyInputSchema } from '@/lib/server/governance-admin/policies';
import { unfreezeSchema } from '@/lib/server/governance-admin/sessions';
import { upstreamInputSchema } from '@/lib/server/upstreams-admin';

const error = { $ref: '#/components/schemas/Error' };
const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: STATUS[code], content: { 'application/json': { schema: error } } }]));
const STATUS: Record<number, string> = {
  400: 'Invalid request (`invalid_request_error`)',
  401: 'Missing or unknown credentials (`authentication_error`)',
  403: 'Not allowed, or another department (`permission_error`)',
  404: 'Not found (`not_found_error`)',
  409: 'Not in a state this change applies to; nothing changed (`invalid_request_error`, with `code`)',
  413: 'Body too large (`invalid_request_error`)',
  502: 'Every upstream in the fallback chain failed (`upstream_error`)',
};
const header = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'header', required: false, description, schema });
const replyHeader = (description: string) => ({ description, schema: { type: 'string' } });
const GATEWAY_REPLY_HEADERS = {
  'x-tollgate-request-id': replyHeader('The ledger row of this call'),
  'x-tollgate-model': replyHeader('The model that answered'),
  'x-tollgate-tier': replyHeader('`cache`, `small` or `frontier`'),
  'x-tollgate-cost-usd': replyHeader('What the call cost, USD (streams carry it as a final `: x-tollgate-cost-usd=` SSE comment)'),
  'x-tollgate-cache': replyHeader('`hit` or `miss`'),
  'x-tollgate-overhead-ms': replyHeader('Time Tollgate added, excluding the upstream'),
};
const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const month = query('month', 'Calendar month, YYYY-MM (UTC)', { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, true);
const department = query('department', 'Department id; managers may name only their own (another is a 403)');
const pathId = (description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string' } });
const body = (schema: Record<string, unknown>, required = true) => ({ required, content: { 'application/json': { schema } } });
const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
const statusFilter = (values: readonly string[], description: string) => query('status', description, { enum: [...values] });

export function openApiDocument(): Record<string, unknown> {
  const usageEvent = z.toJSONSchema(usageEventSchema, { io: 'input', unrepresentable: 'any' });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tollgate API',
      version: '0.1.0',
      description:
        'FinOps command center for AI inference. Agents send `Authorization: Bearer <api key>`; people use their session. Money is nano-dollars (1 USD = 1e9) as decimal strings unless a field says USD.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['type', 'message'],
              properties: { type: { type: 'string' }, message: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: ['string', 'null'] } },
            },
          },
        },
        UsageEvent: usageEvent,
        PriceVersion: z.toJSONSchema(priceVersionBody, { io: 'input', unrepresentable: 'any' }),
        ChatRequest: z.toJSONSchema(chatRequestSchema, { io: 'input', unrepresentable: 'any' }),
      },
    },
    security: [{ apiKey: [] }, { session: [] }],
    paths: {
      '/api/health': { get: { summary: 'Liveness and the database in use', security: [], responses: { 200: json('`{ status: "ok", database: "pglite" | "postgres" }`') } } },
      '/api/v1/usage': {
        post: {
          summary: 'Batch ingest of provider usage, idempotent per event id',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['events'], properties: { events: { type: 'array', maxItems: 1000, items: { $ref: '#/components/schemas/UsageEvent' } } } },
              },
            },
          },
          responses: { 200: json('`{ accepted, duplicates, errors: [{ index, type, message }], ids }`'), ...errorResponses(400, 401, 403, 413) },
        },
      },
      '/api/v1/ledger': {
        get: {
          summary: 'Ledger rows, newest first, keyset-paginated; JSON or CSV',
          parameters: [
            query('from', 'ISO 8601 start (inclusive)'),
            query('to', 'ISO 8601 end (exclusive)'),
            department,
            query('project', 'Project id'),
            query('key', 'API key id'),
            query('session', 'Agent session id'),
            query('workflow_run', 'Workflow run id'),
            query('request_id', 'Ledger row id (x-tollgate-request-id)'),
            query('limit', '1-1000, default 100', { type: 'integer', minimum: 1, maximum: 1000 }),
            query('cursor', 'next_cursor from the previous page'),
            query('format', 'json (default) or csv', { enum: ['json', 'csv'] }),
          ],
          responses: { 200: json('`{ data: LedgerRow[], next_cursor }` or text/csv'), ...errorResponses(400, 401, 403) },
        },
      },
      '/api/v1/departments': { get: { summary: 'Departments with their projects', parameters: [department], responses: { 200: json('`{ data }`'), ...errorResponses(401, 403) } } },
      '/api/v1/spend': {
        get: {
          summary: "The dashboard's read models",
          parameters: [query('view', 'overview, live or department', { enum: ['overview', 'live', 'department'] }), department],
          responses: { 200: json('Summary KPIs, series and breakdowns'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      '/api/v1/chargeback': {
        get: {
          summary: "A month's chargeback per department and project; FOCUS 1.2 CSV with format=focus",
          parameters: [month, department, query('format', 'json (default) or focus', { enum: ['json', 'focus'] })],
          responses: { 200: json('JSON totals, or text/csv FOCUS 1.2'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      '/api/v1/reconciliation': {
        get: {
          summary: 'Billed vs estimated by day, model and project',
          parameters: [month, department],
          responses: { 200: json('Rows with variance and cost source, totals, unattributed spend'), ...errorResponses(400, 401, 403) },
        },
      },
      '/api/v1/billing/imports': {
        post: {
          summary: 'Import a provider billing export (OpenAI costs/usage pages, Anthropic cost/usage reports); ops only',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['provider', 'format', 'data'] } } } },
          responses: { 200: json('Duplicate import: nothing written'), 201: json('`{ import_id, lines, duplicate }`'), ...errorResponses(400, 401, 403, 413) },
        },
      },
      '/api/v1/billing/project-links': {
        post: {
          summary: "Link a provider's project or workspace id to a Tollgate project; ops only",
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 200: json('The link'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      '/api/v1/prices': {
        get: {
          summary: "Price versions (USD and nano-dollars per Mtok, exact decimal strings) with `in_force`; list prices, plus the organisation's negotiated and amortised ones for those who read spend",
          parameters: [query('model', 'Catalog model id, e.g. openai/gpt-4o-mini'), query('provider', 'Provider, e.g. anthropic')],
          responses: { 200: json('`{ data: [version] }`'), ...errorResponses(400, 401, 403, 404) },
        },
        post: {
          summary: 'Add a price version (list, negotiated or amortised); ops only. Rates in USD per million tokens, decimal strings or numbers',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PriceVersion' } } } },
          responses: {
            201: json('The created version, with `warnings`'),
            ...errorResponses(400, 401, 403, 404),
            409: { description: 'A version of the same model, kind, organisation, service tier, context tier and date exists (`invalid_request_error`, code `price_conflict`)', content: { 'application/json': { schema: error } } },
          },
        },
      },
      '/api/v1/chat/completions': {
        post: {
          summary: 'OpenAI-compatible chat completions, plain and streaming (SSE); `model: "auto"` lets the router choose. Agent API key.',
          parameters: [
            header('x-tollgate-task', 'Task type for routing (otherwise inferred from the prompt)'),
            header('x-tollgate-session', 'Agent session id'),
            header('x-tollgate-workflow-run', 'Workflow run id'),
            header('x-tollgate-confidence', "The caller's confidence, 0-1", { type: 'number', minimum: 0, maximum: 1 }),
            header('x-tollgate-approval', 'An approval id, to retry a call that needed sign-off'),
            header('x-tollgate-cache', '`off` to bypass the response cache'),
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChatRequest' } } } },
          responses: {
            200: { description: 'A chat.completion, or an SSE stream of chat.completion.chunk ending in `data: [DONE]`', headers: GATEWAY_REPLY_HEADERS, content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': { schema: { type: 'string' } } } },
            ...errorResponses(400, 401, 403, 404, 413, 502),
          },
        },
      },
      '/api/v1/models': { get: { summary: 'OpenAI-compatible list of routable models, `auto` first', responses: { 200: json('`{ object: "list", data: [{ id, object, created, owned_by, tier, context_window, max_output_tokens }] }`'), ...errorResponses(401) } } },
      '/api/v1/feedback': {
        post: {
          summary: "A call's answer was good, wrong or corrected by a person; feeds the router's quality estimates",
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(feedbackSchema, { io: 'input' }) } } },
          responses: { 200: json('The caller already gave its verdict on this call: that one, unchanged, with `duplicate: true`'), 201: json('`{ id, request_id, kind, model_id, task, duplicate: false }`'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      '/api/v1/upstreams': {
        get: { summary: 'Configured upstreams (credentials never returned); ops only', responses: { 200: json('`{ data: [...] }`'), ...errorResponses(401, 403) } },
        post: {
          summary:
            'Create or replace an upstream by name: OpenAI-compatible (OpenAI, Azure OpenAI, vLLM, Ollama), Anthropic, or the simulator; ops only, audited. ' +
            'A replace keeps the stored api_key only while kind, base_url and auth_header stay the same: changing any of them needs api_key again (400 otherwise)',
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(upstreamInputSchema, { io: 'input', unrepresentable: 'any' }) } } },
          responses: { 200: json('Replaced'), 201: json('Created'), ...errorResponses(400, 401, 403) },
        },
      },
      '/api/v1/keys': {
        get: {
          summary: 'API keys of the organisation (prefix, role, attribution; never secrets); ops only',
          parameters: [department, query('include_revoked', 'true to list revoked keys too', { enum: ['true', 'false'] })],
          responses: { 200: json('`{ data: [key] }`'), ...errorResponses(400, 401, 403) },
        },
        post: {
          summary: 'Create an API key for a department, project, user or agent, optionally with its own budget (same transaction); the secret (`key`) is in this response only; ops only, audited',
          requestBody: body(schemaOf(createKeySchema)),
          responses: { 201: json('`{ id, key, prefix, name, role, department_id, project_id, user_id, agent, created_at, budget }`'), ...errorResponses(400, 401, 403, 413) },
        },
      },
      '/api/v1/keys/{id}/revoke': {
        post: {
          summary: 'Revoke an API key: it stops authenticating (at once on this instance, within 30 s on others); idempotent; ops only, audited',
          parameters: [pathId('API key id')],
          responses: { 200: json('The key, with `revoked_at`'), ...errorResponses(401, 403, 404) },
        },
      },
      '/api/v1/budgets': {
        get: {
          summary: "Active budgets and token/request quotas with this window's use; managers see only their own department's",
          parameters: [department],
          responses: { 200: json('`{ data: [{ id, name, scope, scope_label, window, metric, limit, limit_usd, used, used_usd, use_bps, enforcement, alert_thresholds, resets_at }] }`'), ...errorResponses(400, 401, 403) },
        },
        post: {
          summary: 'Create a budget (metric cost: `limit` in USD as a decimal string) or a token/request quota (`limit` a whole number) for an organisation, department, project, user, API key or session scope; CFO or ops, audited',
          requestBody: body(schemaOf(budgetInputSchema)),
          responses: { 201: json('The budget; `limit` in nano-dollars (cost), tokens or requests, `limit_usd` for cost'), ...errorResponses(400, 401, 403, 413) },
        },
      },
      '/api/v1/budgets/{id}': {
        delete: {
          summary: 'Archive a budget: it stops applying, its history stays; CFO or ops, audited',
          parameters: [pathId('Budget id')],
          responses: { 200: json('The archived budget'), ...errorResponses(401, 403, 404, 409) },
        },
      },
      '/api/v1/policies': {
        get: {
          summary: 'Active policies (CFO and ops)',
          parameters: [query('kind', 'Policy kind', { enum: [...POLICY_KINDS] }), query('include_archived', 'true to list archived policies too', { enum: ['true', 'false'] })],
          responses: { 200: json('`{ data: [{ id, kind, scope, config, created_at, created_by, archived_at }] }`'), ...errorResponses(400, 401, 403) },
        },
        post: {
          summary:
            'Create an approval-gate, escalation, loop-guard or routing policy for a scope. A new escalation, loop-guard or routing policy replaces the active one of its scope; an approval gate replaces the one with the same scope, task and workflow; ops only, audited',
          requestBody: body(schemaOf(policyInputSchema)),
          responses: { 201: json('The policy, with `replaced` (ids archived by it)'), ...errorResponses(400, 401, 403, 413) },
        },
      },
      '/api/v1/policies/{id}': {
        delete: {
          summary: 'Archive a policy: it stops applying; ops only, audited',
          parameters: [pathId('Policy id')],
          responses: { 200: json('The archived policy'), ...errorResponses(401, 403, 404, 409) },
        },
      },
      '/api/v1/approvals': {
        get: {
          summary: 'The approval inbox, newest first (CFO and ops). A pending or approved request past `expires_at` reads `expired`',
          parameters: [
            statusFilter(APPROVAL_STATUSES, 'Only requests with this status'),
            query('limit', '1-200, default 50', { type: 'integer', minimum: 1, maximum: 200 }),
            query('before', '`next_before` from the previous page'),
          ],
          responses: { 200: json('`{ data: [approval], next_before }`; money as USD decimal strings'), ...errorResponses(400, 401, 403) },
        },
      },
      '/api/v1/approvals/{id}': {
        get: { summary: 'One approval request with its context (session spend so far, projected cost, model, task, reason)', parameters: [pathId('Approval id')], responses: { 200: json('The approval'), ...errorResponses(401, 403, 404) } },
      },
      '/api/v1/approvals/{id}/approve': {
        post: {
          summary: 'Approve a pending request, once; `amount_usd` caps what the call may cost (default: its projected cost). The approval is then usable for the policy\'s time-to-live, by the same API key, once. Ops only, audited',
          parameters: [pathId('Approval id')],
          requestBody: body(schemaOf(decisionSchema), false),
          responses: { 200: json('The approval'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      '/api/v1/approvals/{id}/reject': {
        post: {
          summary: 'Reject a pending request, once; ops only, audited',
          parameters: [pathId('Approval id')],
          requestBody: body(schemaOf(decisionSchema), false),
          responses: { 200: json('The approval'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      '/api/v1/sessions': {
        get: {
          summary: 'Agent sessions (x-tollgate-session), most recently seen first; `status=frozen` lists the ones the loop guard stopped (CFO and ops)',
          parameters: [
            statusFilter(SESSION_STATUSES, 'Only sessions with this status'),
            query('limit', '1-200, default 50', { type: 'integer', minimum: 1, maximum: 200 }),
            query('before', '`next_before` from the previous page (ISO 8601)'),
          ],
          responses: { 200: json('`{ data: [{ id, status, frozen_reason, frozen_at, department_id, api_key_id, started_at, last_seen_at, spend_usd, requests }], next_before }`'), ...errorResponses(400, 401, 403) },
        },
      },
      '/api/v1/sessions/{id}/unfreeze': {
        post: {
          summary: 'Let a frozen session call again; ops only, audited',
          parameters: [pathId('Session id')],
          requestBody: body(schemaOf(unfreezeSchema), false),
          responses: { 200: json('The session'), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      '/api/v1/alerts': {
        get: {
          summary: 'Alerts (budget thresholds, loops, approvals waiting, escalations), newest first, with webhook delivery state (CFO and ops)',
          parameters: [
            query('kind', 'Alert kind', { enum: [...ALERT_KINDS] }),
            query('severity', 'info, warning or critical', { enum: ['info', 'warning', 'critical'] }),
            query('limit', '1-200, default 50', { type: 'integer', minimum: 1, maximum: 200 }),
            query('before', '`next_before` from the previous page', { type: 'integer' }),
          ],
          responses: { 200: json('`{ data: [{ id, kind, severity, message, details, created_at, delivery }], next_before }`'), ...errorResponses(400, 401, 403) },
        },
      },
      '/api/v1/inbox': {
        get: {
          summary: 'The ops inbox in one read: counts, approvals waiting (with session spend so far), the last 20 decisions, frozen sessions (spend and calls from the ledger), the latest 30 alerts (CFO and ops)',
          responses: { 200: json('`{ asOf, counts: { approvalsWaiting, frozenSessions, alertsLast24h }, pending, decided, frozen, alerts }`; items as the approvals, sessions and alerts endpoints return them, with names added'), ...errorResponses(401, 403) },
        },
      },
      '/metrics': { get: { summary: 'Prometheus text format: requests, tokens and spend by tier, model and department; cache hits; fallbacks; overhead. Ops or CFO session, or an ops key.', responses: { 200: { description: 'text/plain; version=0.0.4' }, ...errorResponses(401, 403) } } },
      '/api/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: json('OpenAPI 3.1') } } },
    },
  };
}

/**
 * The OpenAPI 3.1 document for every HTTP route. Request bodies that have a
 * zod schema are generated from it, so the document cannot drift from the
 * validation.
 */
import { z } from 'zod';
import { usageEventSchema } from '@/lib/engine/ingest';
import { priceVersionBody } from '@/lib/engine/price-input';
import { chatRequestSchema } from '@/lib/gateway/request';
import { feedbackSchema } from '@/lib/server/feedback';
import { upstreamInputSchema } from '@/lib/server/upstreams-admin';

const error = { $ref: '#/components/schemas/Error' };
const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: STATUS[code], content: { 'application/json': { schema: error } } }]));
const STATUS: Record<number, string> = {
  400: 'Invalid request (`invalid_request_error`)',
  401: 'Missing or unknown credentials (`authentication_error`)',
  403: 'Not allowed, or another department (`permission_error`)',
  404: 'Not found (`not_found_error`)',
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
          responses: { 201: json('`{ id, request_id, kind, model_id, task }`'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      '/api/v1/upstreams': {
        get: { summary: 'Configured upstreams (credentials never returned); ops only', responses: { 200: json('`{ data: [...] }`'), ...errorResponses(401, 403) } },
        post: {
          summary: 'Create or replace an upstream by name: OpenAI-compatible (OpenAI, Azure OpenAI, vLLM, Ollama), Anthropic, or the simulator; ops only, audited',
          requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(upstreamInputSchema, { io: 'input', unrepresentable: 'any' }) } } },
          responses: { 200: json('Replaced'), 201: json('Created'), ...errorResponses(400, 401, 403) },
        },
      },
      '/metrics': { get: { summary: 'Prometheus text format: requests, tokens and spend by tier, model and department; cache hits; fallbacks; overhead. Ops or CFO session, or an ops key.', responses: { 200: { description: 'text/plain; version=0.0.4' }, ...errorResponses(401, 403) } } },
      '/api/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: json('OpenAPI 3.1') } } },
    },
  };
}

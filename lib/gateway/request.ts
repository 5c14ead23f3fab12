/**
 * The chat completions request as the gateway accepts it: OpenAI's body
 * (unknown fields pass through to the upstream) and Tollgate's own headers.
 * Everything here is checked before anything is written or sent upstream.
 */
import { z } from 'zod';
import { TASK_TYPES, type TaskType } from '@/lib/engine/enums';
import { parseTaskHeader } from '@/lib/engine/router';
import { ValidationError } from '@/lib/engine/errors';

/** Largest request body the gateway reads, unless TOLLGATE_MAX_BODY_BYTES says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

let bodyCap: { setting: string | undefined; bytes: number } | null = null;

export function maxBodyBytes(): number {
  const setting = process.env.TOLLGATE_MAX_BODY_BYTES;
  if (!bodyCap || bodyCap.setting !== setting) {
    const configured = Number(setting);
    bodyCap = { setting, bytes: Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_BODY_BYTES };
  }
  return bodyCap.bytes;
}

const contentPart = z.looseObject({ type: z.string().min(1), text: z.string().optional() });

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional().default(null),
  name: z.string().max(256).optional(),
  tool_calls: z.array(z.looseObject({ id: z.string(), type: z.literal('function'), function: z.looseObject({ name: z.string(), arguments: z.string() }) })).optional(),
  tool_call_id: z.string().optional(),
});

const tokenCount = z.number().int().positive();

export const chatRequestSchema = z
  .looseObject({
    model: z.string().trim().min(1, 'model is required (a model name, or "auto" to let Tollgate choose)').max(200),
    messages: z.array(message).min(1, 'messages must hold at least one message').max(2_000),
    max_tokens: tokenCount.optional().nullable(),
    max_completion_tokens: tokenCount.optional().nullable(),
    temperature: z.number().min(0).max(2).optional().nullable(),
    top_p: z.number().min(0).max(1).optional().nullable(),
    n: z.literal(1, 'Tollgate serves n = 1 only').optional().nullable(),
    stream: z.boolean().optional().nullable(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional().nullable(),
    tools: z.array(z.unknown()).optional(),
    tool_choice: z.unknown().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).optional().nullable(),
    user: z.string().max(256).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.messages.every((m) => m.role === 'system' || m.role === 'developer')) {
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'messages must hold at least one user, assistant or tool message' });
    }
    body.messages.forEach((m, i) => {
      const problem = messageProblem(m);
      if (problem) ctx.addIssue({ code: 'custom', path: ['messages', i, problem.field], message: `messages[${i}]: ${problem.message}` });
    });
  });

/**
 * What OpenAI would refuse in one message, so it is refused here before
 * anything is reserved, written or sent: a user, system, developer or tool
 * message needs content (an empty part list is none), a tool message the
 * call it answers, an assistant message content or a call of its own.
 */
function messageProblem(m: z.infer<typeof message>): { field: string; message: string } | null {
  const hasContent = m.content !== null && !(Array.isArray(m.content) && m.content.length === 0);
  if (m.role === 'assistant') {
    const calls = (m.tool_calls?.length ?? 0) > 0 || m.function_call != null || m.audio != null;
    return hasContent || calls ? null : { field: 'content', message: 'an assistant message needs content or tool_calls' };
  }
  if (!hasContent) return { field: 'content', message: `a ${m.role} message needs content` };
  if (m.role === 'tool' && !m.tool_call_id) return { field: 'tool_call_id', message: 'a tool message needs the tool_call_id of the call it answers' };
  return null;
}

export type ParsedChatRequest = z.infer<typeof chatRequestSchema>;

/** The output tokens the caller allows: `max_completion_tokens`, else `max_tokens`, else null. */
export function requestedMaxTokens(body: ParsedChatRequest): number | null {
  return body.max_completion_tokens ?? body.max_tokens ?? null;
}

export interface TollgateHeaders {
  task: TaskType | null;
  session: string | null;
  workflowRun: string | null;
  confidence: number | null;
  approval: string | null;
}

const idHeader = /^[A-Za-z0-9._:@/-]{1,128}$/;

function idValue(name: string, value: string | null): string | null {
  if (value === null || value === '') return null;
  if (!idHeader.test(value)) throw new ValidationError(`${name} must be 1-128 characters of letters, digits and . _ : @ / -`, { param: name });
  return value;
}

export interface HeaderSource {
  get(name: string): string | null;
}

export function parseTollgateHeaders(headers: HeaderSource): TollgateHeaders {
  const taskHeader = headers.get('x-tollgate-task');
  const task: TaskType | null = taskHeader ? parseTaskHeader(taskHeader) : null;
  if (taskHeader && !task) {
    throw new ValidationError(`x-tollgate-task must be one of ${TASK_TYPES.join(', ')}`, { param: 'x-tollgate-task' });
  }
  const confidenceHeader = headers.get('x-tollgate-confidence');
  let confidence: number | null = null;
  if (confidenceHeader) {
    confidence = Number(confidenceHeader);
    if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1) {
      throw new ValidationError('x-tollgate-confidence must be a number from 0 to 1', { param: 'x-tollgate-confidence' });
    }
  }
  return {
    task,
    session: idValue('x-tollgate-session', headers.get('x-tollgate-session')),
    workflowRun: idValue('x-tollgate-workflow-run', headers.get('x-tollgate-workflow-run')),
    confidence,
    approval: idValue('x-tollgate-approval', headers.get('x-tollgate-approval')),
  };
}

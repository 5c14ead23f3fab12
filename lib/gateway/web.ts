/**
 * The gateway's handlers as Next.js route handlers: a web `Request` in, a
 * web `Response` out (streams included), over the same functions the
 * production server's Node layer calls.
 */
import { performance } from 'node:perf_hooks';
import { readJsonBody } from '@/lib/http/json-body';
import { chatCompletions } from './chat-completions';
import { getGateway } from './runtime';
import { WebSink } from './sink';

export async function chatCompletionsRoute(req: Request): Promise<Response> {
  const startedAt = performance.now();
  const rt = await getGateway();
  const sink = new WebSink(req.signal);
  void chatCompletions(rt, { headers: req.headers, readJson: (max) => readJsonBody(req, max), signal: req.signal, startedAt }, sink).catch(
    (error: unknown) => {
      console.error('[tollgate] gateway handler failed', error);
      sink.json(500, {}, { error: { type: 'server_error', message: 'Internal server error.', param: null, code: null } });
    },
  );
  return sink.response;
}

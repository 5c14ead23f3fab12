/**
 * The demo workload: agents calling the gateway over HTTP with the official
 * OpenAI SDK, as real agents would. `npm start` runs it unless
 * TOLLGATE_SIMULATOR=off; TOLLGATE_SIMULATOR_RATE sets the total scenarios
 * per second (default 0.5). Deterministic per agent (seeded PRNG); the clock
 * and the upstream simulator's latency make the live view move.
 */
import OpenAI from 'openai';
import { Random } from '@/lib/engine/random';
import type { WorkloadAgentKey } from '@/lib/server/workload-keys';
import { nextScenario, type ScenarioCall } from './scenarios';

export interface WorkloadOptions {
  baseUrl: string;
  agents: readonly WorkloadAgentKey[];
  log: (message: string) => void;
  /** Scenarios per second across all agents. */
  rate?: number;
  seed?: number;
}

function rateFromEnv(): number {
  const rate = Number(process.env.TOLLGATE_SIMULATOR_RATE ?? 0.5);
  return Number.isFinite(rate) && rate > 0 ? rate : 0.5;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

interface Tally {
  calls: number;
  failed: number;
  refused: number;
}

async function call(client: OpenAI, c: ScenarioCall, headers: Record<string, string>): Promise<string | null> {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  if (c.system) messages.push({ role: 'system', content: c.system });
  messages.push({ role: 'user', content: c.user });
  const extra = { ...headers, ...(c.task ? { 'x-tollgate-task': c.task } : {}) };
  if (c.stream) {
    const { data: stream, response } = await client.chat.completions
      .create({ model: c.model ?? 'auto', messages, max_completion_tokens: c.maxTokens, stream: true, stream_options: { include_usage: true } }, { headers: extra })
      .withResponse();
    for await (const chunk of stream) void chunk;
    return response.headers.get('x-tollgate-request-id');
  }
  const { response } = await client.chat.completions
    .create({ model: c.model ?? 'auto', messages, max_completion_tokens: c.maxTokens }, { headers: extra })
    .withResponse();
  return response.headers.get('x-tollgate-request-id');
}

async function runAgent(agent: WorkloadAgentKey, options: Required<Omit<WorkloadOptions, 'agents' | 'log'>>, signal: AbortSignal, tally: Tally) {
  const client = new OpenAI({ apiKey: agent.secret, baseURL: options.baseUrl, maxRetries: 0, timeout: 120_000 });
  const rng = new Random(options.seed ^ [...agent.agent].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7));
  const meanGapMs = 1000 / (options.rate / 8);
  // Stagger the agents' first calls.
  await sleep(rng.next() * meanGapMs, signal);
  while (!signal.aborted) {
    const scenario = nextScenario(agent.agent, rng);
    const session = `sess_${agent.agent}_${rng.hex(10)}`;
    const headers: Record<string, string> = { 'x-tollgate-session': session };
    if (scenario.calls.length > 1) headers['x-tollgate-workflow-run'] = `wf_${rng.hex(12)}`;
    let lastRequestId: string | null = null;
    const steps = [...scenario.calls, ...Array.from({ length: scenario.loop ?? 0 }, () => scenario.calls[scenario.calls.length - 1]!)];
    for (const [i, step] of steps.entries()) {
      if (signal.aborted) return;
      tally.calls += 1;
      try {
        lastRequestId = await call(client, step, headers);
      } catch (error) {
        const status = error instanceof OpenAI.APIError ? error.status : undefined;
        if (status !== undefined && status >= 400 && status < 500) {
          // Refused (budget, loop guard, approval): a real agent stops this piece of work.
          tally.refused += 1;
          break;
        }
        tally.failed += 1;
        // A failed call is retried once after a pause, as agents do.
        await sleep(1_000, signal);
        try {
          tally.calls += 1;
          lastRequestId = await call(client, step, headers);
        } catch {
          tally.failed += 1;
          break;
        }
      }
      if (i >= scenario.calls.length - 1 && scenario.loop) await sleep(150 + rng.next() * 250, signal);
    }
    if (scenario.feedback && lastRequestId) {
      await fetch(`${options.baseUrl}/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: lastRequestId, kind: scenario.feedback }),
        signal,
      }).catch(() => undefined);
    }
    // Poisson arrivals: exponential gaps around the agent's share of the rate.
    await sleep(-Math.log(1 - rng.next()) * meanGapMs, signal);
  }
}

export function startWorkload(options: WorkloadOptions): { stop(): Promise<void> } {
  const controller = new AbortController();
  const settings = { baseUrl: options.baseUrl, rate: options.rate ?? rateFromEnv(), seed: options.seed ?? 20_261_128 };
  const tally: Tally = { calls: 0, failed: 0, refused: 0 };
  const runs = options.agents.map((agent) =>
    runAgent(agent, settings, controller.signal, tally).catch((error: unknown) => {
      if (!controller.signal.aborted) options.log(`demo agent ${agent.agent} stopped: ${error instanceof Error ? error.message : String(error)}`);
    }),
  );
  const report = setInterval(() => {
    options.log(`demo workload: ${tally.calls} calls so far (${tally.failed} failed upstream, ${tally.refused} refused)`);
  }, 10 * 60_000);
  report.unref();
  return {
    async stop() {
      controller.abort();
      clearInterval(report);
      await Promise.allSettled(runs);
    },
  };
}

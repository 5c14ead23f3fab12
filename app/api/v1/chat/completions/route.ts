import { chatCompletionsRoute } from '@/lib/gateway/web';

/** OpenAI-compatible chat completions, plain and streaming; `model: "auto"` routes. */
export const POST = chatCompletionsRoute;
export const dynamic = 'force-dynamic';

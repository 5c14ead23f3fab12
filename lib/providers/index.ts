/**
 * The upstream adapters behind one interface (`ProviderAdapter`), the SSE
 * helpers the gateway streams with, and the simulator. See README.md.
 */
export * from './types';
export { openAiCompatibleAdapter, type OpenAiCompatibleOptions } from './openai-compatible';
export { anthropicAdapter, type AnthropicOptions } from './anthropic';
export { simulatedAdapter, DEFAULT_SIMULATED_LATENCY, type SimulatedLatency, type SimulatedOptions, type SimulatedProfile } from './simulated';
export { parseSse, SseParser, sseData, SSE_DONE, type SseEvent } from './sse';

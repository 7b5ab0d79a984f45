// Estimated list prices in US dollars per million tokens, [input, output]. Prices change: these are
// for the owner's cost estimate only, never for billing. A model not listed counts as free (local).
const PER_MILLION: Record<string, [number, number]> = {
  'gemini-2.5-flash': [0.3, 2.5],
  'gemini-2.5-flash-lite': [0.1, 0.4],
  'gemini-2.5-pro': [1.25, 10],
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'claude-3-5-haiku-latest': [0.8, 4],
  'claude-sonnet-4-0': [3, 15],
};

/** Millionths of a dollar (integer), so sums stay exact. */
export function costMicros(model: string, inputTokens: number, outputTokens: number): number {
  const price =
    PER_MILLION[model] ?? Object.entries(PER_MILLION).find(([name]) => model.startsWith(name))?.[1];
  if (!price) return 0;
  return Math.round(inputTokens * price[0] + outputTokens * price[1]);
}

// One interface for every language model shopkeep talks to. Requests carry the feature they serve,
// so usage and cost are accounted per feature; results carry the provider and token counts.
export type ProviderName = 'gemini' | 'openai' | 'anthropic' | 'offline';

export interface JsonSchema {
  type: 'object';
  properties: Record<string, unknown>;
  required?: readonly string[];
  additionalProperties?: boolean;
}

export interface ImageInput {
  mimeType: string;
  data: Buffer;
}

export interface TextRequest {
  feature: string; // 'social.caption', 'qa.rubric', 'mail.reply', ...
  /** The prompt template and version it was written from ('social.caption@3'), recorded with the call. */
  promptVersion?: string;
  system?: string;
  prompt: string;
  images?: ImageInput[];
  /** Ask for JSON matching this schema; the service validates it and asks once for a repair. */
  schema?: JsonSchema;
  temperature?: number;
  maxOutputTokens?: number;
  /**
   * What the offline provider answers when no model can be reached: the feature's own templates or
   * heuristics (a caption from catalog data, a rule-based review). Without it the request fails.
   */
  offline?: () => string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface TextResult {
  text: string;
  usage: Usage;
  model: string;
}

export interface AiProvider {
  readonly name: ProviderName;
  readonly model: string;
  generate(request: TextRequest, signal: AbortSignal): Promise<TextResult>;
  embed?(texts: string[], signal: AbortSignal): Promise<number[][]>;
}

/** A provider call that failed; `retryable` says whether the same call may succeed later. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly provider: ProviderName,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(`${provider}: ${message}`);
  }
}

// One interface for every language model shopkeep talks to. Requests carry the feature they serve,
// so usage and cost are accounted per feature; results carry the provider and token counts.
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';

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
  /** Each call has the provider's timeout; the AI service retries. */
  generate(request: TextRequest): Promise<TextResult>;
  embed?(texts: string[]): Promise<number[][]>;
}

/**
 * A model call that failed although the exchange went well: no text, a refusal, an answer cut off.
 * `retryable` says whether asking again may give a usable answer.
 */
export function answerFailure(provider: ProviderName, message: string, retryable: boolean): IntegrationError {
  return new IntegrationError(provider, retryable ? 'unavailable' : 'rejected', `${provider}: ${message}`);
}

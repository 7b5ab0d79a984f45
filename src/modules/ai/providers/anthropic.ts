// Anthropic's Messages API. Structured output is asked for in the prompt and checked by the service.
import type { Transport } from '../../../platform/integrations/transport.ts';
import { providerTransport } from './provider-transport.ts';
import { answerFailure, type AiProvider, type TextRequest, type TextResult } from './types.ts';

const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface AnthropicOptions {
  apiKey: string;
  baseUrl: string; // https://api.anthropic.com
  model: string;
  timeoutMs: number;
}

interface MessagesResponse {
  content?: { type: string; text?: string }[];
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
  model?: string;
}

export class AnthropicProvider implements AiProvider {
  readonly name = 'anthropic' as const;
  readonly model: string;
  private readonly transport: Transport;

  constructor(options: AnthropicOptions) {
    this.model = options.model;
    this.transport = anthropicTransport(options);
  }

  async generate(request: TextRequest): Promise<TextResult> {
    const prompt = request.schema
      ? `${request.prompt}\n\nAnswer with one JSON object only, no other text, matching this JSON Schema:\n${JSON.stringify(request.schema)}`
      : request.prompt;
    // Anthropic takes images up to 5 MB; a larger photo is left out and the model reads the text.
    const images = (request.images ?? []).filter((image) => image.data.length <= MAX_IMAGE_BYTES);
    const left = (request.images ?? []).length - images.length;
    const content: unknown[] = [
      ...images.map((image) => ({
        type: 'image',
        source: { type: 'base64', media_type: image.mimeType, data: image.data.toString('base64') },
      })),
      {
        type: 'text',
        text: left ? `${prompt}\n\n(${left} image(s) too large to send were left out.)` : prompt,
      },
    ];
    const body = await this.transport.json<MessagesResponse>({
      method: 'POST',
      path: '/v1/messages',
      json: {
        model: this.model,
        max_tokens: request.maxOutputTokens ?? 1024,
        temperature: request.temperature ?? 0.7,
        ...(request.system ? { system: request.system } : {}),
        messages: [{ role: 'user', content }],
      },
      idempotent: true,
    });
    const text = (body.content ?? [])
      .map((block) => (block.type === 'text' ? (block.text ?? '') : ''))
      .join('');
    if (!text)
      throw answerFailure(
        'anthropic',
        `no text in the answer (stop reason ${body.stop_reason ?? 'none'})`,
        true,
      );
    // An answer cut off at max_tokens is not a finished draft.
    if (body.stop_reason === 'max_tokens')
      throw answerFailure('anthropic', 'the answer was cut off at max_tokens', false);
    return {
      text,
      model: body.model ?? this.model,
      usage: { inputTokens: body.usage?.input_tokens ?? 0, outputTokens: body.usage?.output_tokens ?? 0 },
    };
  }
}

/** Anthropic's API with a key; the connection test on Settings uses it too. */
export function anthropicTransport(options: {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
}): Transport {
  return providerTransport({
    provider: 'anthropic',
    baseUrl: options.baseUrl,
    headers: { 'x-api-key': options.apiKey, 'anthropic-version': '2023-06-01' },
    timeoutMs: options.timeoutMs,
    errorMessage: (error) =>
      (error as { error?: { type?: string; message?: string } } | undefined)?.error?.message,
  });
}

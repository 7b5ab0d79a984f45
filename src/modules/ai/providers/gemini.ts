// Google's Gemini API (generateContent, embedContent), v1beta REST. The key goes in the
// x-goog-api-key header, never in the URL, so it cannot end up in a proxy's or our own logs.
import type { Transport } from '../../../platform/integrations/transport.ts';
import { providerTransport } from './provider-transport.ts';
import { answerFailure, type AiProvider, type TextRequest, type TextResult } from './types.ts';

export interface GeminiOptions {
  apiKey: string;
  baseUrl: string; // https://generativelanguage.googleapis.com
  model: string;
  embeddingModel: string;
  timeoutMs: number;
}

interface GeminiResponse {
  candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
  modelVersion?: string;
}

interface GeminiError {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { '@type'?: string; retryDelay?: string; reason?: string }[];
  };
}

export class GeminiProvider implements AiProvider {
  readonly name = 'gemini' as const;
  readonly model: string;
  private readonly transport: Transport;

  constructor(private readonly options: GeminiOptions) {
    this.model = options.model;
    this.transport = geminiTransport(options);
  }

  async generate(request: TextRequest): Promise<TextResult> {
    const parts: Record<string, unknown>[] = [{ text: request.prompt }];
    for (const image of request.images ?? []) {
      parts.push({ inlineData: { mimeType: image.mimeType, data: image.data.toString('base64') } });
    }
    const body = await this.post<GeminiResponse>(`models/${this.model}:generateContent`, {
      contents: [{ role: 'user', parts }],
      ...(request.system ? { systemInstruction: { parts: [{ text: request.system }] } } : {}),
      generationConfig: {
        temperature: request.temperature ?? 0.7,
        maxOutputTokens: request.maxOutputTokens ?? 1024,
        ...(request.schema
          ? { responseMimeType: 'application/json', responseJsonSchema: request.schema }
          : {}),
      },
    });
    if (body.promptFeedback?.blockReason) {
      throw answerFailure('gemini', `the prompt was blocked (${body.promptFeedback.blockReason})`, false);
    }
    const candidate = body.candidates?.[0];
    const text = candidate?.content?.parts?.map((part) => part.text ?? '').join('') ?? '';
    if (!text)
      throw answerFailure(
        'gemini',
        `no text in the answer (finish reason ${candidate?.finishReason ?? 'none'})`,
        true,
      );
    return {
      text,
      model: body.modelVersion ?? this.model,
      usage: {
        inputTokens: body.usageMetadata?.promptTokenCount ?? 0,
        outputTokens: body.usageMetadata?.candidatesTokenCount ?? 0,
      },
    };
  }

  async embed(texts: string[]): Promise<number[][]> {
    const body = await this.post<{ embeddings?: { values: number[] }[] }>(
      `models/${this.options.embeddingModel}:batchEmbedContents`,
      {
        requests: texts.map((text) => ({
          model: `models/${this.options.embeddingModel}`,
          content: { parts: [{ text }] },
        })),
      },
    );
    if (!body.embeddings || body.embeddings.length !== texts.length)
      throw answerFailure('gemini', 'the embedding answer is incomplete', true);
    return body.embeddings.map((embedding) => embedding.values);
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.transport.json<T>({ method: 'POST', path: `/v1beta/${path}`, json: body, idempotent: true });
  }
}

/** Gemini's API with a key; the connection test on Settings uses it too. */
export function geminiTransport(options: { apiKey: string; baseUrl: string; timeoutMs: number }): Transport {
  return providerTransport({
    provider: 'gemini',
    baseUrl: options.baseUrl,
    headers: { 'x-goog-api-key': options.apiKey },
    timeoutMs: options.timeoutMs,
    errorMessage: (error) => {
      const e = (error as GeminiError | undefined)?.error;
      return e ? `${e.status ?? ''} ${e.message ?? ''}`.trim() : undefined;
    },
    // Gemini answers a key it does not know with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
    refusedKey: (error) =>
      (error as GeminiError | undefined)?.error?.details?.some((d) => d.reason === 'API_KEY_INVALID') ??
      false,
    retryAfterFromBody: (error) => {
      const delay = (error as GeminiError | undefined)?.error?.details?.find((d) =>
        d['@type']?.endsWith('RetryInfo'),
      )?.retryDelay;
      const seconds = delay ? Number.parseFloat(delay) : NaN;
      return Number.isFinite(seconds) ? seconds * 1000 : undefined;
    },
  });
}

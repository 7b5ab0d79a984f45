// Google's Gemini API (generateContent, embedContent), v1beta REST. The key goes in the
// x-goog-api-key header, never in the URL, so it cannot end up in a proxy's or our own logs.
import { postJson } from './http.ts';
import { ProviderError, type AiProvider, type TextRequest, type TextResult } from './types.ts';

export interface GeminiOptions {
  apiKey: string;
  baseUrl: string; // https://generativelanguage.googleapis.com
  model: string;
  embeddingModel: string;
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
    details?: { '@type'?: string; retryDelay?: string }[];
  };
}

export class GeminiProvider implements AiProvider {
  readonly name = 'gemini' as const;
  readonly model: string;

  constructor(private readonly options: GeminiOptions) {
    this.model = options.model;
  }

  async generate(request: TextRequest, signal: AbortSignal): Promise<TextResult> {
    const parts: Record<string, unknown>[] = [{ text: request.prompt }];
    for (const image of request.images ?? []) {
      parts.push({ inlineData: { mimeType: image.mimeType, data: image.data.toString('base64') } });
    }
    const body = await this.post<GeminiResponse>(`models/${this.model}:generateContent`, signal, {
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
      throw new ProviderError('gemini', `the prompt was blocked (${body.promptFeedback.blockReason})`, false);
    }
    const candidate = body.candidates?.[0];
    const text = candidate?.content?.parts?.map((part) => part.text ?? '').join('') ?? '';
    if (!text)
      throw new ProviderError(
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

  async embed(texts: string[], signal: AbortSignal): Promise<number[][]> {
    const body = await this.post<{ embeddings?: { values: number[] }[] }>(
      `models/${this.options.embeddingModel}:batchEmbedContents`,
      signal,
      {
        requests: texts.map((text) => ({
          model: `models/${this.options.embeddingModel}`,
          content: { parts: [{ text }] },
        })),
      },
    );
    if (!body.embeddings || body.embeddings.length !== texts.length)
      throw new ProviderError('gemini', 'the embedding answer is incomplete', true);
    return body.embeddings.map((embedding) => embedding.values);
  }

  private post<T>(path: string, signal: AbortSignal, body: unknown): Promise<T> {
    return postJson<T>({
      provider: 'gemini',
      url: `${this.options.baseUrl.replace(/\/$/, '')}/v1beta/${path}`,
      headers: { 'x-goog-api-key': this.options.apiKey },
      body,
      signal,
      errorMessage: (error) => {
        const e = (error as GeminiError | undefined)?.error;
        return e ? `${e.status ?? ''} ${e.message ?? ''}`.trim() : undefined;
      },
      retryAfterFromBody: (error) => {
        const delay = (error as GeminiError | undefined)?.error?.details?.find((d) =>
          d['@type']?.endsWith('RetryInfo'),
        )?.retryDelay;
        const seconds = delay ? Number.parseFloat(delay) : NaN;
        return Number.isFinite(seconds) ? seconds * 1000 : undefined;
      },
    });
  }
}

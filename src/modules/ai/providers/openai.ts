// Any OpenAI-compatible endpoint: OpenAI itself, Ollama, llama.cpp's server, vLLM. Chat completions
// with json_schema response format, embeddings, and Whisper-style transcription.
import type { Transport } from '../../../platform/integrations/transport.ts';
import { providerTransport } from './provider-transport.ts';
import { answerFailure, type AiProvider, type TextRequest, type TextResult } from './types.ts';

export interface OpenAiOptions {
  apiKey: string | undefined; // local servers often need none
  baseUrl: string; // https://api.openai.com/v1, http://127.0.0.1:11434/v1
  model: string;
  embeddingModel: string;
  transcriptionModel: string;
  timeoutMs: number;
}

interface ChatResponse {
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  model?: string;
}

export class OpenAiProvider implements AiProvider {
  readonly name = 'openai' as const;
  readonly model: string;
  private readonly transport: Transport;

  constructor(private readonly options: OpenAiOptions) {
    this.model = options.model;
    this.transport = openAiTransport(options);
  }

  async generate(request: TextRequest): Promise<TextResult> {
    const content: unknown =
      request.images && request.images.length
        ? [
            { type: 'text', text: request.prompt },
            ...request.images.map((image) => ({
              type: 'image_url',
              image_url: { url: `data:${image.mimeType};base64,${image.data.toString('base64')}` },
            })),
          ]
        : request.prompt;
    const body = await this.post<ChatResponse>('/chat/completions', {
      model: this.model,
      messages: [
        ...(request.system ? [{ role: 'system', content: request.system }] : []),
        { role: 'user', content },
      ],
      temperature: request.temperature ?? 0.7,
      max_tokens: request.maxOutputTokens ?? 1024,
      ...(request.schema
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: 'answer', schema: request.schema, strict: false },
            },
          }
        : {}),
    });
    const choice = body.choices?.[0];
    if (choice?.message?.refusal)
      throw answerFailure('openai', `the model refused: ${choice.message.refusal}`, false);
    const text = choice?.message?.content ?? '';
    if (!text)
      throw answerFailure(
        'openai',
        `no text in the answer (finish reason ${choice?.finish_reason ?? 'none'})`,
        true,
      );
    return {
      text,
      model: body.model ?? this.model,
      usage: {
        inputTokens: body.usage?.prompt_tokens ?? 0,
        outputTokens: body.usage?.completion_tokens ?? 0,
      },
    };
  }

  async embed(texts: string[]): Promise<number[][]> {
    const body = await this.post<{ data?: { embedding: number[]; index: number }[] }>('/embeddings', {
      model: this.options.embeddingModel,
      input: texts,
    });
    if (!body.data || body.data.length !== texts.length)
      throw answerFailure('openai', 'the embedding answer is incomplete', true);
    return [...body.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
  }

  /** Whisper-compatible speech to text: POST /audio/transcriptions (multipart: file, model). */
  async transcribe(audio: Buffer, mimeType: string, filename: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(audio)], { type: mimeType }), filename);
    form.append('model', this.options.transcriptionModel);
    const body = await this.transport.json<{ text?: unknown }>({
      method: 'POST',
      path: '/audio/transcriptions',
      body: form,
      idempotent: true,
    });
    if (typeof body.text !== 'string') throw answerFailure('openai', 'the transcription has no text', true);
    return body.text;
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.transport.json<T>({ method: 'POST', path, json: body, idempotent: true });
  }
}

/** An OpenAI-compatible API, with a key when it needs one; the connection test on Settings uses it too. */
export function openAiTransport(options: {
  apiKey: string | undefined;
  baseUrl: string;
  timeoutMs: number;
}): Transport {
  return providerTransport({
    provider: 'openai',
    baseUrl: options.baseUrl,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    timeoutMs: options.timeoutMs,
    errorMessage: (error) => (error as { error?: { message?: string } } | undefined)?.error?.message,
  });
}

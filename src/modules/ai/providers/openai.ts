// Any OpenAI-compatible endpoint: OpenAI itself, Ollama, llama.cpp's server, vLLM. Chat completions
// with json_schema response format, embeddings, and Whisper-style transcription.
import { postJson } from './http.ts';
import { ProviderError, type AiProvider, type TextRequest, type TextResult } from './types.ts';

export interface OpenAiOptions {
  apiKey: string | undefined; // local servers often need none
  baseUrl: string; // https://api.openai.com/v1, http://127.0.0.1:11434/v1
  model: string;
  embeddingModel: string;
  transcriptionModel: string;
}

interface ChatResponse {
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  model?: string;
}

export class OpenAiProvider implements AiProvider {
  readonly name = 'openai' as const;
  readonly model: string;

  constructor(private readonly options: OpenAiOptions) {
    this.model = options.model;
  }

  async generate(request: TextRequest, signal: AbortSignal): Promise<TextResult> {
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
    const body = await this.post<ChatResponse>('chat/completions', signal, {
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
      throw new ProviderError('openai', `the model refused: ${choice.message.refusal}`, false);
    const text = choice?.message?.content ?? '';
    if (!text)
      throw new ProviderError(
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

  async embed(texts: string[], signal: AbortSignal): Promise<number[][]> {
    const body = await this.post<{ data?: { embedding: number[]; index: number }[] }>('embeddings', signal, {
      model: this.options.embeddingModel,
      input: texts,
    });
    if (!body.data || body.data.length !== texts.length)
      throw new ProviderError('openai', 'the embedding answer is incomplete', true);
    return [...body.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
  }

  /** Whisper-compatible speech to text: POST /audio/transcriptions (multipart: file, model). */
  async transcribe(audio: Buffer, mimeType: string, filename: string, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(audio)], { type: mimeType }), filename);
    form.append('model', this.options.transcriptionModel);
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}/audio/transcriptions`, {
        method: 'POST',
        headers: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
        body: form,
        signal,
      });
    } catch {
      throw new ProviderError('openai', 'the transcription endpoint could not be reached', true);
    }
    const body = (await response.json().catch(() => undefined)) as
      { text?: string; error?: { message?: string } } | undefined;
    if (!response.ok || typeof body?.text !== 'string') {
      throw new ProviderError(
        'openai',
        `transcription failed: ${response.status} ${body?.error?.message ?? ''}`.trim(),
        response.status >= 500 || response.status === 429,
        response.status,
      );
    }
    return body.text;
  }

  private post<T>(path: string, signal: AbortSignal, body: unknown): Promise<T> {
    return postJson<T>({
      provider: 'openai',
      url: `${this.options.baseUrl.replace(/\/$/, '')}/${path}`,
      headers: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
      body,
      signal,
      errorMessage: (error) => (error as { error?: { message?: string } } | undefined)?.error?.message,
    });
  }
}

// A local Gemini API (v1beta) written from Google's reference: generateContent with JSON-schema
// output, embedContent and batchEmbedContents, models.get, API-key auth, a per-minute quota answered with
// 429 RESOURCE_EXHAUSTED and RetryInfo, and the error body shape {error:{code,message,status}}.
import type { Server } from 'node:http';
import {
  FailureQueue,
  MinuteQuota,
  approxTokens,
  close,
  hashUnit,
  listen,
  pseudoEmbedding,
  valueFromSchema,
  type ModelCall,
  type ModelResponder,
  type SimRequest,
  type SimResponse,
} from './http-sim.ts';

export interface GeminiSimOptions {
  apiKey: string;
  requestsPerMinute?: number;
}

const status = (code: number, state: string, message: string, details?: unknown[]): SimResponse => ({
  status: code,
  body: { error: { code, message, status: state, ...(details ? { details } : {}) } },
});

export class GeminiSimulator {
  readonly failures = new FailureQueue();
  readonly calls: ModelCall[] = [];
  responder: ModelResponder | undefined;
  private readonly quota: MinuteQuota;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: GeminiSimOptions,
  ) {
    this.quota = new MinuteQuota(options.requestsPerMinute ?? 1000);
  }

  static async start(options: GeminiSimOptions): Promise<GeminiSimulator> {
    // The server exists before the simulator that handles its requests.
    const holder: { simulator?: GeminiSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new GeminiSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(request: SimRequest): Promise<SimResponse> {
    const match = request.path.match(
      /^\/v1beta\/models\/([\w.-]+):(generateContent|embedContent|batchEmbedContents)$/,
    );
    const lookup = request.method === 'GET' ? /^\/v1beta\/models\/([\w.-]+)$/.exec(request.path) : null;
    if ((!match || request.method !== 'POST') && !lookup)
      return status(404, 'NOT_FOUND', `Requested entity was not found: ${request.method} ${request.path}`);
    const key = (request.headers['x-goog-api-key'] as string | undefined) ?? request.query.get('key');
    if (!key) {
      return status(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (key !== this.options.apiKey) {
      return status(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
        },
      ]);
    }
    if (lookup) return modelInfo(lookup[1]!);
    const injected = this.failures.take();
    const wait = this.quota.take(injected === 'rate-limit');
    if (wait !== undefined) {
      return status(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${wait}s` }],
      );
    }
    if (injected === 'server-error')
      return status(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    if (injected === 'hang') await request.clientGone;
    const [, model, method] = match as unknown as [string, string, string];
    if (method === 'generateContent') return this.generate(model, request.body, injected === 'malformed');
    return this.embed(method, request.body);
  }

  private generate(model: string, body: unknown, malformed: boolean): SimResponse {
    const request = body as {
      contents?: { role?: string; parts?: { text?: string }[] }[];
      systemInstruction?: { parts?: { text?: string }[] };
      generationConfig?: {
        responseMimeType?: string;
        responseJsonSchema?: unknown;
        responseSchema?: unknown;
      };
    };
    if (!Array.isArray(request?.contents) || request.contents.length === 0) {
      return status(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified');
    }
    const prompt = request.contents
      .flatMap((content) => content.parts ?? [])
      .map((part) => part.text ?? '')
      .join('\n');
    const system = (request.systemInstruction?.parts ?? []).map((part) => part.text ?? '').join('\n');
    const config = request.generationConfig ?? {};
    const schema = config.responseJsonSchema ?? config.responseSchema;
    if (schema && config.responseMimeType !== 'application/json') {
      return status(
        400,
        'INVALID_ARGUMENT',
        'response_mime_type must be application/json when a response schema is set',
      );
    }
    const call = { model, system, prompt, schema };
    this.calls.push(call);
    let text =
      this.responder?.(call) ??
      (schema ? JSON.stringify(valueFromSchema(schema, prompt)) : defaultText(prompt));
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    return {
      status: 200,
      body: {
        candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: {
          promptTokenCount: approxTokens(system + prompt),
          candidatesTokenCount: approxTokens(text),
          totalTokenCount: approxTokens(system + prompt + text),
        },
        modelVersion: model,
        responseId: `sim-${Math.floor(hashUnit(prompt) * 1e9)}`,
      },
    };
  }

  private embed(method: string, body: unknown): SimResponse {
    const texts =
      method === 'embedContent'
        ? [
            ((body as { content?: { parts?: { text?: string }[] } })?.content?.parts ?? [])
              .map((p) => p.text ?? '')
              .join(' '),
          ]
        : ((body as { requests?: { content?: { parts?: { text?: string }[] } }[] })?.requests ?? []).map(
            (r) => (r.content?.parts ?? []).map((p) => p.text ?? '').join(' '),
          );
    if (texts.length === 0 || texts.some((text) => !text))
      return status(400, 'INVALID_ARGUMENT', '* content: content is empty');
    const embeddings = texts.map((text) => ({ values: pseudoEmbedding(text, 768) }));
    return { status: 200, body: method === 'embedContent' ? { embedding: embeddings[0] } : { embeddings } };
  }
}

/** models.get: the Gemini models the simulator answers for (any gemini-* name). */
function modelInfo(name: string): SimResponse {
  if (!name.startsWith('gemini-'))
    return status(404, 'NOT_FOUND', `models/${name} is not found for API version v1beta`);
  return {
    status: 200,
    body: {
      name: `models/${name}`,
      displayName: name.replace(/^gemini-/, 'Gemini ').replace(/-/g, ' '),
      supportedGenerationMethods: name.includes('embedding') ? ['embedContent'] : ['generateContent'],
    },
  };
}

function defaultText(prompt: string): string {
  const topic = prompt.replace(/\s+/g, ' ').trim().slice(0, 120);
  return `Simulated Gemini answer about: ${topic}`;
}

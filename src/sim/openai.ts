// A local OpenAI-compatible API written from OpenAI's reference (what Ollama and llama.cpp also
// serve): /v1/chat/completions with json_schema output, /v1/embeddings, /v1/models, Bearer auth, 429 with
// Retry-After, and the error body shape {error:{message,type,param,code}}.
import type { Server } from 'node:http';
import {
  FailureQueue,
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

const error = (
  status: number,
  type: string,
  message: string,
  code: string | null = null,
  headers?: Record<string, string>,
): SimResponse => ({
  status,
  headers,
  body: { error: { message, type, param: null, code } },
});

/** What GET /v1/models lists: shopkeep's default models. */
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'whisper-1'];

export class OpenAiSimulator {
  readonly failures = new FailureQueue();
  readonly calls: ModelCall[] = [];
  responder: ModelResponder | undefined;
  /** What the "speech" says: set by a test or the sandbox. */
  transcriber: ((audio: Buffer) => string) | undefined;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string, // includes /v1, as OPENAI_BASE_URL does
    private readonly apiKey: string,
  ) {}

  static async start(options: { apiKey: string }): Promise<OpenAiSimulator> {
    // The server exists before the simulator that handles its requests.
    const holder: { simulator?: OpenAiSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new OpenAiSimulator(server, `${baseUrl}/v1`, options.apiKey);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(request: SimRequest): Promise<SimResponse> {
    const auth = request.headers.authorization;
    if (auth !== `Bearer ${this.apiKey}`) {
      return error(
        401,
        'invalid_request_error',
        auth ? 'Incorrect API key provided.' : "You didn't provide an API key.",
        'invalid_api_key',
      );
    }
    if (request.method === 'GET' && request.path === '/v1/models')
      return {
        status: 200,
        body: {
          object: 'list',
          data: MODELS.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'system' })),
        },
      };
    const injected = this.failures.take();
    if (injected === 'rate-limit')
      return error(429, 'requests', 'Rate limit reached for requests', 'rate_limit_exceeded', {
        'retry-after': '1',
      });
    if (injected === 'server-error')
      return error(500, 'server_error', 'The server had an error while processing your request.');
    if (injected === 'hang') await request.clientGone;
    if (request.method === 'POST' && request.path === '/v1/chat/completions')
      return this.chat(request.body, injected === 'malformed');
    if (request.method === 'POST' && request.path === '/v1/embeddings') return this.embeddings(request.body);
    if (request.method === 'POST' && request.path === '/v1/audio/transcriptions')
      return this.transcribe(request);
    return error(404, 'invalid_request_error', `Invalid URL (${request.method} ${request.path})`);
  }

  private chat(body: unknown, malformed: boolean): SimResponse {
    const request = body as {
      model?: string;
      messages?: { role: string; content: string | { type: string; text?: string }[] }[];
      response_format?: { type?: string; json_schema?: { schema?: unknown } };
    };
    if (!request?.model)
      return error(400, 'invalid_request_error', 'you must provide a model parameter', null);
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      return error(400, 'invalid_request_error', "[] is too short - 'messages'", null);
    }
    const text = (content: string | { type: string; text?: string }[]) =>
      typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('\n');
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => text(m.content))
      .join('\n');
    const prompt = request.messages
      .filter((m) => m.role === 'user')
      .map((m) => text(m.content))
      .join('\n');
    const schema =
      request.response_format?.type === 'json_schema'
        ? request.response_format.json_schema?.schema
        : undefined;
    const call = { model: request.model, system, prompt, schema };
    this.calls.push(call);
    let answer =
      this.responder?.(call) ??
      (schema
        ? JSON.stringify(valueFromSchema(schema, prompt))
        : `Simulated answer about: ${prompt.slice(0, 120)}`);
    if (malformed) answer = answer.slice(0, Math.max(1, Math.floor(answer.length / 2)));
    return {
      status: 200,
      body: {
        id: `chatcmpl-sim${Math.floor(hashUnit(prompt) * 1e9)}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [
          { index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: approxTokens(system + prompt),
          completion_tokens: approxTokens(answer),
          total_tokens: approxTokens(system + prompt + answer),
        },
      },
    };
  }

  /** Multipart with a `file` and a `model`, as Whisper's endpoint takes it; the text comes from `transcriber`. */
  private transcribe(request: SimRequest): SimResponse {
    const type = String(request.headers['content-type'] ?? '');
    if (!type.startsWith('multipart/form-data'))
      return error(400, 'invalid_request_error', 'expected multipart/form-data');
    if (!/name="model"/.test(request.rawBody))
      return error(400, 'invalid_request_error', 'you must provide a model parameter');
    if (!/name="file"/.test(request.rawBody))
      return error(400, 'invalid_request_error', "'file' is a required property");
    return {
      status: 200,
      body: { text: this.transcriber?.(request.bodyBytes) ?? 'simulated transcription' },
    };
  }

  private embeddings(body: unknown): SimResponse {
    const request = body as { model?: string; input?: string | string[] };
    const inputs = typeof request?.input === 'string' ? [request.input] : request?.input;
    if (!request?.model || !Array.isArray(inputs) || inputs.length === 0)
      return error(400, 'invalid_request_error', "'input' is a required property");
    return {
      status: 200,
      body: {
        object: 'list',
        model: request.model,
        data: inputs.map((input, index) => ({
          object: 'embedding',
          index,
          embedding: pseudoEmbedding(input, 256),
        })),
        usage: {
          prompt_tokens: approxTokens(inputs.join(' ')),
          total_tokens: approxTokens(inputs.join(' ')),
        },
      },
    };
  }
}

// A local Anthropic Messages API (POST /v1/messages, GET /v1/models/{id}), written from Anthropic's reference: the
// x-api-key and anthropic-version headers, the request's required fields (model, max_tokens, messages
// starting with the user) and its limits, text and base64 image blocks, the answer's shape (content
// blocks, stop_reason, usage), and errors as {type: "error", error: {type, message}} with a request
// id: 400 invalid_request_error, 401 authentication_error, 429 rate_limit_error with retry-after,
// 529 overloaded_error. A JSON Schema in the prompt (how shopkeep asks for structured output) is
// answered with a value that fits it.
import type { Server } from 'node:http';
import {
  FailureQueue,
  MinuteQuota,
  approxTokens,
  close,
  hashUnit,
  listen,
  valueFromSchema,
  type ModelCall,
  type ModelResponder,
  type SimRequest,
  type SimResponse,
} from './http-sim.ts';

export interface AnthropicSimOptions {
  apiKey: string;
  requestsPerMinute?: number;
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
let requests = 0;

const error = (
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): SimResponse => {
  const id = `req_sim${String(++requests).padStart(6, '0')}`;
  return {
    status,
    body: { type: 'error', error: { type, message }, request_id: id },
    headers: { 'request-id': id, ...headers },
  };
};

interface Block {
  type?: string;
  text?: string;
  source?: { type?: string; media_type?: string; data?: string };
}

export class AnthropicSimulator {
  readonly failures = new FailureQueue();
  readonly calls: (ModelCall & { images: number })[] = [];
  responder: ModelResponder | undefined;
  private readonly quota: MinuteQuota;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: AnthropicSimOptions,
  ) {
    this.quota = new MinuteQuota(options.requestsPerMinute ?? 1000);
  }

  static async start(options: AnthropicSimOptions): Promise<AnthropicSimulator> {
    const holder: { simulator?: AnthropicSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new AnthropicSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(request: SimRequest): Promise<SimResponse> {
    const lookup = request.method === 'GET' ? /^\/v1\/models\/([\w.-]+)$/.exec(request.path) : null;
    if ((request.method !== 'POST' || request.path !== '/v1/messages') && !lookup)
      return error(404, 'not_found_error', `Not found: ${request.method} ${request.path}`);
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || !key)
      return error(401, 'authentication_error', 'x-api-key header is required');
    if (key !== this.options.apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
    if (!request.headers['anthropic-version'])
      return error(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (lookup) {
      // GET /v1/models/{model_id}: an id or an alias; the simulator knows every claude-* name.
      const id = lookup[1]!;
      if (!id.startsWith('claude-')) return error(404, 'not_found_error', `model: ${id}`);
      return {
        status: 200,
        body: { type: 'model', id, display_name: id.replace(/-/g, ' '), created_at: '2024-10-22T00:00:00Z' },
      };
    }
    const injected = this.failures.take();
    const wait = this.quota.take(injected === 'rate-limit');
    if (wait !== undefined) {
      return error(
        429,
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of requests per minute.',
        { 'retry-after': String(wait) },
      );
    }
    if (injected === 'server-error') return error(529, 'overloaded_error', 'Overloaded');
    if (injected === 'hang') await request.clientGone;
    return this.message(request.body, injected === 'malformed');
  }

  private message(body: unknown, malformed: boolean): SimResponse {
    const input = (body && typeof body === 'object' ? body : {}) as {
      model?: unknown;
      max_tokens?: unknown;
      messages?: { role?: string; content?: string | Block[] }[];
      system?: string | Block[];
      temperature?: unknown;
    };
    if (typeof input.model !== 'string' || !input.model)
      return error(400, 'invalid_request_error', 'model: Field required');
    if (!Number.isInteger(input.max_tokens) || (input.max_tokens as number) < 1)
      return error(400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(input.messages) || input.messages.length === 0)
      return error(400, 'invalid_request_error', 'messages: at least one message is required');
    if (input.messages[0]!.role !== 'user')
      return error(400, 'invalid_request_error', 'messages: first message must use the "user" role');
    if (
      input.temperature !== undefined &&
      (typeof input.temperature !== 'number' || input.temperature < 0 || input.temperature > 1)
    )
      return error(400, 'invalid_request_error', 'temperature: Input should be less than or equal to 1');
    const blocks = input.messages.flatMap((message): Block[] =>
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : (message.content ?? []),
    );
    for (const block of blocks) {
      if (block.type === 'image') {
        if (block.source?.type !== 'base64' || !IMAGE_TYPES.has(block.source.media_type ?? ''))
          return error(
            400,
            'invalid_request_error',
            `messages: image source media_type must be one of ${[...IMAGE_TYPES].join(', ')}`,
          );
        if (!block.source.data)
          return error(400, 'invalid_request_error', 'messages: image source data is empty');
      } else if (block.type !== 'text' || typeof block.text !== 'string')
        return error(400, 'invalid_request_error', `messages: unknown content block type "${block.type}"`);
    }
    const prompt = blocks.map((block) => block.text ?? '').join('\n');
    const system =
      typeof input.system === 'string'
        ? input.system
        : (input.system ?? []).map((block) => block.text ?? '').join('\n');
    // shopkeep asks for structured output by putting the JSON Schema at the end of the prompt.
    const asked = /matching this JSON Schema:\n(\{[\s\S]*\})\s*$/.exec(prompt);
    const schema = asked ? (JSON.parse(asked[1]!) as unknown) : undefined;
    const call = {
      model: input.model,
      system,
      prompt,
      schema,
      images: blocks.filter((block) => block.type === 'image').length,
    };
    this.calls.push(call);
    let text =
      this.responder?.(call) ??
      (schema
        ? JSON.stringify(valueFromSchema(schema, prompt))
        : `Simulated Claude answer about: ${prompt.replace(/\s+/g, ' ').trim().slice(0, 120)}`);
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    // An answer longer than max_tokens is cut there, as the model stops.
    const limited = approxTokens(text) > (input.max_tokens as number);
    if (limited) text = text.slice(0, (input.max_tokens as number) * 4);
    const outputTokens = approxTokens(text);
    return {
      status: 200,
      body: {
        id: `msg_sim${Math.floor(hashUnit(prompt) * 1e12)}`,
        type: 'message',
        role: 'assistant',
        model: input.model,
        content: [{ type: 'text', text }],
        stop_reason: limited ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: approxTokens(system + prompt), output_tokens: outputTokens },
      },
    };
  }
}

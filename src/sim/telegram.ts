// A local Telegram Bot API written from the official reference: /bot<token>/<method>, the
// {ok, result} / {ok:false, error_code, description, parameters} envelope, getUpdates long polling
// with offsets (and its conflict with an active webhook), sendMessage, sendPhoto, editMessageText,
// editMessageReplyMarkup, answerCallbackQuery, getFile, setWebhook/deleteWebhook, 429 retry_after.
// Its driver lets a test or the sandbox play the owner: type a message, press a button.
import type { Server } from 'node:http';
import { FailureQueue, close, listen, type SimRequest, type SimResponse } from './http-sim.ts';

export interface SimMessage {
  message_id: number;
  date: number;
  chat: { id: number; type: 'private'; first_name: string };
  from?: { id: number; is_bot: boolean; first_name: string };
  text?: string;
  entities?: { type: 'bot_command'; offset: number; length: number }[];
  caption?: string;
  /** A photo sent by URL or file id (the simulator keeps what was asked for, not the picture). */
  photo?: { file_id: string; width: number; height: number }[];
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
  voice?: { file_id: string; file_unique_id: string; duration: number; mime_type: string };
}

type Update = {
  update_id: number;
  message?: SimMessage;
  callback_query?: {
    id: string;
    from: { id: number; is_bot: boolean; first_name: string };
    message: SimMessage;
    chat_instance: string;
    data: string;
  };
};

const ok = (result: unknown): SimResponse => ({ status: 200, body: { ok: true, result } });
const fail = (code: number, description: string, parameters?: Record<string, unknown>): SimResponse => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
});

export class TelegramSimulator {
  readonly failures = new FailureQueue();
  private readonly blocked = new Set<number>();
  /** Every message the bot sent, by chat, as it looks now (edits applied). */
  readonly chats = new Map<number, SimMessage[]>();
  readonly callbackAnswers: { id: string; text?: string }[] = [];
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private webhookUrl = '';
  private webhookSecret = '';
  private readonly files = new Map<string, Buffer>();
  private waiting: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly apiRoot: string,
    private readonly token: string,
  ) {}

  static async start(options: { token: string }): Promise<TelegramSimulator> {
    const holder: { simulator?: TelegramSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new TelegramSimulator(server, baseUrl, options.token);
    return holder.simulator;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiting.splice(0)) wake();
    await close(this.server);
  }

  // ---- the driver: the owner's side of the chat ------------------------------------------------

  say(chatId: number, text: string): void {
    // Telegram marks a leading /command as an entity; bots find commands by it.
    const command = text.match(/^\/\w+(@\w+)?/);
    this.fromOwner(chatId, {
      text,
      ...(command
        ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] }
        : {}),
    });
  }

  /** A voice note from the owner; the bot fetches it with getFile and the file URL. */
  sendVoice(chatId: number, audio: Buffer, duration = 3): void {
    const fileId = `voice${this.nextMessageId}`;
    this.files.set(fileId, audio);
    this.fromOwner(chatId, {
      voice: { file_id: fileId, file_unique_id: `u${fileId}`, duration, mime_type: 'audio/ogg' },
    });
  }

  private fromOwner(chatId: number, content: Pick<SimMessage, 'text' | 'entities' | 'voice'>): void {
    this.push({
      message: {
        message_id: this.nextMessageId++,
        date: now(),
        chat: chat(chatId),
        from: person(chatId),
        ...content,
      },
    });
  }

  /** Presses an inline button on a message the bot sent; returns the callback query id. */
  press(chatId: number, messageId: number, data: string): string {
    const message = this.chats.get(chatId)?.find((m) => m.message_id === messageId);
    if (!message) throw new Error(`no message ${messageId} in chat ${chatId}`);
    const id = `cq${this.nextUpdateId}`;
    this.push({ callback_query: { id, from: person(chatId), message, chat_instance: String(chatId), data } });
    return id;
  }

  /** The webhook the bot registered, if any (and the secret Telegram would send with each update). */
  get webhook(): { url: string; secret: string } | undefined {
    return this.webhookUrl ? { url: this.webhookUrl, secret: this.webhookSecret } : undefined;
  }

  /** The owner of this chat blocks the bot: sending to it answers 403 from now on. */
  block(chatId: number): void {
    this.blocked.add(chatId);
  }

  sent(chatId: number): SimMessage[] {
    return this.chats.get(chatId) ?? [];
  }

  private push(update: Omit<Update, 'update_id'>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.waiting.splice(0)) wake();
  }

  // ---- the Bot API -------------------------------------------------------------------------------

  private async handle(request: SimRequest): Promise<SimResponse> {
    const file = request.path.match(/^\/file\/bot([^/]+)\/voice\/([\w]+)\.oga$/);
    if (file) {
      const bytes = file[1] === this.token ? this.files.get(file[2]!) : undefined;
      return bytes ? { status: 200, raw: bytes } : fail(404, 'Not Found');
    }
    const match = request.path.match(/^\/bot([^/]+)\/(\w+)$/);
    if (!match) return fail(404, 'Not Found');
    if (match[1] !== this.token) return fail(401, 'Unauthorized');
    const params = {
      ...Object.fromEntries(request.query),
      ...((request.body as Record<string, unknown>) ?? {}),
    } as Record<string, unknown>;
    const injected = this.failures.take();
    if (injected === 'rate-limit') return fail(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    if (injected === 'server-error') return fail(502, 'Bad Gateway');
    switch (match[2]) {
      case 'getMe':
        return ok({ id: 777000, is_bot: true, first_name: 'shopkeep', username: 'shopkeep_sim_bot' });
      case 'getUpdates':
        return this.getUpdates(params, request);
      case 'setWebhook':
        if (typeof params.url !== 'string')
          return fail(400, 'Bad Request: bad webhook: URL must be provided');
        this.webhookUrl = params.url;
        this.webhookSecret = typeof params.secret_token === 'string' ? params.secret_token : '';
        return ok(true);
      case 'deleteWebhook':
        this.webhookUrl = '';
        return ok(true);
      case 'sendMessage':
      case 'sendPhoto':
        return this.send(params, match[2] === 'sendPhoto');
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return this.edit(params, match[2] === 'editMessageText');
      case 'answerCallbackQuery':
        if (typeof params.callback_query_id !== 'string')
          return fail(
            400,
            'Bad Request: query is too old and response timeout expired or query ID is invalid',
          );
        this.callbackAnswers.push({
          id: params.callback_query_id,
          ...(typeof params.text === 'string' ? { text: params.text } : {}),
        });
        return ok(true);
      case 'getFile': {
        const bytes = this.files.get(String(params.file_id));
        if (!bytes) return fail(400, 'Bad Request: invalid file_id');
        return ok({
          file_id: params.file_id,
          file_unique_id: `u${String(params.file_id)}`,
          file_size: bytes.length,
          file_path: `voice/${String(params.file_id)}.oga`,
        });
      }
      default:
        return fail(404, 'Not Found: method not found');
    }
  }

  private async getUpdates(params: Record<string, unknown>, request: SimRequest): Promise<SimResponse> {
    if (this.webhookUrl)
      return fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = Number(params.offset ?? 0);
    if (offset) this.updates = this.updates.filter((update) => update.update_id >= offset);
    if (this.updates.length === 0 && Number(params.timeout ?? 0) > 0) {
      const timeout = Math.min(Number(params.timeout), 50) * 1000;
      await Promise.race([
        new Promise<void>((resolve) => this.waiting.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, timeout).unref()),
        request.clientGone,
      ]);
    }
    return ok(this.updates.slice(0, Number(params.limit ?? 100)));
  }

  private send(params: Record<string, unknown>, photo: boolean): SimResponse {
    const chatId = Number(params.chat_id);
    if (!Number.isInteger(chatId)) return fail(400, 'Bad Request: chat not found');
    if (this.blocked.has(chatId)) return fail(403, 'Forbidden: bot was blocked by the user');
    const text = String((photo ? params.caption : params.text) ?? '');
    if (!photo && !text) return fail(400, 'Bad Request: message text is empty');
    if (photo && (typeof params.photo !== 'string' || !params.photo))
      return fail(400, 'Bad Request: there is no photo in the request');
    if (text.length > (photo ? 1024 : 4096))
      return fail(400, `Bad Request: ${photo ? 'message caption' : 'message'} is too long`);
    const message: SimMessage = {
      message_id: this.nextMessageId++,
      date: now(),
      chat: chat(chatId),
      from: { id: 777000, is_bot: true, first_name: 'shopkeep' },
      ...(photo
        ? { caption: text, photo: [{ file_id: String(params.photo), width: 800, height: 800 }] }
        : { text }),
      ...(params.reply_markup ? { reply_markup: parseMarkup(params.reply_markup) } : {}),
    };
    this.chats.set(chatId, [...this.sent(chatId), message]);
    return ok(message);
  }

  private edit(params: Record<string, unknown>, withText: boolean): SimResponse {
    const message = this.sent(Number(params.chat_id)).find((m) => m.message_id === Number(params.message_id));
    if (!message) return fail(400, 'Bad Request: message to edit not found');
    if (withText) {
      const text = String(params.text ?? '');
      if (!text) return fail(400, 'Bad Request: message text is empty');
      if (text === message.text && !params.reply_markup)
        return fail(400, 'Bad Request: message is not modified');
      message.text = text;
    }
    if (params.reply_markup) message.reply_markup = parseMarkup(params.reply_markup);
    else if (withText) delete message.reply_markup;
    return ok(message);
  }
}

function parseMarkup(value: unknown): SimMessage['reply_markup'] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as SimMessage['reply_markup'];
}

const now = () => Math.floor(Date.now() / 1000);
const chat = (id: number) => ({ id, type: 'private' as const, first_name: 'Owner' });
const person = (id: number) => ({ id, is_bot: false, first_name: 'Owner' });

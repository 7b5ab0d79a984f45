// The owner's Telegram bot (grammY, long polling: works behind a home router). Only allow-listed
// chats may act; anything else is ignored and logged. Buttons carry ids only; a press on a card that
// was already decided or expired is answered with what happened instead of acting twice.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { sameSecret } from '../../platform/http/auth.ts';
import type { Logger } from '../../platform/logger.ts';
import { AppError, describeError } from '../../platform/errors.ts';
import type { Readiness } from '../../platform/kit/kernel.ts';
import type { TelegramCommand } from '../../platform/kit/module.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { DecisionAction } from '../approvals/index.ts';
import { parseCallback } from './cards.ts';
import type { ApprovalCards } from './approval-cards.ts';
import type { TelegramConfig } from './settings.ts';
import { FailureLimit, type FailureLimits } from '../../platform/http/failure-limit.ts';
import type { Transport } from '../../platform/integrations/transport.ts';
import { telegramClient, telegramTransport } from './telegram-api.ts';
import { voiceIntent } from './voice-intent.ts';

export interface OwnerBotOptions {
  settings: TelegramConfig & { token: string };
  approvals: Faces['approvals'];
  /** Shows a request's card again (/approvals) or its outcome (a press on a decided one). */
  cards: Pick<ApprovalCards, 'send' | 'showOutcome'>;
  /** Speech to text, for voice notes. */
  transcribe: Faces['ai']['transcribe'];
  /** Where a voice note that is not a command goes, as a to-do. */
  notifications: Pick<Faces['notifications'], 'send'>;
  readiness: () => Promise<Readiness>;
  /** The commands modules add (/today, /pnl, /orders, …), answered with text. */
  commands: () => TelegramCommand[];
  logger: Logger;
}

/** The bot's own commands; /help lists them, then the modules' commands, then /cancel and /help. */
const OWN_COMMANDS = [
  { name: 'approvals', description: 'what waits for you' },
  { name: 'status', description: 'is everything running' },
  { name: 'pause', description: 'stop all publishing and sending' },
  { name: 'resume', description: 'start again' },
] as const;
const CLOSING_COMMANDS = [
  { name: 'cancel', description: 'forget an edit or rewrite you started' },
  { name: 'help', description: 'these commands' },
] as const;
const RESERVED = new Set<string>(['start', ...[...OWN_COMMANDS, ...CLOSING_COMMANDS].map((c) => c.name)]);

const WAIT_FOR_TEXT_MS = 10 * 60_000;

/** Wrong webhook secrets an address may send in a window before it is refused. */
const WRONG_SECRET_LIMITS: FailureLimits = { max: 10, windowMs: 60_000 };
/** Refused before the body is read: the connection is closed rather than the rest of the body drained. */
const refuseUnread = { connection: 'close' };

/** What grammY is handed; grammY itself reads the update's fields. */
const UpdateBody = Type.Unsafe<Update>(Type.Object({}));

export class OwnerBot {
  private readonly bot: Bot;
  /** Voice files are downloaded from the API root with the token in the path. */
  private readonly files: Transport;
  /** A chat that pressed Edit or Regenerate: its next message is the new text or the reason. */
  private readonly awaiting = new Map<
    number,
    { approvalId: string; action: 'edit' | 'regenerate'; until: number }
  >();

  private readonly config: OwnerBotOptions['settings'];
  private readonly deps: Omit<OwnerBotOptions, 'settings' | 'cards' | 'logger'>;
  private readonly cards: OwnerBotOptions['cards'];
  private readonly logger: Logger;

  constructor({ settings: config, cards, logger, ...deps }: OwnerBotOptions) {
    this.config = config;
    this.deps = deps;
    this.cards = cards;
    this.logger = logger;
    const contributed = deps.commands();
    for (const command of contributed)
      if (RESERVED.has(command.name) || contributed.filter((c) => c.name === command.name).length > 1)
        throw new Error(
          `two Telegram commands are named /${command.name}: a module's command needs a name of its own`,
        );
    this.bot = new Bot(config.token, { client: telegramClient(config) });
    this.files = telegramTransport(config);
    this.bot.use(async (ctx, next) => {
      const chatId = ctx.chat?.id ?? ctx.from?.id;
      if (chatId !== undefined && config.allowedChatIds.includes(chatId)) return next();
      this.logger.warn(
        { chatId, from: ctx.from?.username },
        'telegram: ignored an update from a chat that is not allowed',
      );
    });
    this.bot.command(['start', 'help'], (ctx) => ctx.reply(this.help()));
    this.bot.command('status', (ctx) => this.status(ctx));
    this.bot.command('approvals', (ctx) => this.listApprovals(ctx));
    this.bot.command('pause', (ctx) => this.pause(ctx, true));
    this.bot.command('resume', (ctx) => this.pause(ctx, false));
    for (const command of contributed)
      this.bot.command(command.name, async (ctx) => ctx.reply(await command.answer(ctx.message?.text ?? '')));
    this.bot.command('cancel', async (ctx) => {
      this.awaiting.delete(ctx.chat.id);
      await ctx.reply('Forgotten.');
    });
    this.bot.on('callback_query:data', (ctx) => this.press(ctx));
    this.bot.on('message:text', (ctx) => this.text(ctx));
    this.bot.on('message:voice', (ctx) => this.voice(ctx));
    this.bot.catch((error) =>
      this.logger.error({ err: describeError(error.error) }, 'telegram: handling an update failed'),
    );
  }

  /**
   * Long polling by default (works behind a home router). With TELEGRAM_WEBHOOK_SECRET, Telegram is
   * told to post updates to `webhookUrl` with that secret in its header instead.
   */
  async start(webhookUrl: string): Promise<void> {
    if (this.config.webhookSecret) {
      await this.bot.init();
      await this.bot.api.setWebhook(webhookUrl, {
        secret_token: this.config.webhookSecret,
        allowed_updates: ['message', 'callback_query'],
      });
      this.logger.info({ url: webhookUrl }, 'telegram webhook set');
      return;
    }
    void this.bot
      .start({
        drop_pending_updates: false,
        allowed_updates: ['message', 'callback_query'],
        onStart: () => this.logger.info('telegram bot polling'),
      })
      .catch((error: unknown) =>
        this.logger.error({ err: describeError(error) }, 'telegram polling stopped'),
      );
  }

  /** The commands in /help: the bot's own, then those the modules add, then /cancel and /help. */
  private help(): string {
    return [
      'shopkeep commands (or say them in a voice note; anything else you say becomes a to-do):',
      ...[...OWN_COMMANDS, ...this.deps.commands(), ...CLOSING_COMMANDS].map(
        (command) => `/${command.name} – ${command.description}`,
      ),
    ].join('\n');
  }

  /** A module's command by name (what a voice note asked for), answered in the chat. */
  private async answer(ctx: Context, name: string): Promise<void> {
    const command = this.deps.commands().find((each) => each.name === name);
    await ctx.reply(command ? await command.answer('') : `/${name} is not available here.`);
  }

  /**
   * POST /webhooks/telegram. The secret-token header is checked (in constant time) as the request
   * arrives, before its body is read or checked against the schema: a stranger learns nothing of what
   * the route expects and gets no body read. An address that keeps sending wrong secrets is refused
   * for a while; Telegram's own addresses send the right one.
   */
  webhookRoute(): (app: FastifyInstance) => void {
    const wrongSecrets = new FailureLimit(WRONG_SECRET_LIMITS);
    const checkSecret = async (request: FastifyRequest): Promise<void> => {
      const wait = wrongSecrets.refusedFor(request.ip);
      if (wait) {
        throw new AppError(
          'rate_limited',
          `too many updates with a wrong secret token from this address; try again in ${wait} s`,
          { ...refuseUnread, 'retry-after': String(wait) },
        );
      }
      const secret = this.config.webhookSecret;
      const sent = request.headers['x-telegram-bot-api-secret-token'];
      if (!secret || typeof sent !== 'string' || !sameSecret(sent, secret)) {
        wrongSecrets.failed(request.ip);
        throw new AppError(
          'unauthenticated',
          'missing or wrong X-Telegram-Bot-Api-Secret-Token',
          refuseUnread,
        );
      }
    };
    return (app) => {
      app.withTypeProvider<TypeBoxTypeProvider>().post(
        '',
        {
          config: { access: 'public', csrf: false, audit: false },
          schema: { hide: true, body: UpdateBody },
          onRequest: checkSecret,
        },
        async (request, reply) => {
          await this.bot.handleUpdate(request.body);
          return reply.code(200).send({ ok: true });
        },
      );
    };
  }

  async stop(): Promise<void> {
    if (this.bot.isRunning()) await this.bot.stop();
  }

  private who(ctx: Context): { actor: string; label: string } {
    const name = ctx.from?.username ? `@${ctx.from.username}` : (ctx.from?.first_name ?? 'owner');
    return { actor: `telegram:${ctx.chat?.id ?? ctx.from?.id}`, label: `${name} (Telegram)` };
  }

  private async press(ctx: Context & { callbackQuery: { data: string } }): Promise<void> {
    const parsed = parseCallback(ctx.callbackQuery.data);
    if (!parsed) {
      await ctx.answerCallbackQuery({ text: 'This button is not from shopkeep.' });
      return;
    }
    const { approvalId, action } = parsed;
    if (action === 'edit' || action === 'regenerate') {
      const approval = await this.deps.approvals.get(approvalId);
      if (approval.status !== 'pending') {
        await ctx.answerCallbackQuery({ text: `Already ${approval.status}.` });
        await this.cards.showOutcome(approvalId);
        return;
      }
      this.awaiting.set(ctx.chat!.id, { approvalId, action, until: Date.now() + WAIT_FOR_TEXT_MS });
      await ctx.answerCallbackQuery();
      await ctx.reply(
        action === 'edit'
          ? `Send the new text for “${approval.title}” (or /cancel).`
          : `What should change in “${approval.title}”? (or /cancel)`,
      );
      return;
    }
    await this.decide(ctx, approvalId, action);
  }

  private async text(ctx: Context & { message: { text: string } }): Promise<void> {
    const waiting = this.awaiting.get(ctx.chat!.id);
    if (!waiting || waiting.until < Date.now()) {
      this.awaiting.delete(ctx.chat!.id);
      // What is not a command or an answer the bot asked for is something to do, as /help says.
      if (ctx.message.text.startsWith('/')) {
        await ctx.reply(`I do not know that command. ${this.help()}`);
        return;
      }
      await this.toDo(ctx, ctx.message.text, 'a message');
      return;
    }
    this.awaiting.delete(ctx.chat!.id);
    const text = ctx.message.text;
    await this.decide(
      ctx,
      waiting.approvalId,
      waiting.action,
      waiting.action === 'edit' ? { text } : { reason: text },
    );
  }

  private async decide(
    ctx: Context,
    approvalId: string,
    action: DecisionAction,
    extra: { text?: string; reason?: string } = {},
  ): Promise<void> {
    try {
      const decided = await this.deps.approvals.decide(approvalId, { action, ...extra }, this.who(ctx));
      const done = {
        approve: 'Approved.',
        edit: 'Edited and approved.',
        reject: 'Rejected.',
        regenerate: 'Writing it again with your note.',
      }[action];
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: done });
      else await ctx.reply(done);
      this.logger.info({ approvalId, status: decided.status }, 'telegram decision');
    } catch (error) {
      if (!(error instanceof AppError) || !['conflict', 'not_found', 'invalid_request'].includes(error.kind))
        throw error;
      const message = error.message.replace(/^./, (c) => c.toUpperCase());
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: message.slice(0, 190) });
      else await ctx.reply(message);
      if (error.kind === 'conflict') await this.cards.showOutcome(approvalId);
    }
  }

  /** A voice note: transcribed (Whisper-compatible endpoint), then understood as a command if it is one. */
  private async voice(
    ctx: Context & { message: { voice: { file_id: string; mime_type?: string; duration: number } } },
  ): Promise<void> {
    if (ctx.message.voice.duration > 120) {
      await ctx.reply('That note is over two minutes; please keep it shorter.');
      return;
    }
    let heard: string;
    try {
      const file = await ctx.api.getFile(ctx.message.voice.file_id);
      const audio = await this.files.bytes({
        url: `${this.config.apiRoot}/file/bot${this.config.token}/${file.file_path}`,
        timeoutMs: 30_000,
      });
      heard = (
        await this.deps.transcribe(audio, ctx.message.voice.mime_type ?? 'audio/ogg', 'voice.oga')
      ).trim();
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, 'telegram: a voice note could not be transcribed');
      await ctx.reply('I could not listen to that voice note. Please type it instead.');
      return;
    }
    await ctx.reply(`🎙 Heard: “${heard}”`);
    const meant = voiceIntent(heard);
    switch (meant) {
      case 'pause':
        return this.pause(ctx, true);
      case 'resume':
        return this.pause(ctx, false);
      case 'status':
        return this.status(ctx);
      case 'approvals':
        return this.listApprovals(ctx);
      case 'pnl':
      case 'today':
      case 'orders':
        return this.answer(ctx, meant);
      case 'nothing':
        return void (await ctx.reply('I heard nothing to act on. Say a command, or what needs doing.'));
    }
    // Anything else is something to do.
    await this.toDo(ctx, heard, 'a voice note');
  }

  /** Something to do goes to the Inbox as a to-do (and comes back here as one). */
  private async toDo(ctx: Context, text: string, from: 'a voice note' | 'a message'): Promise<void> {
    await this.deps.notifications.send({
      kind: 'task.to_do',
      severity: 'info',
      title: `To do: ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`,
      body: `From ${from} on Telegram:\n\n${text}`,
      dedupeKey: `telegram:${ctx.chat?.id}:${ctx.message?.message_id}`,
    });
  }

  private async status(ctx: Context): Promise<void> {
    const [readiness, pause, pending] = await Promise.all([
      this.deps.readiness(),
      this.deps.approvals.paused(),
      this.deps.approvals.list('pending'),
    ]);
    await ctx.reply(
      [
        `Database: ${readiness.database ? 'ok' : 'NOT REACHABLE'}`,
        `Jobs: ${readiness.jobs ? 'running' : 'stopped'}`,
        pause.paused
          ? `⏸ Paused by ${pause.changedBy}: nothing is published or sent. /resume to start again.`
          : '▶️ Publishing and sending are on.',
        `Waiting for you: ${pending.length} (/approvals)`,
      ].join('\n'),
    );
  }

  private async listApprovals(ctx: Context): Promise<void> {
    const pending = await this.deps.approvals.list('pending', 10);
    if (pending.length === 0) {
      await ctx.reply('Nothing waits for you.');
      return;
    }
    for (const approval of pending) await this.cards.send(approval.id, ctx.chat!.id);
  }

  private async pause(ctx: Context, paused: boolean): Promise<void> {
    await this.deps.approvals.setPaused(paused, this.who(ctx));
    await ctx.reply(paused ? '⏸ Paused: nothing is published or sent until /resume.' : '▶️ Resumed.');
  }
}

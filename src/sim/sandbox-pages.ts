// In the sandbox, the dashboard shows the simulated Telegram chat so a newcomer can play the owner
// (read what the bot sent, press its buttons, type commands and replies), and lets them play the
// shop's customers: place an order, refund one, now rather than waiting for the live stream.
import { backWithNotice, sendPage, table } from '../platform/dashboard/components.ts';
import type { FastifyInstance } from 'fastify';
import type { ExtraPages } from '../platform/kit/module.ts';
import { html } from '../platform/dashboard/html.ts';
import { csrfField, page } from '../platform/dashboard/layout.ts';
import { SANDBOX_ORDER_EVERY_MS, SANDBOX_OWNER_CHAT, SANDBOX_PHOTOS, type Sandbox } from './registry.ts';
import { productPhoto } from './shopify/photos.ts';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 } } as const;

export function sandboxPages(sandbox: Sandbox): ExtraPages {
  const register = (app: FastifyInstance) => {
    // The sandbox shop's product photos, where its products say they are (Shopify's CDN is not here).
    app.get<{ Params: { '*': string } }>(
      `${SANDBOX_PHOTOS}/*`,
      { config: { access: 'public', audit: false }, schema: { hide: true } },
      async (request, reply) => {
        const photo = await productPhoto(request.params['*']);
        if (!photo) return reply.code(404).send({ error: { code: 'not_found', message: 'no such photo' } });
        return reply
          .header('content-type', 'image/jpeg')
          .header('cache-control', 'public, max-age=86400')
          .send(photo);
      },
    );
    app.get(
      '/sandbox/telegram',
      { config: { access: 'write' }, schema: { hide: true } },
      async (request, reply) => {
        const principal = request.principal;
        const messages = sandbox.telegram.sent(SANDBOX_OWNER_CHAT);
        return sendPage(
          reply,
          page(
            { title: 'Sandbox: your Telegram chat', principal },
            html`<p class="muted">The bot writes here as it would to your phone. Press its buttons, or type a command such as /status, /approvals, /pause.</p>
            ${messages.length === 0 ? html`<p class="muted">No messages yet. Write a post under Approvals, or send /help.</p>` : ''}
            ${messages.map(
              (
                message,
              ) => html`<article class="card" data-testid="telegram-message" id="${`m${message.message_id}`}">
                <p class="chat-text">${message.text ?? message.caption ?? ''}</p>
                ${(message.reply_markup?.inline_keyboard ?? []).flat().map(
                  (
                    button,
                  ) => html`<form method="post" action="/sandbox/telegram/press" class="inline">${csrfField(principal)}
                    <input type="hidden" name="messageId" value="${message.message_id}" /><input type="hidden" name="data" value="${button.callback_data ?? ''}" />
                    <button class="secondary">${button.text}</button></form>`,
                )}
              </article>`,
            )}
            <form method="post" action="/sandbox/telegram/say" class="stack" id="chat-end">${csrfField(principal)}
              <label>Message to the bot <input name="text" required maxlength="4096" placeholder="/status" /></label>
              <button>Send</button>
            </form>`,
          ),
        );
      },
    );

    app.post<{ Body: Record<string, string | undefined> }>(
      '/sandbox/telegram/say',
      { config: { access: 'write' }, schema: { hide: true, body: formBody } },
      async (request, reply) => {
        const text = (request.body.text ?? '').trim();
        if (text) sandbox.telegram.say(SANDBOX_OWNER_CHAT, text);
        await new Promise((resolve) => setTimeout(resolve, 400)); // let the bot answer before the page reloads
        return reply.redirect('/sandbox/telegram#chat-end', 303);
      },
    );

    app.post<{ Body: Record<string, string | undefined> }>(
      '/sandbox/telegram/press',
      { config: { access: 'write' }, schema: { hide: true, body: formBody } },
      async (request, reply) => {
        try {
          sandbox.telegram.press(SANDBOX_OWNER_CHAT, Number(request.body.messageId), request.body.data ?? '');
        } catch {
          // a message that no longer exists: nothing to press
        }
        await new Promise((resolve) => setTimeout(resolve, 600));
        return reply.redirect(`/sandbox/telegram#m${Number(request.body.messageId) || ''}`, 303);
      },
    );

    app.get(
      '/sandbox/shopify',
      { config: { access: 'write' }, schema: { hide: true } },
      async (request, reply) => {
        const counts = sandbox.shopify.counts();
        return sendPage(
          reply,
          page(
            { title: 'Sandbox: your Shopify shop', principal: request.principal },
            html`<p class="muted">A simulated shop, ${sandbox.shopify.shopDomain}, with a year of history: ${counts.orders} orders, ${counts.products} products, ${counts.customers} customers, ${counts.payouts} payouts. A customer orders about every ${Math.round(SANDBOX_ORDER_EVERY_MS / 1000)} seconds; each change reaches shopkeep as a signed webhook, as from Shopify.</p>
            <form method="post" action="/sandbox/shopify/order" class="inline">${csrfField(request.principal)}<button>A customer places an order now</button></form>
            <form method="post" action="/sandbox/shopify/refund" class="inline">${csrfField(request.principal)}<button class="secondary">Refund the latest order</button></form>
            <p><a href="/orders">Orders</a> · <a href="/products">Stock</a> · <a href="/shop">Sync health</a></p>`,
          ),
        );
      },
    );

    app.get(
      '/sandbox/akaunting',
      { config: { access: 'write' }, schema: { hide: true } },
      async (request, reply) =>
        sendPage(
          reply,
          page(
            { title: 'Sandbox: your Akaunting', principal: request.principal },
            html`<p class="muted">A simulated Akaunting. Each morning the books push the day before as two transactions (sales, expenses), and a correction if a day changes later. Push the last week now from <a href="/books">Books</a> → Export.</p>
            ${table(
              ['Number', 'Type', 'Date', 'Amount', 'Description'],
              sandbox.akaunting.transactions.map((t) => [
                t.number,
                t.type,
                t.paid_at.slice(0, 10),
                `${t.amount.toFixed(2)} ${t.currency_code}`,
                t.description ?? '',
              ]),
              'Nothing pushed yet.',
            )}`,
          ),
        ),
    );

    app.get(
      '/sandbox/backups',
      { config: { access: 'admin' }, schema: { hide: true } },
      async (request, reply) => {
        const online = sandbox.backupServer.isOnline;
        const stored = await readdir(path.join(sandbox.backupDir, 'shopkeep', 'snapshots')).catch(() => []);
        return sendPage(
          reply,
          page(
            { title: 'Sandbox: the off-site backup server', principal: request.principal },
            html`<p class="muted">A simulated restic REST server in append-only mode, as a shop would keep off-site: shopkeep backs up to it every 6 hours and cannot delete what it stored there. Its files are in <code>${sandbox.backupDir}</code>, which is also a restic repository a restore can read directly.</p>
            <p>It is <strong class="${online ? 'ok' : 'bad'}">${online ? 'reachable' : 'unplugged'}</strong> and holds ${String(stored.length)} backup(s).</p>
            <form method="post" action="/sandbox/backups/${online ? 'unplug' : 'plug-in'}" class="inline">${csrfField(request.principal)}<button class="${online ? 'secondary' : ''}">${online ? 'Pull its network cable' : 'Plug it back in'}</button></form>
            <p><a href="/ops#backups">Backups on the Operations page</a> (Back up now shows what happens)</p>`,
          ),
        );
      },
    );
    for (const [action, online] of [
      ['unplug', false],
      ['plug-in', true],
    ] as const) {
      app.post(
        `/sandbox/backups/${action}`,
        { config: { access: 'admin' }, schema: { hide: true, body: formBody } },
        async (_request, reply) => {
          sandbox.backupServer.setOnline(online);
          return backWithNotice(
            reply,
            '/sandbox/backups',
            online
              ? 'The backup server is reachable again.'
              : 'The backup server is unplugged: the next backup fails, and says so.',
          );
        },
      );
    }

    for (const [route, act] of [
      ['/sandbox/shopify/order', () => sandbox.shopify.placeOrder()],
      [
        '/sandbox/shopify/refund',
        () => sandbox.shopify.refundOrder(sandbox.shopify.orderIds().at(-1)!, { restock: true }),
      ],
    ] as const) {
      app.post(
        route,
        { config: { access: 'write' }, schema: { hide: true, body: formBody } },
        async (_request, reply) => {
          const deliveries = await act().catch(() => []);
          const order = deliveries.find(
            (delivery) => delivery.topic.startsWith('orders/') || delivery.topic === 'refunds/create',
          );
          const name = order ? (JSON.parse(order.body) as { name?: string }).name : undefined;
          const notice = deliveries.length
            ? `Done${name ? ` (${name})` : ''}: ${deliveries.length} webhooks sent.`
            : 'Nothing to do.';
          return backWithNotice(reply, `/orders?q=${encodeURIComponent(name ?? '')}`, notice);
        },
      );
    }
  };
  return {
    prefix: '',
    register,
    menu: [
      { href: '/sandbox/shopify', label: 'Sandbox: the shop', position: 60 },
      { href: '/sandbox/telegram', label: 'Sandbox: Telegram', position: 61 },
      { href: '/sandbox/akaunting', label: 'Sandbox: Akaunting', position: 62 },
      { href: '/sandbox/backups', label: 'Sandbox: backup server', position: 63 },
    ],
    banner: html`<p class="banner sandbox" role="status">
      Sandbox: simulators stand in for Shopify, Telegram and Akaunting; nothing leaves this machine.
      <a href="/sandbox/shopify">Play a customer</a> · <a href="/sandbox/telegram">your Telegram chat</a>
    </p>`,
  };
}

// Journals in the dashboard: book one by hand (up to six lines, amounts as people write them), the
// journals booked so far with their documents, and the journals that repeat each month (add, stop).
// A journal the books refuse comes back with the problem and what was typed.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { LedgerParts } from '../index.ts';
import { html, type Html } from '../../../platform/dashboard/html.ts';
import { csrfField, page } from '../../../platform/dashboard/layout.ts';
import { formAction, noticeLine, sendPage, table } from '../../../platform/dashboard/components.ts';
import { formBody, noticeField, optionalField } from '../../../platform/dashboard/form-body.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { dayIn } from '../../../platform/dates.ts';
import { AppError } from '../../../platform/errors.ts';
import { formatMoney, toMinor } from '../../../platform/money.ts';
import type { JournalLine, JournalLineInput } from '../journals.ts';
import { booksNav } from './nav.ts';

const LINES = 6;
const lineFields: Record<string, ReturnType<typeof optionalField>> = Object.fromEntries(
  Array.from({ length: LINES }, (_, index) => [
    [`account${index}`, optionalField(200)],
    [`debit${index}`, optionalField(20)],
    [`credit${index}`, optionalField(20)],
  ]).flat(),
);

const JournalForm = formBody({
  date: Type.String({ maxLength: 10 }),
  memo: Type.String({ maxLength: 500 }),
  reference: optionalField(100),
  dayOfMonth: optionalField(2),
  ...lineFields,
});
type Typed = Partial<Record<string, string>>;

/** The lines filled in, as debits and credits in minor units; an empty row is no line. */
function linesOf(body: Typed, currency: string): JournalLineInput[] {
  const lines: JournalLineInput[] = [];
  for (let index = 0; index < LINES; index += 1) {
    const account = body[`account${index}`]?.trim();
    const debit = body[`debit${index}`]?.trim();
    const credit = body[`credit${index}`]?.trim();
    if (!account && !debit && !credit) continue;
    const amount = (value: string | undefined, side: string) => {
      if (!value) return undefined;
      try {
        return toMinor(value, currency);
      } catch {
        throw new AppError(
          'invalid_request',
          `line ${index + 1}: the ${side} "${value}" is not an amount like 12.50`,
        );
      }
    };
    if (!account) throw new AppError('invalid_request', `line ${index + 1}: choose the account`);
    lines.push({ account, debit: amount(debit, 'debit'), credit: amount(credit, 'credit') });
  }
  return lines;
}

function lineRows(accounts: { code: string; name: string }[], typed: Typed): Html {
  return html`<div class="scroll">
    <table>
      <thead>
        <tr><th>Account</th><th>Debit</th><th>Credit</th></tr>
      </thead>
      <tbody>
        ${Array.from(
          { length: LINES },
          (_, index) => html`<tr>
            <td>
              <select name="account${String(index)}" aria-label="Account, line ${String(index + 1)}">
                <option value="">—</option>
                ${accounts.map(
                  (account) =>
                    html`<option value="${account.code}"${typed[`account${index}`] === account.code ? html` selected` : ''}>${account.name} (${account.code})</option>`,
                )}
              </select>
            </td>
            <td><input name="debit${String(index)}" inputmode="decimal" size="8" aria-label="Debit, line ${String(index + 1)}" value="${typed[`debit${index}`] ?? ''}" /></td>
            <td><input name="credit${String(index)}" inputmode="decimal" size="8" aria-label="Credit, line ${String(index + 1)}" value="${typed[`credit${index}`] ?? ''}" /></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

const shownLines = (lines: JournalLine[], currency: string) =>
  html`${lines.map(
    (line) =>
      html`<div>${line.account}: ${line.debit ? `${formatMoney(line.debit, currency)} debit` : `${formatMoney(line.credit, currency)} credit`}</div>`,
  )}`;

export function journalPages(app: FastifyInstance, { ledger, now, timezone }: LedgerParts): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  const today = () => dayIn(now(), timezone);

  pages.get(
    '/journals',
    {
      config: { access: 'read' },
      schema: {
        hide: true,
        // What was typed into the form comes back with a problem, to correct.
        querystring: Type.Object({
          ...noticeField,
          ...lineFields,
          date: optionalField(10),
          memo: optionalField(500),
          reference: optionalField(100),
        }),
      },
    },
    async (request, reply) => {
      const typed = request.query as Typed;
      const [accounts, journals, recurring, currency] = await Promise.all([
        ledger.accounts(),
        ledger.journals.list(),
        ledger.journals.recurring(today()),
        ledger.currency(),
      ]);
      return sendPage(
        reply,
        page(
          { title: 'Journals', principal: request.principal, current: '/books' },
          html`${booksNav('/books/journals')} ${noticeLine(request.query)}
            <section>
              <h2>Book a journal</h2>
              <p class="muted">
                For what no sale or expense says: VAT paid to HMRC, drawings, capital, a loan, a PayPal withdrawal,
                depreciation. Debits and credits must be equal.
              </p>
              <form method="post" action="/books/journals" class="stack">
                ${csrfField(request.principal)}
                <label>Date <input type="date" name="date" value="${typed.date ?? today()}" required /></label>
                <label>Memo <input name="memo" maxlength="500" value="${typed.memo ?? ''}" required /></label>
                <label>Your reference <input name="reference" maxlength="100" value="${typed.reference ?? ''}" /></label>
                ${lineRows(accounts, typed)}
                <button>Book the journal</button>
              </form>
            </section>
            <section>
              <h2>Booked by hand</h2>
              ${table(
                ['Date', 'Memo', 'Lines', 'Document'],
                journals.map((journal) => [
                  journal.date,
                  journal.memo,
                  shownLines(journal.lines, journal.currency),
                  journal.document
                    ? html`<a href="/api/v1/ledger/journals/${String(journal.entryId)}/document">${journal.document.name}</a>`
                    : '—',
                ]),
                'No journals yet.',
              )}
            </section>
            <section>
              <h2>Every month</h2>
              ${table(
                ['Memo', 'Lines', 'Day', 'Next'],
                recurring.map((each) => [
                  each.memo,
                  shownLines(each.lines, currency),
                  String(each.dayOfMonth),
                  each.nextOn
                    ? html`${each.nextOn}
                        <form method="post" action="/books/journals/recurring/${String(each.id)}/stop">
                          ${csrfField(request.principal)}<button class="secondary">Stop</button>
                        </form>`
                    : 'stopped or ended',
                ]),
                'No journals repeat yet.',
              )}
              <details>
                <summary>Add one that repeats each month (rent, depreciation, a loan repayment)</summary>
                <form method="post" action="/books/journals/recurring" class="stack">
                  ${csrfField(request.principal)}
                  <label>Memo <input name="memo" maxlength="500" required /></label>
                  <label>Day of the month (1–28) <input name="dayOfMonth" inputmode="numeric" pattern="[0-9]{1,2}" required /></label>
                  <label>Starting <input type="date" name="date" value="${today()}" required /></label>
                  ${lineRows(accounts, {})}
                  <button>Add</button>
                </form>
              </details>
            </section>`,
        ),
      );
    },
  );

  const typedBack = (body: Static<typeof JournalForm>) =>
    Object.fromEntries(Object.entries(body).filter(([name]) => name !== '_csrf')) as Typed;

  pages.post(
    '/journals',
    { config: { access: 'write' }, schema: { hide: true, body: JournalForm } },
    async (request, reply) =>
      formAction(
        reply,
        '/books/journals',
        async () => {
          const body = request.body as Typed;
          const currency = await ledger.currency();
          const journal = await ledger.journals.post({
            date: request.body.date,
            memo: request.body.memo,
            reference: body.reference || undefined,
            lines: linesOf(body, currency),
          });
          return `Booked "${journal.memo}" on ${journal.date}.`;
        },
        { typed: typedBack(request.body) },
      ),
  );

  pages.post(
    '/journals/recurring',
    { config: { access: 'write' }, schema: { hide: true, body: JournalForm } },
    async (request, reply) =>
      formAction(reply, '/books/journals', async () => {
        const body = request.body as Typed;
        const recurring = await ledger.journals.addRecurring(
          {
            memo: request.body.memo,
            dayOfMonth: Number(body.dayOfMonth),
            startsOn: request.body.date,
            lines: linesOf(body, await ledger.currency()),
          },
          actorOf(request.principal).actorLabel,
          today(),
        );
        return `"${recurring.memo}" posts on day ${recurring.dayOfMonth} of each month; next on ${recurring.nextOn ?? '—'}.`;
      }),
  );

  pages.post(
    '/journals/recurring/:id/stop',
    {
      config: { access: 'write' },
      schema: { hide: true, params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,16}$' }) }) },
    },
    async (request, reply) =>
      formAction(reply, '/books/journals', async () => {
        await ledger.journals.stopRecurring(Number(request.params.id));
        return 'Stopped; what it booked stays in the books.';
      }),
  );
}

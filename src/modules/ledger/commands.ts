// `shopkeep ledger …`: the books from a terminal: export them (hledger journal or CSV) and print the
// reports. Progress goes to stderr; --json prints data on stdout.
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { UsageError, options, print } from '../../platform/cli/args.ts';
import { progress } from '../../platform/cli/io.ts';
import { addDays, dayIn, isDate } from '../../platform/dates.ts';
import { formatMoney, toMinor } from '../../platform/money.ts';
import { AppError } from '../../platform/errors.ts';
import { documentCsv } from '../../platform/documents/csv.ts';
import { documentPdf } from '../../platform/documents/pdf.ts';
import { REPORT_NAMES, type ReportName } from './documents.ts';
import type { ModuleCommand, ModuleCommandContext } from '../../platform/kit/module.ts';
import type { LedgerParts } from './index.ts';
import type { JournalDocument } from './journals.ts';
import { EXPORTS, type ExportFormat } from './export.ts';

function day(name: string, value: string | undefined, fallback?: string): string {
  const chosen = value ?? fallback;
  if (chosen === undefined) throw new UsageError(`--${name} YYYY-MM-DD is required`);
  if (!isDate(chosen)) throw new UsageError(`--${name} "${chosen}" is not a date (YYYY-MM-DD)`);
  return chosen;
}

async function ledgerCommand(context: ModuleCommandContext<LedgerParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = options(rest, {
    json: { type: 'boolean' },
    format: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    at: { type: 'string' },
    output: { type: 'string', short: 'o' },
    date: { type: 'string' },
    memo: { type: 'string' },
    reference: { type: 'string' },
    document: { type: 'string' },
    account: { type: 'string' },
    debit: { type: 'string', multiple: true },
    credit: { type: 'string', multiple: true },
  });
  const today = dayIn(new Date(), context.config.timezone);
  switch (action) {
    case 'export': {
      const format = (values.format ?? 'hledger') as ExportFormat;
      if (!(format in EXPORTS)) throw new UsageError(`--format is ${Object.keys(EXPORTS).join(', ')}`);
      const from = day('from', values.from);
      const to = day('to', values.to, today);
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      return context.open(async ({ ledger }) => {
        const lines = ledger.exportBooks(format, from, to);
        const out = values.output ? createWriteStream(values.output) : process.stdout;
        let count = 0;
        for await (const line of lines) {
          if (!out.write(line)) await once(out, 'drain');
          count += 1;
          if (count % 100_000 === 0) progress(`${count.toLocaleString('en-GB')} lines written`);
        }
        if (values.output) {
          out.end();
          await once(out, 'finish');
          progress(`wrote ${values.output} (${count.toLocaleString('en-GB')} lines, ${from} to ${to})`);
        }
        return 0;
      });
    }
    case 'import-expenses': {
      const file = positionals[0];
      if (!file) throw new UsageError('ledger import-expenses takes the CSV file to import');
      let csv: string;
      try {
        csv = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      return context.open(async ({ ledger }) => {
        try {
          const result = await ledger.importExpenses(csv);
          print(
            Boolean(values.json),
            result,
            `Imported ${result.imported} expense(s) from ${file}${result.alreadyBooked ? `; ${result.alreadyBooked} were already in the books` : ''}.`,
          );
          return 0;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          console.error(error.message.replace(/; /g, '\n  '));
          return 1;
        }
      });
    }
    case 'fx-rate': {
      const [currency, rateDay, rate] = positionals;
      if (!currency || !rateDay || !rate)
        throw new UsageError(
          'ledger fx-rate takes CURRENCY DAY RATE, like: ledger fx-rate EUR 2026-11-20 0.8571',
        );
      return context.open(async ({ ledger }) => {
        try {
          const { posted } = await ledger.setFxRate(currency.toUpperCase(), rateDay, rate);
          print(
            Boolean(values.json),
            { currency: currency.toUpperCase(), day: rateDay, rate, posted },
            `1 ${currency.toUpperCase()} = ${rate} on ${rateDay}.${posted ? ` ${posted} waiting payout(s) booked.` : ''}`,
          );
          return 0;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          console.error(error.message);
          return 1;
        }
      });
    }
    case 'journal': {
      // --debit ACCOUNT=AMOUNT and --credit ACCOUNT=AMOUNT, amounts as people write them (1842.50).
      const sides = [
        ...(values.debit ?? []).map((line) => ['debit', line] as const),
        ...(values.credit ?? []).map((line) => ['credit', line] as const),
      ];
      const parsed = sides.map(([side, line]) => {
        const at = line.lastIndexOf('=');
        if (at < 1) throw new UsageError(`--${side} "${line}" is ACCOUNT=AMOUNT, like "Assets:Bank=120.00"`);
        return { side, account: line.slice(0, at).trim(), amount: line.slice(at + 1).trim() };
      });
      if (!values.memo) throw new UsageError('--memo "what it is for" is required');
      const date = day('date', values.date, today);
      let document: JournalDocument | undefined;
      if (values.document) {
        const name = values.document;
        const type = /\.pdf$/i.test(name)
          ? 'application/pdf'
          : /\.png$/i.test(name)
            ? 'image/png'
            : /\.jpe?g$/i.test(name)
              ? 'image/jpeg'
              : undefined;
        if (!type) throw new UsageError(`--document ${name}: a PDF, PNG or JPEG file`);
        try {
          document = { name: name.split('/').at(-1)!, contentType: type, content: readFileSync(name) };
        } catch (error) {
          throw new UsageError(
            `cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          );
        }
      }
      return context.open(async ({ ledger }) => {
        try {
          const currency = await ledger.currency();
          const lines = parsed.map(({ side, account, amount }) => {
            let minor: number;
            try {
              minor = toMinor(amount, currency);
            } catch {
              throw new UsageError(
                `--${side} ${account}=${amount}: "${amount}" is not an amount like 120.00`,
              );
            }
            return { account, [side]: minor };
          });
          const journal = await ledger.journals.post(
            { date, memo: values.memo!, lines, reference: values.reference },
            document,
          );
          print(
            Boolean(values.json),
            journal,
            [
              `Booked "${journal.memo}" on ${journal.date} (entry ${journal.entryId}):`,
              ...journal.lines.map(
                (line) =>
                  `  ${line.account.padEnd(40)} ${line.debit ? `${formatMoney(line.debit, currency)} debit` : `${formatMoney(line.credit, currency)} credit`}`,
              ),
            ].join('\n'),
          );
          return 0;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          console.error(error.message.replace(/; /g, '\n  '));
          return 1;
        }
      });
    }
    case 'import-statement': {
      const file = positionals[0];
      if (!file)
        throw new UsageError('ledger import-statement takes the statement file (CSV, OFX or CAMT.053)');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      return context.open(async ({ ledger }) => {
        try {
          const result = await ledger.bank.importStatement(text, {
            account: values.account,
            name: file.split('/').at(-1)!,
            by: 'shopkeep ledger import-statement',
          });
          print(
            Boolean(values.json),
            result,
            `${file}: ${result.lines} line(s) imported${result.alreadyImported ? ` (${result.alreadyImported} already in)` : ''}, ${result.matched} matched; ${result.open} to reconcile (Books → Bank).`,
          );
          return 0;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          console.error(error.message);
          return 1;
        }
      });
    }
    case 'akaunting-sync': {
      const to = day('to', values.to, addDays(today, -1));
      const from = day('from', values.from, addDays(to, -6));
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      return context.open(async ({ ledger }) => {
        let done = 0;
        const result = await ledger.syncAkaunting(from, to, (pushedDay) => {
          done += 1;
          if (done % 7 === 0) progress(`up to ${pushedDay}`);
        });
        print(
          Boolean(values.json),
          result,
          `Akaunting: ${result.pushed} transaction(s) pushed, ${result.upToDate} already there, ${result.days} day(s) from ${from} to ${to}.`,
        );
        return 0;
      });
    }
    case 'opening-stock':
      return context.open(async ({ ledger }) => {
        const opening = await ledger.stock.takeOpening().catch((error: unknown) => {
          if (error instanceof AppError) console.error(error.message);
          else throw error;
          return undefined;
        });
        if (!opening) return 1;
        print(
          Boolean(values.json),
          opening,
          [
            opening.units
              ? `Opening stock dated ${opening.date}: ${opening.units} unit(s) of ${opening.variants} variant(s), ${formatMoney(opening.value, opening.currency)} at Shopify's unit costs.`
              : 'The books already hold what Shopify counts; nothing to add.',
            ...(opening.withoutCost.length
              ? [
                  `No unit cost in Shopify for ${opening.withoutCost.join(', ')}: record their goods received with a cost.`,
                ]
              : []),
          ].join('\n'),
        );
        return 0;
      });
    case 'report': {
      const which = positionals[0];
      if (values.format !== undefined) {
        // The report as a file to print or send: PDF, or CSV for a spreadsheet.
        if (values.format !== 'pdf' && values.format !== 'csv')
          throw new UsageError('--format for a report is pdf or csv (or leave it out for text)');
        if (!REPORT_NAMES.includes(which as ReportName))
          throw new UsageError(`ledger report takes ${REPORT_NAMES.join(', ')} with --format`);
        if (values.format === 'pdf' && !values.output)
          throw new UsageError('--output FILE.pdf is required for a PDF');
        const to = day(values.at !== undefined ? 'at' : 'to', values.at ?? values.to, today);
        const from = day('from', values.from, `${to.slice(0, 8)}01`);
        if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
        const format = values.format;
        return context.open(async ({ ledger }) => {
          const document = await ledger.reportDocument(which as ReportName, from, to);
          const file = format === 'pdf' ? documentPdf(document) : documentCsv(document);
          if (!values.output) process.stdout.write(file);
          else {
            writeFileSync(values.output, file);
            progress(`wrote ${values.output} (${document.title}, ${document.subtitle})`);
          }
          return 0;
        });
      }
      return context.open(async ({ ledger }) => {
        const json = Boolean(values.json);
        const money = (minor: number, currency: string) => formatMoney(minor, currency);
        switch (which) {
          case 'pnl': {
            const report = await ledger.reports.profitAndLoss(
              day('from', values.from, `${today.slice(0, 8)}01`),
              day('to', values.to, today),
            );
            const lines = [...report.income, ...report.costs].map(
              (line) => `  ${line.name.padEnd(44)} ${money(line.amount, report.currency).padStart(14)}`,
            );
            print(
              json,
              report,
              [
                `Profit and loss, ${report.from} to ${report.to}`,
                ...lines,
                `  ${'Revenue'.padEnd(44)} ${money(report.revenue, report.currency).padStart(14)}`,
                `  ${'Expenses'.padEnd(44)} ${money(report.expenses, report.currency).padStart(14)}`,
                `  ${'Net'.padEnd(44)} ${money(report.net, report.currency).padStart(14)}`,
              ].join('\n'),
            );
            return 0;
          }
          case 'balance-sheet': {
            const sheet = await ledger.reports.balanceSheet(day('at', values.at, today));
            const rows = [...sheet.assets, ...sheet.liabilities, ...sheet.equity].map(
              (line) => `  ${line.name.padEnd(44)} ${money(line.amount, sheet.currency).padStart(14)}`,
            );
            print(
              json,
              sheet,
              [
                `Balance sheet at ${sheet.at}`,
                ...rows,
                ...(sheet.retainedEarnings
                  ? [
                      `  ${'Earnings of earlier years'.padEnd(44)} ${money(sheet.retainedEarnings, sheet.currency).padStart(14)}`,
                    ]
                  : []),
                `  ${'Earnings this year'.padEnd(44)} ${money(sheet.earnings, sheet.currency).padStart(14)}`,
                `  Assets ${money(sheet.totalAssets, sheet.currency)} = liabilities ${money(sheet.totalLiabilities, sheet.currency)} + equity ${money(sheet.totalEquity, sheet.currency)}`,
              ].join('\n'),
            );
            return 0;
          }
          case 'trial-balance': {
            const trial = await ledger.reports.trialBalance(
              values.from ? day('from', values.from) : null,
              day('to', values.to, today),
            );
            print(
              json,
              trial,
              [
                `Trial balance to ${trial.to}`,
                ...trial.lines.map(
                  (line) =>
                    `  ${line.account.padEnd(44)} ${money(line.debit, trial.currency).padStart(14)} ${money(line.credit, trial.currency).padStart(14)}`,
                ),
                `  ${'Total'.padEnd(44)} ${money(trial.totalDebits, trial.currency).padStart(14)} ${money(trial.totalCredits, trial.currency).padStart(14)}`,
              ].join('\n'),
            );
            return 0;
          }
          case 'cash-flow': {
            const flow = await ledger.reports.cashFlow(
              day('from', values.from, `${today.slice(0, 8)}01`),
              day('to', values.to, today),
            );
            const row = (name: string, amount: number) =>
              `  ${name.padEnd(44)} ${money(amount, flow.currency).padStart(14)}`;
            const section = (title: string, part: typeof flow.operating) => [
              title,
              ...part.lines.map((line) => row(`  ${line.name}`, line.amount)),
              row(`Total`, part.total),
            ];
            print(
              json,
              flow,
              [
                `Cash flow, ${flow.from} to ${flow.to}`,
                row('Cash at the start', flow.openingCash),
                ...section('Operating', flow.operating),
                ...section('Investing', flow.investing),
                ...section('Financing', flow.financing),
                row('Change in cash', flow.netChange),
                row('Cash at the end', flow.closingCash),
              ].join('\n'),
            );
            return 0;
          }
          case 'margins': {
            const report = await ledger.productMargins(
              day('from', values.from, `${today.slice(0, 8)}01`),
              day('to', values.to, today),
            );
            const cell = (minor: number) => money(minor, report.currency).padStart(12);
            print(
              json,
              report,
              [
                `Margin per product, ${report.from} to ${report.to}`,
                `  ${'Product'.padEnd(36)} ${'Units'.padStart(6)} ${'Sales'.padStart(12)} ${'Refunds'.padStart(12)} ${'Cost'.padStart(12)} ${'Fees'.padStart(12)} ${'Margin'.padStart(12)} ${'%'.padStart(6)}`,
                ...[...report.lines, { ...report.totals, name: 'Total' }].map(
                  (line) =>
                    `  ${line.name.slice(0, 36).padEnd(36)} ${String(line.units).padStart(6)} ${cell(line.sales)} ${cell(line.refunds)} ${cell(line.cost)} ${cell(line.fees)} ${cell(line.margin)} ${(line.marginPercent === null ? '' : line.marginPercent.toFixed(1)).padStart(6)}`,
                ),
              ].join('\n'),
            );
            return 0;
          }
          case 'projection': {
            const projection = await ledger.cashProjection();
            print(
              json,
              projection,
              [
                `Cash over the next ${projection.days} days from ${projection.from}`,
                `  ${'Week from'.padEnd(12)} ${'Money in'.padStart(14)} ${'Money out'.padStart(14)} ${'Cash after'.padStart(14)}`,
                ...projection.weeks.map(
                  (week) =>
                    `  ${week.starts.padEnd(12)} ${money(week.moneyIn, projection.currency).padStart(14)} ${money(week.moneyOut, projection.currency).padStart(14)} ${money(week.closing, projection.currency).padStart(14)}`,
                ),
                `  Lowest: ${money(projection.lowest.balance, projection.currency)} on ${projection.lowest.date}`,
              ].join('\n'),
            );
            return 0;
          }
          case 'sales-tax': {
            const tax = await ledger.reports.salesTax(
              day('from', values.from, `${today.slice(0, 8)}01`),
              day('to', values.to, today),
            );
            print(
              json,
              tax,
              [
                `Sales tax, ${tax.from} to ${tax.to}`,
                ...tax.lines.map(
                  (line) =>
                    `  ${line.jurisdiction.padEnd(30)} collected ${money(line.collected, tax.currency)}, refunded ${money(line.refunded, tax.currency)}, owed ${money(line.owed, tax.currency)}`,
                ),
              ].join('\n'),
            );
            return 0;
          }
          default:
            throw new UsageError(
              'ledger report takes pnl, balance-sheet, trial-balance, sales-tax, cash-flow, margins or projection',
            );
        }
      });
    }
    default:
      throw new UsageError(
        'ledger takes export, report, journal, import-statement, import-expenses, opening-stock, fx-rate or akaunting-sync (see shopkeep ledger --help)',
      );
  }
}

export const ledgerCommands: Record<string, ModuleCommand<LedgerParts>> = {
  ledger: {
    summary: 'The books: export them for hledger or a spreadsheet, print the reports, import expenses',
    usage:
      "shopkeep ledger export --format hledger|csv|xero|quickbooks --from YYYY-MM-DD [--to YYYY-MM-DD] [--output FILE]\n  shopkeep ledger report pnl|sales-tax [--from D] [--to D] [--json]\n  shopkeep ledger report balance-sheet [--at D] [--json]\n  shopkeep ledger report trial-balance|cash-flow|margins [--from D] [--to D] [--json]\n  shopkeep ledger report projection [--json]   (cash over the next 90 days)\n  shopkeep ledger report pnl|balance-sheet|cash-flow|trial-balance|sales-tax|margins|stock --format pdf|csv [--from D] [--to D] --output FILE\n  shopkeep ledger journal --memo TEXT [--date D] --debit ACCOUNT=AMOUNT --credit ACCOUNT=AMOUNT [...] [--reference REF] [--document FILE.pdf] [--json]\n  shopkeep ledger import-statement FILE.csv|.ofx|.xml [--account Assets:Bank] [--json]   (a bank statement, matched to the books)\n  shopkeep ledger import-expenses FILE.csv [--json]   (all rows or none)\n  shopkeep ledger opening-stock [--json]   (stock on the books up to Shopify's count, once)\n  shopkeep ledger akaunting-sync [--from D] [--to D] [--json]   (daily summaries to Akaunting; default the last 7 days)\n  shopkeep ledger fx-rate CURRENCY DAY RATE [--json]   (a rate from the bank statement, for payouts in another currency)",
    run: ledgerCommand,
  },
};

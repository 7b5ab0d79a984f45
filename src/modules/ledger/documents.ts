// The books' reports as documents (see platform/documents): what the PDF and CSV downloads print.
// Each is built from the same report the API returns, so the three always agree.
import { taxesOwed } from './taxes.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import type { Row, ReportDocument, Section } from '../../platform/documents/document.ts';
import type { VatBoxes, VatReturn } from './vat-return.ts';
import { AGE_BANDS, type AgedDebts } from './receivables.ts';
import type { MarginReport } from './margins.ts';
import type {
  AccountLine,
  BalanceSheet,
  CashFlowStatement,
  CashFlowSection,
  ProfitAndLoss,
} from './reports.ts';

export const REPORT_NAMES = [
  'pnl',
  'balance-sheet',
  'cash-flow',
  'trial-balance',
  'sales-tax',
  'margins',
  'stock',
  'management-pack',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

const money = (amount: number) => ({ money: amount });
const total = (label: string, ...cells: Row['cells']): Row => ({ cells: [label, ...cells], bold: true });
const NOTE = 'Amounts from the books kept by shopkeep, straight from Shopify.';

export function pnlDocument(pnl: ProfitAndLoss, shop: string): ReportDocument {
  const earlier = new Map(
    [...(pnl.comparison?.income ?? []), ...(pnl.comparison?.costs ?? [])].map((line) => [
      line.account,
      line.amount,
    ]),
  );
  const compared = Boolean(pnl.comparison);
  const columns = [
    { label: 'Account', width: 2.2 },
    { label: `${pnl.from} – ${pnl.to}`, width: 1.4 },
    ...(compared ? [{ label: `${pnl.comparison!.from} – ${pnl.comparison!.to}`, width: 1.4 }] : []),
  ];
  const rows = (lines: AccountLine[]) =>
    lines.map((line) => ({
      cells: [line.name, money(line.amount), ...(compared ? [money(earlier.get(line.account) ?? 0)] : [])],
    }));
  return {
    title: 'Profit and loss',
    subtitle: `${shop} · ${pnl.from} to ${pnl.to} · ${pnl.currency}`,
    currency: pnl.currency,
    sections: [
      {
        heading: 'Income',
        columns,
        rows: [
          ...rows(pnl.income),
          total('Revenue', money(pnl.revenue), ...(compared ? [money(pnl.comparison!.revenue)] : [])),
        ],
      },
      {
        heading: 'Expenses',
        columns,
        rows: [
          ...rows(pnl.costs),
          total('Expenses', money(pnl.expenses), ...(compared ? [money(pnl.comparison!.expenses)] : [])),
        ],
      },
      {
        columns: columns.map((column) => ({ ...column, label: '' })),
        rows: [total('Net profit', money(pnl.net), ...(compared ? [money(pnl.comparison!.net)] : []))],
      },
    ],
    note: NOTE,
  };
}

export function balanceSheetDocument(sheet: BalanceSheet, shop: string): ReportDocument {
  const columns = [{ label: 'Account' }, { label: 'Amount' }];
  const rows = (lines: AccountLine[]) => lines.map((line) => ({ cells: [line.name, money(line.amount)] }));
  return {
    title: 'Balance sheet',
    subtitle: `${shop} · at ${sheet.at} · ${sheet.currency}`,
    currency: sheet.currency,
    sections: [
      {
        heading: 'Assets',
        columns,
        rows: [...rows(sheet.assets), total('Total assets', money(sheet.totalAssets))],
      },
      {
        heading: 'Liabilities',
        columns,
        rows: [...rows(sheet.liabilities), total('Total liabilities', money(sheet.totalLiabilities))],
      },
      {
        heading: 'Equity',
        columns,
        rows: [
          ...rows(sheet.equity),
          ...(sheet.retainedEarnings
            ? [{ cells: ['Earnings of earlier years (closed)', money(sheet.retainedEarnings)] }]
            : []),
          { cells: ['Earnings this year', money(sheet.earnings)] },
          total('Total equity', money(sheet.totalEquity)),
          total('Liabilities and equity', money(sheet.totalLiabilities + sheet.totalEquity)),
        ],
      },
    ],
    note: NOTE,
  };
}

export function cashFlowDocument(flow: CashFlowStatement, shop: string): ReportDocument {
  const columns = [{ label: '' }, { label: 'Amount' }];
  const section = (heading: string, part: CashFlowSection) => ({
    heading,
    columns,
    rows: [
      ...part.lines.map((line) => ({ cells: [line.name, money(line.amount)] })),
      total('Total', money(part.total)),
    ],
  });
  return {
    title: 'Cash-flow statement',
    subtitle: `${shop} · ${flow.from} to ${flow.to} · ${flow.currency}`,
    currency: flow.currency,
    sections: [
      {
        columns: [{ label: '' }, { label: '' }],
        rows: [{ cells: ['Cash at the start', money(flow.openingCash)] }],
      },
      section('Operating: running the shop', flow.operating),
      section('Investing: equipment', flow.investing),
      section('Financing: the owner and loans', flow.financing),
      {
        columns,
        rows: [
          total('Change in cash', money(flow.netChange)),
          total('Cash at the end', money(flow.closingCash)),
        ],
      },
    ],
    note: 'Indirect method: the profit, adjusted by the change in every account that is not bank or cash.',
  };
}

export function trialBalanceDocument(
  trial: {
    from: string | null;
    to: string;
    currency: string;
    lines: { account: string; name: string; debit: number; credit: number }[];
    totalDebits: number;
    totalCredits: number;
  },
  shop: string,
): ReportDocument {
  return {
    title: 'Trial balance',
    subtitle: `${shop} · ${trial.from ? `${trial.from} to ${trial.to}` : `to ${trial.to}`} · ${trial.currency}`,
    currency: trial.currency,
    sections: [
      {
        columns: [
          { label: 'Account', width: 2 },
          { label: 'Name', width: 2 },
          { label: 'Debit' },
          { label: 'Credit' },
        ],
        rows: [
          ...trial.lines.map((line) => ({
            cells: [line.account, line.name, money(line.debit), money(line.credit)],
          })),
          total('Total', '', money(trial.totalDebits), money(trial.totalCredits)),
        ],
      },
    ],
    note: NOTE,
  };
}

export function salesTaxDocument(
  tax: {
    from: string;
    to: string;
    currency: string;
    lines: { jurisdiction: string; collected: number; refunded: number; owed: number }[];
    reclaimable: number;
  },
  shop: string,
): ReportDocument {
  const lines = taxesOwed(tax.lines);
  const sum = (key: 'collected' | 'refunded' | 'owed') => lines.reduce((all, line) => all + line[key], 0);
  return {
    title: 'Sales tax / VAT',
    subtitle: `${shop} · ${tax.from} to ${tax.to} · ${tax.currency}`,
    currency: tax.currency,
    sections: [
      {
        heading: 'On sales, by tax owed',
        columns: [
          { label: 'Tax', width: 2 },
          { label: 'Collected' },
          { label: 'Refunded' },
          { label: 'Owed' },
        ],
        rows: [
          ...lines.map((line) => ({
            cells: [line.jurisdiction, money(line.collected), money(line.refunded), money(line.owed)],
          })),
          total('Total', money(sum('collected')), money(sum('refunded')), money(sum('owed'))),
        ],
      },
      {
        heading: 'On purchases',
        columns: [{ label: '', width: 2 }, { label: 'Amount' }],
        rows: [
          { cells: ['VAT to reclaim on expenses', money(tax.reclaimable)] },
          total('Net owed', money(sum('owed') - tax.reclaimable)),
        ],
      },
    ],
    note: NOTE,
  };
}

export function marginsDocument(report: MarginReport, shop: string): ReportDocument {
  return {
    title: 'Margin per product',
    subtitle: `${shop} · ${report.from} to ${report.to} · ${report.currency}`,
    currency: report.currency,
    sections: [
      {
        columns: [
          { label: 'Product', width: 3.2 },
          { label: 'SKU', width: 1.3, align: 'left' },
          { label: 'Units', width: 0.6 },
          { label: 'Sales' },
          { label: 'Refunds' },
          { label: 'Cost' },
          { label: 'Fees', width: 0.8 },
          { label: 'Margin' },
          { label: '%', width: 0.7 },
        ],
        rows: [
          ...report.lines.map((line) => ({
            cells: [
              line.name,
              line.sku ?? '',
              line.units,
              money(line.sales),
              money(line.refunds),
              money(line.cost),
              money(line.fees),
              money(line.margin),
              { percent: line.marginPercent },
            ],
          })),
          total(
            'Total',
            '',
            report.totals.units,
            money(report.totals.sales),
            money(report.totals.refunds),
            money(report.totals.cost),
            money(report.totals.fees),
            money(report.totals.margin),
            { percent: report.totals.marginPercent },
          ),
        ],
      },
    ],
    note: 'Sales after discounts, without tax; cost as booked (returns back at cost); payment fees shared by sales.',
  };
}

export function stockDocument(
  stock: {
    at: string;
    currency: string;
    costing: string;
    total: number;
    lines: {
      name: string;
      sku: string | null;
      quantity: number;
      value: number;
      expiringWithin30Days: number;
    }[];
  },
  shop: string,
): ReportDocument {
  return {
    title: 'Stock at cost',
    subtitle: `${shop} · at ${stock.at} · ${stock.currency} · ${stock.costing === 'fifo' ? 'FIFO (first to expire first)' : 'weighted average'}`,
    currency: stock.currency,
    sections: [
      {
        columns: [
          { label: 'Product', width: 3 },
          { label: 'SKU', width: 1.3, align: 'left' },
          { label: 'Quantity' },
          { label: 'Value' },
          { label: 'Expiring in 30 days', width: 1.3 },
        ],
        rows: [
          ...stock.lines.map((line) => ({
            cells: [
              line.name,
              line.sku ?? '',
              line.quantity,
              money(line.value),
              line.expiringWithin30Days || null,
            ],
          })),
          total(
            'Total',
            '',
            stock.lines.reduce((sum, line) => sum + line.quantity, 0),
            money(stock.total),
            null,
          ),
        ],
      },
    ],
    note: NOTE,
  };
}

/** Links to a report as PDF and CSV, for the dashboard. */
export function downloadLinks(report: ReportName, from: string, to: string): Html {
  const link = (format: 'pdf' | 'csv') =>
    html`<a class="download" href="${`/api/v1/ledger/reports/${report}/download?${new URLSearchParams({ from, to, format })}`}"
      >${format.toUpperCase()}</a
    >`;
  return html`<span class="downloads">${link('pdf')} ${link('csv')}</span>`;
}

/** The VAT return's nine boxes as a section (the management pack). */
export function vatReturnSection(vat: VatReturn): Section {
  const boxes: [keyof VatBoxes, string][] = [
    ['box1', 'Box 1: VAT due on sales'],
    ['box2', 'Box 2: VAT due on EU acquisitions'],
    ['box3', 'Box 3: total VAT due'],
    ['box4', 'Box 4: VAT reclaimed'],
    ['box5', 'Box 5: net VAT'],
    ['box6', 'Box 6: sales before VAT'],
    ['box7', 'Box 7: purchases before VAT'],
    ['box8', 'Box 8: goods to the EU'],
    ['box9', 'Box 9: goods from the EU'],
  ];
  return {
    heading: `VAT return (UK)${vat.filed ? ', filed' : ''}`,
    columns: [
      { label: 'Box', width: 2.2 },
      { label: 'Amount', width: 1.2 },
    ],
    rows: [
      ...boxes.map(([box, label]) => ({ cells: [label, money(vat[box])] })),
      total(vat.toPay >= 0 ? 'To pay HMRC' : 'HMRC repays', money(Math.abs(vat.toPay))),
    ],
  };
}

/** What customers owe, aged, as a section (the management pack). */
export function agedDebtsSection(aged: AgedDebts): Section {
  return {
    heading: 'Owed to you',
    columns: [
      { label: 'Customer', width: 2 },
      ...AGE_BANDS.map((band) => ({ label: band, width: 1 })),
      { label: 'Total', width: 1 },
    ],
    rows: [
      ...aged.customers.map((customer) => ({
        cells: [customer.customer, ...customer.bands.map(money), money(customer.total)],
      })),
      total('Total', ...aged.bands.map(money), money(aged.total)),
    ],
  };
}

/**
 * The month's management pack as one document: profit and loss beside the period before, the
 * balance sheet at its end, the cash flow, the VAT return and what customers owe.
 */
export function managementPack(
  parts: {
    pnl: ProfitAndLoss;
    sheet: BalanceSheet;
    flow: CashFlowStatement;
    vat: VatReturn;
    aged: AgedDebts;
  },
  shop: string,
): ReportDocument {
  const titled = (document: ReportDocument): Section[] =>
    document.sections.map((section) => ({
      ...section,
      heading: section.heading ? `${document.title}: ${section.heading}` : document.title,
    }));
  return {
    title: 'Management pack',
    subtitle: `${shop} · ${parts.pnl.from} to ${parts.pnl.to} · ${parts.pnl.currency}`,
    currency: parts.pnl.currency,
    sections: [
      ...titled(pnlDocument(parts.pnl, shop)),
      ...titled(balanceSheetDocument(parts.sheet, shop)),
      ...titled(cashFlowDocument(parts.flow, shop)),
      vatReturnSection(parts.vat),
      agedDebtsSection(parts.aged),
    ],
    note: NOTE,
  };
}

// The chart of accounts for an online retailer. Codes are hledger account names (the export uses
// them as they are); names are what the owner reads, and can be changed. Clearing accounts are made
// per payment gateway the first time one appears.
import type { AccountType } from './schema.ts';

export const ACCOUNTS = {
  bank: 'Assets:Bank',
  vatReclaimable: 'Assets:VAT Reclaimable',
  inventory: 'Assets:Inventory',
  cogs: 'Expenses:Cost of Goods Sold',
  stockWrittenOff: 'Expenses:Stock Written Off',
  generalExpenses: 'Expenses:General',
  receivable: 'Assets:Shopify Receivable',
  reserve: 'Assets:Shopify Payments Reserve',
  sales: 'Income:Sales',
  shipping: 'Income:Shipping',
  refunds: 'Income:Refunds',
  orderAdjustments: 'Income:Order Adjustments',
  exchangeDifferences: 'Income:Exchange Differences',
  salesTax: 'Liabilities:Sales Tax Payable',
  giftCards: 'Liabilities:Gift Cards',
  duties: 'Liabilities:Duties Collected',
  suppliers: 'Liabilities:Suppliers',
  fees: 'Expenses:Payment Fees',
  chargebacks: 'Expenses:Chargebacks',
  shopifyAdjustments: 'Expenses:Shopify Adjustments',
  ownerCapital: 'Equity:Owner Capital',
  openingBalances: 'Equity:Opening Balances',
  retainedEarnings: 'Equity:Retained Earnings',
} as const;

const GATEWAY_NAMES: Record<string, string> = {
  shopify_payments: 'Shopify Payments',
  paypal: 'PayPal',
  manual: 'Manual Payments',
  cash: 'Cash',
};

export interface AccountDefinition {
  code: string;
  name: string;
  type: AccountType;
}

export const DEFAULT_CHART: AccountDefinition[] = [
  { code: ACCOUNTS.bank, name: 'Bank account', type: 'asset' },
  { code: ACCOUNTS.receivable, name: 'Owed by Shopify orders (not yet paid)', type: 'asset' },
  { code: ACCOUNTS.reserve, name: 'Held back by Shopify Payments', type: 'asset' },
  { code: clearingAccount('shopify_payments'), name: 'Shopify Payments (not yet paid out)', type: 'asset' },
  { code: clearingAccount('paypal'), name: 'PayPal (not yet withdrawn)', type: 'asset' },
  { code: ACCOUNTS.sales, name: 'Sales', type: 'income' },
  { code: ACCOUNTS.shipping, name: 'Shipping charged', type: 'income' },
  { code: ACCOUNTS.refunds, name: 'Refunds given', type: 'income' },
  { code: ACCOUNTS.orderAdjustments, name: 'Other order amounts (tips, rounding)', type: 'income' },
  { code: ACCOUNTS.exchangeDifferences, name: 'Exchange gains and losses', type: 'income' },
  { code: ACCOUNTS.salesTax, name: 'Sales tax / VAT owed', type: 'liability' },
  { code: ACCOUNTS.giftCards, name: 'Gift cards not yet spent', type: 'liability' },
  { code: ACCOUNTS.duties, name: 'Duties collected for customs', type: 'liability' },
  { code: ACCOUNTS.vatReclaimable, name: 'VAT to reclaim on purchases', type: 'asset' },
  { code: ACCOUNTS.inventory, name: 'Stock (at cost)', type: 'asset' },
  { code: ACCOUNTS.cogs, name: 'Cost of goods sold', type: 'expense' },
  { code: ACCOUNTS.stockWrittenOff, name: 'Stock written off (expired, damaged, missing)', type: 'expense' },
  { code: 'Liabilities:Credit Card', name: 'Credit card', type: 'liability' },
  { code: ACCOUNTS.suppliers, name: 'Owed to suppliers (bills not yet paid)', type: 'liability' },
  { code: ACCOUNTS.generalExpenses, name: 'General expenses', type: 'expense' },
  { code: 'Expenses:Postage', name: 'Postage and couriers', type: 'expense' },
  { code: 'Expenses:Packaging', name: 'Packaging', type: 'expense' },
  { code: 'Expenses:Advertising', name: 'Advertising', type: 'expense' },
  { code: 'Expenses:Software', name: 'Software and subscriptions', type: 'expense' },
  { code: ACCOUNTS.fees, name: 'Payment fees', type: 'expense' },
  { code: ACCOUNTS.chargebacks, name: 'Chargebacks and disputes', type: 'expense' },
  { code: ACCOUNTS.shopifyAdjustments, name: 'Shopify adjustments', type: 'expense' },
  { code: ACCOUNTS.ownerCapital, name: 'Owner capital', type: 'equity' },
  { code: ACCOUNTS.openingBalances, name: 'Opening balances', type: 'equity' },
  { code: ACCOUNTS.retainedEarnings, name: 'Earnings of earlier periods', type: 'equity' },
];

/** "shopify_payments" → "Assets:Clearing:Shopify Payments"; gift cards are a liability, not a gateway account. */
export function clearingAccount(gateway: string): string {
  const known = GATEWAY_NAMES[gateway];
  if (known) return `Assets:Clearing:${known}`;
  const words = gateway
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return `Assets:Clearing:${words.join(' ') || 'Other Gateway'}`;
}

/** Where money taken or given back through a gateway goes: gift cards move the gift-card liability. */
export function gatewayAccount(gateway: string): string {
  return gateway === 'gift_card' ? ACCOUNTS.giftCards : clearingAccount(gateway);
}

export function accountType(code: string): AccountType {
  const root = code.split(':')[0];
  switch (root) {
    case 'Assets':
      return 'asset';
    case 'Liabilities':
      return 'liability';
    case 'Equity':
      return 'equity';
    case 'Income':
      return 'income';
    case 'Expenses':
      return 'expense';
    default:
      throw new Error(`account ${code} must start with Assets, Liabilities, Equity, Income or Expenses`);
  }
}

export type CashFlowClass = 'cash' | 'operating' | 'investing' | 'financing';

/**
 * Where an account's movements go in the cash-flow statement: bank and cash accounts are the cash;
 * equipment is investing; loans and the owner's money are financing; everything else (stock, what
 * Shopify and PayPal hold, tax, suppliers, income and expenses) is operating.
 */
export function cashFlowClass(code: string): CashFlowClass {
  if (/^Assets:(Bank|Cash)(:|$)/.test(code)) return 'cash';
  if (/^Assets:(Equipment|Fixed Assets|Vehicles)(:|$)/.test(code)) return 'investing';
  if (/^Liabilities:Loans?(:|$)/.test(code)) return 'financing';
  if (code.startsWith('Equity:') && code !== ACCOUNTS.retainedEarnings) return 'financing';
  return 'operating';
}

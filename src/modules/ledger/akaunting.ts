// The Akaunting REST API client: HTTP Basic as the API user, the company in X-Company, answers in
// Laravel's shapes. The integration transport waits out 429s (Retry-After, up to a minute) and
// retries what may pass; this client says plainly what is wrong otherwise. The password never
// appears in an error or a log.
import type { AkauntingConfig } from './settings.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import type { Explanation, FailedAnswer } from '../../platform/integrations/transport.ts';
import { Transport } from '../../platform/integrations/transport.ts';

/** What the books react to: a refused login or refused data is told to the owner; the rest waits for the next run. */
export class AkauntingError extends IntegrationError {
  declare readonly kind: 'auth' | 'rejected' | 'unavailable';

  constructor(message: string, kind: 'auth' | 'rejected' | 'unavailable', status?: number) {
    super('akaunting', kind, message, { status });
    this.name = 'AkauntingError';
  }
}

export interface AkauntingTransaction {
  type: 'income' | 'expense';
  number: string;
  accountId: number;
  paidAt: string; // Y-m-d H:i:s
  amount: string; // decimal
  currency: string;
  categoryId: number;
  paymentMethod: string;
  description: string;
  reference: string;
}

interface Page<T> {
  data: T[];
  meta?: { current_page: number; last_page: number };
}

export class AkauntingClient {
  private readonly transport: Transport;

  constructor(
    private readonly config: AkauntingConfig,
    /** Injectable so tests of the waits do not sleep. */
    wait?: (ms: number) => Promise<unknown>,
  ) {
    this.transport = new Transport({
      integration: 'akaunting',
      label: 'Akaunting',
      baseUrl: config.baseUrl,
      headers: {
        authorization: `Basic ${Buffer.from(`${config.email}:${config.password}`).toString('base64')}`,
        'x-company': String(config.companyId),
      },
      secrets: [config.password],
      retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 },
      deadlineMs: 5 * 60_000,
      explain: (answer) => explain(answer, config),
      sleep: wait && (async (ms) => void (await wait(ms))),
    });
  }

  /** Signs in and reaches the company: what the connection test on Settings asks. */
  async ping(): Promise<void> {
    await this.request('GET', '/api/ping');
  }

  /**
   * The account and categories to book into: the configured ones, else the first enabled account in
   * the books' currency, the income category called "Sales" (or the first), and the first expense one.
   */
  async targets(
    currency: string,
  ): Promise<{ accountId: number; incomeCategoryId: number; expenseCategoryId: number }> {
    const pick = async (path: string, search: string, what: string, setting: string, named?: string) => {
      const page = await this.request<Page<{ id: number; name: string }>>(
        'GET',
        `${path}?${new URLSearchParams({ search, limit: '100' })}`,
      );
      const found = page.data.find((item) => item.name.toLowerCase() === named) ?? page.data[0];
      if (!found)
        throw new AkauntingError(`Akaunting has no ${what}: add one there, or set ${setting}`, 'rejected');
      return found.id;
    };
    return {
      accountId:
        this.config.accountId ??
        (await pick(
          '/api/accounts',
          `enabled:1 currency_code:${currency}`,
          `bank account in ${currency}`,
          'AKAUNTING_ACCOUNT_ID',
        )),
      incomeCategoryId:
        this.config.incomeCategoryId ??
        (await pick(
          '/api/categories',
          'type:income enabled:1',
          'income category',
          'AKAUNTING_INCOME_CATEGORY_ID',
          'sales',
        )),
      expenseCategoryId:
        this.config.expenseCategoryId ??
        (await pick(
          '/api/categories',
          'type:expense enabled:1',
          'expense category',
          'AKAUNTING_EXPENSE_CATEGORY_ID',
        )),
    };
  }

  /** The transaction with this reference, if Akaunting has one. */
  async findByReference(
    reference: string,
  ): Promise<{ id: number; type: string; amount: number } | undefined> {
    const page = await this.request<
      Page<{ id: number; type: string; amount: number; reference: string | null }>
    >('GET', `/api/transactions?${new URLSearchParams({ search: `reference:${reference}`, limit: '5' })}`);
    const found = page.data.find((transaction) => transaction.reference === reference);
    return found && { id: found.id, type: found.type, amount: found.amount };
  }

  async createTransaction(transaction: AkauntingTransaction): Promise<{ id: number }> {
    const created = await this.request<{ data: { id: number } }>('POST', '/api/transactions', {
      type: transaction.type,
      number: transaction.number,
      account_id: transaction.accountId,
      paid_at: transaction.paidAt,
      amount: transaction.amount,
      currency_code: transaction.currency,
      currency_rate: 1,
      category_id: transaction.categoryId,
      payment_method: transaction.paymentMethod,
      description: transaction.description,
      reference: transaction.reference,
    });
    return { id: created.data.id };
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    try {
      return await this.transport.json<T>({ method, path, json: body });
    } catch (error) {
      if (!(error instanceof IntegrationError) || error instanceof AkauntingError) throw error;
      // Still refused after waiting as asked: the next run catches up.
      throw new AkauntingError(
        error.kind === 'rate_limited' ? `Akaunting is busy (HTTP 429); trying again later` : error.message,
        error.kind === 'rate_limited' ? 'unavailable' : error.kind,
        error.status,
      );
    }
  }
}

/** Akaunting's failures in words the owner can act on. */
function explain(answer: FailedAnswer, config: AkauntingConfig): Explanation | undefined {
  const { status } = answer;
  const body = answer.body as { message?: string; errors?: Record<string, string[]> } | undefined;
  if (status === 401)
    return {
      message: `Akaunting refused the login of ${config.email}: check AKAUNTING_EMAIL and AKAUNTING_PASSWORD`,
    };
  if (status === 403)
    return {
      message: `Akaunting's user ${config.email} may not use the API: give its role the read-api permission (and create-banking-transactions)`,
    };
  if (status === 422 || status === 400) {
    const details = Object.values(body?.errors ?? {}).flat();
    return {
      message: `Akaunting refused the transaction: ${(details.length ? details : [body?.message ?? `HTTP ${status}`]).join(' ')}`,
    };
  }
  // Laravel's answer when the user exists but may not use this company.
  if (status === 500 && body?.message === 'Unauthenticated.')
    return {
      kind: 'auth',
      message: `Akaunting's user ${config.email} cannot use company ${config.companyId}: check AKAUNTING_COMPANY_ID`,
    };
  if (status >= 500) return { message: `Akaunting answered HTTP ${status}; trying again later` };
  return undefined;
}

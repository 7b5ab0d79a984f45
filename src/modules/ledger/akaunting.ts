// The Akaunting REST API client: HTTP Basic as the API user, the company in X-Company, answers in
// Laravel's shapes. It waits out 429s (Retry-After, up to a minute, three times) and says plainly
// what is wrong otherwise; the password never appears in an error or a log.
import type { AkauntingConfig } from './settings.ts';

export class AkauntingError extends Error {
  constructor(
    message: string,
    /** auth: the login or its permission; rejected: Akaunting refused the data; unavailable: try later. */
    readonly kind: 'auth' | 'rejected' | 'unavailable',
  ) {
    super(message);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AkauntingClient {
  private readonly authorization: string;

  constructor(
    private readonly config: AkauntingConfig,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {
    this.authorization = `Basic ${Buffer.from(`${config.email}:${config.password}`).toString('base64')}`;
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
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${this.config.baseUrl}${path}`, {
          method,
          headers: {
            authorization: this.authorization,
            accept: 'application/json',
            'x-company': String(this.config.companyId),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        const reason =
          (error as Error).name === 'TimeoutError' ? 'no answer in 30 s' : (error as Error).message;
        throw new AkauntingError(
          `cannot reach Akaunting at ${this.config.baseUrl}: ${reason}`,
          'unavailable',
        );
      }
      const answer = (await response.json().catch(() => undefined)) as
        { message?: string; errors?: Record<string, string[]> } | undefined;
      if (response.ok) return answer as T;
      if (response.status === 429 && attempt < 3) {
        const seconds = Math.min(Number(response.headers.get('retry-after') ?? 10) || 10, 60);
        await this.wait(seconds * 1000);
        continue;
      }
      throw failure(response.status, answer, this.config);
    }
  }
}

function failure(
  status: number,
  answer: { message?: string; errors?: Record<string, string[]> } | undefined,
  config: AkauntingConfig,
): AkauntingError {
  if (status === 401)
    return new AkauntingError(
      `Akaunting refused the login of ${config.email}: check AKAUNTING_EMAIL and AKAUNTING_PASSWORD`,
      'auth',
    );
  if (status === 403)
    return new AkauntingError(
      `Akaunting's user ${config.email} may not use the API: give its role the read-api permission (and create-banking-transactions)`,
      'auth',
    );
  if (status === 422 || status === 400) {
    const details = Object.values(answer?.errors ?? {}).flat();
    return new AkauntingError(
      `Akaunting refused the transaction: ${(details.length ? details : [answer?.message ?? `HTTP ${status}`]).join(' ')}`,
      'rejected',
    );
  }
  if (status === 500 && answer?.message === 'Unauthenticated.')
    return new AkauntingError(
      `Akaunting's user ${config.email} cannot use company ${config.companyId}: check AKAUNTING_COMPANY_ID`,
      'auth',
    );
  return new AkauntingError(`Akaunting answered HTTP ${status}; trying again later`, 'unavailable');
}

// A local Akaunting 3.x REST API, written from its source (routes/api.php, the Banking/Transaction
// request rules, the API exception handler): HTTP Basic with a user's email and password and the
// read-api permission, the company from ?company_id or X-Company (else the user's first), 60 requests
// a minute per user answered with 429 and Retry-After, Laravel's paginated lists with ?search and
// ?limit, and 422 validation errors {message, errors, status_code}. Transactions, accounts and
// categories live in memory.
import type { Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { FailureQueue, MinuteQuota, close, listen, type SimRequest, type SimResponse } from './http-sim.ts';

export interface AkauntingSimOptions {
  email: string;
  password: string;
  /** Without it the user may sign in but not use the API (403). */
  apiPermission?: boolean;
  requestsPerMinute?: number;
}

interface Transaction {
  id: number;
  company_id: number;
  type: string;
  number: string;
  account_id: number;
  paid_at: string;
  amount: number;
  currency_code: string;
  currency_rate: number;
  category_id: number;
  payment_method: string;
  description: string | null;
  reference: string | null;
  contact_id: number | null;
  created_at: string;
}

const COMPANY = 1;
const PAYMENT_METHODS = new Set(['offline-payments.cash.1', 'offline-payments.bank_transfer.2']);
const CURRENCIES = new Set(['GBP', 'EUR', 'USD']);
const ACCOUNTS = [
  {
    id: 3,
    company_id: COMPANY,
    type: 'bank',
    name: 'Euro account',
    number: '3',
    currency_code: 'EUR',
    enabled: true,
  },
  {
    id: 1,
    company_id: COMPANY,
    type: 'bank',
    name: 'Cash',
    number: '1',
    currency_code: 'GBP',
    enabled: true,
  },
  {
    id: 2,
    company_id: COMPANY,
    type: 'bank',
    name: 'Business current account',
    number: '2',
    currency_code: 'GBP',
    enabled: true,
  },
];
const CATEGORIES = [
  { id: 1, company_id: COMPANY, name: 'Transfer', type: 'other', color: '#3c3f72', enabled: true },
  { id: 2, company_id: COMPANY, name: 'Deposit', type: 'income', color: '#efad32', enabled: true },
  { id: 3, company_id: COMPANY, name: 'Sales', type: 'income', color: '#6da252', enabled: true },
  { id: 4, company_id: COMPANY, name: 'Other', type: 'expense', color: '#e5e5e5', enabled: true },
  { id: 5, company_id: COMPANY, name: 'General', type: 'item', color: '#328aef', enabled: true },
];

const error = (status: number, message: string, extra: Record<string, unknown> = {}): SimResponse => ({
  status,
  body: { message, ...extra, status_code: status },
});

export class AkauntingSimulator {
  readonly failures = new FailureQueue();
  readonly transactions: Transaction[] = [];
  /** Every request that reached the API, as method and path (what a test may count). */
  readonly requests: string[] = [];
  private readonly quota: MinuteQuota;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: AkauntingSimOptions,
  ) {
    this.quota = new MinuteQuota(options.requestsPerMinute ?? 60);
  }

  static async start(options: AkauntingSimOptions): Promise<AkauntingSimulator> {
    const holder: { simulator?: AkauntingSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new AkauntingSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private handle(request: SimRequest): SimResponse {
    if (!request.path.startsWith('/api/')) return error(404, 'Not Found');
    // auth → throttle → read-api → company, in the API middleware group's order.
    const signedIn = this.authenticate(request.headers.authorization);
    if (!signedIn) return { ...error(401, 'Invalid credentials.'), headers: { 'www-authenticate': 'Basic' } };
    const { limit } = this.quota;
    const injected = this.failures.take();
    const retryAfter = this.quota.take(injected === 'rate-limit');
    if (retryAfter !== undefined) {
      return {
        ...error(429, 'Too Many Attempts.'),
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': String(limit),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfter),
        },
      };
    }
    if (injected === 'server-error') return error(500, 'Server Error');
    const rateHeaders = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(this.quota.remaining),
    };
    if (this.options.apiPermission === false)
      return error(403, 'User does not have any of the necessary access rights.');
    const company = Number(request.query.get('company_id') ?? request.headers['x-company'] ?? COMPANY);
    if (company !== COMPANY) return error(500, 'Unauthenticated.');
    this.requests.push(`${request.method} ${request.path}`);
    const reply = this.route(request);
    return { ...reply, headers: { ...rateHeaders, ...reply.headers } };
  }

  private authenticate(header: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1]!, 'base64');
    const expected = Buffer.from(`${this.options.email}:${this.options.password}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private route(request: SimRequest): SimResponse {
    const { method, path } = request;
    if (method === 'GET' && path === '/api/ping')
      return { status: 200, body: { status: 'ok', timestamp: new Date().toISOString() } };
    if (method === 'GET' && path === '/api/accounts')
      return this.list(request, ACCOUNTS, ['type', 'name', 'enabled', 'currency_code']);
    if (method === 'GET' && path === '/api/categories')
      return this.list(request, CATEGORIES, ['type', 'name', 'enabled']);
    if (method === 'GET' && path === '/api/transactions')
      return this.list(
        request,
        [...this.transactions].sort((a, b) => b.paid_at.localeCompare(a.paid_at)),
        ['number', 'type', 'reference', 'account_id', 'category_id', 'currency_code'],
      );
    if (method === 'POST' && path === '/api/transactions') return this.create(request.body);
    const one = /^\/api\/transactions\/(\d+)$/.exec(path);
    if (method === 'GET' && one) {
      const found = this.transactions.find((transaction) => transaction.id === Number(one[1]));
      return found ? { status: 200, body: { data: found } } : error(404, 'No query results for model.');
    }
    return error(404, 'Not Found');
  }

  /** Laravel's paginated resource collection, filtered by search-string terms like "type:income". */
  private list<T extends object>(request: SimRequest, items: T[], searchable: string[]): SimResponse {
    const terms = (request.query.get('search') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((term) => /^([a-z_]+):(.*)$/.exec(term))
      .filter((match): match is RegExpExecArray => match !== null && searchable.includes(match[1]!));
    const matching = items.filter((item) =>
      terms.every(([, key, value]) => {
        const field = (item as Record<string, unknown>)[key!];
        const wanted = value!.split(',');
        return wanted.some(
          (one) => String(field) === one || (typeof field === 'boolean' && String(Number(field)) === one),
        );
      }),
    );
    const perPage = Math.min(Math.max(Number(request.query.get('limit') ?? 25) || 25, 1), 100);
    const page = Math.max(Number(request.query.get('page') ?? 1) || 1, 1);
    const lastPage = Math.max(Math.ceil(matching.length / perPage), 1);
    const data = matching.slice((page - 1) * perPage, page * perPage);
    const url = (to: number) => `${this.baseUrl}${request.path}?page=${to}`;
    return {
      status: 200,
      body: {
        data,
        links: {
          first: url(1),
          last: url(lastPage),
          prev: page > 1 ? url(page - 1) : null,
          next: page < lastPage ? url(page + 1) : null,
        },
        meta: {
          current_page: page,
          from: data.length ? (page - 1) * perPage + 1 : null,
          last_page: lastPage,
          path: `${this.baseUrl}${request.path}`,
          per_page: perPage,
          to: data.length ? (page - 1) * perPage + data.length : null,
          total: matching.length,
        },
      },
    };
  }

  private create(body: unknown): SimResponse {
    const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const fail = (field: string, message: string) => (errors[field] ??= []).push(message);
    const present = (field: string) =>
      input[field] !== undefined && input[field] !== null && input[field] !== '';
    for (const field of [
      'type',
      'number',
      'account_id',
      'paid_at',
      'amount',
      'currency_code',
      'currency_rate',
      'category_id',
      'payment_method',
    ])
      if (!present(field)) fail(field, `The ${field.replace(/_/g, ' ')} field is required.`);
    if (present('document_id')) return error(400, 'The document id field is prohibited.');
    if (present('number') && this.transactions.some((t) => t.number === String(input.number)))
      fail('number', 'The number has already been taken.');
    for (const field of ['account_id', 'category_id'])
      if (present(field) && !Number.isInteger(Number(input[field])))
        fail(field, `The ${field.replace(/_/g, ' ')} must be an integer.`);
    if (present('paid_at') && !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(String(input.paid_at)))
      fail('paid_at', 'The paid at does not match the format Y-m-d H:i:s.');
    if (present('amount') && !/^[0-9.,]+$/.test(String(input.amount)))
      fail('amount', 'The amount amount is invalid.');
    if (present('currency_code') && !CURRENCIES.has(String(input.currency_code)))
      fail('currency_code', 'The currency_code code is invalid.');
    if (present('currency_rate') && !(Number(input.currency_rate) > 0))
      fail('currency_rate', 'The currency rate must be greater than 0.');
    if (present('payment_method') && !PAYMENT_METHODS.has(String(input.payment_method)))
      fail('payment_method', 'The payment method is invalid.');
    const fields = Object.keys(errors);
    if (fields.length) {
      const first = errors[fields[0]!]![0]!;
      const others = fields.reduce((sum, field) => sum + errors[field]!.length, 0) - 1;
      return error(422, others ? `${first} (and ${others} more error${others === 1 ? '' : 's'})` : first, {
        errors,
      });
    }
    const transaction: Transaction = {
      id: this.transactions.length + 1,
      company_id: COMPANY,
      type: input.type === 'expense' ? 'expense' : 'income',
      number: String(input.number),
      account_id: Number(input.account_id),
      paid_at: String(input.paid_at),
      amount: Number(String(input.amount).replace(/,/g, '')),
      currency_code: String(input.currency_code),
      currency_rate: Number(input.currency_rate),
      category_id: Number(input.category_id),
      payment_method: String(input.payment_method),
      description: typeof input.description === 'string' ? input.description : null,
      reference: typeof input.reference === 'string' ? input.reference : null,
      contact_id:
        input.contact_id === undefined || input.contact_id === null ? null : Number(input.contact_id),
      created_at: new Date().toISOString(),
    };
    this.transactions.push(transaction);
    return {
      status: 201,
      body: { data: transaction },
      headers: { location: `${this.baseUrl}/api/transactions/${transaction.id}` },
    };
  }
}

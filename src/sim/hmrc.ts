// A local HMRC Making Tax Digital VAT API (v1.0), written from HMRC's developer documentation: OAuth
// 2.0 authorisation code grant (/oauth/authorize redirects back with a code, as the sandbox does once
// its test user has signed in; /oauth/token gives access tokens for four hours and refresh tokens),
// Accept: application/vnd.hmrc.1.0+json, the obligations and returns endpoints with HMRC's error
// codes (INVALID_VRN, DUPLICATE_SUBMISSION, NOT_FINALISED, INVALID_REQUEST with each field's error),
// and the fraud prevention headers of the WEB_APP_VIA_SERVER connection method checked as HMRC's Test
// Fraud Prevention Headers API checks them: a return without them is refused here, naming them.
import type { Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { close, listen, type SimRequest, type SimResponse } from './http-sim.ts';

export interface HmrcSimOptions {
  clientId: string;
  clientSecret: string;
  /** The VAT registration number the test user's business holds. */
  vrn: string;
  /** Open obligations, as HMRC sets them for the business: the quarters to file. */
  obligations: { periodKey: string; start: string; end: string; due: string }[];
}

export interface SubmittedReturn {
  vrn: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  formBundleNumber: string;
}

/** The headers WEB_APP_VIA_SERVER must send (Gov-Vendor-License-IDs only when there is a licence). */
export const WEB_APP_HEADERS = [
  'gov-client-connection-method',
  'gov-client-browser-js-user-agent',
  'gov-client-device-id',
  'gov-client-multi-factor',
  'gov-client-public-ip',
  'gov-client-public-ip-timestamp',
  'gov-client-public-port',
  'gov-client-screens',
  'gov-client-timezone',
  'gov-client-user-ids',
  'gov-client-window-size',
  'gov-vendor-forwarded',
  'gov-vendor-product-name',
  'gov-vendor-version',
];

const ACCEPT = 'application/vnd.hmrc.1.0+json';
const MONEY_FIELDS = [
  'vatDueSales',
  'vatDueAcquisitions',
  'totalVatDue',
  'vatReclaimedCurrPeriod',
  'netVatDue',
];
const WHOLE_FIELDS = [
  'totalValueSalesExVAT',
  'totalValuePurchasesExVAT',
  'totalValueGoodsSuppliedExVAT',
  'totalAcquisitionsExVAT',
];

const error = (status: number, code: string, message: string, errors?: unknown[]): SimResponse => ({
  status,
  body: { code, message, ...(errors ? { errors } : {}) },
});

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export class HmrcSimulator {
  readonly returns: SubmittedReturn[] = [];
  private readonly codes = new Map<string, string>(); // code → redirect_uri
  private readonly accessTokens = new Map<string, number>(); // token → expires at (ms)
  private readonly refreshTokens = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: HmrcSimOptions,
  ) {}

  static async start(options: HmrcSimOptions): Promise<HmrcSimulator> {
    const holder: { simulator?: HmrcSimulator } = {};
    const { server, baseUrl } = await listen((request) => holder.simulator!.handle(request));
    holder.simulator = new HmrcSimulator(server, baseUrl, options);
    return holder.simulator;
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  /** Every access token stops working now (as four hours later): the client must refresh. */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
  }

  private handle(request: SimRequest): SimResponse {
    if (request.method === 'GET' && request.path === '/oauth/authorize') return this.authorize(request);
    if (request.method === 'POST' && request.path === '/oauth/token') return this.token(request);
    const vat = /^\/organisations\/vat\/([^/]+)\/(obligations|returns)$/.exec(request.path);
    if (!vat)
      return error(
        404,
        'MATCHING_RESOURCE_NOT_FOUND',
        'A resource with the name in the request can not be found in the API',
      );
    if (request.headers.accept !== ACCEPT)
      return error(406, 'ACCEPT_HEADER_INVALID', 'The accept header is missing or invalid');
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const expires = bearer ? this.accessTokens.get(bearer) : undefined;
    if (expires === undefined)
      return error(401, 'INVALID_CREDENTIALS', 'Invalid Authentication information provided');
    if (expires < Date.now())
      return error(401, 'INVALID_CREDENTIALS', 'Invalid Authentication information provided');
    const vrn = vat[1]!;
    if (!/^\d{9}$/.test(vrn)) return error(400, 'VRN_INVALID', 'The provided VRN is invalid');
    if (vrn !== this.options.vrn)
      return error(403, 'CLIENT_OR_AGENT_NOT_AUTHORISED', 'The client and/or agent is not authorised');
    if (vat[2] === 'obligations' && request.method === 'GET') return this.obligations(request);
    if (vat[2] === 'returns' && request.method === 'POST') return this.submit(request, vrn);
    return error(405, 'METHOD_NOT_ALLOWED', 'This method is not supported');
  }

  /** The sandbox signs its test user in and redirects back with a code (and the state, unchanged). */
  private authorize(request: SimRequest): SimResponse {
    const q = request.query;
    if (q.get('response_type') !== 'code' || q.get('client_id') !== this.options.clientId)
      return error(400, 'invalid_request', 'response_type must be code, with the application’s client_id');
    const scopes = (q.get('scope') ?? '').split(' ');
    const redirect = q.get('redirect_uri');
    if (!redirect) return error(400, 'invalid_request', 'redirect_uri is required');
    const target = new URL(redirect);
    if (!scopes.includes('read:vat') || !scopes.includes('write:vat')) {
      target.searchParams.set('error', 'invalid_scope');
    } else {
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, redirect);
      target.searchParams.set('code', code);
    }
    if (q.get('state')) target.searchParams.set('state', q.get('state')!);
    return { status: 303, headers: { location: target.toString() }, raw: '' };
  }

  private token(request: SimRequest): SimResponse {
    const form = new URLSearchParams(request.rawBody);
    const id = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    if (!same(id, this.options.clientId) || !same(secret, this.options.clientSecret))
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'invalid client id or secret' },
      };
    if (form.get('grant_type') === 'authorization_code') {
      const code = form.get('code') ?? '';
      const redirect = this.codes.get(code);
      this.codes.delete(code);
      if (!redirect || redirect !== form.get('redirect_uri'))
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'code is invalid or expired' },
        };
    } else if (form.get('grant_type') === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      if (!this.refreshTokens.delete(refresh))
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'refresh_token is invalid' },
        };
    } else return { status: 400, body: { error: 'unsupported_grant_type' } };
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    this.accessTokens.set(access, Date.now() + 4 * 3600_000);
    this.refreshTokens.add(refresh);
    return {
      status: 200,
      body: {
        access_token: access,
        refresh_token: refresh,
        expires_in: 14_400,
        scope: 'read:vat write:vat',
        token_type: 'bearer',
      },
    };
  }

  private obligations(request: SimRequest): SimResponse {
    const from = request.query.get('from');
    const to = request.query.get('to');
    const status = request.query.get('status');
    if (!status && (!from || !to)) return error(400, 'INVALID_DATE_RANGE', 'Invalid date range');
    const fulfilled = new Set(this.returns.map((each) => each.body.periodKey));
    const obligations = this.options.obligations
      .filter((each) => (!from || each.end >= from) && (!to || each.start <= to))
      .map((each) => ({ ...each, status: fulfilled.has(each.periodKey) ? 'F' : 'O' }))
      .filter((each) => !status || each.status === status);
    if (!obligations.length) return error(404, 'NOT_FOUND', 'The requested resource could not be found');
    return { status: 200, body: { obligations } };
  }

  private submit(request: SimRequest, vrn: string): SimResponse {
    const missing = WEB_APP_HEADERS.filter((name) => !request.headers[name]);
    if (missing.length || request.headers['gov-client-connection-method'] !== 'WEB_APP_VIA_SERVER')
      return error(
        400,
        'INVALID_HEADER',
        `fraud prevention headers missing or invalid: ${missing.join(', ') || 'gov-client-connection-method'}`,
      );
    const body = (request.body ?? {}) as Record<string, unknown>;
    const errors: { code: string; message: string; path: string }[] = [];
    const decimal = (value: unknown) => typeof value === 'number' && Math.round(value * 100) === value * 100;
    for (const field of MONEY_FIELDS)
      if (!decimal(body[field]))
        errors.push({
          code: 'INVALID_MONETARY_AMOUNT',
          message: 'amount should be a monetary value (to 2 decimal places)',
          path: `/${field}`,
        });
    for (const field of WHOLE_FIELDS)
      if (!Number.isInteger(body[field]))
        errors.push({
          code: 'INVALID_MONETARY_AMOUNT',
          message: 'amount should be a whole number',
          path: `/${field}`,
        });
    if (typeof body.periodKey !== 'string')
      errors.push({ code: 'PERIOD_KEY_INVALID', message: 'period key is invalid', path: '/periodKey' });
    if (errors.length) return error(400, 'INVALID_REQUEST', 'Invalid request', errors);
    const n = (field: string) => Math.round((body[field] as number) * 100);
    if (n('totalVatDue') !== n('vatDueSales') + n('vatDueAcquisitions'))
      return error(400, 'INVALID_REQUEST', 'Invalid request', [
        {
          code: 'VAT_TOTAL_VALUE',
          message: 'totalVatDue should be equal to vatDueSales + vatDueAcquisitions',
          path: '/totalVatDue',
        },
      ]);
    if (n('netVatDue') !== Math.abs(n('totalVatDue') - n('vatReclaimedCurrPeriod')))
      return error(400, 'INVALID_REQUEST', 'Invalid request', [
        {
          code: 'VAT_NET_VALUE',
          message:
            'netVatDue should be the difference between the largest and the smallest values among totalVatDue and vatReclaimedCurrPeriod',
          path: '/netVatDue',
        },
      ]);
    if (body.finalised !== true)
      return error(403, 'NOT_FINALISED', 'User has not declared VAT return as final');
    if (!this.options.obligations.some((each) => each.periodKey === body.periodKey))
      return error(
        403,
        'PERIOD_KEY_INVALID',
        'The remote endpoint has indicated that the period key is invalid',
      );
    if (this.returns.some((each) => each.body.periodKey === body.periodKey))
      return error(403, 'DUPLICATE_SUBMISSION', 'The VAT return was already submitted for the given period');
    const formBundleNumber = String(100_000_000_000 + this.returns.length + 1);
    this.returns.push({
      vrn,
      body,
      headers: Object.fromEntries(WEB_APP_HEADERS.map((name) => [name, String(request.headers[name])])),
      formBundleNumber,
    });
    return {
      status: 201,
      body: {
        processingDate: new Date().toISOString(),
        paymentIndicator: 'BANK',
        formBundleNumber,
        chargeRefNumber:
          n('totalVatDue') > n('vatReclaimedCurrPeriod') ? `XM00${formBundleNumber.slice(-8)}` : undefined,
      },
    };
  }
}

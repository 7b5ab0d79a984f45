// Making Tax Digital for VAT: the owner connects shopkeep to HMRC once (OAuth 2.0: HMRC asks them to
// sign in and grant read:vat and write:vat, and sends them back with a code), and a quarter's return
// is sent from the VAT page with the fraud prevention headers HMRC requires of a web app served by a
// server (WEB_APP_VIA_SERVER: the browser's screens, window, time zone and a device id, the owner's
// address and port as the server saw them, and shopkeep's own version). Tokens are sealed in the
// vault; the access token is refreshed when it has expired. The base URL is configurable (HMRC's
// sandbox, or the simulator).
import { randomBytes } from 'node:crypto';
import { Transport } from '../../platform/integrations/transport.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import { conflict, invalid, unprocessable } from '../../platform/errors.ts';
import type { Secrets } from '../../platform/vault/face.ts';
import type { VatBoxes } from './vat-return.ts';

export interface HmrcConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The business's VAT registration number: nine digits. */
  vrn: string;
}

/** What the owner's browser and the request that carried it say, for the fraud prevention headers. */
export interface ClientFacts {
  jsUserAgent: string;
  deviceId: string;
  screens: string; // "width=1920&height=1080&scaling-factor=1&colour-depth=24"
  windowSize: string; // "width=390&height=844"
  timezone: string; // "UTC+00:00"
  publicIp: string;
  publicPort: number;
  userId: string;
  /** The address shopkeep saw the request come from, and whether it passed a proxy (nginx). */
  forwardedFor: string | null;
  serverIp: string;
}

export interface Obligation {
  periodKey: string;
  start: string;
  end: string;
  due: string;
  status: 'O' | 'F';
}

interface Tokens {
  access: string;
  refresh: string;
  expiresAt: number;
}

const TOKENS = 'ledger.hmrc.tokens';
const STATE = 'ledger.hmrc.state';
const ACCEPT = 'application/vnd.hmrc.1.0+json';

const pounds = (minor: number) => Math.round(minor) / 100;

/** The fraud prevention headers for WEB_APP_VIA_SERVER, each value percent-encoded as HMRC specifies. */
export function fraudHeaders(facts: ClientFacts, version: string, now: Date): Record<string, string> {
  const enc = encodeURIComponent;
  return {
    'Gov-Client-Connection-Method': 'WEB_APP_VIA_SERVER',
    'Gov-Client-Browser-JS-User-Agent': enc(facts.jsUserAgent),
    'Gov-Client-Device-ID': enc(facts.deviceId),
    'Gov-Client-Multi-Factor': `type=TOTP&timestamp=${enc(now.toISOString().slice(0, 23) + 'Z')}&unique-reference=${enc(facts.userId)}`,
    'Gov-Client-Public-IP': facts.publicIp,
    'Gov-Client-Public-IP-Timestamp': now.toISOString().slice(0, 23) + 'Z',
    'Gov-Client-Public-Port': String(facts.publicPort),
    'Gov-Client-Screens': facts.screens,
    'Gov-Client-Timezone': facts.timezone,
    'Gov-Client-User-IDs': `shopkeep=${enc(facts.userId)}`,
    'Gov-Client-Window-Size': facts.windowSize,
    'Gov-Vendor-Forwarded': `by=${enc(facts.serverIp)}&for=${enc(facts.forwardedFor ?? facts.publicIp)}`,
    'Gov-Vendor-Product-Name': 'shopkeep',
    'Gov-Vendor-Version': `shopkeep=${enc(version)}`,
  };
}

export class HmrcConnection {
  private readonly transport: Transport;

  constructor(
    private readonly config: HmrcConfig,
    private readonly vault: Secrets,
    private readonly version: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.transport = new Transport({
      integration: 'hmrc',
      label: 'HMRC',
      baseUrl: config.baseUrl,
      secrets: [config.clientSecret],
      retry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
      explain: (answer) => {
        const body = answer.body as
          { code?: string; message?: string; errors?: { code: string; path: string }[] } | undefined;
        if (!body?.code) return undefined;
        const detail = body.errors?.map((each) => `${each.code} at ${each.path}`).join(', ');
        return { message: `HMRC said ${body.code}: ${body.message ?? ''}${detail ? ` (${detail})` : ''}` };
      },
    });
  }

  /** Where to send the owner to grant access; the state is kept to check the way back. */
  async authorizeUrl(redirectUri: string): Promise<string> {
    const state = randomBytes(16).toString('hex');
    await this.vault.set(STATE, state);
    const url = new URL('/oauth/authorize', this.config.baseUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.clientId,
      scope: 'read:vat write:vat',
      redirect_uri: redirectUri,
      state,
    }).toString();
    return url.toString();
  }

  /** The way back from HMRC: the code becomes tokens, sealed in the vault. */
  async finish(code: string, state: string, redirectUri: string): Promise<void> {
    const expected = await this.vault.get(STATE);
    if (!expected || expected !== state)
      throw invalid('this HMRC answer is not the one shopkeep asked for (start again from Books → VAT)');
    await this.vault.remove(STATE);
    await this.grant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  async connected(): Promise<boolean> {
    return Boolean(await this.vault.get(TOKENS));
  }

  private async grant(fields: Record<string, string>): Promise<Tokens> {
    const answer = await this.transport.json<{
      access_token: string;
      refresh_token: string;
      expires_in: number;
    }>({
      method: 'POST',
      path: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...fields,
        client_id: this.config.clientId,
        client_secret: this.config.clientSecret,
      }).toString(),
    });
    const tokens = {
      access: answer.access_token,
      refresh: answer.refresh_token,
      expiresAt: this.clock().getTime() + answer.expires_in * 1000,
    };
    await this.vault.set(TOKENS, JSON.stringify(tokens));
    return tokens;
  }

  /** A current access token: refreshed a minute before it expires, or when HMRC says it has. */
  private async access(force = false): Promise<string> {
    const stored = await this.vault.get(TOKENS);
    if (!stored) throw unprocessable('shopkeep is not connected to HMRC yet: Books → VAT → Connect to HMRC');
    const tokens = JSON.parse(stored) as Tokens;
    if (!force && tokens.expiresAt - 60_000 > this.clock().getTime()) return tokens.access;
    return (await this.grant({ grant_type: 'refresh_token', refresh_token: tokens.refresh })).access;
  }

  private async call<T>(request: {
    method: 'GET' | 'POST';
    path: string;
    query?: Record<string, string>;
    json?: unknown;
    headers?: Record<string, string>;
  }): Promise<T> {
    const send = async (token: string) =>
      this.transport.json<T>({
        ...request,
        headers: { ...request.headers, accept: ACCEPT, authorization: `Bearer ${token}` },
        idempotent: request.method === 'GET',
      });
    try {
      return await send(await this.access());
    } catch (error) {
      // An access token HMRC no longer takes (revoked, or the clocks disagree): refresh once.
      if (error instanceof IntegrationError && error.status === 401) return send(await this.access(true));
      throw error;
    }
  }

  /** The period HMRC expects a return for, covering exactly these days. */
  async obligation(from: string, to: string): Promise<Obligation> {
    let obligations: Obligation[];
    try {
      ({ obligations } = await this.call<{ obligations: Obligation[] }>({
        method: 'GET',
        path: `/organisations/vat/${this.config.vrn}/obligations`,
        query: { from, to },
      }));
    } catch (error) {
      // HMRC answers 404 when it has no obligation in the range.
      if (!(error instanceof IntegrationError && error.status === 404)) throw error;
      obligations = [];
    }
    const found = obligations.find((each) => each.start === from && each.end === to);
    if (!found)
      throw unprocessable(
        `HMRC expects no return for ${from} to ${to}; its periods are ${obligations.map((each) => `${each.start} to ${each.end}`).join(', ') || 'none'}`,
      );
    if (found.status === 'F') throw conflict(`HMRC already has the return for ${from} to ${to}`);
    return found;
  }

  /** Sends the nine boxes; HMRC's receipt (form bundle number) comes back. */
  async submit(
    periodKey: string,
    boxes: VatBoxes,
    facts: ClientFacts,
  ): Promise<{ formBundleNumber: string; processingDate: string }> {
    return this.call({
      method: 'POST',
      path: `/organisations/vat/${this.config.vrn}/returns`,
      headers: fraudHeaders(facts, this.version, this.clock()),
      json: {
        periodKey,
        vatDueSales: pounds(boxes.box1),
        vatDueAcquisitions: pounds(boxes.box2),
        totalVatDue: pounds(boxes.box3),
        vatReclaimedCurrPeriod: pounds(boxes.box4),
        netVatDue: pounds(boxes.box5),
        totalValueSalesExVAT: Math.trunc(boxes.box6 / 100),
        totalValuePurchasesExVAT: Math.trunc(boxes.box7 / 100),
        totalValueGoodsSuppliedExVAT: Math.trunc(boxes.box8 / 100),
        totalAcquisitionsExVAT: Math.trunc(boxes.box9 / 100),
        finalised: true,
      },
    });
  }
}

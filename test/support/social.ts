// The social platforms for tests: the Meta, TikTok and LinkedIn simulators, a shop CDN serving real
// product photos, and a shopkeep runtime pointed at them and listening on a port (the simulators
// fetch the prepared images from it, as the platforms would).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetaSimulator } from '../../src/sim/meta.ts';
import { TikTokSimulator } from '../../src/sim/tiktok.ts';
import { LinkedInSimulator } from '../../src/sim/linkedin.ts';
import { StaticCatalog, type CatalogProduct } from '../../src/modules/shop/index.ts';
import type { SocialParts } from '../../src/modules/social/index.ts';
import socialModule from '../../src/modules/social/index.ts';
import { freePort } from './cli.ts';
import { startTestServer, type TestServer } from './server.ts';
import { rememberShop, testShopEnv } from './shop.ts';

export interface SocialWorld {
  server: TestServer;
  social: SocialParts['social'];
  meta: MetaSimulator;
  tiktok: TikTokSimulator;
  linkedin: LinkedInSimulator;
  cdn: { baseUrl: string; requests: number; stop(): Promise<void> };
  products: CatalogProduct[];
  /** Every publish the simulators saw, by platform. */
  published(): { instagram: number; facebook: number; tiktok: number; linkedin: number };
  close(): Promise<void>;
}

export const TOKENS = {
  instagram: 'ig-token-0123456789abcdef',
  page: 'page-token-0123456789abcdef',
  tiktok: 'act.tiktok-0123456789abcdef',
  tiktokRefresh: 'rft.tiktok-0123456789abcdef',
  linkedin: 'li-token-0123456789abcdef',
};

/** A web server with product photos, made with the same image library the module uses. */
export async function startCdn(): Promise<SocialWorld['cdn']> {
  const { default: sharp } = await import('sharp');
  const photo = await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#c9a27e' } })
    .composite([
      {
        input: Buffer.from(
          '<svg width="600" height="600"><circle cx="300" cy="300" r="250" fill="#5b3a29"/></svg>',
        ),
        top: 300,
        left: 300,
      },
    ])
    .jpeg()
    .toBuffer();
  const cdn = { baseUrl: '', requests: 0, stop: async () => {} };
  const server: Server = createServer((request, response) => {
    cdn.requests += 1;
    if (request.url?.startsWith('/img/')) {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.length });
      response.end(photo);
    } else if (request.url?.startsWith('/text/')) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('not an image');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cdn.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cdn.stop = () => new Promise((resolve) => server.close(() => resolve()));
  return cdn;
}

export function socialProducts(cdn: string): CatalogProduct[] {
  const base = { currency: 'GBP', available: true, createdAt: '2025-01-01T00:00:00Z', tags: [] as string[] };
  return [
    {
      ...base,
      id: '9100000000001',
      title: 'Argan Repair Oil',
      priceMinor: 1899,
      stock: 40,
      handle: 'argan-repair-oil',
      imageUrl: `${cdn}/img/argan.jpg`,
    },
    {
      ...base,
      id: '9100000000002',
      title: 'Silk Protein Shampoo',
      priceMinor: 1299,
      stock: 120,
      handle: 'silk-protein-shampoo',
      imageUrl: `${cdn}/img/silk.jpg`,
    },
    {
      ...base,
      id: '9100000000003',
      title: 'Curl Defining Cream',
      priceMinor: 1450,
      stock: 25,
      handle: 'curl-defining-cream',
      imageUrl: `${cdn}/img/curl.jpg`,
    },
    {
      ...base,
      id: '9100000000004',
      title: 'Salon Colour Kit 1L',
      priceMinor: 4999,
      stock: 30,
      handle: 'salon-colour-kit',
      tags: ['salon', 'wholesale'],
      imageUrl: `${cdn}/img/kit.jpg`,
    },
    {
      ...base,
      id: '9100000000005',
      title: 'Heat Shield Spray',
      priceMinor: 999,
      stock: 2,
      handle: 'heat-shield-spray',
      imageUrl: `${cdn}/img/heat.jpg`,
    },
  ];
}

/** The simulators' environment for a shopkeep process (or a test runtime). */
export function socialEnv(
  meta: MetaSimulator,
  tiktok: TikTokSimulator,
  linkedin: LinkedInSimulator,
): Record<string, string> {
  return {
    META_GRAPH_API_BASE_URL: meta.baseUrl,
    INSTAGRAM_ACCOUNT_ID: '17841400000000001',
    INSTAGRAM_ACCESS_TOKEN: TOKENS.instagram,
    FACEBOOK_PAGE_ID: '100000000000001',
    FACEBOOK_PAGE_ACCESS_TOKEN: TOKENS.page,
    TIKTOK_API_BASE_URL: tiktok.baseUrl,
    TIKTOK_ACCESS_TOKEN: TOKENS.tiktok,
    TIKTOK_REFRESH_TOKEN: TOKENS.tiktokRefresh,
    TIKTOK_CLIENT_KEY: 'tiktok-client-key',
    TIKTOK_CLIENT_SECRET: 'tiktok-client-secret-0123456789',
    TIKTOK_PRIVACY_LEVEL: 'SELF_ONLY',
    LINKEDIN_API_BASE_URL: linkedin.baseUrl,
    LINKEDIN_ORGANIZATION_ID: '2414183',
    LINKEDIN_ACCESS_TOKEN: TOKENS.linkedin,
    // The tests' product photos are served on this machine.
    SHOPKEEP_MEDIA_PRIVATE_SOURCES: 'allow',
  };
}

export async function startSimulators(options: { processingPolls?: number; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const meta = await MetaSimulator.start({
    instagramAccountId: '17841400000000001',
    instagramToken: TOKENS.instagram,
    facebookPageId: '100000000000001',
    pageToken: TOKENS.page,
    processingPolls: options.processingPolls ?? 1,
    now,
  });
  const tiktok = await TikTokSimulator.start({
    accessToken: TOKENS.tiktok,
    refreshToken: TOKENS.tiktokRefresh,
    clientKey: 'tiktok-client-key',
    clientSecret: 'tiktok-client-secret-0123456789',
    processingPolls: options.processingPolls ?? 1,
  });
  const linkedin = await LinkedInSimulator.start({ accessToken: TOKENS.linkedin, organizationId: '2414183' });
  return { meta, tiktok, linkedin };
}

export async function startSocialWorld(
  options: {
    clock?: () => Date;
    env?: Record<string, string>;
    platformClock?: () => number;
    /** Run the job workers too (the queue publishes by itself). */
    work?: boolean;
  } = {},
): Promise<SocialWorld> {
  const cdn = await startCdn();
  const { meta, tiktok, linkedin } = await startSimulators(
    options.platformClock ? { now: options.platformClock } : {},
  );
  const products = socialProducts(cdn.baseUrl);
  const port = await freePort();
  const server = await startTestServer({
    catalog: new StaticCatalog(products),
    env: {
      ...testShopEnv,
      SHOPKEEP_AI_PROVIDER: 'offline',
      SHOPKEEP_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...socialEnv(meta, tiktok, linkedin),
      ...options.env,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.work ? { work: true } : {}),
  });
  await rememberShop(server.db.pool);
  await server.app.listen({ port, host: '127.0.0.1' });
  const { social } = server.modules.get(socialModule);
  return {
    server,
    social,
    meta,
    tiktok,
    linkedin,
    cdn,
    products,
    published: () => {
      const metaPosts = meta.published();
      return {
        instagram: metaPosts.filter((p) => p.platform === 'instagram').length,
        facebook: metaPosts.filter((p) => p.platform === 'facebook').length,
        tiktok: tiktok.published().length,
        linkedin: linkedin.published().length,
      };
    },
    async close() {
      await server.close();
      await Promise.all([meta.stop(), tiktok.stop(), linkedin.stop(), cdn.stop()]);
    },
  };
}

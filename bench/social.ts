// The social module's budgets: a week of content for all four platforms planned and written with the
// offline provider (≤ 10 s), one image prepared for the feed or a story (≤ 300 ms), and a post created
// through the API until it is published on the simulated platform by the job queue, the gate
// approving it (≤ 30 s). Against the simulators and a real PostgreSQL, as the tests run them.
import { performance } from 'node:perf_hooks';
import { withTestDatabases } from './test-database.ts';
import { startSocialWorld } from '../test/support/social.ts';
import { prepareImage, fetchImage } from '../src/modules/social/media.ts';

export interface SocialFigures {
  weekPlanWriteSeconds: number;
  weekPosts: number;
  imagePrepareMs: { feed: number; story: number };
  createdToPublishedSeconds: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function socialBenchmarks(
  root: string,
  progress: (line: string) => void,
): Promise<SocialFigures> {
  return withTestDatabases(root, 'social', 55590, () => measure(progress));
}

async function measure(progress: (line: string) => void): Promise<SocialFigures> {
  progress('social: planning and writing a week for four platforms…');
  const world = await startSocialWorld();
  let weekPlanWriteSeconds: number;
  let weekPosts: number;
  let imagePrepareMs: SocialFigures['imagePrepareMs'];
  try {
    const started = performance.now();
    const plan = await world.social.content.plan();
    for (const post of await world.social.store.list({ status: 'planned', limit: 500 }))
      await world.social.content.write(post.id);
    weekPlanWriteSeconds = (performance.now() - started) / 1000;
    weekPosts = plan.planned;
    progress('social: preparing images…');
    const photo = await fetchImage(`${world.cdn.baseUrl}/img/bench.jpg`);
    await prepareImage(photo, 'feed'); // the image library loads once, as in a running server
    const times = { feed: [] as number[], story: [] as number[] };
    for (let i = 0; i < 10; i += 1)
      for (const crop of ['feed', 'story'] as const) {
        const at = performance.now();
        await prepareImage(photo, crop, { title: 'Argan Repair Oil', price: '18.99 GBP' });
        times[crop].push(performance.now() - at);
      }
    imagePrepareMs = { feed: median(times.feed), story: median(times.story) };
  } finally {
    await world.close();
  }

  progress('social: a post from the API to published, through the job queue…');
  const live = await startSocialWorld({
    work: true,
    env: { SHOPKEEP_QA_AUTO_APPROVE_ABOVE: '0', SHOPKEEP_QA_REGENERATE_BELOW: '0' },
  });
  try {
    const started = performance.now();
    const post = await live.social.content.create(
      {
        channel: 'instagram',
        caption: 'Argan Repair Oil for glossy hair. £18.99, link in bio!',
        productId: '9100000000001',
      },
      'bench',
    );
    for (;;) {
      const now = await live.social.store.get(post.id);
      if (now.status === 'published') break;
      if (['held', 'failed', 'cancelled', 'drafted'].includes(now.status))
        throw new Error(`the post ended ${now.status}: ${now.error ?? ''}`);
      if (performance.now() - started > 120_000) throw new Error('the post was not published in two minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      weekPlanWriteSeconds,
      weekPosts,
      imagePrepareMs,
      createdToPublishedSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await live.close();
  }
}

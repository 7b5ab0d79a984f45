// A/B tests on organic posts: two versions of a post about the same product (two captions, or two
// images), each measured by engagement (interactions per person reached). A winner is named only when
// each version reached at least the minimum sample and a two-proportion z-test gives 95 % confidence;
// past three times the sample without it, the test is called inconclusive. What won is fed to the
// writer's brief for the channel.
import type pg from 'pg';

export const MIN_SAMPLE = 300;
export const CONFIDENCE = 0.95;

export interface VariantResult {
  variant: string;
  reach: number;
  interactions: number;
  caption: string;
}

export interface Verdict {
  status: 'running' | 'decided' | 'inconclusive';
  winner?: string;
  confidence: number;
  lesson?: string;
}

/** The standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-sided confidence that the two rates differ (1 − p of the pooled two-proportion z-test). */
export function confidenceOfDifference(a: VariantResult, b: VariantResult): number {
  if (!a.reach || !b.reach) return 0;
  const pa = Math.min(1, a.interactions / a.reach);
  const pb = Math.min(1, b.interactions / b.reach);
  const pooled = Math.min(1, (a.interactions + b.interactions) / (a.reach + b.reach));
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.reach + 1 / b.reach));
  if (!se) return pa === pb ? 0 : 1;
  const z = (pa - pb) / se;
  return 1 - 2 * (1 - normalCdf(Math.abs(z)));
}

export function judge(channel: string, kind: string, a: VariantResult, b: VariantResult): Verdict {
  const confidence = confidenceOfDifference(a, b);
  if (a.reach < MIN_SAMPLE || b.reach < MIN_SAMPLE) return { status: 'running', confidence };
  if (confidence >= CONFIDENCE) {
    const [win, lose] = a.interactions / a.reach >= b.interactions / b.reach ? [a, b] : [b, a];
    const rate = (v: VariantResult) => `${((100 * v.interactions) / v.reach).toFixed(1)} %`;
    const quote = (v: VariantResult) =>
      `“${v.caption.slice(0, 90).replace(/\s+/g, ' ')}${v.caption.length > 90 ? '…' : ''}”`;
    return {
      status: 'decided',
      winner: win.variant,
      confidence,
      lesson:
        kind === 'caption'
          ? `On ${channel}, a caption like ${quote(win)} engaged ${rate(win)} of those reached, against ${rate(lose)} for one like ${quote(lose)}: write more like the first.`
          : `On ${channel}, image version ${win.variant} engaged ${rate(win)} against ${rate(lose)}.`,
    };
  }
  if (a.reach >= 3 * MIN_SAMPLE && b.reach >= 3 * MIN_SAMPLE) return { status: 'inconclusive', confidence };
  return { status: 'running', confidence };
}

export class AbTests {
  constructor(private readonly db: pg.Pool) {}

  async start(channel: string, productId: string, kind: 'caption' | 'image'): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      'insert into social_ab_tests (channel, product_id, kind) values ($1, $2, $3) returning id',
      [channel, productId, kind],
    );
    return rows[0]!.id;
  }

  /** Judges every running test from its posts' insights. */
  async evaluate(now: Date): Promise<number> {
    const { rows } = await this.db.query<{
      id: string;
      channel: string;
      kind: string;
      variant: string;
      caption: string;
      metrics: Record<string, number> | null;
    }>(
      `select t.id, t.channel, t.kind, p.variant, p.caption, i.metrics
       from social_ab_tests t join social_posts p on p.ab_test_id = t.id
       left join social_insights i on i.post_id = p.id
       where t.status = 'running' and p.status = 'published' order by t.id, p.variant`,
    );
    const byTest = new Map<string, typeof rows>();
    for (const row of rows) byTest.set(row.id, [...(byTest.get(row.id) ?? []), row]);
    let decided = 0;
    for (const [id, variants] of byTest) {
      const [a, b] = variants.map((v) => ({
        variant: v.variant,
        reach: reachOf(v.metrics ?? {}),
        interactions: interactionsOf(v.metrics ?? {}),
        caption: v.caption,
      }));
      if (!a || !b) continue;
      const verdict = judge(variants[0]!.channel, variants[0]!.kind, a, b);
      if (verdict.status === 'running') continue;
      await this.db.query(
        `update social_ab_tests set status = $2, winner = $3, confidence = $4, decided_at = $5, lesson = $6
         where id = $1 and status = 'running'`,
        [
          id,
          verdict.status,
          verdict.winner ?? null,
          verdict.confidence.toFixed(4),
          now,
          verdict.lesson ?? null,
        ],
      );
      decided += 1;
    }
    return decided;
  }

  /** What the latest decided tests on a channel taught, for the writer's brief. */
  async lessons(channel: string): Promise<string> {
    const { rows } = await this.db.query<{ lesson: string }>(
      `select lesson from social_ab_tests where channel = $1 and status = 'decided' and lesson is not null
       order by decided_at desc limit 2`,
      [channel],
    );
    return rows.map((row) => row.lesson).join(' ');
  }

  async list(): Promise<
    {
      id: string;
      channel: string;
      productId: string;
      kind: string;
      status: string;
      winner: string | null;
      confidence: number | null;
      lesson: string | null;
    }[]
  > {
    const { rows } = await this.db.query<{
      id: string;
      channel: string;
      product_id: string;
      kind: string;
      status: string;
      winner: string | null;
      confidence: string | null;
      lesson: string | null;
    }>(
      'select id, channel, product_id, kind, status, winner, confidence, lesson from social_ab_tests order by created_at desc limit 50',
    );
    return rows.map((row) => ({
      id: row.id,
      channel: row.channel,
      productId: row.product_id,
      kind: row.kind,
      status: row.status,
      winner: row.winner,
      confidence: row.confidence === null ? null : Number(row.confidence),
      lesson: row.lesson,
    }));
  }
}

/** Interactions as each platform counts them. */
export function interactionsOf(metrics: Record<string, number>): number {
  if (metrics.total_interactions !== undefined) return metrics.total_interactions;
  if (metrics.engagement !== undefined && metrics.impressionCount !== undefined)
    return Math.round(metrics.engagement * metrics.impressionCount);
  return (
    (metrics.likes ?? metrics.like_count ?? metrics.likeCount ?? 0) +
    (metrics.comments ?? metrics.comment_count ?? metrics.commentCount ?? 0) +
    (metrics.shares ?? metrics.share_count ?? metrics.shareCount ?? 0) +
    (metrics.saved ?? 0) +
    (metrics.post_clicks ?? metrics.clickCount ?? 0)
  );
}

/** People reached, as each platform counts them (views where reach is not given). */
export function reachOf(metrics: Record<string, number>): number {
  return (
    metrics.reach ??
    metrics.post_total_media_view_unique ??
    metrics.uniqueImpressionsCount ??
    metrics.view_count ??
    metrics.views ??
    0
  );
}

// The link every post carries to the shop, tagged so the orders it brings can be counted for it:
// utm_source the platform, utm_medium social, utm_campaign the theme, utm_content the post (and its
// A/B variant). Orders name their visit's utm_content; its first 36 characters are the post's id.

export interface LinkFacts {
  shopDomain: string | undefined;
  handle: string | undefined;
  channel: string;
  campaign: string;
  postId: string;
  variant: string | null;
}

export function postLink(facts: LinkFacts): string | undefined {
  if (!facts.shopDomain) return undefined;
  const page = facts.handle ? `/products/${encodeURIComponent(facts.handle)}` : '/';
  const query = new URLSearchParams({
    utm_source: facts.channel,
    utm_medium: 'social',
    utm_campaign: facts.campaign,
    utm_content: facts.variant ? `${facts.postId}-${facts.variant}` : facts.postId,
  });
  return `https://${facts.shopDomain}${page}?${query.toString()}`;
}

/** The post an order's utm_content names, when it names one of ours. */
export function postIdOf(content: string | null | undefined): string | undefined {
  const id = content?.slice(0, 36);
  return id && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : undefined;
}

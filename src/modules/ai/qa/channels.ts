// What each channel accepts. Instagram's limits come from Meta's publishing documentation (captions
// up to 2,200 characters, at most 5 hashtags since 2025, no clickable links in captions).
export const CHANNELS = {
  instagram: { maxChars: 2200, maxHashtags: 5, clickableLinks: false },
  facebook: { maxChars: 63_206, maxHashtags: 10, clickableLinks: true },
  tiktok: { maxChars: 2200, maxHashtags: 10, clickableLinks: false },
  linkedin: { maxChars: 3000, maxHashtags: 5, clickableLinks: true },
  telegram: { maxChars: 4096, maxHashtags: 5, clickableLinks: true },
  email: { maxChars: 20_000, maxHashtags: 0, clickableLinks: true },
} as const;

export type Channel = keyof typeof CHANNELS;

export function isChannel(value: string): value is Channel {
  return Object.hasOwn(CHANNELS, value);
}

// The shop's brand voice: how posts and replies should sound. Edited in the dashboard; these are
// the defaults for a friendly hair and beauty shop.
export interface VoiceProfile {
  tone: string;
  wordsToUse: string[];
  wordsToAvoid: string[];
  emojiPolicy: 'none' | 'few' | 'many';
  languages: string[]; // ISO 639-1 codes the shop writes in
}

export const DEFAULT_VOICE: VoiceProfile = {
  tone: 'warm, expert and playful; talks to salon owners and home stylists as a friend who knows hair',
  wordsToUse: ['glossy', 'healthy-looking', 'salon-quality', 'nourishing'],
  wordsToAvoid: ['cheap', 'miracle', 'best ever', 'insane', 'guys'],
  emojiPolicy: 'few',
  languages: ['en'],
};

export const EMOJI_LIMIT: Record<VoiceProfile['emojiPolicy'], number> = { none: 0, few: 3, many: Infinity };

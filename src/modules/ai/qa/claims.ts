// Claims a cosmetic may not make. Hair and beauty products are cosmetics, not medicines: promising to
// cure, treat or prevent a condition makes them a medicine in the eyes of the regulators (EU
// Regulation 1223/2009 and its claims criteria 655/2013; the FDA's cosmetic/drug line in the US).
// Hard claims stop the draft; soft ones need evidence and cost points.
export interface ClaimRule {
  pattern: RegExp;
  hard: boolean;
  why: string;
}

export const CLAIM_RULES: ClaimRule[] = [
  { pattern: /\b(cures?|cured|curing)\b/i, hard: true, why: 'a cosmetic cannot claim to cure anything' },
  { pattern: /\bheal(s|ed|ing)?\b/i, hard: true, why: 'a cosmetic cannot claim to heal' },
  {
    pattern:
      /\btreat(s|ed|ing|ment for)?\s+(hair loss|alopecia|dandruff|eczema|psoriasis|dermatitis|acne|infections?)\b/i,
    hard: true,
    why: 'treating a condition is a medicinal claim',
  },
  {
    pattern: /\b(stops?|prevents?|reverses?|ends?)\s+(hair loss|balding|alopecia|thinning)\b/i,
    hard: true,
    why: 'preventing hair loss is a medicinal claim',
  },
  { pattern: /\bregrow(s|th|ing)?\b/i, hard: true, why: 'hair regrowth is a medicinal claim' },
  {
    pattern: /\b(fda|mhra)[- ]approved\b/i,
    hard: true,
    why: 'cosmetics are not approved by the FDA or MHRA',
  },
  { pattern: /\bmedical[- ]grade\b/i, hard: true, why: '"medical grade" implies a medicine' },
  {
    pattern: /\bclinically proven\b/i,
    hard: false,
    why: '"clinically proven" needs a study the shop can show',
  },
  { pattern: /\bguaranteed results?\b/i, hard: false, why: 'results cannot be guaranteed' },
  {
    pattern: /\b(chemical|toxin)[- ]free\b/i,
    hard: false,
    why: '"chemical-free" is misleading (everything is chemicals)',
  },
  { pattern: /\b100\s?% (natural|safe|organic)\b/i, hard: false, why: 'absolute claims need proof' },
];

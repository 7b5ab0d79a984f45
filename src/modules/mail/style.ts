// The owner's style card, derived from their past replies: how they greet ("Hi {name},"), how they
// sign off, how long they write, how formal they are, in which languages. The owner can edit it; an
// edited card is kept when the examples change.
import { detectLanguage } from './language.ts';

export interface StyleCard {
  greeting: string;
  signOff: string;
  typicalWords: number;
  formality: 'casual' | 'friendly' | 'formal';
  languages: string[];
  editedByOwner: boolean;
}

export const DEFAULT_STYLE: StyleCard = {
  greeting: 'Hi {name},',
  signOff: 'Best wishes,',
  typicalWords: 80,
  formality: 'friendly',
  languages: ['en'],
  editedByOwner: false,
};

const commonest = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
};

/** "Hi Jane," → "Hi {name},"; a first line that is no greeting gives undefined. */
export function greetingOf(answer: string): string | undefined {
  const first = answer.trim().split('\n')[0]!.trim();
  const m =
    /^(hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|liebe[r]?|sehr geehrte[r]?|bonjour|hola|ciao|hej)\b(.*)$/i.exec(
      first,
    );
  if (!m || first.length > 60) return undefined;
  const rest = m[2]!.trim();
  const punctuation = /[,!]$/.exec(rest)?.[0] ?? (rest ? '' : (/[,!]$/.exec(m[1]!)?.[0] ?? ','));
  return rest.replace(/[,!]$/, '').trim() ? `${m[1]} {name}${punctuation}` : `${m[1]}${punctuation}`;
}

/** The sign-off line ("Best wishes,", "Thanks!"): the last short line that ends with a comma, before a name. */
export function signOffOf(answer: string): string | undefined {
  const lines = answer
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= Math.max(1, lines.length - 4); i -= 1) {
    const line = lines[i]!;
    if (
      /^(best|kind|warm|many|thanks|thank you|cheers|regards|all the best|love|speak soon|take care|viele grüße|liebe grüße|mit freundlichen grüßen|cordialement|bien à vous|saludos|un saluto)\b.{0,25}[,!.]?$/i.test(
        line,
      )
    )
      return line;
  }
  return undefined;
}

export function deriveStyle(answers: string[]): StyleCard {
  if (!answers.length) return DEFAULT_STYLE;
  const wordCounts = answers.map((a) => (a.match(/\S+/g) ?? []).length).sort((a, b) => a - b);
  const median = wordCounts[Math.floor(wordCounts.length / 2)]!;
  const joined = answers.join('\n');
  const exclamations = (joined.match(/!/g) ?? []).length / answers.length;
  const contractions =
    (joined.match(/\b\w+'(?:s|re|ll|ve|d|m|t)\b|\b\w+’(?:s|re|ll|ve|d|m|t)\b/gi) ?? []).length /
    answers.length;
  const greeting =
    commonest(answers.map(greetingOf).filter((g): g is string => !!g)) ?? DEFAULT_STYLE.greeting;
  const formal = /^(dear|sehr geehrte|good (morning|afternoon))/i.test(greeting) && contractions < 1;
  const languageCounts = new Map<string, number>();
  for (const answer of answers) {
    const language = detectLanguage(answer);
    if (language) languageCounts.set(language, (languageCounts.get(language) ?? 0) + 1);
  }
  const languages = [...languageCounts]
    .filter(([, n]) => n >= Math.max(1, answers.length * 0.05))
    .sort((a, b) => b[1] - a[1])
    .map(([language]) => language);
  return {
    greeting,
    signOff: commonest(answers.map(signOffOf).filter((s): s is string => !!s)) ?? DEFAULT_STYLE.signOff,
    typicalWords: Math.max(20, Math.min(400, median)),
    formality: formal ? 'formal' : exclamations >= 1 || contractions >= 2 ? 'casual' : 'friendly',
    languages: languages.length ? languages : ['en'],
    editedByOwner: false,
  };
}

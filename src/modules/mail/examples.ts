// What shopkeep learns the owner's voice from: (customer question → owner reply) pairs, quotes and
// signatures removed, from the owner's past replies in Sent and from every draft the owner edited.
// Retrieval is PostgreSQL full-text search over the questions (BM25-like ranking does as well as
// dense retrieval at a few thousand pairs), the customer's language weighing more.
import type pg from 'pg';
import { deriveStyle, DEFAULT_STYLE, type StyleCard } from './style.ts';

export interface Example {
  id: number;
  question: string;
  answer: string;
  language: string | null;
  source: 'import' | 'edit';
}

export interface NewExample {
  question: string;
  answer: string;
  language: string | null;
  source: 'import' | 'edit';
  sourceKey: string;
}

/** Words too common to tell one question from another, in the languages customers write in. */
const COMMON = new Set(
  (
    'the and you your for with have has was are can could would will this that what when where which how ' +
    'please thanks thank hello hi dear there just also from about into any some not but get got does did ' +
    'der die das und ist ich sie mit für bitte danke hallo nicht ein eine les des est pour avec merci bonjour ' +
    'una por con gracias hola que los las del per che grazie een het van voor met bedankt'
  ).split(' '),
);

/** The words a question is searched by: letters and digits, common words left out, at most 16, or'ed. */
export function searchTerms(text: string): string | undefined {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])]
    .filter((word) => !COMMON.has(word))
    .slice(0, 16);
  return words.length ? words.join(' | ') : undefined;
}

type ExampleRow = Omit<Example, 'id'> & { id: string };
const example = (row: ExampleRow): Example => ({ ...row, id: Number(row.id) });

export class Examples {
  constructor(private readonly pool: pg.Pool) {}

  /** Adds a pair; false when it was there already (an import run twice adds nothing). */
  async add(example: NewExample, client: pg.Pool | pg.PoolClient = this.pool): Promise<boolean> {
    const { rowCount } = await client.query(
      `insert into mail_examples (question, answer, language, source, source_key) values ($1, $2, $3, $4, $5)
       on conflict (source_key) do nothing`,
      [
        example.question.slice(0, 8000),
        example.answer.slice(0, 8000),
        example.language,
        example.source,
        example.sourceKey,
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The pairs whose questions are most like `text`, best first. */
  async similar(text: string, limit = 4, language?: string | null): Promise<Example[]> {
    const terms = searchTerms(text);
    if (!terms) return [];
    const { rows } = await this.pool.query<ExampleRow>(
      `select id, question, answer, language, source from mail_examples
       where search @@ to_tsquery('simple', $1)
       order by ts_rank(search, to_tsquery('simple', $1), 1) * case when language = $3 then 1.5 else 1 end desc, id desc
       limit $2`,
      [terms, limit, language ?? null],
    );
    return rows.map(example);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('select count(*) n from mail_examples');
    return Number(rows[0]!.n);
  }

  async list(limit: number): Promise<Example[]> {
    const { rows } = await this.pool.query<ExampleRow>(
      'select id, question, answer, language, source from mail_examples order by id desc limit $1',
      [limit],
    );
    return rows.map(example);
  }

  async style(): Promise<StyleCard> {
    const { rows } = await this.pool.query<{
      greeting: string;
      sign_off: string;
      typical_words: number;
      formality: StyleCard['formality'];
      languages: string[];
      edited_by_owner: boolean;
    }>(
      'select greeting, sign_off, typical_words, formality, languages, edited_by_owner from mail_style where id = 1',
    );
    const row = rows[0];
    if (!row) return DEFAULT_STYLE;
    return {
      greeting: row.greeting,
      signOff: row.sign_off,
      typicalWords: row.typical_words,
      formality: row.formality,
      languages: row.languages,
      editedByOwner: row.edited_by_owner,
    };
  }

  /** Derives the card again from every pair, unless the owner edited it (theirs stays). */
  async restyle(): Promise<StyleCard> {
    const current = await this.style();
    if (current.editedByOwner) return current;
    const { rows } = await this.pool.query<{ answer: string }>(
      'select answer from mail_examples order by id desc limit 500',
    );
    const card = deriveStyle(rows.map((r) => r.answer));
    await this.saveStyle(card);
    return card;
  }

  async saveStyle(card: StyleCard): Promise<void> {
    await this.pool.query(
      `insert into mail_style (id, greeting, sign_off, typical_words, formality, languages, edited_by_owner, updated_at)
       values (1, $1, $2, $3, $4, $5, $6, now())
       on conflict (id) do update set greeting = $1, sign_off = $2, typical_words = $3, formality = $4, languages = $5,
         edited_by_owner = $6, updated_at = now()`,
      [card.greeting, card.signOff, card.typicalWords, card.formality, card.languages, card.editedByOwner],
    );
  }
}

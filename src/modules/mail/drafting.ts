// Writing a reply: the owner's most similar past replies, their style card, the FAQ they keep and
// the shop's facts, in the customer's language, from the model; or, with no model, a short reply
// from the facts in the owner's greeting and sign-off. A sender who must prove who they are gets a
// reply asking them to, whatever the model would have said.
import { promptTemplate, renderPrompt } from '../ai/index.ts';
import type { LanguageModels } from '../ai/index.ts';
import type { Example } from './examples.ts';
import type { Facts } from './facts.ts';
import type { StyleCard } from './style.ts';

export interface DraftInput {
  customer: { address: string; name: string };
  subject: string;
  question: string;
  language: string | null;
  facts: Facts;
  examples: Example[];
  faq: { question: string; answer: string }[];
  style: StyleCard;
  shopName: string;
  /** What the owner asked to change (Regenerate). */
  feedback?: string;
}

const VERIFY =
  'To keep your order details safe, could you reply from the email address you ordered with, with your order number and the postcode it is going to? Then I can check it for you straight away.';

export function firstName(name: string): string {
  const given = name.replace(/["']/g, '').trim().split(/\s+/)[0];
  if (given && /^\p{L}[\p{L}-]{1,30}$/u.test(given)) return given;
  return 'there';
}

export function greetingFor(style: StyleCard, customer: DraftInput['customer']): string {
  return style.greeting.replace('{name}', firstName(customer.name));
}

/** The reply without a model: greeting, what the facts say, sign-off. */
export function offlineReply(input: DraftInput): string {
  const body: string[] = [];
  if (input.facts.verify) body.push(`Thanks for getting in touch. ${VERIFY}`);
  else if (input.facts.lines.length)
    body.push('Thanks for your message. Here is what I can see:', ...input.facts.lines.map((l) => `- ${l}`));
  else body.push('Thanks for your message. I’ll look into this and get back to you shortly.');
  return [
    greetingFor(input.style, input.customer),
    '',
    ...body,
    '',
    input.style.signOff,
    input.shopName,
  ].join('\n');
}

export async function writeReply(
  ai: LanguageModels,
  input: DraftInput,
): Promise<{ text: string; provider: string }> {
  const instruction = input.facts.verify
    ? `Do not say anything about any order. ${VERIFY.replace('could you', 'ask them to')}`
    : 'Answer the question with the facts above.';
  const prompt = renderPrompt(promptTemplate('mail-reply'), {
    language: input.language ?? input.style.languages[0] ?? 'en',
    greeting: input.style.greeting,
    signOff: input.style.signOff,
    typicalWords: String(input.style.typicalWords),
    formality: input.style.formality,
    examples: input.examples.length
      ? input.examples
          .map((e) => `Customer: ${e.question.slice(0, 600)}\nOwner: ${e.answer.slice(0, 800)}`)
          .join('\n---\n')
      : '(none yet)',
    faq: input.faq.length ? input.faq.map((f) => `Q: ${f.question}\nA: ${f.answer}`).join('\n') : '(none)',
    facts: input.facts.verify
      ? '(withheld until the sender is verified)'
      : input.facts.lines.join('\n') || '(none)',
    customer: input.customer.name
      ? `${input.customer.name} <${input.customer.address}>`
      : input.customer.address,
    subject: input.subject.slice(0, 200),
    question: input.question.slice(0, 4000),
    instruction,
    feedback: input.feedback ? `The owner asked: ${input.feedback}` : '',
  });
  const written = await ai.generate({
    feature: 'mail.reply',
    ...prompt,
    temperature: 0.4,
    maxOutputTokens: 900,
    offline: () => offlineReply(input),
  });
  return { text: written.text.trim(), provider: written.provider };
}

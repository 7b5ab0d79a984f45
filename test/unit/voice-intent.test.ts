// What a voice note asks for: a command only when the whole sentence is one, a short question about
// the figures answered, anything else kept as a to-do (never a pause by a stray word).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { voiceIntent } from '../../src/modules/telegram/voice-intent.ts';

test('a voice note is a command only when the sentence is one; otherwise a question or a to-do', () => {
  const cases: [string, ReturnType<typeof voiceIntent>][] = [
    ['Please pause everything for today', 'pause'],
    ['Stop.', 'pause'],
    ['Resume publishing please', 'resume'],
    ["What's the status?", 'status'],
    ['Show me the approvals', 'approvals'],
    ['How much profit this month?', 'pnl'],
    ["What are today's sales", 'today'],
    ['Show me the latest orders', 'orders'],
    ['Remind me to stop by the post office', 'todo'],
    ['Stop the instagram post about the mask', 'todo'],
    ['Order toner and continue the newsletter on Monday', 'todo'],
    ['Call Sue, she is waiting for her refund', 'todo'],
    ['Check the status of the DHL parcel for order 1042 tomorrow', 'todo'],
    ['Thank you.', 'nothing'],
    ['', 'nothing'],
  ];
  for (const [heard, intent] of cases) assert.equal(voiceIntent(heard), intent, heard);
});

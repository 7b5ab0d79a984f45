// What a voice note asks for. A command is the whole (short) sentence, never a word inside a longer
// one: "remind me to stop by the post office" is a to-do, not a pause. A short question about
// figures is answered by the command that answers it (/pnl, /today, /orders); anything else with
// words in it is a to-do.

export type VoiceIntent =
  'pause' | 'resume' | 'status' | 'approvals' | 'pnl' | 'today' | 'orders' | 'nothing' | 'todo';

export function voiceIntent(heard: string): VoiceIntent {
  const said = heard
    .toLowerCase()
    .replace(/[.!?,]+/g, ' ')
    .replace(/\b(please|shopkeep|now|for now|for today|for a while|thanks|thank you)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!said || !/[a-z]{2}/.test(said)) return 'nothing';
  if (/^(pause|stop)( (everything|it all|all|publishing|posting|sending))?$/.test(said)) return 'pause';
  if (/^(resume|start again|carry on|continue)( (everything|publishing|posting|sending))?$/.test(said))
    return 'resume';
  if (/^((what'?s|what is|show( me)?) )?(the )?status$/.test(said)) return 'status';
  if (/^((what'?s|what is|show( me)?) )?(the )?(approvals|waiting( for me)?|what'?s waiting)$/.test(said))
    return 'approvals';
  const question = said.split(' ').length <= 7;
  if (question && /\b(profit|p ?(&|and) ?l|pnl)\b/.test(said)) return 'pnl';
  if (question && /\b(today'?s?|sales)\b/.test(said)) return 'today';
  if (question && /\b(latest|last|recent|new|show( me)?|list)\b.*\borders\b|^orders$/.test(said))
    return 'orders';
  return said.split(' ').length < 2 ? 'nothing' : 'todo';
}

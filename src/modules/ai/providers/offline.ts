// The provider of last resort: no network, no model. It answers with the feature's own offline
// answer (templates from catalog data, rule-based reviews), so the shop keeps working when the API
// is down or the free quota is spent, and every result says it came from here.
import { answerFailure, type AiProvider, type TextRequest, type TextResult } from './types.ts';

export class OfflineProvider implements AiProvider {
  readonly name = 'offline' as const;
  readonly model = 'templates';

  async generate(request: TextRequest): Promise<TextResult> {
    if (!request.offline)
      throw answerFailure('offline', `no offline answer exists for ${request.feature}`, false);
    return { text: request.offline(), model: this.model, usage: { inputTokens: 0, outputTokens: 0 } };
  }
}

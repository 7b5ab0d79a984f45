// The AI module's settings: which provider writes, each provider's key, address and models, and the
// QA gate's thresholds (overall and per channel).
import { ConfigError } from '../../platform/errors.ts';
import type { SettingsReader } from '../../platform/kit/settings.ts';
import { CHANNELS, isChannel } from './qa/channels.ts';

export interface AiConfig {
  provider: 'gemini' | 'openai' | 'anthropic' | 'offline';
  timeoutMs: number;
  gemini: { apiKey: string | undefined; baseUrl: string; model: string; embeddingModel: string };
  /** Configured when it has a key or a base URL of its own (a local Ollama or llama.cpp needs no key). */
  openai: {
    apiKey: string | undefined;
    baseUrl: string;
    configured: boolean;
    model: string;
    embeddingModel: string;
    transcriptionModel: string;
  };
  anthropic: { apiKey: string | undefined; baseUrl: string; model: string };
}

export interface QaConfig {
  autoApproveAbove: number;
  regenerateBelow: number;
  maxAttempts: number;
  /** Thresholds of their own for some channels (SHOPKEEP_QA_CHANNEL_THRESHOLDS); the others use the two above. */
  channels: Record<string, { autoApproveAbove: number; regenerateBelow: number }>;
}

export interface AiSettings {
  ai: AiConfig;
  qa: QaConfig;
}

export function aiSettings(read: SettingsReader): AiSettings {
  const provider = read.oneOf('SHOPKEEP_AI_PROVIDER', ['gemini', 'openai', 'anthropic', 'offline'], 'gemini');
  const autoApproveAbove = read.integer('SHOPKEEP_QA_AUTO_APPROVE_ABOVE', 85, 0, 100);
  const regenerateBelow = read.integer('SHOPKEEP_QA_REGENERATE_BELOW', 70, 0, 100);
  if (regenerateBelow > autoApproveAbove) {
    throw new ConfigError(
      'SHOPKEEP_QA_REGENERATE_BELOW',
      `must not be above SHOPKEEP_QA_AUTO_APPROVE_ABOVE (${autoApproveAbove})`,
    );
  }
  const openaiBase = read.url('OPENAI_BASE_URL', ['http:', 'https:']);
  return {
    ai: {
      provider,
      timeoutMs: read.integer('SHOPKEEP_AI_TIMEOUT_SECONDS', 30, 1, 600) * 1000,
      gemini: {
        apiKey: read.text('GEMINI_API_KEY'),
        baseUrl:
          read.url('GEMINI_BASE_URL', ['http:', 'https:']) ?? 'https://generativelanguage.googleapis.com',
        model: read.text('GEMINI_MODEL') ?? 'gemini-2.5-flash',
        embeddingModel: read.text('GEMINI_EMBEDDING_MODEL') ?? 'gemini-embedding-001',
      },
      openai: {
        apiKey: read.text('OPENAI_API_KEY'),
        baseUrl: openaiBase ?? 'https://api.openai.com/v1',
        configured: read.text('OPENAI_API_KEY') !== undefined || openaiBase !== undefined,
        model: read.text('OPENAI_MODEL') ?? 'gpt-4o-mini',
        embeddingModel: read.text('OPENAI_EMBEDDING_MODEL') ?? 'text-embedding-3-small',
        transcriptionModel: read.text('OPENAI_TRANSCRIPTION_MODEL') ?? 'whisper-1',
      },
      anthropic: {
        apiKey: read.text('ANTHROPIC_API_KEY'),
        baseUrl: read.url('ANTHROPIC_BASE_URL', ['http:', 'https:']) ?? 'https://api.anthropic.com',
        model: read.text('ANTHROPIC_MODEL') ?? 'claude-3-5-haiku-latest',
      },
    },
    qa: {
      autoApproveAbove,
      regenerateBelow,
      maxAttempts: read.integer('SHOPKEEP_QA_MAX_ATTEMPTS', 3, 1, 10),
      channels: channelThresholds(read.text('SHOPKEEP_QA_CHANNEL_THRESHOLDS')),
    },
  };
}

/** "instagram=90/75,email=80/60": per channel, auto-approve above / regenerate below. */
function channelThresholds(value: string | undefined): QaConfig['channels'] {
  const channels: QaConfig['channels'] = {};
  const names = Object.keys(CHANNELS).join(', ');
  for (const part of (value ?? '')
    .split(',')
    .map((one) => one.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)=(\d{1,3})\/(\d{1,3})$/.exec(part);
    if (!match)
      throw new ConfigError(
        'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
        `"${part}" is not channel=AUTO/REGENERATE, like instagram=90/75`,
      );
    const [, channel = '', auto = '', regenerate = ''] = match;
    if (!isChannel(channel))
      throw new ConfigError('SHOPKEEP_QA_CHANNEL_THRESHOLDS', `"${channel}" is not a channel (${names})`);
    if (Number(auto) > 100 || Number(regenerate) > Number(auto))
      throw new ConfigError(
        'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
        `${channel}: the thresholds must be 0–100 with regenerate (${regenerate}) not above auto-approve (${auto})`,
      );
    channels[channel] = { autoApproveAbove: Number(auto), regenerateBelow: Number(regenerate) };
  }
  return channels;
}

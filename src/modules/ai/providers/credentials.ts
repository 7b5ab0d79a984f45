// The model providers' credentials for Settings: each key (and address) can be set by its variable,
// as before, or typed on Settings; the connection test asks the provider about the configured model,
// which costs nothing.
import type { AiConfig } from '../settings.ts';
import {
  checkAddress,
  type CredentialDefinition,
  type CredentialValues,
} from '../../../platform/integrations/credentials.ts';
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';
import { anthropicTransport } from './anthropic.ts';
import { geminiTransport } from './gemini.ts';
import { openAiTransport } from './openai.ts';

// The providers' own addresses, when no other is set.
const GEMINI_BASE = 'https://generativelanguage.googleapis.com';
const OPENAI_BASE = 'https://api.openai.com/v1';
const ANTHROPIC_BASE = 'https://api.anthropic.com';
const TEST_TIMEOUT_MS = 15_000;

const key = (value: string) => (/\s/.test(value) ? 'has spaces in it; paste the key alone' : undefined);

export function aiCredentials(ai: AiConfig): CredentialDefinition[] {
  return [
    {
      integration: 'gemini',
      label: 'Google Gemini',
      purpose: 'The AI writer and reviewer (the default provider); a key from Google AI Studio.',
      fields: [
        {
          name: 'api_key',
          label: 'API key',
          secret: true,
          env: 'GEMINI_API_KEY',
          required: true,
          check: key,
        },
        {
          name: 'base_url',
          label: 'Address',
          secret: false,
          env: 'GEMINI_BASE_URL',
          defaultValue: GEMINI_BASE,
          check: checkAddress,
        },
      ],
      test: async (values) => {
        const transport = geminiTransport({
          apiKey: values.api_key!,
          baseUrl: values.base_url!,
          timeoutMs: TEST_TIMEOUT_MS,
        });
        const found = await lookUpModel(
          () =>
            transport.json<{ displayName?: string }>({
              path: `/v1beta/models/${encodeURIComponent(ai.gemini.model)}`,
            }),
          'gemini',
          `Gemini has no model ${ai.gemini.model} at this address: check GEMINI_MODEL and the address`,
        );
        return `Gemini answered: ${found.displayName ?? ai.gemini.model} is available.`;
      },
    },
    {
      integration: 'openai',
      label: 'OpenAI-compatible',
      purpose:
        'OpenAI, or a model on your own network (Ollama, llama.cpp, vLLM) at its address; also speech to text for voice notes.',
      fields: [
        { name: 'api_key', label: 'API key', secret: true, env: 'OPENAI_API_KEY', check: key },
        {
          name: 'base_url',
          label: 'Address',
          secret: false,
          env: 'OPENAI_BASE_URL',
          defaultValue: OPENAI_BASE,
          placeholder: 'http://127.0.0.1:11434/v1',
          check: checkAddress,
        },
      ],
      missing: (values) =>
        values.api_key === undefined && values.base_url === OPENAI_BASE
          ? 'enter an API key for OpenAI, or the address of your own server (a local one needs no key)'
          : undefined,
      test: async (values) => {
        const transport = openAiTransport({
          apiKey: values.api_key,
          baseUrl: values.base_url!,
          timeoutMs: TEST_TIMEOUT_MS,
        });
        const { data } = await transport.json<{ data?: { id: string }[] }>({ path: '/models' });
        const models = (data ?? []).map((model) => model.id);
        if (!models.includes(ai.openai.model))
          throw new IntegrationError(
            'openai',
            'rejected',
            `the server answered, but has no model ${ai.openai.model}${models.length ? ` (it has ${models.slice(0, 8).join(', ')})` : ''}: set OPENAI_MODEL to one it has`,
          );
        return `The server answered: ${ai.openai.model} is available.`;
      },
    },
    {
      integration: 'anthropic',
      label: 'Anthropic',
      purpose: 'Claude as the AI writer and reviewer, or as a fallback.',
      fields: [
        {
          name: 'api_key',
          label: 'API key',
          secret: true,
          env: 'ANTHROPIC_API_KEY',
          required: true,
          check: key,
        },
        {
          name: 'base_url',
          label: 'Address',
          secret: false,
          env: 'ANTHROPIC_BASE_URL',
          defaultValue: ANTHROPIC_BASE,
          check: checkAddress,
        },
      ],
      test: async (values: CredentialValues) => {
        const transport = anthropicTransport({
          apiKey: values.api_key!,
          baseUrl: values.base_url!,
          timeoutMs: TEST_TIMEOUT_MS,
        });
        const found = await lookUpModel(
          () =>
            transport.json<{ display_name?: string }>({
              path: `/v1/models/${encodeURIComponent(ai.anthropic.model)}`,
            }),
          'anthropic',
          `Anthropic has no model ${ai.anthropic.model}: check ANTHROPIC_MODEL`,
        );
        return `Anthropic answered: ${found.display_name ?? ai.anthropic.model} is available.`;
      },
    },
  ];
}

/** A 404 for the model means the key worked and the model name is wrong. */
async function lookUpModel<T>(ask: () => Promise<T>, provider: string, notFound: string): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof IntegrationError && error.status === 404)
      throw new IntegrationError(provider, 'rejected', notFound, { status: 404 });
    throw error;
  }
}

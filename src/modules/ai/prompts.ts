// Prompt templates, versioned as files (src/modules/ai/prompts/<name>.md): a comment naming the prompt
// and its version, then a "## system" and a "## prompt" section with {{placeholders}}. A change to
// what a model is asked is a reviewed change to a file, and every call records which version it used.
import { readFileSync } from 'node:fs';
import { sourcePath } from '../../platform/paths.ts';

export interface PromptTemplate {
  name: string;
  version: number;
  system: string;
  prompt: string;
}

const loaded = new Map<string, PromptTemplate>();

/** Reads a template once; a file without its header, sections or with an odd placeholder is refused. */
export function promptTemplate(file: string): PromptTemplate {
  const cached = loaded.get(file);
  if (cached) return cached;
  const text = readFileSync(sourcePath('modules', 'ai', 'prompts', `${file}.md`), 'utf8').replace(
    /\r\n/g,
    '\n',
  );
  const header = /^<!-- prompt ([a-z.]+), version (\d+): [^\n]*-->\n/.exec(text);
  const sections = /\n## system\n([\s\S]+?)\n## prompt\n([\s\S]+)$/.exec(text);
  if (!header || !sections)
    throw new Error(`prompts/${file}.md needs its header comment and ## system and ## prompt`);
  const template = {
    name: header[1]!,
    version: Number(header[2]),
    system: sections[1]!.trim(),
    prompt: sections[2]!.trim(),
  };
  loaded.set(file, template);
  return template;
}

/** The template with its placeholders filled; a placeholder without a value, or a value nobody asked for, is a bug. */
export function renderPrompt(
  template: PromptTemplate,
  values: Record<string, string>,
): { system: string; prompt: string; promptVersion: string } {
  const used = new Set<string>();
  const fill = (text: string) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const value = Object.hasOwn(values, key) ? values[key] : undefined;
      if (value === undefined) throw new Error(`prompt ${template.name} needs a value for {{${key}}}`);
      used.add(key);
      return value;
    });
  // A line that is only a placeholder with nothing to say (no feedback yet) goes, not a blank line.
  const drop = (text: string) =>
    text.replace(/^\{\{(\w+)\}\}\n/gm, (line, key: string) => {
      if (!Object.hasOwn(values, key) || values[key] !== '') return line;
      used.add(key);
      return '';
    });
  const system = fill(drop(template.system));
  const prompt = fill(drop(template.prompt));
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length) throw new Error(`prompt ${template.name} has no place for ${unused.join(', ')}`);
  return { system, prompt, promptVersion: `${template.name}@${template.version}` };
}

/**
 * The reference table of docs/configuration.md, made from the config schema and the environment names
 * of load.ts: every key, its variable, what it takes and its default. A test regenerates it and compares
 * it with the doc, and `npm run docs:generate` writes it, so a key added without its doc fails the tests.
 */
import { z } from 'zod';
import { ENV_NAMES } from './load.js';
import { configSchema, type ConfigKey } from './schema.js';

export const CONFIG_REFERENCE_START = '<!-- generated:config:start -->';
export const CONFIG_REFERENCE_END = '<!-- generated:config:end -->';

type JsonSchema = Record<string, unknown>;

/** The Markdown table, one row per key in the schema's order. */
export function configReferenceTable(): string {
  const fields = configSchema.in.shape as Record<ConfigKey, z.ZodType>;
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const rows = Object.entries(fields).map(([key, field]) => {
    const env = ENV_NAMES[key as ConfigKey];
    const cells = [code(key), env ? code(`AEGIS_${env}`) : 'file only', typeOf(properties[key] ?? {}), defaultOf(field)];
    return `| ${cells.join(' | ')} |`;
  });
  return ['| Key | Environment | Takes | Default |', '|---|---|---|---|', ...rows].join('\n');
}

/** The doc with the text between its markers replaced by the table; throws when the markers are missing. */
export function withConfigReference(doc: string): string {
  const start = doc.indexOf(CONFIG_REFERENCE_START);
  const end = doc.indexOf(CONFIG_REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`the doc has no ${CONFIG_REFERENCE_START} … ${CONFIG_REFERENCE_END} section`);
  return `${doc.slice(0, start + CONFIG_REFERENCE_START.length)}\n${configReferenceTable()}\n${doc.slice(end)}`;
}

/** The default as the schema gives it before the daemon derives anything (the state dir is not expanded). */
function defaultOf(field: z.ZodType): string {
  const parsed = field.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return 'unset';
  return code(JSON.stringify(parsed.data));
}

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => code(String(v))).join(', ');
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(typeOf).join(' or ');
  switch (schema.type) {
    case 'integer': return `whole number ${rangeOf(schema)}`.trim();
    case 'array': return 'list (comma-separated in the environment)';
    case 'object': return 'object';
    default: return String(schema.type ?? 'any');
  }
}

function rangeOf(schema: JsonSchema): string {
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  if (min === undefined) return '';
  return max === undefined || max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`;
}

function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

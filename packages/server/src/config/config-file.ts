import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ServerError } from '../errors.js';

/**
 * Reads a configuration file (`--config switchboard.json|yaml`): one object whose keys are the
 * command-line flags without their dashes (`port`, `token-secret`, `cors-origins`, …). Values
 * are returned as the text a flag would carry, so the flags' own checks and messages apply to
 * them: numbers and booleans as written, lists comma-joined. Anything else, and any key that
 * is not a flag, is a `CONFIG_INVALID` error naming the file, so a typo never passes silently.
 */
export function readConfigFile(path: string, knownKeys: readonly string[]): Map<string, string> {
  const document = parseDocument(path);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw fileError(path, 'it must hold one object of settings, such as {"port": 8080}');
  }
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(document)) {
    if (!knownKeys.includes(key)) {
      throw fileError(path, `unknown key "${key}"; the keys are the flags without "--": ${knownKeys.join(', ')}`);
    }
    values.set(key, flagText(path, key, value));
  }
  return values;
}

function parseDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError(path, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const format = extname(path).toLowerCase();
  try {
    if (format === '.json') return JSON.parse(text) as unknown;
    if (format === '.yaml' || format === '.yml') return parseYaml(text) as unknown;
  } catch (error) {
    throw fileError(path, `it is not valid ${format === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  throw fileError(path, 'its name must end in .json, .yaml or .yml');
}

function flagText(path: string, key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    if (value.some((item) => item.includes(','))) throw fileError(path, `"${key}": list items may not contain commas`);
    return value.join(',');
  }
  throw fileError(path, `"${key}" must be a string, a number, true/false or a list of strings`);
}

function fileError(path: string, message: string): ServerError {
  return new ServerError('CONFIG_INVALID', `config file ${path}: ${message}`);
}

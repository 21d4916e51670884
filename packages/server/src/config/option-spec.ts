import { ServerError } from '../errors.js';
import type { ServerConfig } from './server-config.js';

/** One setting: its flag, environment variable, parser and default. */
export interface OptionSpec<K extends keyof ServerConfig> {
  key: K;
  flag: string;
  env: string;
  help: string;
  parse: (raw: string) => ServerConfig[K];
  fallback: () => ServerConfig[K];
  /** A flag given alone means true. */
  boolean?: true;
}

/** Any one of the settings. */
export type AnyOptionSpec = { [K in keyof ServerConfig]: OptionSpec<K> }[keyof ServerConfig];

export function parseInteger(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** A comma-separated list, items trimmed, empty ones dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function parseBoolean(raw: string, name: string): boolean {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw configError(`${name} must be true or false, got "${raw}"`);
}

export function parseSecret(raw: string, name: string): string {
  if (raw.length < 16) throw configError(`${name} must be at least 16 characters`);
  return raw;
}

export function configError(message: string): ServerError {
  return new ServerError('CONFIG_INVALID', message);
}

/** Severity of a log line, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Where finished log lines go; a test can capture them instead of printing. */
export type LogSink = (line: string) => void;

/**
 * A JSON-lines logger: one object per line with `time`, `level`, `msg`, the logger's bound fields
 * and the call's fields, so log shippers can index them without parsing prose.
 */
export class Logger {
  private readonly minRank: number;

  constructor(
    readonly level: LogLevel = 'info',
    private readonly bound: LogFields = {},
    private readonly sink: LogSink = (line) => process.stdout.write(line + '\n'),
  ) {
    this.minRank = LEVEL_RANK[level];
  }

  /** A logger that adds `fields` to every line, e.g. `{ component: 'http' }`. */
  child(fields: LogFields): Logger {
    return new Logger(this.level, { ...this.bound, ...fields }, this.sink);
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.minRank) return;
    const line = { time: new Date().toISOString(), level, msg, ...this.bound, ...fields };
    this.sink(JSON.stringify(line, errorReplacer));
  }
}

// Error objects serialise to {} by default, which would hide the one thing an operator needs.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}

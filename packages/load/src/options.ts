import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { LoadError } from './errors.js';

/** Which kind of load a run makes. */
export type Scenario = 'live' | 'pairs';

/** Where peers get their tokens: signed here with the server's secret, or asked of an endpoint. */
export type TokenSourceOptions = { kind: 'secret'; secret: string } | { kind: 'endpoint'; url: string };

/** A load run, every default applied and every value checked. */
export interface LoadOptions {
  /** The servers' base URLs (http(s) or ws(s)); peers are spread over them in turn. */
  urls: string[];
  tokens: TokenSourceOptions;
  scenario: Scenario;
  /** The live room's name; pairs use `<room>-pair-<i>`. */
  room: string;
  /** Live: receiving viewers (grants subscribe, receiveData), joined before the comments start. */
  viewers: number;
  /** Live: peers that comment (grant sendData only). */
  commenters: number;
  /** Live: comments per second, all commenters together. */
  commentRate: number;
  /** Live: one peer publishes a synthetic video track. */
  publisher: boolean;
  /** Live: peers that subscribe to the video (full SDK, grant subscribe). */
  videoViewers: number;
  /** Live: extra viewers that join within `stormSeconds` of the comments starting. */
  storm: number;
  stormSeconds: number;
  /** Pairs: 1:1 rooms of two peers each. */
  pairs: number;
  /** Pairs: messages per second each peer sends to the other. */
  pairRate: number;
  /** Seconds of comments (or pair messages) once everyone joined. */
  durationSeconds: number;
  /** Peers joining per second before the comments, all processes together. */
  joinRate: number;
  /** Further attempts of a join that failed for a reason that may pass. */
  joinRetries: number;
  /** Seconds one join attempt may take. */
  joinTimeoutSeconds: number;
  /** Seconds to wait, after the last comment, for late deliveries. */
  drainSeconds: number;
  /** Load processes the peers are spread over. */
  processes: number;
  jsonPath: string | undefined;
  htmlPath: string | undefined;
  /** No live progress line. */
  quiet: boolean;
}

/** Limits that keep a typo from starting a run that would never end. */
const BOUNDS = {
  viewers: [0, 100_000],
  commenters: [0, 1_000],
  'comment-rate': [0, 10_000],
  'video-viewers': [0, 10_000],
  storm: [0, 100_000],
  'storm-window': [1, 3_600],
  pairs: [0, 50_000],
  'pair-rate': [0, 1_000],
  duration: [1, 86_400],
  'join-rate': [1, 10_000],
  'join-retries': [0, 20],
  'join-timeout': [1, 600],
  drain: [0, 3_600],
  processes: [1, 256],
} as const;

type NumberFlag = keyof typeof BOUNDS;

export const USAGE = `Usage: switchboard-load --url <server> (--secret <token secret> | --token-url <endpoint>) [options]

Scenarios (--scenario):
  live   (default) one room: --viewers N receiving viewers, --commenters M at --comment-rate R
         comments/s in all, optional --publisher with --video-viewers K, and a --storm J of
         viewers joining within --storm-window T seconds once the comments start
  pairs  --pairs P rooms of two peers, each sending --pair-rate R messages/s to the other

Servers and tokens:
  --url <url>            a server (http://, https://, ws://, wss://); repeat or comma-separate
                         for a cluster: peers are spread over the URLs in turn
  --secret <secret>      the server's --token-secret (or SWITCHBOARD_TOKEN_SECRET); tokens are
                         signed here with @switchboard/server's AccessToken
  --token-url <url>      instead: an endpoint answering GET ?room=&identity=&grants= with
                         {"token": "..."}, e.g. a dev server's http://host:8080/dev/token
  --room <name>          room name (default load-<random>)

Pacing and size:
  --viewers 20  --commenters 1  --comment-rate 5  --publisher  --video-viewers 0
  --storm 0  --storm-window 10  --pairs 10  --pair-rate 2
  --duration 30          seconds of messages once everyone joined
  --join-rate 20         joins per second before the messages start
  --join-retries 3       retries of a join that failed for a passing reason (busy, timeout)
  --join-timeout 20      seconds one join attempt may take
  --drain 10             seconds to wait for late deliveries after the last message
  --processes <n>        load processes (default: the cores, at most 4)

Output:
  --json <file>          the result as JSON
  --html <file>          an HTML report with plots
  --quiet                no live progress line

Exit status: 0 passed, 1 ran but a check failed, 2 bad options, 3 could not run.`;

/** Parses and checks the command line; throws {@link LoadError} `BAD_OPTION` naming the problem. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = {}): LoadOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string', multiple: true },
        secret: { type: 'string' },
        'token-url': { type: 'string' },
        scenario: { type: 'string' },
        room: { type: 'string' },
        publisher: { type: 'boolean' },
        json: { type: 'string' },
        html: { type: 'string' },
        quiet: { type: 'boolean' },
        ...Object.fromEntries(Object.keys(BOUNDS).map((flag) => [flag, { type: 'string' as const }])),
      },
    }));
  } catch (error) {
    throw new LoadError('BAD_OPTION', (error as Error).message);
  }
  const urls = ((values.url as string[] | undefined) ?? []).flatMap((u) => u.split(',')).map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0) throw new LoadError('BAD_OPTION', '--url is required: the server to load, e.g. --url http://127.0.0.1:8080');
  for (const url of urls) checkUrl(url, '--url', ['http:', 'https:', 'ws:', 'wss:']);
  const scenario = (values.scenario as string | undefined) ?? 'live';
  if (scenario !== 'live' && scenario !== 'pairs') throw new LoadError('BAD_OPTION', `--scenario must be live or pairs, not ${JSON.stringify(scenario)}`);
  const number = (flag: NumberFlag, fallback: number): number => {
    const raw = values[flag] as string | undefined;
    const [min, max] = BOUNDS[flag];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new LoadError('BAD_OPTION', `--${flag} must be a number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
    }
    if (flag !== 'comment-rate' && flag !== 'pair-rate' && flag !== 'join-rate' && !Number.isInteger(value)) {
      throw new LoadError('BAD_OPTION', `--${flag} must be a whole number, not ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const options: LoadOptions = {
    urls,
    tokens: tokenSource(values.secret as string | undefined, values['token-url'] as string | undefined, env),
    scenario,
    room: (values.room as string | undefined) ?? `load-${Math.random().toString(36).slice(2, 8)}`,
    viewers: number('viewers', 20),
    commenters: number('commenters', 1),
    commentRate: number('comment-rate', 5),
    publisher: values.publisher === true,
    videoViewers: number('video-viewers', 0),
    storm: number('storm', 0),
    stormSeconds: number('storm-window', 10),
    pairs: number('pairs', 10),
    pairRate: number('pair-rate', 2),
    durationSeconds: number('duration', 30),
    joinRate: number('join-rate', 20),
    joinRetries: number('join-retries', 3),
    joinTimeoutSeconds: number('join-timeout', 20),
    drainSeconds: number('drain', 10),
    processes: number('processes', Math.min(4, availableParallelism())),
    jsonPath: values.json as string | undefined,
    htmlPath: values.html as string | undefined,
    quiet: values.quiet === true,
  };
  if (!/^[\w.~/-]{1,128}$/.test(options.room)) throw new LoadError('BAD_OPTION', `--room must be 1-128 letters, digits or . _ ~ / -, not ${JSON.stringify(options.room)}`);
  if (scenario === 'live') {
    if (options.videoViewers > 0 && !options.publisher) throw new LoadError('BAD_OPTION', '--video-viewers needs --publisher: nothing would publish the video');
    if (options.commentRate > 0 && options.commenters === 0) throw new LoadError('BAD_OPTION', '--comment-rate needs at least one --commenters');
    if (options.viewers + options.storm + options.commenters + options.videoViewers + (options.publisher ? 1 : 0) === 0) {
      throw new LoadError('BAD_OPTION', 'nothing to run: give --viewers, --commenters, --storm or --publisher');
    }
  } else if (options.pairs === 0) {
    throw new LoadError('BAD_OPTION', '--pairs must be at least 1 for the pairs scenario');
  }
  return options;
}

function tokenSource(secret: string | undefined, url: string | undefined, env: NodeJS.ProcessEnv): TokenSourceOptions {
  if (secret !== undefined && url !== undefined) throw new LoadError('BAD_OPTION', 'give either --secret or --token-url, not both');
  if (url !== undefined) {
    checkUrl(url, '--token-url', ['http:', 'https:']);
    return { kind: 'endpoint', url };
  }
  const key = secret ?? env.SWITCHBOARD_TOKEN_SECRET;
  if (key === undefined || key === '') {
    throw new LoadError('BAD_OPTION', 'tokens: give --secret (the server\'s --token-secret, or set SWITCHBOARD_TOKEN_SECRET) or --token-url');
  }
  return { kind: 'secret', secret: key };
}

function checkUrl(url: string, flag: string, protocols: string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LoadError('BAD_OPTION', `${flag} ${JSON.stringify(url)} is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) throw new LoadError('BAD_OPTION', `${flag} ${url}: the scheme must be ${protocols.map((p) => p.slice(0, -1)).join(', ')}`);
}

/** The HTTP base of a server URL (`ws://h:p/x` → `http://h:p`), for `/healthz` and `/metrics`. */
export function httpBase(url: string): string {
  const parsed = new URL(url);
  parsed.protocol = parsed.protocol === 'wss:' || parsed.protocol === 'https:' ? 'https:' : 'http:';
  return parsed.origin;
}

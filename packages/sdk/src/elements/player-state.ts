/**
 * The messages `<sb-remote-control>` and `<sb-controlled-player>` exchange, and how each side
 * checks what it receives (payloads from other peers are never trusted).
 */

/** Message type of the commands a controller sends to a player (always targeted). */
export const CONTROL_MESSAGE = 'control';
/** Message type of the state a player reports to its controllers. */
export const PLAYER_STATE_MESSAGE = 'playerState';

/** What a controller can ask a player to do. */
export type ControlAction = 'play' | 'pause' | 'seek' | 'volume' | 'rate' | 'mute';

/**
 * A `control` message: `seek` takes the time in seconds, `volume` 0 to 1, `rate` the playback
 * rate (1 is normal), `mute` 1 to mute and 0 to unmute; `play` and `pause` take no value.
 */
export interface ControlCommand {
  action: ControlAction;
  value?: number;
}

/** A `playerState` message: the player's media element as it is. */
export interface PlayerState {
  paused: boolean;
  /** Seconds. */
  currentTime: number;
  /** Seconds; `0` while unknown, `Infinity` is sent as `0` too (live streams). */
  duration: number;
  /** 0 to 1. */
  volume: number;
  playbackRate: number;
  /** True while the player's element is muted (a `volume` command does not unmute it). */
  muted?: boolean;
}

const ACTIONS: readonly ControlAction[] = ['play', 'pause', 'seek', 'volume', 'rate', 'mute'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** `data` as a {@link ControlCommand}, or `undefined` when it is not one (or lacks a needed value). */
export function parseControlCommand(data: unknown): ControlCommand | undefined {
  if (!isObject(data) || !ACTIONS.includes(data.action as ControlAction)) return undefined;
  const action = data.action as ControlAction;
  if (action === 'play' || action === 'pause') return { action };
  if (!isFiniteNumber(data.value)) return undefined;
  return { action, value: data.value };
}

/** `data` as a {@link PlayerState}, or `undefined` when it is not one. */
export function parsePlayerState(data: unknown): PlayerState | undefined {
  if (!isObject(data) || typeof data.paused !== 'boolean') return undefined;
  const { currentTime, duration, volume, playbackRate } = data;
  if (![currentTime, duration, volume, playbackRate].every(isFiniteNumber)) return undefined;
  const state: PlayerState = {
    paused: data.paused,
    currentTime: Math.max(0, currentTime as number),
    duration: Math.max(0, duration as number),
    volume: Math.min(1, Math.max(0, volume as number)),
    playbackRate: playbackRate as number,
  };
  if (typeof data.muted === 'boolean') state.muted = data.muted;
  return state;
}

/** `seconds` as `m:ss` (or `h:mm:ss`). */
export function formatTime(seconds: number): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

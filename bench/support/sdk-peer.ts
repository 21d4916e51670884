import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import { connect, nodeEnvironment, type ConnectOptions, type Room } from '@switchboard/sdk';

const environment = nodeEnvironment({ wrtc, WebSocket });

/**
 * Joins a room through the SDK with its default options, as an application on Node would:
 * reconnecting on, since the server makes a receiver that fell behind resume to catch up.
 */
export function joinRoom(wsUrl: string, token: string, options: ConnectOptions = {}): Promise<Room> {
  return connect(wsUrl, token, { ...options, environment });
}

/**
 * Joins one token after another. Not concurrently: a peer whose join is still in flight can get
 * another's `peerJoined` before its own join result, which the SDK does not survive.
 */
export async function joinAll(wsUrl: string, tokens: readonly string[]): Promise<Room[]> {
  const rooms: Room[] = [];
  try {
    for (const token of tokens) rooms.push(await joinRoom(wsUrl, token));
  } catch (error) {
    await leaveAll(rooms);
    throw error;
  }
  return rooms;
}

/** Leaves every room, ignoring failures: cleanup must not mask the benchmark's own error. */
export async function leaveAll(rooms: readonly Room[]): Promise<void> {
  await Promise.all(rooms.map((room) => room.leave().catch(() => undefined)));
}

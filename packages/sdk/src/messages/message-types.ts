/**
 * Message types and their payloads, e.g. `{ chat: { text: string } }`. Payloads must be
 * MessagePack-encodable: plain objects, arrays, strings, numbers, booleans, null, Uint8Array.
 */
export type MessageMap = object;

/** The map used when none is given: any type, payloads of unknown shape. */
export type AnyMessages = Record<string, unknown>;

/** The message type names of `M`. */
export type MessageType<M extends MessageMap> = keyof M & string;

declare const messageMap: unique symbol;

/**
 * A message map the compiler knows about, made by {@link defineMessages}. It has no runtime
 * content: payloads that arrive are not validated, so the types are a contract between peers.
 */
export interface MessageSchema<M extends MessageMap> {
  readonly [messageMap]?: M;
}

/**
 * Declares the application's messages so `room.send` and `room.on('message:<type>')` are checked
 * by the compiler.
 *
 * @example
 * ```ts
 * const messages = defineMessages<{ chat: { text: string }; control: { action: 'play' | 'pause'; at?: number } }>();
 * const room = await connect(url, token, { messages });
 * await room.send('chat', { text: 'hi' });
 * room.on('message:control', (msg) => player[msg.data.action]());
 * ```
 */
export function defineMessages<M extends MessageMap>(): MessageSchema<M> {
  return {};
}

/** A message received from a peer (or from the server's HTTP API, `from: 'server'`). */
export interface ReceivedMessage<T extends string = string, D = unknown> {
  /** The message type. */
  type: T;
  /** The decoded payload. */
  data: D;
  /** The sender's peer ID, stamped by the server. */
  from: string;
  /** The topic it was sent with, if any. */
  topic?: string;
  /** Server time (ms since epoch) when the server forwarded it. */
  serverTime: number;
  /** True when it was addressed to chosen peers rather than broadcast. */
  targeted: boolean;
  /**
   * True when it is from the room's history: sent before it joined, kept by the room's history
   * policy, and delivered once on joining, oldest first, before any live message.
   */
  history: boolean;
}

/** A message of any type of `M`: a union discriminated by `type`. */
export type AnyReceivedMessage<M extends MessageMap> = {
  [T in MessageType<M>]: ReceivedMessage<T, M[T]>;
}[MessageType<M>];

/** The `message:<type>` events of `M`, one per message type. */
export type TypedMessageEvents<M extends MessageMap> = {
  [T in MessageType<M> as `message:${T}`]: ReceivedMessage<T, M[T]>;
};

/**
 * Who a message is for: a peer ID, a list of them, or `{ identities, peers }`, where each
 * identity (a token's subject) is resolved by the server, when it accepts the message, to that
 * user's current session in the room, whichever peer ID it has after a reconnect or a new join.
 * At most 256 peers and identities in all.
 */
export type Recipients = string | readonly string[] | { identities?: readonly string[]; peers?: readonly string[] };

/** How to send a message. */
export interface SendOptions {
  /** The recipients (see {@link Recipients}); absent sends to every other peer in the room. */
  to?: Recipients;
  /**
   * `true` (default): ordered, retransmitted, replayed after a reconnect. `false`: unordered and
   * not retransmitted; dropped (counted in `stats.lossyDropped`, and a `lossyDropped` event)
   * while disconnected or when the channel's buffer is full. At most `limits.maxLossyMessageSize`
   * bytes encoded: `send()` rejects with {@link MessageError} `MESSAGE_TOO_LARGE` above it.
   */
  reliable?: boolean;
  /** Topic; peers that filter topics get a broadcast only if they listen to it. */
  topic?: string;
  /**
   * Reliable messages only. `false` (default): `send()` resolves once the message is handed to
   * the data channel (at once, unless the channel's buffer is above its high watermark or the
   * connection is down: then it waits, which paces a sending loop), and a refusal by the server
   * is reported by the `messageRejected` event and counted in `stats.rejected`. `true`: `send()`
   * resolves once the server accepted the message (one round trip) and rejects with its refusal
   * ({@link MessageRejectedError}: `RATE_LIMITED`, `UNKNOWN_TARGET`, `PERMISSION_DENIED`…), for
   * a message whose fate the caller acts on (a comment box that keeps a refused comment).
   */
  receipt?: boolean;
}

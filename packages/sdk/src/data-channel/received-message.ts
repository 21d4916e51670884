import type { ReceivedMessage } from '../messages/message-types.js';
import type { ReceivedEnvelope } from '../protocol/index.js';

/** What a `message` listener gets for a delivery of kind `message`. */
export function receivedMessage(envelope: ReceivedEnvelope): ReceivedMessage {
  const message: ReceivedMessage = {
    type: envelope.type,
    data: envelope.data,
    from: envelope.from,
    serverTime: envelope.serverTime,
    targeted: envelope.targeted,
    history: envelope.history === true,
  };
  if (envelope.topic !== undefined) message.topic = envelope.topic;
  return message;
}

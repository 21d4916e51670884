import type { ReceivedMessage } from '../messages/message-types.js';
import type { Delivery } from './receiver.js';

/** What a `message` listener gets for a delivery of kind `message`. */
export function receivedMessage({ envelope, payload }: Delivery): ReceivedMessage {
  const message: ReceivedMessage = {
    type: envelope.type,
    data: payload,
    from: envelope.from,
    serverTime: envelope.serverTime,
    targeted: envelope.targeted,
    history: envelope.history === true,
  };
  if (envelope.topic !== undefined) message.topic = envelope.topic;
  return message;
}

import { Device } from 'mediasoup-client';
import * as fakeParameters from 'mediasoup-client/fakeParameters';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import { FakeEvent } from 'mediasoup-client/handlers/fakeEvents/FakeEvent';
import type { ConnectionState, DataConsumer, DataProducer, Transport } from 'mediasoup-client/types';
import { WebSocket } from 'ws';
import type { Environment } from '../../src/env/environment.js';

// mediasoup-client's FakeHandler makes DataChannels that never open and drop what is sent; the
// test opens them and records sends by reaching into these internals.
interface FakeDataChannel {
  _readyState: RTCDataChannelState;
  send(data: Uint8Array): void;
  dispatchEvent(event: FakeEvent): boolean;
}

function channelOf(endpoint: DataProducer | DataConsumer): FakeDataChannel {
  return (endpoint as unknown as { _dataChannel: FakeDataChannel })._dataChannel;
}

/**
 * WebRTC without a network: mediasoup-client's FakeHandler, with data channels that open on
 * their own and record what is sent on them. Signaling goes over real `ws` WebSockets.
 */
export class FakeWebRtc {
  readonly transports: Transport[] = [];
  readonly consumers: DataConsumer[] = [];
  /** Everything sent on our DataProducers, by label ('reliable' or 'lossy'), across sessions. */
  readonly sent: Record<string, Uint8Array[]> = { reliable: [], lossy: [] };
  /** Whether new data channels open by themselves. */
  autoOpen = true;

  readonly environment: Environment = {
    createWebSocket: (url) => new WebSocket(url),
    createDevice: async () => {
      const device = new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) });
      device.observer.on('newtransport', (transport) => this.watch(transport));
      return device;
    },
  };

  /** Makes the handler of a transport report `state`, as a broken ICE connection would. */
  setConnectionState(transport: Transport, state: ConnectionState): void {
    (transport as unknown as { _handler: FakeHandler })._handler.setConnectionState(state);
  }

  /** Delivers `bytes` on the newest receive channel with `label`, as the server would. */
  receive(label: string, bytes: Uint8Array): void {
    const consumer = this.consumers.filter((c) => c.label === label).at(-1);
    if (consumer === undefined) throw new Error(`no ${label} consumer`);
    const event = new FakeEvent('message');
    Object.assign(event, { data: new Uint8Array(bytes).buffer });
    channelOf(consumer).dispatchEvent(event);
  }

  private watch(transport: Transport): void {
    this.transports.push(transport);
    transport.observer.on('newdataproducer', (producer) => {
      const channel = channelOf(producer);
      const record = this.sent[producer.label]!;
      channel.send = (data) => void record.push(new Uint8Array(data));
      if (this.autoOpen) setImmediate(() => open(channel));
    });
    transport.observer.on('newdataconsumer', (consumer) => {
      this.consumers.push(consumer);
      open(channelOf(consumer));
    });
  }
}

function open(channel: FakeDataChannel): void {
  channel._readyState = 'open';
  channel.dispatchEvent(new FakeEvent('open'));
}

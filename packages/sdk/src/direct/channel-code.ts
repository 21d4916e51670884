// What `DirectChannels` loads on first use: the channels themselves and the reading of the
// frames relayed to them. A page that never opens or accepts a direct channel never loads it.
export { DirectChannel } from './direct-channel.js';
export { readRelayed } from './direct-frame.js';

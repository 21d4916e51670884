import assert from 'node:assert/strict';
import { Emitter } from '../src/events.js';

interface TestEvents {
  ping: number;
  pong: string;
}

describe('Emitter', () => {
  it('calls listeners in order until unsubscribed', () => {
    const emitter = new Emitter<TestEvents>();
    const calls: string[] = [];
    const stopA = emitter.on('ping', (n) => calls.push(`a${n}`));
    emitter.on('ping', (n) => calls.push(`b${n}`));
    emitter.emit('ping', 1);
    stopA();
    stopA();
    emitter.emit('ping', 2);
    emitter.emit('pong', 'ignored');
    assert.deepEqual(calls, ['a1', 'b1', 'b2']);
  });

  it('calls a once listener a single time, and off removes it before that', () => {
    const emitter = new Emitter<TestEvents>();
    const calls: number[] = [];
    emitter.once('ping', (n) => calls.push(n));
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    const listener = (n: number): void => void calls.push(n * 10);
    emitter.once('ping', listener);
    emitter.off('ping', listener);
    emitter.emit('ping', 3);
    assert.deepEqual(calls, [1]);
  });

  it('skips listeners removed during an emit and defers ones added during it', () => {
    const emitter = new Emitter<TestEvents>();
    const calls: string[] = [];
    let stopB = (): void => undefined;
    emitter.on('ping', () => {
      calls.push('a');
      stopB();
      emitter.on('ping', () => calls.push('c'));
    });
    stopB = emitter.on('ping', () => calls.push('b'));
    emitter.emit('ping', 1);
    assert.deepEqual(calls, ['a']);
  });

  it('keeps calling listeners after one throws, and rethrows its error asynchronously', () => {
    const emitter = new Emitter<TestEvents>();
    const deferred: Array<() => void> = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) => void deferred.push(callback);
    const calls: string[] = [];
    try {
      emitter.on('pong', () => {
        throw new Error('listener bug');
      });
      emitter.on('pong', (text) => calls.push(text));
      emitter.emit('pong', 'still delivered');
    } finally {
      globalThis.queueMicrotask = original;
    }
    assert.deepEqual(calls, ['still delivered']);
    assert.equal(deferred.length, 1);
    assert.throws(() => deferred[0]!(), /listener bug/);
  });
});

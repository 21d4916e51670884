// The part of Node's `process` used here; the SDK is built without Node's types.
interface ExitingProcess {
  on(event: 'exit', listener: (code: number) => void): unknown;
  listeners(event: 'exit'): ((this: unknown, code: number) => void)[];
  exit(code: number): never;
}

let installed = false;

/**
 * Makes a Node process that used `@roamhq/wrtc` exit without a crash.
 *
 * When Node exits because its event loop ran dry, it frees its environment: wrtc disposes its
 * WebRTC factory, and only then are the remaining native objects finalized. mediasoup-client
 * keeps a `MediaStream` in every transport handler, and finalizing one after the factory is
 * gone dereferences a null pointer (SIGSEGV, seen in a debugger as
 * `~MediaStreamProxyWithInternal` under `FreeEnvironment`), even after `leave()` closed
 * everything. `process.exit()` ends the process without that teardown, so this 'exit'
 * listener runs the listeners registered after it (once, as `emit` would) and then exits with
 * the same code. Nothing changes for a process that calls `process.exit()` itself.
 */
export function exitWithoutNativeTeardown(): void {
  const node = (globalThis as { process?: ExitingProcess }).process;
  if (installed || node === undefined) return;
  installed = true;
  const onExit = (code: number): void => {
    const listeners = node.listeners('exit');
    for (const listener of listeners.slice(listeners.indexOf(onExit) + 1)) listener.call(node, code);
    node.exit(code);
  };
  node.on('exit', onExit);
}

/**
 * Runs `task` once the current task is over: after the code that called this and every
 * microtask it queued, including the continuations of the `await`s in a sending loop, so a loop
 * that awaits each send still hands several messages to one batch. No timer: in Node,
 * `setImmediate`; in browsers, a `MessageChannel` message (not clamped like `setTimeout`).
 */
export function nextTask(task: () => void): void {
  // Looked up on globalThis: the SDK builds against the DOM's types, which lack it.
  const immediate = (globalThis as { setImmediate?: (task: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') immediate(task);
  else (tasks ??= messageTasks())(task);
}

let tasks: ((task: () => void) => void) | undefined;

function messageTasks(): (task: () => void) => void {
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => queue.shift()?.();
  return (task) => {
    queue.push(task);
    channel.port2.postMessage(undefined);
  };
}

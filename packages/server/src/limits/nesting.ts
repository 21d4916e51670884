/** Deepest nesting of arrays and maps in a peer's metadata (token claim or `updateSelf`). */
export const MAX_METADATA_DEPTH = 16;

/**
 * The first top-level field of `value` whose contents nest deeper than `maxDepth` arrays or
 * objects (`''` when `value` itself is the culprit), or undefined if none does. Iterative, so
 * it cannot overflow the stack the way encoding or cloning a hostile value would.
 */
export function tooDeepField(value: unknown, maxDepth: number): string | undefined {
  const stack: { value: unknown; depth: number; field: string }[] = [{ value, depth: 0, field: '' }];
  while (stack.length > 0) {
    const item = stack.pop() as (typeof stack)[number];
    if (typeof item.value !== 'object' || item.value === null || ArrayBuffer.isView(item.value)) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return item.field;
    const entries = Array.isArray(item.value) ? item.value.entries() : Object.entries(item.value);
    for (const [key, child] of entries) stack.push({ value: child, depth, field: item.depth === 0 ? String(key) : item.field });
  }
  return undefined;
}

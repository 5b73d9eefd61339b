/**
 * Deterministic release of native memory. Tensors created while a scope is open are recorded in
 * it; when the scope closes, every recorded tensor that is not returned (or kept) is disposed.
 * Outside any scope, tensors live until `dispose()` or, as a backstop, garbage collection.
 * This module knows a tensor only as something to dispose: tensor.ts, which imports it, registers
 * how to recognise one (`setTensorCheck`).
 */
interface Tracked {
  dispose(): void;
}

const stack: Set<Tracked>[] = [];

/** Records a freshly created tensor in the innermost open scope. */
export function track(t: Tracked): void {
  if (stack.length > 0) stack[stack.length - 1].add(t);
}

/** Removes a tensor from every open scope so it survives them (like tf.keep). */
export function keep<T extends Tracked>(t: T): T {
  for (const s of stack) s.delete(t);
  return t;
}

/** Collects the tensors inside a result (a tensor, or arrays/objects of tensors). */
function collect(value: unknown, out: Set<Tracked>, isTracked: (v: unknown) => v is Tracked): void {
  if (isTracked(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out, isTracked);
  else if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  )
    for (const v of Object.values(value)) collect(v, out, isTracked);
}

let tensorCheck: (v: unknown) => v is Tracked = (_v: unknown): _v is Tracked => false;
/** Set once by tensor.ts: how to recognise a tensor. */
export function setTensorCheck(f: (v: unknown) => v is Tracked): void {
  tensorCheck = f;
}

/**
 * Runs `fn` in a new scope (like tf.tidy). Tensors created inside are disposed when it returns,
 * except those in its result, which move to the enclosing scope. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tracked>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    stack.pop();
    for (const t of scope) t.dispose();
    throw err;
  }
  stack.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error('tidy: the function must be synchronous (got a Promise)');
  }
  const survivors = new Set<Tracked>();
  collect(result, survivors, tensorCheck);
  for (const t of scope) {
    if (survivors.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor in a value (a tensor, or arrays/objects of tensors). */
export function dispose(value: unknown): void {
  const all = new Set<Tracked>();
  collect(value, all, tensorCheck);
  for (const t of all) t.dispose();
}

// Dependencies that only some inputs need (the RE2 engine for regex matchers, picomatch for a
// glob written in shell syntax, worker threads for big trees) are required on first use instead
// of being bundled or imported up front: a small glob-only lint never loads them, which keeps its
// cold start short.
import { createRequire } from 'node:module';

export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(id) as T);
}

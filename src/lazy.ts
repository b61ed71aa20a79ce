// Dependencies that only some inputs need (the RE2 engine for regex matchers, picomatch for a
// glob written in shell syntax) are required from node_modules on first use instead of being
// bundled: a glob-only policy then never parses them, which keeps `lint`'s cold start short.
import { createRequire } from 'node:module';

export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(id) as T);
}

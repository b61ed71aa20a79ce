// The audit's on-disk cache: each repo's policy folder keyed by its default-branch commit, so a
// re-run reads again only repos whose default branch moved. One JSON file per GitHub host, written
// atomically and readable by its owner only (it holds policy texts of private repos).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoSnapshot } from '../model.js';

const FORMAT = 1;

interface CacheFile {
  format: number;
  repos: Record<string, RepoSnapshot>;
}

export class SnapshotCache {
  private readonly file: string;
  private repos: Record<string, RepoSnapshot> = {};
  private dirty = false;
  /** Why the cache file could not be read (it is then ignored and rewritten). */
  readonly problem: string | undefined;

  constructor(
    readonly dir: string,
    host: string,
  ) {
    this.file = join(dir, `audit-${host.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`);
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (data.format === FORMAT && data.repos && typeof data.repos === 'object') this.repos = data.repos;
      else this.problem = `${this.file} has another format; it is rebuilt`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `${this.file} is unreadable (${(e as Error).message}); it is rebuilt`;
    }
  }

  get(repo: string, commit: string): RepoSnapshot | undefined {
    const s = this.repos[repo.toLowerCase()];
    return s && s.commit === commit ? s : undefined;
  }

  put(s: RepoSnapshot): void {
    if (!s.commit || s.error) return;
    this.repos[s.repo.toLowerCase()] = { ...s, via: 'cache' };
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, repos: this.repos } satisfies CacheFile), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}

// The pull request a GitHub Actions job runs for, read from its event file and environment. Every
// problem is an EventError that says what to set or how to run instead (the CLI exits 2 on it).
export class EventError extends Error {
  override name = 'EventError';
}

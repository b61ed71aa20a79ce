// The package version (from package.json, injected by the bundler), for the CLI, SARIF and API user agents.
declare const __STS_POLICY_VERSION__: string | undefined;
/** Injected by the bundler from package.json. */
export const VERSION = typeof __STS_POLICY_VERSION__ === 'string' ? __STS_POLICY_VERSION__ : '0.0.0-dev';

declare const __STS_POLICY_VERSION__: string | undefined;
/** Injected by the bundler from package.json. */
export const VERSION = typeof __STS_POLICY_VERSION__ === 'string' ? __STS_POLICY_VERSION__ : '0.0.0-dev';

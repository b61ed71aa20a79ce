// GitHub's API and web addresses: github.com's API is api.github.com; Enterprise Server serves its
// API under https://HOST/api/v3 (and GraphQL at /api/graphql, which Octokit derives).

export interface GitHubEndpoints {
  apiUrl: string;
  webUrl: string;
  /** For messages and the cache file name: `github.com`, or the server's host. */
  host: string;
}

export function endpoints(apiUrl: string | undefined): GitHubEndpoints {
  const api = (apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new Error(`--api-url ${JSON.stringify(apiUrl)} is not a URL (e.g. https://github.example.com/api/v3)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--api-url ${JSON.stringify(apiUrl)} must be an http(s) URL`);
  if (url.host === 'api.github.com') return { apiUrl: api, webUrl: 'https://github.com', host: 'github.com' };
  const web = api.replace(/\/api\/v3$/, '');
  return { apiUrl: api, webUrl: web, host: url.host };
}

/**
 * Credentials a user wrote into a scenario (`http://user:pass@host/`, `http://TOKEN@host/`, an
 * Authorization or X-Api-Key header) are used for the requests, and never stored or printed:
 * manifest.json, the terminal and error messages get `http://user:***@host/`, `http://***@host/`
 * and `***`.
 */

export const REDACTED = '***';

/**
 * Header names whose values are credentials: `Cookie`, and any name holding `token`, `secret`,
 * `key` or `auth` (Authorization, Proxy-Authorization, X-Api-Key, X-Auth-Token, …), in any case.
 */
export function isSecretHeader(name: string): boolean {
  return /token|secret|key|auth/i.test(name) || name.toLowerCase() === 'cookie';
}

/** A URL with its credentials replaced: the password, or a user alone (a token: `https://***@host/`); text that is not a URL is redacted as text. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redactText(url);
  }
  if (u.password) u.password = REDACTED;
  else if (u.username) u.username = REDACTED;
  else return url;
  return u.href;
}

/**
 * Every `scheme://user:password@` in a text, with the password replaced, and every
 * `scheme://user@` (a token) with the user replaced. The password runs to the last `@` before a
 * space or quote: in a URL that does not parse, it may hold `/`, `?` or `#` unencoded
 * (`http://u:pa/ss@h/`), and those must not end it early and leave it printed.
 */
export function redactText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s"]*@/gi, `$1:${REDACTED}@`)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]+@/gi, `$1${REDACTED}@`);
}

/** Headers with the values of credential headers replaced. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSecretHeader(k) ? REDACTED : v]));
}

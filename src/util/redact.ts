/**
 * Credentials a user wrote into a scenario (`http://user:pass@host/`, an Authorization header)
 * are used for the requests, and never stored or printed: manifest.json, the terminal and error
 * messages get `http://user:***@host/` and `***`.
 */

export const REDACTED = '***';

/** Header names whose values are credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** A URL with its password replaced; text that is not a URL is redacted as text. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redactText(url);
  }
  if (!u.password) return url;
  u.password = REDACTED;
  return u.href;
}

/**
 * Every `scheme://user:password@` in a text, with the password replaced. The password runs to the
 * last `@` before a space or quote: in a URL that does not parse, it may hold `/`, `?` or `#`
 * unencoded (`http://u:pa/ss@h/`), and those must not end it early and leave it printed.
 */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s"]*@/gi, `$1:${REDACTED}@`);
}

/** Headers with the values of credential headers replaced. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : v]));
}

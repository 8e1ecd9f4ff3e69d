/**
 * The `href` a URL from the wire (an attachment, a notification's link) may become: an absolute
 * http(s) URL, or a path that stays on this app's origin. Anything else — `javascript:`,
 * `data:`, `vbscript:`, `//other.host`, `/\other.host`, a scheme behind whitespace — gets
 * `undefined`, and the caller shows the URL as text. The protocol's codec already refuses most
 * of these; the app does not rely on it (a custom codec or a different server may not).
 *
 * @example
 * safeHref('/builds/42', 'http://127.0.0.1:3000') // 'http://127.0.0.1:3000/builds/42'
 * safeHref('//evil.example/x', 'http://127.0.0.1:3000') // undefined
 * safeHref('javascript:alert(1)', 'http://127.0.0.1:3000') // undefined
 */
export function safeHref(
  value: string,
  origin: string = window.location.origin,
): string | undefined {
  const absolute = /^https?:\/\//i.test(value)
  if (!absolute && !value.startsWith('/')) return undefined
  let url: URL
  try {
    url = new URL(value, origin)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  // A path the browser reads as another host ('//x', '/\x', '/<tab>/x') is not a path.
  if (!absolute && url.origin !== new URL(origin).origin) return undefined
  return url.href
}

/**
 * `text()` in development, `''` in a production build: a programmer-misuse error keeps its short
 * part (what is wrong, and which option, field or argument) everywhere and its long part (how to
 * fix it, with an example) outside production. Write `text` exactly as
 * `() => (process.env.NODE_ENV !== 'production' ? '…' : '')`: bundlers replace
 * `process.env.NODE_ENV` textually, so a production build keeps `() => ''` and drops the text
 * (a check further away, a constant or a helper, is not folded). Where nothing replaced it and
 * there is no `process` (a page without a bundler), `''`. With `short`, a message's wording in
 * production: `text` says it in full in development (`short` is not in it), `short` in a
 * production build, in fewer words that still name what is wrong. The React entry has its own copy
 * (`src/react/dev.ts`): it reaches the core only through the package's public entry.
 */
export function devText(text: () => string, short = ''): string {
  try {
    return text() || short
  } catch {
    return short
  }
}

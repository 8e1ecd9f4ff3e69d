// Which original source files a bundle's code comes from, and how many bytes of it each:
// read from the bundle's source map (esbuild composes the dist files' own maps into it), by
// the generated columns each mapping covers. A file listed in `sources` with no mapping
// contributed nothing (esbuild lists every source of an input map it read).
import { gzipSync } from 'node:zlib'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DIGIT = new Map([...B64].map((char, index) => [char, index]))

const IMPORT_DECLARATION =
  /import\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s*[\w$]+)?\s*(?:from\s*)?"[^"]*";?/g

/** Decodes one segment's base64 VLQ fields. */
function decodeSegment(segment) {
  const fields = []
  let value = 0
  let shift = 0
  for (const char of segment) {
    const digit = DIGIT.get(char)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
      continue
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return fields
}

/**
 * The spans of the generated `code` each mapping of `map` covers, with the name of the source
 * it maps to: `{ line, from, to, source }` (columns of that line, `to` exclusive). Import
 * declarations of external packages are left out: an app's bundler merges them with the other
 * imports of the same package.
 */
function mappedSpans(map, code) {
  const lines = code.split('\n')
  const imports = lines.map((line) =>
    [...line.matchAll(IMPORT_DECLARATION)].map((match) => [
      match.index,
      match.index + match[0].length,
    ]),
  )
  const inImport = (line, column) =>
    imports[line].some(([start, end]) => column >= start && column < end)
  const spans = []
  let source = 0
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0
    let previous = null
    const flush = (end) => {
      if (previous !== null && !inImport(lineIndex, previous.column))
        spans.push({ line: lineIndex, from: previous.column, to: end, source: previous.source })
    }
    for (const segment of line.split(',')) {
      if (segment === '') continue
      const fields = decodeSegment(segment)
      column += fields[0]
      flush(column)
      if (fields.length >= 4) {
        source += fields[1]
        previous = { column, source: map.sources[source] }
      } else previous = null
    }
    flush(lines[lineIndex]?.length ?? column)
  })
  return spans
}

/** `Map<source, bytes>` of the generated code `code` mapped back to each source of `map`. */
export function bytesBySource(map, code) {
  const bytes = new Map()
  for (const { from, to, source } of mappedSpans(map, code))
    bytes.set(source, (bytes.get(source) ?? 0) + to - from)
  return bytes
}

/**
 * What the code of the sources `of` selects adds to the gzip (level 9) of `code`: its gzip size
 * less that of `code` without their spans. Shares of several groups do not add up to the
 * whole (gzip finds repeats across them), so each is what leaving that group out would save.
 */
export function gzipShare(map, code, of) {
  const cut = new Map()
  for (const span of mappedSpans(map, code)) {
    if (!of(span.source)) continue
    const spans = cut.get(span.line) ?? []
    spans.push(span)
    cut.set(span.line, spans)
  }
  const rest = code
    .split('\n')
    .map((text, line) => {
      let kept = ''
      let at = 0
      for (const span of (cut.get(line) ?? []).sort((a, b) => a.from - b.from)) {
        kept += text.slice(at, span.from)
        at = span.to
      }
      return kept + text.slice(at)
    })
    .join('\n')
  const gzip = (text) => gzipSync(text, { level: 9 }).length
  return gzip(code) - gzip(rest)
}

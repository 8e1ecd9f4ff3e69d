// Which original source files a bundle's code comes from, and how many bytes of it each:
// read from the bundle's source map (esbuild composes the dist files' own maps into it), by
// the generated columns each mapping covers. A file listed in `sources` with no mapping
// contributed nothing (esbuild lists every source of an input map it read).
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
 * `Map<source, bytes>` of the generated code `code` mapped back to each source of `map`.
 * Import declarations of external packages are not counted: an app's bundler merges them with
 * the other imports of the same package.
 */
export function bytesBySource(map, code) {
  const lines = code.split('\n')
  const imports = lines.map((line) =>
    [...line.matchAll(IMPORT_DECLARATION)].map((match) => [
      match.index,
      match.index + match[0].length,
    ]),
  )
  const bytes = new Map()
  let source = 0
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0
    let previous = null
    const flush = (end) => {
      if (previous === null) return
      if (imports[lineIndex].some(([from, to]) => previous.column >= from && previous.column < to))
        return
      const name = map.sources[previous.source]
      bytes.set(name, (bytes.get(name) ?? 0) + end - previous.column)
    }
    for (const segment of line.split(',')) {
      if (segment === '') continue
      const fields = decodeSegment(segment)
      column += fields[0]
      flush(column)
      if (fields.length >= 4) {
        source += fields[1]
        previous = { column, source }
      } else previous = null
    }
    flush(lines[lineIndex]?.length ?? column)
  })
  return bytes
}

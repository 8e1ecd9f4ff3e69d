/**
 * y-protocols' awareness update format (lib0 encoding), read and written here so the server can
 * check each entry before its `Awareness` sees it: a varUint count, then per entry a varUint
 * clientID, a varUint clock and a varString of the state's JSON (`null`: removed).
 */

/** One entry of an awareness update; `state` is the JSON text as sent. */
export interface AwarenessEntry {
  clientID: number
  clock: number
  state: string
}

/** Thrown on bytes that are not an awareness update. */
export class AwarenessDecodeError extends Error {}

const textDecoder = new TextDecoder('utf-8', { fatal: true })
const textEncoder = new TextEncoder()

/**
 * The entries of `update`; throws `AwarenessDecodeError` on truncated or trailing bytes, numbers
 * past 2^53, or text that is not UTF-8. At most `maxEntries` entries.
 */
export function decodeAwarenessUpdate(update: Uint8Array, maxEntries: number): AwarenessEntry[] {
  let pos = 0
  const readVarUint = (): number => {
    let num = 0
    let mult = 1
    for (;;) {
      if (pos >= update.length) throw new AwarenessDecodeError('truncated awareness update')
      const byte = update[pos++] as number
      num += (byte & 0x7f) * mult
      if (num > Number.MAX_SAFE_INTEGER)
        throw new AwarenessDecodeError('number too large in awareness update')
      if (byte < 0x80) return num
      mult *= 128
    }
  }
  const count = readVarUint()
  if (count > maxEntries)
    throw new AwarenessDecodeError(`an awareness update may carry at most ${maxEntries} entries`)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientID = readVarUint()
    const clock = readVarUint()
    const length = readVarUint()
    if (pos + length > update.length) throw new AwarenessDecodeError('truncated awareness update')
    let state: string
    try {
      state = textDecoder.decode(update.subarray(pos, pos + length))
    } catch {
      throw new AwarenessDecodeError('awareness state is not UTF-8')
    }
    pos += length
    entries.push({ clientID, clock, state })
  }
  if (pos !== update.length) throw new AwarenessDecodeError('trailing bytes in awareness update')
  return entries
}

/** The awareness update carrying `entries`, as `encodeAwarenessUpdate` would write it. */
export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  const parts: number[] = []
  const writeVarUint = (value: number): void => {
    let num = value
    while (num > 0x7f) {
      parts.push(0x80 | (num % 128))
      num = Math.floor(num / 128)
    }
    parts.push(num)
  }
  const texts = entries.map((entry) => textEncoder.encode(entry.state))
  writeVarUint(entries.length)
  entries.forEach((entry, i) => {
    const text = texts[i] as Uint8Array
    writeVarUint(entry.clientID)
    writeVarUint(entry.clock)
    writeVarUint(text.length)
    for (const byte of text) parts.push(byte)
  })
  return Uint8Array.from(parts)
}

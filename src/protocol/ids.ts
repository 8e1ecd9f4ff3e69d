const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict'

/** Random bytes fetched at once (as nanoid does): one crypto call per many ids, not per id. */
const POOL_BYTES = 21 * 128
let pool: Uint8Array | undefined
let used = POOL_BYTES

function randomBytes(size: number): Uint8Array {
  const cryptoObject = (
    globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }
  ).crypto
  if (!cryptoObject?.getRandomValues) {
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(Math.random() * 256)
    return bytes
  }
  if (size > POOL_BYTES) return cryptoObject.getRandomValues(new Uint8Array(size))
  if (!pool || used + size > POOL_BYTES) {
    pool = cryptoObject.getRandomValues(pool ?? new Uint8Array(POOL_BYTES))
    used = 0
  }
  used += size
  return pool.subarray(used - size, used)
}

/** A 21-character random id (URL-safe), from the platform's crypto when it has one. */
export function createId(size = 21): string {
  const bytes = randomBytes(size)
  let id = ''
  for (let i = 0; i < size; i++) id += ALPHABET[(bytes[i] as number) & 63]
  return id
}

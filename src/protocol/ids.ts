const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict'

/** A 21-character random id (URL-safe), from the platform's crypto when it has one. */
export function createId(size = 21): string {
  const bytes = new Uint8Array(size)
  const cryptoObject = (
    globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }
  ).crypto
  if (cryptoObject?.getRandomValues) cryptoObject.getRandomValues(bytes)
  else for (let i = 0; i < size; i++) bytes[i] = Math.floor(Math.random() * 256)
  let id = ''
  for (let i = 0; i < size; i++) id += ALPHABET[(bytes[i] as number) & 63]
  return id
}

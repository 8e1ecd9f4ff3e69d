/** A `Map` or a `WeakMap`. */
export interface Keyed<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): unknown
}

/** `map`'s value for `key`, made by `create` and kept there on first use. */
export function cached<K, V>(map: Keyed<K, V>, key: K, create: () => V): V {
  let value = map.get(key)
  if (value === undefined) map.set(key, (value = create()))
  return value
}

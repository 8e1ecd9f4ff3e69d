/**
 * Reading records keyed by wire strings (rooms, user ids, message ids). Keys are validated so
 * they are never an `Object.prototype` member name (`src/protocol/validate.ts`); reads still go
 * through `own`, so a record never answers with something it inherited.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

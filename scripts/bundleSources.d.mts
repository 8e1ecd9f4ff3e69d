/** `Map<source, bytes>` of the generated `code` mapped back to each source of `map`. */
export declare function bytesBySource(
  map: { sources: string[]; mappings: string },
  code: string,
): Map<string, number>

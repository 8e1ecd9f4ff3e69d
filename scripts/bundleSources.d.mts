/** `Map<source, bytes>` of the generated `code` mapped back to each source of `map`. */
export declare function bytesBySource(
  map: { sources: string[]; mappings: string },
  code: string,
): Map<string, number>

/**
 * What the code of the sources `of` selects adds to the gzip (level 9) of `code`: what leaving
 * them out would save.
 */
export declare function gzipShare(
  map: { sources: string[]; mappings: string },
  code: string,
  of: (source: string) => boolean,
): number

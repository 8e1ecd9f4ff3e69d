/**
 * What a process hears of one document while it has the document loaded. Updates come as some
 * process stored them (this one's too: its own come back); Yjs updates commute and repeat
 * harmlessly, so only a missed one matters, and `missed` says when one may have been.
 */
export interface DocumentFeed {
  /** An update some process stored for the document. */
  update(update: Uint8Array): void
  /** An awareness update (y-protocols encoding) from another process's connections. */
  awareness(update: Uint8Array): void
  /** Updates may have been missed (a lost subscription, a gap in what was heard): reload. */
  missed(): void
}

/**
 * The document fan-out seam: how an update one process stores, and an awareness change of one
 * process's connections, reach the other processes that have the document loaded. A process
 * subscribes when it loads a document and unsubscribes when it unloads it. Publishing updates
 * is the document store's: the Redis store's append script publishes what it stored, so storing
 * and publishing are one step (`createRedisDocumentStore` and `createRedisDocumentBroker` on one
 * prefix go together). Internal (issue 12) until the engine has a public name.
 */
export interface DocumentBroker {
  /** Starts hearing `doc`; resolves once updates stored from now on will be heard. */
  subscribe(doc: string, feed: DocumentFeed): Promise<void>
  /** Stops hearing `doc` (a later `subscribe` starts again). */
  unsubscribe(doc: string): void
  /** Sends an awareness update of this process's connections to the other processes. */
  publishAwareness(doc: string, update: Uint8Array): void
  /** Drops every subscription and the connection it owns. */
  close(): Promise<void>
}

/** One process alone: nothing comes from elsewhere, nothing goes anywhere (today's behaviour). */
export const localDocumentBroker: DocumentBroker = {
  subscribe: () => Promise.resolve(),
  unsubscribe: () => undefined,
  publishAwareness: () => undefined,
  close: () => Promise.resolve(),
}

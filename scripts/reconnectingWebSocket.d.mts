/** reconnecting-websocket's TypeScript source, less what the transport can never reach. */
export declare function trimReconnectingWebSocket(source: string): string

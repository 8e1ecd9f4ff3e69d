/**
 * Error codes carried by `error` frames, error actions and thrown `WebSocketError`s.
 * The first seven are the seed's; the rest name what the protocol can reject.
 */
export const WebSocketErrorCode = {
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  AUTHENTICATION_FAILED: 'AUTHENTICATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVER_ERROR: 'SERVER_ERROR',
  NETWORK_ERROR: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  /** A frame failed validation (see `RejectReason` for which check). */
  INVALID_FRAME: 'INVALID_FRAME',
  /** A frame or message exceeded the size limit. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** `authorize` refused the room action. */
  FORBIDDEN: 'FORBIDDEN',
  /** A message was sent to a room this connection has not joined. */
  NOT_JOINED: 'NOT_JOINED',
  /** The outbox already holds `messageQueueSize` messages. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** The connection gave up: max reconnect attempts reached or auth failed for good. */
  RECONNECT_FAILED: 'RECONNECT_FAILED',
  /** The app's `getToken` threw or rejected: transient, retried with backoff. */
  AUTH_PROVIDER_FAILED: 'AUTH_PROVIDER_FAILED',
  /** The outbox storage failed (quota, private mode, corrupt data); memory still holds everything. */
  STORAGE_FAILED: 'STORAGE_FAILED',
  /** The session's token expired: only a fresh `auth` is accepted until the server closes (4002). */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The server's send buffer for this connection passed `maxBufferedBytes` (closed with 4009). */
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  /** This user already has `maxConnectionsPerUser` connections open (closed with 4029). */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** Another author already used this message id in the stream: ids are unique per stream. */
  DUPLICATE_ID: 'DUPLICATE_ID',
  /** The server's `validateMessage` refused an app-defined message's data. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** A volatile message needs a live connection: it is never queued offline. */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** A newer volatile message of the same room and type replaced it before it could go out. */
  SUPERSEDED: 'SUPERSEDED',
} as const

export type WebSocketErrorCode = (typeof WebSocketErrorCode)[keyof typeof WebSocketErrorCode]

/** WebSocket close codes used by client and server. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  AUTH_FAILED: 4001,
  /** The token expired and no fresh one came within the grace period. */
  TOKEN_EXPIRED: 4002,
  FORBIDDEN: 4003,
  RATE_LIMITED: 4008,
  /** The client read too slowly: its send buffer passed `maxBufferedBytes`. */
  SLOW_CONSUMER: 4009,
  /** Client side: the heartbeat saw no frame within its deadline. */
  HEARTBEAT_TIMEOUT: 4010,
  /** The user already has `maxConnectionsPerUser` connections. */
  TOO_MANY_CONNECTIONS: 4029,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

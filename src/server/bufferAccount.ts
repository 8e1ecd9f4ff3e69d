/**
 * What one connection's send buffer holds, told apart: replays (a join's answer, which the
 * client asked for and which is bounded by retention) and everything else.
 */
export interface BufferAccount {
  /**
   * A replay frame of `bytes` (a join's answer) was handed to the socket; call what it returns
   * once the socket has written it out (`ws`'s send callback).
   */
  replaySent(bytes: number): () => void
  /** Whether the buffer, replays not drained yet set aside (up to the cap), is past the limit. */
  over(bufferedAmount: number): boolean
}

/** Undrained replay bytes set aside at most, as a multiple of `maxBufferedBytes`. */
export const REPLAY_ALLOWANCE_FACTOR = 4

/**
 * The slow-consumer test. A client that just joined a room with a long history has a lot to
 * read without being slow; live frames sent meanwhile must not get it dropped. So the bytes of
 * replays not written out yet are not counted, up to `REPLAY_ALLOWANCE_FACTOR` ×
 * `maxBufferedBytes`: a connection holds at most (1 + that factor) × `maxBufferedBytes` (plus one
 * frame or replay) before it is dropped.
 *
 * What is still undrained is told by `ws`'s send callback for each replay frame, not computed
 * from byte positions: with permessage-deflate `bufferedAmount` counts compressed bytes, so
 * "sent minus buffered" took a replay for read long before it was, and dropped a client still
 * draining one. The set-aside is in uncompressed bytes, so with compression it can only be
 * more lenient, never past the cap.
 *
 * @example
 * const account = createBufferAccount(4 * 1024 * 1024)
 * if (account.over(socket.bufferedAmount)) dropSlowConsumer()
 * else socket.send(replayText, account.replaySent(bytes))
 */
export function createBufferAccount(maxBufferedBytes: number): BufferAccount {
  const allowanceCap = REPLAY_ALLOWANCE_FACTOR * maxBufferedBytes
  let undrained = 0

  return {
    replaySent(bytes) {
      undrained += bytes
      let done = false
      return () => {
        if (done) return
        done = true
        undrained -= bytes
      }
    },
    over(bufferedAmount) {
      if (bufferedAmount <= maxBufferedBytes) return false
      return bufferedAmount - Math.min(undrained, allowanceCap) > maxBufferedBytes
    },
  }
}

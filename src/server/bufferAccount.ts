/**
 * What one connection's send buffer holds, told apart: replays (a join's answer, which the
 * client asked for and which is bounded by retention) and everything else.
 */
export interface BufferAccount {
  /** Records bytes handed to the socket; `replay` for a join's answer. */
  sent(bytes: number, replay: boolean): void
  /** Whether the buffer, replays not drained yet set aside (up to the cap), is past the limit. */
  over(bufferedAmount: number): boolean
}

/** Undrained replay bytes set aside at most, as a multiple of `maxBufferedBytes`. */
export const REPLAY_ALLOWANCE_FACTOR = 4

/**
 * The slow-consumer test. A client that just joined a room with a long history has a lot to
 * read without being slow; live frames sent meanwhile must not get it dropped. So the bytes of
 * replays it has not read yet are not counted, up to `REPLAY_ALLOWANCE_FACTOR` ×
 * `maxBufferedBytes`: a connection holds at most (1 + that factor) × `maxBufferedBytes` (plus one
 * frame or replay) before it is dropped. Bytes are tracked as positions in the stream of bytes
 * sent: what is drained is what was sent minus what is still buffered.
 *
 * @example
 * const account = createBufferAccount(4 * 1024 * 1024)
 * if (account.over(socket.bufferedAmount)) dropSlowConsumer()
 * else { socket.send(text); account.sent(bytes, false) }
 */
export function createBufferAccount(maxBufferedBytes: number): BufferAccount {
  const allowanceCap = REPLAY_ALLOWANCE_FACTOR * maxBufferedBytes
  let written = 0
  /** Replays not fully drained yet, as [start, end) positions. */
  let replays: Array<[number, number]> = []

  const undrainedReplay = (drained: number): number => {
    replays = replays.filter(([, end]) => end > drained)
    let bytes = 0
    for (const [start, end] of replays) bytes += end - Math.max(start, drained)
    return bytes
  }

  return {
    sent(bytes, replay) {
      const start = written
      written += bytes
      if (!replay) return
      const last = replays.at(-1)
      // Consecutive replay frames are one range.
      if (last && last[1] === start) last[1] = written
      else replays.push([start, written])
    },
    over(bufferedAmount) {
      if (bufferedAmount <= maxBufferedBytes) return false
      const drained = Math.max(0, written - bufferedAmount)
      const setAside = Math.min(undrainedReplay(drained), allowanceCap)
      return bufferedAmount - setAside > maxBufferedBytes
    },
  }
}

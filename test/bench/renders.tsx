/**
 * Renders: two `useChat` components under one `WebSocketProvider` (react-dom in jsdom, set up
 * here by hand: this runs under tsx, in its own process so jsdom's globals stay out of the
 * other rows). The fake server streams ~10,000 frames/s for ~2 s into the busy room only
 * (paced in 10 ms ticks); each component counts its renders. Browser-like delivery, RTK checks
 * off. `BENCH_URL` is the fake server.
 */
import { reply } from './child'
import { packageClient } from './clients'
import { sleep, type BenchRow } from './rows'

const RATE = 10_000
const FRAMES = 20_000

/** The part of jsdom used here (the package ships no types; @types/jsdom is not installed). */
interface JsdomModule {
  JSDOM: new (
    html: string,
    options: { url: string; pretendToBeVisual: boolean },
  ) => { window: Window & typeof globalThis }
}

async function main(): Promise<void> {
  const specifier: string = 'jsdom' // typed string: no declaration file to resolve
  const { JSDOM } = (await import(specifier)) as JsdomModule
  // pretendToBeVisual: requestAnimationFrame at 60 Hz, as in a browser tab that is visible (RTK's
  // autoBatchEnhancer notifies once per animation frame where there is one).
  const dom = new JSDOM('<!doctype html><div id="root"></div>', {
    url: 'http://localhost/',
    pretendToBeVisual: true,
  })
  const globals = globalThis as Record<string, unknown>
  for (const name of [
    'window',
    'document',
    'navigator',
    'HTMLElement',
    'Node',
    'MutationObserver',
    'requestAnimationFrame',
    'cancelAnimationFrame',
  ])
    Object.defineProperty(globals, name, {
      value: (dom.window as unknown as Record<string, unknown>)[name],
      configurable: true,
      writable: true,
    })
  const React = await import('react')
  const { createRoot } = await import('react-dom/client')
  const { WebSocketProvider, useChat } = await import('../../src/react')

  const renders: Record<string, number> = { busy: 0, quiet: 0 }
  function Room({ room }: { room: string }) {
    renders[room] = (renders[room] ?? 0) + 1
    const chat = useChat(room)
    return (
      <ul data-joined={String(chat.isJoined)}>
        {chat.messages.slice(-20).map((m) => (
          <li key={m.id}>{m.data.content}</li>
        ))}
      </ul>
    )
  }

  const client = await packageClient({
    url: `${process.env.BENCH_URL}/?rooms=busy&frames=${FRAMES}&rate=${RATE}`,
    delivery: 'browser',
    checks: false,
    rooms: ['busy', 'quiet'],
  })
  const root = createRoot(dom.window.document.getElementById('root') as Element)
  root.render(
    <WebSocketProvider store={client.store} realtime={client.realtime}>
      <Room room="busy" />
      <Room room="quiet" />
    </WebSocketProvider>,
  )
  await sleep(300) // mount, the joins the hooks retain, presence settle
  renders.busy = 0
  renders.quiet = 0
  const started = performance.now()
  void client.go()
  await client.until(FRAMES)
  const seconds = (performance.now() - started) / 1000
  await sleep(100) // a render scheduled by the last frames
  const busy = renders.busy ?? 0
  const quiet = renders.quiet ?? 0
  root.unmount()
  client.close()
  void React
  const note = `${FRAMES} frames in ${seconds.toFixed(2)} s (${Math.round(FRAMES / seconds)} frames/s) into the busy room; react-dom + jsdom (pretendToBeVisual: requestAnimationFrame at 60 Hz) under tsx`
  const rows: BenchRow[] = [
    { name: 'renders/s, useChat on the busy room', value: busy / seconds, unit: 'renders/s', note },
    { name: 'renders, useChat on another room', value: quiet, unit: 'renders', note },
  ]
  reply(rows)
}

void main()

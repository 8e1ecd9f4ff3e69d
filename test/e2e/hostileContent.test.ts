import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { safeHref } from '../../examples/web/src/links'
import { signDevToken } from '../../src/server'
import { connectRaw, type RawClient } from '../support/rawClient'
import { connected, createBrowserWorld, expectCount, screenshot, sendChat } from './support/browser'

const world = createBrowserWorld()

/** Every payload that would run script bumps this counter in the top window. */
const MARK = 'top.__pwned=(top.__pwned||0)+1'
const TITLE = 'redux-realtime demo'

/** Markup, script and URL-looking text: message content, titles, bodies, statuses, locations. */
const TEXT_PAYLOADS = [
  `<script>${MARK}</script>`,
  `<img src=x onerror="${MARK}">`,
  '<img src=x onerror=alert(1)>',
  `<svg onload="${MARK}"><circle r="4"/></svg>`,
  `<svg><script>${MARK}</script></svg>`,
  `<iframe srcdoc="<script>${MARK}</script>"></iframe>`,
  `<iframe src="javascript:${MARK}"></iframe>`,
  `<a href="javascript:${MARK}">click me</a>`,
  `<object data="data:text/html,<script>${MARK}</script>"></object>`,
  `<details open ontoggle="${MARK}">x</details>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${MARK}>`,
  `"><img src=x onerror=${MARK}>`,
  `</textarea></title><script>${MARK};document.title='pwned'</script>`,
  `[click me](javascript:${MARK})`,
  `{{constructor.constructor('${MARK}')()}}`,
  `javascript:${MARK}`,
  `JaVaScRiPt:${MARK}`,
  `&#106;avascript:${MARK}`,
  `&lt;script&gt;${MARK}&lt;/script&gt;`,
  ` \tjavascript:${MARK}`, // (a control character would be refused as content: see UNSAFE_URLS)
  `data:text/html,<script>${MARK}</script>`,
  `data:text/html;base64,${Buffer.from(`<script>${MARK}</script>`).toString('base64')}`,
  'vbscript:msgbox("pwned")',
]

/**
 * Paths a browser reads as another host (`//`, `/\` and `/<tab>/` alike). The codec refuses
 * them since this test found them getting through; the app's own rule refuses them too.
 */
const PATH_TRICKS = ['//evil.example/phish', '/\\evil.example/phish', '/\t/evil.example/phish']

/** Links that must never become an `href` or `src`: the codec refuses each at both ends. */
const UNSAFE_URLS = [
  `javascript:${MARK}`,
  `JaVaScRiPt:${MARK}`,
  `java\tscript:${MARK}`,
  ` javascript:${MARK}`,
  `\u0001javascript:${MARK}`,
  `\njavascript:${MARK}`,
  `&#106;avascript:${MARK}`,
  `&#x6A;avascript:${MARK}`,
  `javascript&colon;${MARK}`,
  `data:text/html,<script>${MARK}</script>`,
  `data:text/html;base64,${Buffer.from(`<script>${MARK}</script>`).toString('base64')}`,
  `data:image/svg+xml,<svg onload="${MARK}"/>`,
  ...PATH_TRICKS,
  'vbscript:msgbox("pwned")',
  `[x](javascript:${MARK})`,
]

/**
 * Links the codec lets through (an `http(s)://` URL or a path with one leading `/`), with
 * markup in them: they may become links, and their markup must stay inert.
 */
const ODD_LINKS = [
  { url: `https://example.com/report.pdf?q="><script>${MARK}</script>`, link: true },
  { url: `/files/<svg/onload=${MARK}>.svg`, link: true },
]

/** User ids: 1-128 printable ASCII characters, no spaces. */
const HOSTILE_IDS = [
  `"><svg/onload=${MARK}>`,
  '<img/src=x/onerror=alert(1)>',
  `<script>${MARK}</script>`,
  `javascript:${MARK}//`,
  `{{constructor.constructor('${MARK}')()}}`,
]
/** Signs in through the start screen (and `/dev/token?user=`) rather than a raw socket. */
const SIGNED_IN_ID = `"><img/src=x/onerror=${MARK}>`

const dialogs: string[] = []
const raws: RawClient[] = []

/** A signed-in page whose dialogs (an `alert(1)` that ran) are recorded and dismissed. */
async function open(userId: string): Promise<Page> {
  const page = watch(await world.openAs(userId))
  // The dev panel opens after the connection and narrows the grid: wait for the layout to hold.
  await page.getByTestId('devtools-body').waitFor()
  return page
}

function watch(page: Page): Page {
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return page
}

/** A user on a bare socket, in `general`: it sends whatever frames the test builds. */
async function rawUser(userId: string): Promise<RawClient> {
  const client = await connectRaw(world.server.url)
  raws.push(client)
  await client.authenticate(await signDevToken('dev-secret', userId))
  client.sendFrame('join', { room: 'general', data: {} })
  await client.nextOfType('joined', (frame) => frame.room === 'general')
  return client
}

const texts = (page: Page, selector: string): Promise<string[]> =>
  page.locator(selector).evaluateAll((elements) => elements.map((e) => e.textContent ?? ''))

/** No payload ran: no marker, no changed title, no dialog, no frame but the page's own. */
async function expectNothingRan(page: Page): Promise<void> {
  // An injected <img src=x> would fail to load, and run its onerror, within a few ms.
  await page.waitForTimeout(200)
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()
  expect(await page.title()).toBe(TITLE)
  expect(page.frames()).toHaveLength(1)
  expect(dialogs).toEqual([])
}

/**
 * Everything in the app's DOM that could run script or lead somewhere unsafe: script-bearing
 * elements, `on*` attributes, and URL attributes that are not http(s) or that leave for
 * evil.example (which only the path tricks in ODD_LINKS point at). The head is index.html's
 * own (its favicon is a data: URL); only its scripts are checked.
 */
function unsafeMarkup(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    const urlAttributes = new Set([
      'href',
      'xlink:href',
      'src',
      'srcset',
      'action',
      'formaction',
      'data',
      'poster',
      'background',
      'ping',
      'codebase',
    ])
    const forbidden = ['script', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link']
    for (const script of document.head.querySelectorAll('script')) {
      if (!script.src.startsWith(`${location.origin}/`) || script.text !== '')
        found.push(`head <script src="${script.src}">`)
    }
    for (const element of document.body.querySelectorAll('*')) {
      const tag = element.tagName.toLowerCase()
      if (forbidden.includes(tag)) found.push(`<${tag}>`)
      for (const { name, value } of element.attributes) {
        const attribute = name.toLowerCase()
        if (attribute.startsWith('on')) found.push(`<${tag} ${attribute}>`)
        if (attribute === 'srcdoc') found.push(`<${tag} srcdoc>`)
        if (attribute === 'style' && /url\(|expression\(|javascript:/i.test(value))
          found.push(`<${tag} style="${value}">`)
        if (attribute === 'target' && !/noopener/.test(element.getAttribute('rel') ?? ''))
          found.push(`<${tag} target> without rel=noopener`)
        if (!urlAttributes.has(attribute)) continue
        let url: URL
        try {
          url = new URL(value, document.baseURI)
        } catch {
          found.push(`<${tag} ${attribute}="${value}"> (not a URL)`)
          continue
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          found.push(`<${tag} ${attribute}="${value}">`)
        else if (url.hostname === 'evil.example') found.push(`<${tag} ${attribute}="${value}">`)
      }
    }
    return found
  })
}

async function expectSafe(page: Page): Promise<void> {
  await expectNothingRan(page)
  expect(await unsafeMarkup(page)).toEqual([])
}

describe('example app: hostile content from the wire in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    for (const client of raws.splice(0)) client.close()
    expect(world.pageErrors.splice(0)).toEqual([])
    expect(dialogs.splice(0)).toEqual([])
  })

  it('shows markup and script URLs in room and direct messages, replies and attachments as text', async () => {
    const alice = await open('alice')
    const mallory = await rawUser('mallory')

    const sent = TEXT_PAYLOADS.map((content) =>
      mallory.sendFrame('chat_message', { room: 'general', data: { content } }),
    )
    const quoted = sent[0]?.id as string
    mallory.sendFrame('chat_message', {
      room: 'general',
      data: {
        content: `@alice ${TEXT_PAYLOADS[1]}`,
        replyTo: quoted,
        mentions: ['alice', ...HOSTILE_IDS],
      },
    })
    mallory.sendFrame('chat_message', {
      room: 'general',
      data: {
        content: 'files attached',
        attachments: ODD_LINKS.map(({ url }, i) => ({
          name: TEXT_PAYLOADS[i] as string,
          url,
          mimeType: TEXT_PAYLOADS[i + 5]?.slice(0, 128) as string,
          size: 1234,
        })),
      },
    })

    // Room messages: each payload shown once, in order, exactly as sent.
    await expect
      .poll(() => texts(alice, '[data-testid="chat-message"] .message-text'))
      .toEqual([...TEXT_PAYLOADS, `@alice ${TEXT_PAYLOADS[1]}`, 'files attached'])
    const reply = alice
      .getByTestId('chat-message')
      .filter({ has: alice.getByTestId('reply-quote') })
    await expectCount(reply, 1)
    expect(await reply.getByTestId('reply-quote').textContent()).toBe(
      `↪ mallory: ${TEXT_PAYLOADS[0]}`,
    )
    expect(await reply.locator('.message-text').textContent()).toBe(`@alice ${TEXT_PAYLOADS[1]}`)
    expect(await reply.getAttribute('class')).toContain('mentions-me')

    // Attachments: every name as text; only the http(s) URL and the same-origin path as links.
    const files = alice.getByTestId('attachment')
    await expectCount(files, ODD_LINKS.length)
    expect(await texts(alice, '[data-testid="attachment-name"]')).toEqual(
      ODD_LINKS.map((_, i) => TEXT_PAYLOADS[i]),
    )
    const links = alice.getByTestId('attachment').locator('a')
    await expectCount(links, ODD_LINKS.filter((l) => l.link).length)
    // (Chromium percent-encodes a few more path characters than Node's URL: compare decoded.)
    const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))
    expect(hrefs.map(decodeURI)).toEqual([
      decodeURI(new URL(ODD_LINKS[0]?.url as string).href),
      decodeURI(new URL(ODD_LINKS[1]?.url as string, world.baseUrl).href),
    ])

    // Replying to one quotes it in the composer and in alice's own message, still as text.
    const target = alice
      .getByTestId('chat-message')
      .filter({ has: alice.locator('.message-text', { hasText: 'click me</a>' }) })
    await target.hover()
    await target.getByRole('button', { name: 'Reply' }).click()
    expect(await alice.getByTestId('replying-to').textContent()).toContain(
      `Replying to mallory: ${TEXT_PAYLOADS[7]?.slice(0, 60)}`,
    )
    await sendChat(alice, 'alice replies')
    const own = alice.getByTestId('chat-message').filter({ hasText: 'alice replies' })
    await expect
      .poll(() => own.getByTestId('reply-quote').textContent())
      .toBe(`↪ mallory: ${TEXT_PAYLOADS[7]}`)
    await expectSafe(alice)
    await screenshot(alice, 'hostile-content')

    // Direct messages.
    for (const content of TEXT_PAYLOADS) {
      mallory.sendFrame('direct_message', { data: { content, to: 'alice' } })
    }
    await alice.getByTestId('dm-mallory').click()
    await expect
      .poll(() => texts(alice, '[data-testid="chat-message"] .message-text'))
      .toEqual(TEXT_PAYLOADS)
    await expectSafe(alice)
    await screenshot(alice.getByTestId('chat'), 'hostile-direct-messages')
    await world.closePage(alice)
  })

  it('shows hostile user ids as authors, typists, readers, peers and presence, and custom statuses as text', async () => {
    const alice = await open('alice')
    const hostile = watch(await world.openStartScreen(SIGNED_IN_ID))
    await hostile.getByTestId('login-name').fill(SIGNED_IN_ID)
    await hostile.getByRole('button', { name: 'Sign in' }).click()
    await connected(hostile)
    expect(await hostile.getByTestId('current-user').textContent()).toBe(
      `${SIGNED_IN_ID.slice(0, 1)}${SIGNED_IN_ID}`,
    )
    await sendChat(hostile, 'hello from a name')

    const statuses = TEXT_PAYLOADS.filter((text) => text.length <= 128)
    const clients = await Promise.all(HOSTILE_IDS.map(rawUser))
    clients.forEach((client, i) => {
      client.sendFrame('presence_update', {
        data: { status: 'busy', customStatus: statuses[i % statuses.length] },
      })
      client.sendFrame('chat_message', { room: 'general', data: { content: `hi from #${i}` } })
      client.sendFrame('direct_message', { data: { content: `psst from #${i}`, to: 'alice' } })
    })
    const ids = [...HOSTILE_IDS, SIGNED_IN_ID]
    await expect
      .poll(() => texts(alice, '[data-testid="chat-message"] .author'))
      .toEqual(expect.arrayContaining(ids))

    // Each reads alice's message: "Seen by" lists them.
    await sendChat(alice, 'alice was here')
    await Promise.all(
      clients.map(async (client) => {
        const frame = await client.nextOfType(
          'chat_message',
          (f) => f.data.content === 'alice was here',
        )
        client.sendFrame('read_receipt', {
          room: 'general',
          data: { messageId: frame.id, seq: frame.seq as number },
        })
      }),
    )
    const seen = alice
      .getByTestId('chat-message')
      .filter({ hasText: 'alice was here' })
      .getByTestId('seen-by')
    await expect
      .poll(async () => ((await seen.textContent()) ?? '').replace(/^Seen by /, '').split(', '))
      .toEqual(expect.arrayContaining(HOSTILE_IDS))

    // Presence rows and custom statuses.
    await expect
      .poll(() => texts(alice, '[data-testid="presence"] .user-row strong'))
      .toEqual(expect.arrayContaining(ids))
    await expect
      .poll(() => texts(alice, '[data-testid="custom-status"]'))
      .toEqual(
        expect.arrayContaining(HOSTILE_IDS.map((_, i) => `“${statuses[i % statuses.length]}”`)),
      )

    // Typing: the indicator names them.
    for (const client of clients) client.sendFrame('typing_start', { room: 'general', data: {} })
    await expect
      .poll(() => alice.getByTestId('typing-indicator').textContent())
      .toBe(`${HOSTILE_IDS.join(', ')} are typing…`)
    await expectSafe(alice)
    await screenshot(alice, 'hostile-names')

    // Direct messages: each is a peer in the sidebar; a conversation shows their messages.
    for (const id of HOSTILE_IDS) await alice.getByTestId(`dm-${id}`).waitFor()
    await alice.getByTestId(`dm-${HOSTILE_IDS[0]}`).click()
    await expect
      .poll(() => alice.getByTestId('chat-title').textContent())
      .toBe(`Direct messages with ${HOSTILE_IDS[0]}`)
    await expect.poll(() => texts(alice, '.message-text')).toEqual(['psst from #0'])
    await expectSafe(alice)
    await expectSafe(hostile)
    await world.closePage(alice)
    await world.closePage(hostile)
  })

  it('shows notification titles, bodies, kinds and links, system alerts and events as text', async () => {
    const alice = await open('alice')
    // A kind named like an Object.prototype member once blanked the app; the server refuses them now.
    for (const kind of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(() => world.server.notify('alice', { title: 'reserved kind', kind })).toThrow(
        TypeError,
      )
    }
    const kinds = ['info', 'build', 'mention', 'kind with spaces', `<b>${MARK}</b>`]
    TEXT_PAYLOADS.forEach((text, i) =>
      world.server.notify('alice', { title: text, body: `body: ${text}`, kind: kinds[i % 5] }),
    )
    ODD_LINKS.forEach(({ url }, i) =>
      world.server.notify('alice', { title: `link #${i}`, body: url, link: url }),
    )
    const alerts = TEXT_PAYLOADS.slice(0, 6)
    for (const message of alerts) world.server.systemAlert({ message, severity: 'critical' })

    const startsAt = Date.now() + 2 * 3_600_000
    HOSTILE_IDS.forEach((id, i) =>
      world.server.publishEvent({
        id,
        title: TEXT_PAYLOADS[i] as string,
        location: TEXT_PAYLOADS[i + 5],
        status: '<img src=x onerror=alert(1)>',
        startsAt: startsAt + i * 60_000,
        ...(i === 0 ? { remindAt: [Date.now() + 300] } : {}),
      }),
    )

    await expect
      .poll(() => texts(alice, '[data-testid="notification-title"]'))
      .toEqual(expect.arrayContaining([...TEXT_PAYLOADS, ...alerts]))
    await expect
      .poll(() => texts(alice, '[data-testid="notification-body"]'))
      .toEqual(expect.arrayContaining(TEXT_PAYLOADS.map((text) => `body: ${text}`)))
    const linked = alice.getByTestId('notification-link')
    await expectCount(linked, ODD_LINKS.filter((l) => l.link).length)
    expect(await linked.allTextContents()).toEqual(['link #1', 'link #0'])
    await linked.first().scrollIntoViewIfNeeded()
    await screenshot(alice.getByTestId('notifications'), 'hostile-notifications')

    const events = alice.getByTestId('event-item')
    await expectCount(events, HOSTILE_IDS.length)
    expect(await texts(alice, '[data-testid="event-item"] .title')).toEqual(
      TEXT_PAYLOADS.slice(0, HOSTILE_IDS.length),
    )
    const details = await texts(alice, '[data-testid="event-item"] .info .muted')
    details.forEach((detail, i) => expect(detail.endsWith(` · ${TEXT_PAYLOADS[i + 5]}`)).toBe(true))
    await expect
      .poll(() => alice.getByTestId('event-reminder').textContent())
      .toContain(TEXT_PAYLOADS[0])
    await expectSafe(alice)
    await screenshot(alice, 'hostile-feeds')
    await world.closePage(alice)
  })

  it('never lets javascript:, data: or vbscript: links onto the wire: the server API and the codec refuse them', async () => {
    const alice = await open('alice')
    const mallory = await rawUser('mallory')
    for (const link of UNSAFE_URLS) {
      expect(() => world.server.notify('alice', { title: 'unsafe link', link })).toThrow(TypeError)
    }
    for (const [i, url] of UNSAFE_URLS.entries()) {
      const frame = mallory.sendFrame('chat_message', {
        room: 'general',
        data: {
          content: `refused #${i}`,
          attachments: [{ name: 'file', url, mimeType: 'text/html', size: 1 }],
        },
      })
      const error = await mallory.nextOfType('error', (e) => e.data.refId === frame.id)
      expect(error.data.message).toContain('url must be an http(s) URL or a path')
    }
    mallory.sendFrame('chat_message', { room: 'general', data: { content: 'after the refused' } })
    await expectCount(alice.getByTestId('chat-message').filter({ hasText: 'after the refused' }), 1)
    await expectCount(alice.getByTestId('chat-message').filter({ hasText: 'refused #' }), 0)
    await expectCount(alice.getByTestId('notification-item').filter({ hasText: 'unsafe link' }), 0)
    await expectSafe(alice)
    await world.closePage(alice)
  })
})

// The codec keeps these URLs off the wire, so the app's own rule is checked here directly.
describe('example app: which URLs from the wire become links (safeHref)', () => {
  const origin = 'http://127.0.0.1:3000'

  it('links no javascript:, data: or vbscript: URL, however it is spelled or prefixed', () => {
    for (const url of [...UNSAFE_URLS, ...TEXT_PAYLOADS]) {
      expect(safeHref(url, origin), JSON.stringify(url)).toBeUndefined()
    }
  })

  it('links http(s) URLs and paths on its own origin, not paths the browser reads as another host', () => {
    for (const { url, link } of [
      ...ODD_LINKS,
      ...PATH_TRICKS.map((url) => ({ url, link: false })),
    ]) {
      expect(safeHref(url, origin) !== undefined, JSON.stringify(url)).toBe(link)
    }
    expect(safeHref('/builds/42?x=1#top', origin)).toBe(`${origin}/builds/42?x=1#top`)
    expect(safeHref('HTTPS://example.com/a', origin)).toBe('https://example.com/a')
  })
})

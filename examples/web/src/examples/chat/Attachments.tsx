import type { Attachment } from 'redux-realtime-kit'
import { safeHref } from '../../links'

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * A message's files. Only an http(s) URL or a same-origin path becomes a link (opened in a new
 * tab, with no access back to this one); any other URL is shown next to the name, as text.
 */
export function Attachments({ files }: { files: readonly Attachment[] }) {
  return (
    <ul className="attachments">
      {files.map((file, index) => {
        const href = safeHref(file.url)
        const name = (
          <span className="attachment-name" data-testid="attachment-name">
            {file.name}
          </span>
        )
        return (
          <li key={index} className="attachment" data-testid="attachment" title={file.mimeType}>
            {href ? (
              <a href={href} target="_blank" rel="noopener noreferrer">
                {name}
              </a>
            ) : (
              name
            )}
            <span className="muted small">
              {formatSize(file.size)}
              {href ? null : (
                <>
                  {' · not a link: '}
                  <code data-testid="attachment-url">{file.url}</code>
                </>
              )}
            </span>
          </li>
        )
      })}
    </ul>
  )
}

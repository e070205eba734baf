// A tenant's updates, newest first. Bodies are plain text: JSX escapes them and CSS keeps the
// line breaks, so nothing a writer types can become markup.

import { NextPageLink } from "./next-page-link";
import { Time } from "./time";

export interface UpdateItem {
  id: string;
  title: string;
  body: string;
  authorName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UpdatesListProps {
  updates: UpdateItem[];
  timeZone: string;
  /** Where edit and delete links point, when the viewer may write. */
  manageBase: string | null;
  olderHref: string | null;
}

export function UpdatesList({ updates, timeZone, manageBase, olderHref }: UpdatesListProps) {
  if (updates.length === 0) return <p class="empty">No updates yet.</p>;
  return (
    <>
      {updates.map((update) => (
        <article class="update" aria-labelledby={`update-${update.id}`}>
          <h3 id={`update-${update.id}`}>{update.title}</h3>
          <p class="muted">
            {update.authorName ?? "Someone"}, <Time value={update.createdAt} timeZone={timeZone} />
            {update.updatedAt.getTime() !== update.createdAt.getTime() && " (edited)"}
          </p>
          <p class="post-body">{update.body}</p>
          {manageBase && (
            <div class="button-row">
              <a class="button secondary small" href={`${manageBase}/${update.id}/edit`}>
                Edit
              </a>
              <a class="button quiet small" href={`${manageBase}/${update.id}/delete`}>
                Delete
              </a>
            </div>
          )}
        </article>
      ))}
      <NextPageLink href={olderHref} label="Older updates →" />
    </>
  );
}

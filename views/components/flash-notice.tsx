import type { Flash } from "../../src/http/flash";

/**
 * The message a form left for this page (src/http/flash.ts), announced politely. Pages place it
 * next to what it concerns: a row or section whose id is `flash.near` shows it (flashNear), and
 * the top of the page shows any other (flashAtTop), so no message is lost when its row is on
 * another page of results.
 */
export function FlashNotice({ flash }: { flash: Flash | undefined }) {
  if (!flash) return null;
  return (
    <div class={`notice notice-${flash.tone} flash`} role="status" aria-live="polite">
      {flash.message}
    </div>
  );
}

/** The flash when it concerns the element with this id. */
export function flashNear(flash: Flash | undefined, id: string): Flash | undefined {
  return flash?.near === id ? flash : undefined;
}

/** The flash when none of these ids (the rows or sections this page shows) will place it. */
export function flashAtTop(flash: Flash | undefined, placedIds: readonly string[]): Flash | undefined {
  return flash && (flash.near === undefined || !placedIds.includes(flash.near)) ? flash : undefined;
}

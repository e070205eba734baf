// Confirmation messages after Post/Redirect/Get: the redirect carries a key from this catalogue,
// never free text, so a crafted link cannot put words on our pages.
import type { AppContext } from "./app-env";
import { type Flash, takeFlash } from "./flash";

const notices = {
  "user-updated": "The user was updated.",
  "user-deactivated": "The user was deactivated. Their sessions and API tokens stopped working.",
  "user-reactivated": "The user was reactivated.",
  "sessions-ended": "Their sessions were ended.",
  "lock-cleared": "The sign-in lock was cleared.",
  "membership-added": "The membership was added.",
  "membership-updated": "The membership was updated.",
  "membership-removed": "The membership was removed.",
  "membership-extended": "The membership was extended.",
  "tenant-created": "The tenant was created.",
  "tenant-updated": "The tenant was updated.",
  "groups-updated": "The access groups were updated.",
  "group-created": "The access group was created.",
  "group-updated": "The access group was updated.",
  "group-deleted": "The access group was deleted.",
  "group-members-added": "The people were added to the group. Their access changes on their next request.",
  "group-member-removed": "The person was removed from the group. Their access changes on their next request.",
  "account-updated": "Your account was updated.",
  "password-changed": "Your password was changed. Your other sessions were ended.",
  "session-ended": "The session was ended.",
  "other-sessions-ended": "All your other sessions were ended.",
  "token-revoked": "The API token was revoked.",
  "update-posted": "The update was posted.",
  "update-edited": "The update was saved.",
  "update-deleted": "The update was deleted.",
  "client-removed": "The person was removed from the company.",
  "client-added": "They had access to this company before: their access is back, with their old account.",
  "profile-updated": "The profile was saved.",
  "user-erased": "The user's personal data was erased.",
} as const;

export type NoticeKey = keyof typeof notices;

export function noticeFor(key: string | undefined): string | undefined {
  return key && key in notices ? notices[key as NoticeKey] : undefined;
}

/**
 * The flash the form before left (src/http/flash.ts), or, while a form still redirects with a
 * `?notice=` key from the catalogue above, that notice as a flash: pages converted to flashes keep
 * showing the confirmations of the forms that are not yet.
 */
export async function takeFlashOrNotice(c: AppContext): Promise<Flash | undefined> {
  // A form shown again after a refusal is not the page a redirect led to: the flash waits.
  if (c.req.method !== "GET") return undefined;
  const flash = await takeFlash(c);
  if (flash) return flash;
  const notice = noticeFor(c.req.query("notice"));
  return notice ? { message: notice, tone: "success" } : undefined;
}

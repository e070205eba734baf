// The tables of /account: where you are signed in, and your personal API tokens.
import { Time } from "./time";

const tokenStatusTone: Record<string, string> = {
  active: "badge-success",
  expired: "badge-neutral",
  revoked: "badge-neutral",
};

export interface SessionRow {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  status: string;
}

export function SessionsTable({ sessions, timeZone }: { sessions: SessionRow[]; timeZone: string }) {
  return (
    <table class="data-table">
      <thead>
        <tr>
          <th scope="col">Signed in</th>
          <th scope="col">Last active</th>
          <th scope="col">Address and browser</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr>
            <td class="cell-primary" data-label="Signed in">
              <Time value={session.createdAt} timeZone={timeZone} />
            </td>
            <td data-label="Last active">
              <Time value={session.lastSeenAt} timeZone={timeZone} />
            </td>
            <td class="wrap" data-label="Address and browser">
              {session.ip ?? "unknown address"} · {session.userAgent?.slice(0, 80) ?? "unknown browser"}
            </td>
            <td class="cell-actions" data-label="Actions">
              {session.current ? (
                <span class="badge badge-info">this session</span>
              ) : (
                <form method="post" action="/account/sessions/end" class="inline">
                  <input type="hidden" name="sessionId" value={session.id} />
                  <button type="submit" class="secondary small">
                    End
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ApiTokensTable({ tokens, timeZone }: { tokens: ApiTokenRow[]; timeZone: string }) {
  return (
    <>
      {tokens.length === 0 ? (
        <p class="empty">No tokens yet.</p>
      ) : (
        <table class="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" class="priority-low">
                Created
              </th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr>
                <td class="cell-primary wrap" data-label="Name">
                  {token.name}
                </td>
                <td class="priority-low" data-label="Created">
                  <Time value={token.createdAt} timeZone={timeZone} />
                </td>
                <td data-label="Expires">
                  {token.expiresAt ? <Time value={token.expiresAt} timeZone={timeZone} /> : "Never"}
                </td>
                <td data-label="Last used">
                  <Time value={token.lastUsedAt} timeZone={timeZone} />
                </td>
                <td data-label="Status">
                  <span class={`badge ${tokenStatusTone[token.status] ?? "badge-neutral"}`}>
                    {token.status[0]?.toUpperCase() + token.status.slice(1)}
                  </span>
                </td>
                <td class="cell-actions" data-label="Actions">
                  {token.status === "active" && (
                    <form method="post" action="/account/tokens/revoke" class="inline">
                      <input type="hidden" name="tokenId" value={token.id} />
                      <button type="submit" class="secondary small">
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

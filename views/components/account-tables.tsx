// The tables of /account: where you are signed in, and your personal API tokens.
import { Time } from "./time";

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
    <table>
      <thead>
        <tr>
          <th scope="col">Signed in</th>
          <th scope="col">Last active</th>
          <th scope="col">Address and browser</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr>
            <td>
              <Time value={session.createdAt} timeZone={timeZone} />
            </td>
            <td>
              <Time value={session.lastSeenAt} timeZone={timeZone} />
            </td>
            <td>
              {session.ip ?? "unknown address"} · {session.userAgent?.slice(0, 80) ?? "unknown browser"}
            </td>
            <td>
              {session.current ? (
                "this session"
              ) : (
                <form method="post" action="/account/sessions/end" class="inline">
                  <input type="hidden" name="sessionId" value={session.id} />
                  <button type="submit" class="secondary">
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
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr>
                <td>{token.name}</td>
                <td>
                  <Time value={token.createdAt} timeZone={timeZone} />
                </td>
                <td>{token.expiresAt ? <Time value={token.expiresAt} timeZone={timeZone} /> : "never"}</td>
                <td>
                  <Time value={token.lastUsedAt} timeZone={timeZone} />
                </td>
                <td>{token.status}</td>
                <td>
                  {token.status === "active" && (
                    <form method="post" action="/account/tokens/revoke" class="inline">
                      <input type="hidden" name="tokenId" value={token.id} />
                      <button type="submit" class="secondary">
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

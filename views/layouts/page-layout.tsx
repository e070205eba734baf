import type { Child } from "hono/jsx";

export interface NavigationItem {
  href: string;
  label: string;
  current: boolean;
}

export interface SignedInUser {
  displayName: string;
  email: string;
  /** The role in words (src/labels.ts), not its code. */
  role: string;
}

export interface PageLayoutProps {
  title: string;
  user?: SignedInUser | null;
  navigation?: NavigationItem[];
  /** Sign-in and setup: the page as one centred card, nobody shown. */
  variant?: "console" | "public";
  /** What must be seen on every page before the page itself (the audit log's tamper banner). */
  alert?: Child;
  children: Child;
}

function Document({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · Gatehouse`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}

function Brand() {
  return (
    <a class="brand" href="/">
      <span class="brand-mark" aria-hidden="true"></span>
      Gatehouse
    </a>
  );
}

function Navigation({ items }: { items: NavigationItem[] }) {
  if (items.length === 0) return null;
  return (
    <nav aria-label="Main">
      <ul class="nav-list">
        {items.map((item) => (
          <li>
            <a href={item.href} aria-current={item.current ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function SignedIn({ user }: { user: SignedInUser }) {
  return (
    <div class="signed-in">
      <a class="user-name" href="/account" title={user.email}>
        {user.displayName}
      </a>
      <span class="role">{user.role}</span>
      <form method="post" action="/logout">
        <button type="submit" class="secondary small">
          Sign out
        </button>
      </form>
    </div>
  );
}

/**
 * The console: the navigation in a sidebar from 900 px; below, a top bar whose "Menu" (a
 * <details>, so it needs no script) opens the same navigation. The stylesheet shows exactly one
 * of the two, so the other is out of the accessibility tree too.
 */
export function PageLayout({ title, user, navigation = [], variant = "console", alert, children }: PageLayoutProps) {
  if (variant === "public") {
    return (
      <Document title={title}>
        <div class="public-shell">
          <Brand />
          <main id="main">{children}</main>
        </div>
      </Document>
    );
  }
  const hasMenu = navigation.length > 0 || Boolean(user);
  return (
    <Document title={title}>
      <div class="shell">
        <header class="topbar">
          <Brand />
          {hasMenu && (
            <details class="menu">
              <summary>Menu</summary>
              <div class="menu-panel">
                <Navigation items={navigation} />
                {user && <SignedIn user={user} />}
              </div>
            </details>
          )}
        </header>
        <aside class="sidebar">
          <Brand />
          <Navigation items={navigation} />
          {user && <SignedIn user={user} />}
        </aside>
        <main id="main">
          {alert}
          {children}
        </main>
      </div>
    </Document>
  );
}

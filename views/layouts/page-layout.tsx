import type { Child } from "hono/jsx";

export interface NavigationItem {
  href: string;
  label: string;
  current: boolean;
}

export interface SignedInUser {
  displayName: string;
  email: string;
  role: string;
}

export interface PageLayoutProps {
  title: string;
  user?: SignedInUser | null;
  navigation?: NavigationItem[];
  children: Child;
}

export function PageLayout({ title, user, navigation = [], children }: PageLayoutProps) {
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
        <header class="site-header">
          <a class="brand" href="/">
            Gatehouse
          </a>
          {navigation.length > 0 && (
            <nav aria-label="Main">
              <ul>
                {navigation.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.current ? "page" : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {user && (
            <div class="signed-in">
              <a href="/account" title={user.email}>
                {user.displayName}
              </a>{" "}
              <span class="role">{user.role}</span>
              <form method="post" action="/logout" class="inline">
                <button type="submit" class="link-button">
                  Sign out
                </button>
              </form>
            </div>
          )}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

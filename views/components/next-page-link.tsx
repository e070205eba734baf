// The link under a list whose rows go on on another page (keyset pagination: only "next").
export function NextPageLink({ href, label = "Next page →" }: { href: string | null | undefined; label?: string }) {
  return href ? (
    <p>
      <a href={href}>{label}</a>
    </p>
  ) : null;
}

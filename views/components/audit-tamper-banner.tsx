// The red banner a Super admin sees on every page while a finding of the cron's audit log check is
// unacknowledged (src/domain/audit/audit-integrity.ts). The layout shows it above the page.
// The count is capped where it is read (audit-integrity.ts openFindingsCountCap): at the cap it
// reads "100 or more rows".
export function AuditTamperBanner({ changedRows, cap }: { changedRows: number; cap: number }) {
  const rows = changedRows === 1 ? "1 row" : changedRows >= cap ? `${cap} or more rows` : `${changedRows} rows`;
  return (
    <div class="notice notice-error" role="alert">
      <strong>The audit log no longer matches what it recorded:</strong> {rows} changed behind Gatehouse's back.{" "}
      <a href="/admin/audit#audit-findings">Review them →</a>
    </div>
  );
}

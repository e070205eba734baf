// The red banner a Super admin sees on every page while a finding of the cron's audit log check is
// unacknowledged (src/domain/audit/audit-integrity.ts). The layout shows it above the page.
export function AuditTamperBanner({ changedRows }: { changedRows: number | null }) {
  const rows = changedRows === null ? "rows" : changedRows === 1 ? "1 row" : `${changedRows} rows`;
  return (
    <div class="notice notice-error" role="alert">
      <strong>The audit log no longer matches what it recorded:</strong> {rows} changed behind Gatehouse's back.{" "}
      <a href="/admin/audit#audit-findings">Review them →</a>
    </div>
  );
}

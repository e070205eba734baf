// A secret shown once (setup link, API token): readable and selectable without JavaScript; the
// copy button is the one piece that needs script (served from /static/app.js, no inline script).
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} type="text" readonly value={value} class="mono" />
        <button type="button" class="secondary" data-copy-target={id} hidden>
          Copy
        </button>
      </div>
    </div>
  );
}

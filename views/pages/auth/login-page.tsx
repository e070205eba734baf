import { FormErrorSummary, TextField } from "../../components/form-fields";

export interface LoginPageProps {
  email: string;
  next: string;
  error?: string;
  notice?: string;
}

export function LoginPage({ email, next, error, notice }: LoginPageProps) {
  return (
    <div class="narrow">
      <h1>Sign in</h1>
      {notice && <p class="notice notice-info">{notice}</p>}
      {error && <FormErrorSummary errors={{ form: error }} />}
      <form method="post" action="/login" novalidate>
        <input type="hidden" name="next" value={next} />
        <TextField name="email" label="Email" type="email" value={email} autocomplete="username" required />
        <TextField name="password" label="Password" type="password" autocomplete="current-password" required />
        <div class="form-actions">
          <button type="submit">Continue</button>
        </div>
      </form>
      <p class="muted">Gatehouse is invite-only. If you have no account, ask your administrator for an invitation.</p>
    </div>
  );
}

export function VerifyPage({ next, error }: { next: string; error?: string }) {
  return (
    <div class="narrow">
      <h1>Two-factor authentication</h1>
      {error && <FormErrorSummary errors={{ code: error }} />}
      <form method="post" action="/login/verify" novalidate>
        <input type="hidden" name="next" value={next} />
        <TextField
          name="code"
          label="Code from your authenticator app"
          hint="Six digits. Lost your phone? Enter one of your recovery codes instead."
          autocomplete="one-time-code"
          inputmode="text"
          maxlength={20}
          required
        />
        <div class="form-actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
      <p class="muted">
        <a href="/login">Start again</a>
      </p>
    </div>
  );
}

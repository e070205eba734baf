// What a person calls a passkey ("Work laptop", "YubiKey"): their own words, shown back to them and
// to administrators on the Security tab.
import * as z from "zod";

export const passkeyNameSchema = z
  .string()
  .trim()
  .min(1, "Name this passkey, for example Work laptop or YubiKey.")
  .max(60, "Keep the name to 60 characters or fewer.");

// What a person calls a passkey ("Work laptop", "YubiKey"): their own words, shown back to them and
// to administrators on the Security tab, so held to the rules of every typed name (docs/SECURITY.md
// "Text input").
import { singleLineTextSchema } from "../text";

export const passkeyNameSchema = singleLineTextSchema("The passkey's name")
  .min(1, "Name this passkey, for example Work laptop or YubiKey.")
  .max(60, "Keep the name to 60 characters or fewer.");

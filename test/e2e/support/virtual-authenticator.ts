// Chromium's own virtual authenticator (the DevTools Protocol's WebAuthn domain), attached to one
// person's page: it answers navigator.credentials.create() and .get() exactly as a platform
// authenticator with a fingerprint reader would, with no prompt. Its credentials can be read and
// put back, so one person can carry two "devices" in turn; response bits can be overridden, so the
// server sees a real assertion whose user-verified flag is off.
import type { CDPSession } from "playwright-core";
import type { Person } from "./browser";

/** A credential as the authenticator holds it (CDP WebAuthn.Credential), private key included: enough to put it on another one. */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export class VirtualAuthenticator {
  private constructor(
    private readonly cdp: CDPSession,
    readonly id: string,
  ) {}

  static async attach(person: Person): Promise<VirtualAuthenticator> {
    const cdp = await person.context.newCDPSession(person.page);
    await cdp.send("WebAuthn.enable", { enableUI: false });
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        ctap2Version: "ctap2_1",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return new VirtualAuthenticator(cdp, authenticatorId);
  }

  async credentials(): Promise<VirtualCredential[]> {
    return (await this.cdp.send("WebAuthn.getCredentials", { authenticatorId: this.id })).credentials;
  }

  async addCredential(credential: VirtualCredential): Promise<void> {
    await this.cdp.send("WebAuthn.addCredential", { authenticatorId: this.id, credential });
  }

  /** Every response reports the user as not verified (the UV flag cleared), whatever the options asked. */
  async clearUserVerifiedFlag(clear: boolean): Promise<void> {
    await this.cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId: this.id, isBadUV: clear });
  }

  async remove(): Promise<void> {
    await this.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: this.id });
  }
}

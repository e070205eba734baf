// What every domain function receives: the stores, the clock and who is acting. Routes build it
// from the request; jobs and the bootstrap script build it with the system actor; tests build it
// with any `now` they like.
import type { Db } from "../db/client";
import type { Config } from "../env";
import type { Principal } from "./access";

export type Actor =
  | { kind: "system" }
  /** Someone not (yet) signed in, e.g. a failed sign-in for this email. */
  | { kind: "anonymous"; email: string | null }
  /** A user acting on their own account before a session exists (setup, sign-in). */
  | { kind: "account"; user: { id: string; displayName: string; email: string } }
  | { kind: "user"; principal: Principal };

export interface DomainContext {
  db: Db;
  kv: KVNamespace;
  now: Date;
  config: Config;
  actor: Actor;
  ip: string | null;
  requestId: string | null;
}

export const systemActorName = "Gatehouse (system)";

export interface ActorSnapshot {
  id: string | null;
  name: string;
  email: string | null;
}

export function snapshotActor(actor: Actor): ActorSnapshot {
  switch (actor.kind) {
    case "system":
      return { id: null, name: systemActorName, email: null };
    case "anonymous":
      return { id: null, name: "anonymous", email: actor.email };
    case "account":
      return { id: actor.user.id, name: actor.user.displayName, email: actor.user.email };
    case "user":
      return { id: actor.principal.user.id, name: actor.principal.user.displayName, email: actor.principal.user.email };
  }
}

export function actorUserId(actor: Actor): string | null {
  return actor.kind === "user" ? actor.principal.user.id : null;
}

export function actorRole(actor: Actor) {
  return actor.kind === "user" ? actor.principal.user.role : actor.kind === "system" ? "SUPER_ADMIN" : null;
}

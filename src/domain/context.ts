// What every domain function receives: the stores, the clock and who is acting. Routes build it
// from the request; jobs and the bootstrap script build it with the system actor; tests build it
// with any `now` they like.
import type { Db } from "../db/client";
import type { ActorKind } from "../db/schema";
import type { Config } from "../env";
import type { Principal, ServicePrincipal } from "./access";

/** Who acts: one shape here, in authorize() and in audit rows (docs/SECURITY.md "Actors that are not people"). */
export type Actor =
  | { kind: "system" }
  /** Someone not (yet) signed in, e.g. a failed sign-in for this email. */
  | { kind: "anonymous"; email: string | null }
  /** A user acting on their own account before a session exists (setup, sign-in). */
  | { kind: "account"; user: { id: string; displayName: string; email: string } }
  | { kind: "user"; principal: Principal }
  /** A SCIM directory, an access-review campaign or a sign-in connection, on its own authority. */
  | ServicePrincipal;

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

/** What an audit row keeps of its actor: a service's kind names its type (`service:scim_directory`). */
export interface ActorSnapshot {
  kind: ActorKind;
  id: string | null;
  name: string;
  email: string | null;
}

export function snapshotActor(actor: Actor): ActorSnapshot {
  switch (actor.kind) {
    case "system":
      return { kind: "system", id: null, name: systemActorName, email: null };
    case "anonymous":
      return { kind: "anonymous", id: null, name: "anonymous", email: actor.email };
    case "account":
      return { kind: "account", id: actor.user.id, name: actor.user.displayName, email: actor.user.email };
    case "user": {
      const user = actor.principal.user;
      return { kind: "user", id: user.id, name: user.displayName, email: user.email };
    }
    case "service":
      return { kind: `service:${actor.service.type}`, id: actor.service.id, name: actor.service.name, email: null };
  }
}

/** The signed-in person acting, for columns that name a user (created_by…): null for everyone else, services included. */
export function actorUserId(actor: Actor): string | null {
  return actor.kind === "user" ? actor.principal.user.id : null;
}

/** The global role the actor acts with: a user's own, SUPER_ADMIN for the system, none for anyone else (a service has no role). */
export function actorRole(actor: Actor) {
  return actor.kind === "user" ? actor.principal.user.role : actor.kind === "system" ? "SUPER_ADMIN" : null;
}

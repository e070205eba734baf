// Access groups for tests, made through the real domain code as the system actor.
import type { Permission } from "../../src/domain/access";
import type { Actor } from "../../src/domain/context";
import { addGroupMembers } from "../../src/domain/groups/group-members";
import { createGroup } from "../../src/domain/groups/groups";
import type { Group } from "../../src/domain/groups/groups-read";
import type { InviteInput } from "../../src/domain/users/users";
import type { TestClock } from "./clock";
import { type ActiveTestUser, createActiveUser, testContext } from "./factories";

let counter = 0;

export function uniqueGroupName(prefix = "Group"): string {
  counter += 1;
  return `${prefix} ${counter} ${crypto.randomUUID().slice(0, 6)}`;
}

export async function createTestGroup(
  clock: TestClock,
  permissions: Permission[],
  name = uniqueGroupName(),
  actor?: Actor,
): Promise<Group> {
  return createGroup(testContext(clock, actor), { name, description: "", permissions });
}

/** An active user (OPERATOR unless told otherwise) who holds exactly `permissions` through one fresh group. */
export async function createUserWithPermissions(
  clock: TestClock,
  permissions: Permission[],
  input: Partial<InviteInput> = {},
): Promise<ActiveTestUser & { groupId: string }> {
  const user = await createActiveUser(clock, { role: "OPERATOR", ...input });
  const group = await createTestGroup(clock, permissions);
  await addGroupMembers(testContext(clock), group.id, [user.id]);
  return { ...user, groupId: group.id };
}

import type { PersonRow } from "../../views/components/tenant-people";
import type { TenantPerson } from "../domain/tenant-people";

export function toPersonRows(people: TenantPerson[], viewerId: string): PersonRow[] {
  return people.map((person) => ({ ...person, isSelf: person.userId === viewerId }));
}

// Who may see a page or an entry, from the server's policy table (GET /meta `policy`), so that
// the UI carries no second copy of it. Until the table is known nothing gated by it is allowed:
// a missing table hides entries rather than showing ones the server would refuse.
import type { Action, PolicyTable, Role } from './api/types'

/** A page's or entry's requirement: an action under a policy key of the server. */
export interface Need {
  policy: string
  action: Action
}

/** What a page or entry asks for: a policy need, or (where the server has no policy key for
 *  it yet) an explicit role list; neither means every signed-in role. */
export interface Gate {
  need?: Need
  roles?: Role[]
}

export function allows(table: PolicyTable | null | undefined, role: Role | null | undefined, need: Need): boolean {
  return !!role && !!table?.[need.policy]?.[role]?.includes(need.action)
}

export function admits(gate: Gate, role: Role | null | undefined, table: PolicyTable | null | undefined): boolean {
  if (gate.need && !allows(table, role, gate.need)) return false
  if (gate.roles && !(role && gate.roles.includes(role))) return false
  return true
}

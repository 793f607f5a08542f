// The server's policy table as GET /meta answers it (src/domain/account.c, `policy[]`), for the
// unit tests of the navigation and the guards. The browser tests run against the real table.
import type { Action, PolicyTable, Role } from './api/types'

const ALL: Action[] = ['read', 'create', 'update', 'archive', 'export']
const R: Action[] = ['read']
const RE: Action[] = ['read', 'export']
const RUE: Action[] = ['read', 'update', 'export']
const ROLES: Role[] = ['admin', 'city', 'region', 'operator', 'enterprise', 'viewer', 'auditor', 'apartment_desk', 'applicant']

/** every role listed, with [] where the server allows nothing (as pb_policy_dump writes it) */
function key(allow: Partial<Record<Role, Action[]>>): Partial<Record<Role, Action[]>> {
  return Object.fromEntries(ROLES.map((r) => [r, allow[r] || []]))
}
const staff = { admin: ALL, city: ALL, region: ALL }

export const POLICY: PolicyTable = {
  parks: key({ ...staff, operator: RUE, enterprise: R, viewer: RE }),
  audit: key({ admin: RE, auditor: RE }),
  accounts: key({ admin: ['read', 'create', 'update', 'archive'] }),
  apartments: key({ ...staff, viewer: RE, apartment_desk: RUE }),
  buildings: key({ ...staff, operator: ALL, viewer: RE }),
  units: key({ ...staff, operator: ALL, viewer: RE }),
  enterprises: key({ ...staff, operator: RE, enterprise: R, viewer: RE }),
  leases: key({ ...staff, operator: ALL, enterprise: R, viewer: RE }),
  spaces: key({ ...staff, operator: RE, viewer: RE }),
  demands: key({ ...staff, enterprise: R, viewer: RE }),
  projects: key({ ...staff, operator: RE, viewer: RE }),
  reports: key({
    admin: ['read', 'create', 'update', 'export'],
    city: ['read', 'create', 'update', 'export'],
    region: ['read', 'create', 'export'],
    operator: R,
    viewer: RE,
  }),
  targets: key({ ...staff, region: RE, viewer: RE }),
}
